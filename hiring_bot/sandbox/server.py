"""`hiring-bot sandbox`: the real app wired to a local Slack stand-in, with a page that plays Slack.

One process, one port on 127.0.0.1:

* ``/`` and ``/sandbox/…`` — the page and the JSON it polls and posts to;
* everything else — the app's own WSGI app (``/slack/events``, ``/healthz``,
  ``/intake/applications``), built by ``build_web(deps, build_app(deps))`` as in production.

The app is configured, not patched: ``SLACK_API_URL`` points at the stand-in (a `SlackStandin`
on another local port), the database is its own SQLite file, the clock port is an
`AdjustableClock` and the scheduler is the production one. A click in the page becomes the payload
Slack would send, signed with the signing secret, POSTed over HTTP to ``/slack/events``; what the
app answers (ack bodies, ``response_url`` posts, Web API calls) is what the page shows.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
from datetime import datetime
from wsgiref.simple_server import make_server

from hiring_bot.bootstrap import build_deps
from hiring_bot.config import Settings
from hiring_bot.db.engine import sqlite_files
from hiring_bot.db.migrate import upgrade
from hiring_bot.sandbox import demo
from hiring_bot.sandbox.clock import AdjustableClock
from hiring_bot.sandbox.page_http import PageRoutes, _QuietHandler, _ThreadingWSGIServer
from hiring_bot.sandbox.sandbox_base import (
    ACK_DEADLINE_SECONDS,
    BOT_NAME,
    BOT_TOKEN,
    Origin,
    SandboxOptions,
    StartResponse,
)
from hiring_bot.sandbox.signed_requests import SlackRequests
from hiring_bot.sandbox.slack_standin import SlackStandin
from hiring_bot.slack.pacing import ChannelPacer

__all__ = [
    "ACK_DEADLINE_SECONDS",
    "BOT_NAME",
    "BOT_TOKEN",
    "SANDBOX_POST_INTERVAL",
    "Origin",
    "Sandbox",
    "SandboxOptions",
    "StartResponse",
]

log = logging.getLogger(__name__)

# The stand-in has no rate limit; a short spacing keeps the demo's first cards quick to appear.
SANDBOX_POST_INTERVAL = 0.05


class Sandbox(PageRoutes):
    """Builds and runs everything; ``start()`` returns the page's URL, ``stop()`` ends it all.

    The parts: PageRoutes (HTTP), Interactions (signed requests to the app), AppReplies (what
    the app sends back), DemoActions (clock, sample email), PageState (the JSON the page polls).
    """

    def __init__(self, options: SandboxOptions) -> None:
        self.options = options
        self.port = options.port
        self.signing_secret = secrets.token_hex(16)
        self.standin = SlackStandin(
            token=BOT_TOKEN, spec_path=options.spec_path, require_spec=False
        )
        self.clock = AdjustableClock()
        self.windows_file = options.data_dir / "sandbox-windows.toml"
        self.database_file = options.data_dir / "sandbox.db"
        # The channel as the stand-in holds it: without it, a restart would show an empty channel
        # while the database remembers every card as posted.
        self.slack_file = options.data_dir / "sandbox-slack.json"
        self.database_url = options.database_url or f"sqlite:///{self.database_file}"
        self._saved_version = -1
        self._saver = None
        self._stopping = threading.Event()
        self.activity = []
        self.view_errors = {}
        self.problems = []  # the app answered Slack with an error
        self.warnings = []  # the app answered, but slower than Slack waits
        self._origins = {}
        self._lock = threading.Lock()
        self._version = 0
        self._samples = 0
        self.deps = None
        self.scheduler = None
        self._server = None
        self._thread = None
        self.requests = None

    # -- lifecycle -------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> str:
        if self.options.reset or (
            self.options.database_url is None and not self.database_file.exists()
        ):
            for stale in (*sqlite_files(self.database_file), self.windows_file, self.slack_file):
                stale.unlink(missing_ok=True)
        self._load_slack()
        self._start_standin()
        self._server = make_server(
            "127.0.0.1",
            self.port,
            self._wsgi,
            server_class=_ThreadingWSGIServer,
            handler_class=_QuietHandler,
        )
        self.port = int(self._server.server_port)
        self.requests = SlackRequests(f"http://127.0.0.1:{self.port}", self.signing_secret)
        settings = Settings(
            database_url=self.database_url,
            slack_bot_token=BOT_TOKEN,
            slack_signing_secret=self.signing_secret,
            slack_api_url=self.standin.url,
            hiring_channel=demo.HIRING_CHANNEL,
            port=self.port,
            timezone=self.options.timezone,
            admin_user_ids=frozenset({demo.DANA.user_id}),
            run_scheduler=True,
            windows_file=self.windows_file,
        )
        deps = build_deps(
            settings, clock=self.clock, pacer=ChannelPacer(interval=SANDBOX_POST_INTERVAL)
        )
        upgrade(deps.engine)
        self.deps = deps
        from hiring_bot.slack.app import build_app
        from hiring_bot.web import build_web

        self._web = build_web(deps, build_app(deps))
        fresh = not self.windows_file.exists()
        if fresh:
            today = datetime.now(settings.timezone).date()
            demo.write_windows_file(self.windows_file, demo.demo_windows(today))
        if self.options.demo_data and not demo.has_applications(deps):
            demo.seed(deps, windows=self._windows_for_demo())
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        self._thread.start()
        from hiring_bot.scheduler.wiring import build_scheduler

        self.scheduler = build_scheduler(deps, blocking=False)
        self.scheduler.start()
        self.run_job_now("outbox.sweep")
        self._saver = threading.Thread(target=self._keep_saving, name="sandbox-save", daemon=True)
        self._saver.start()
        return self.url

    # -- the stand-in's channel, kept across restarts --------------------------------------------

    def _load_slack(self) -> None:
        if not self.slack_file.exists():
            return
        try:
            saved = json.loads(self.slack_file.read_text(encoding="utf-8"))
            messages = {(str(c), str(ts)): m for c, ts, m in saved.get("messages", [])}
            views = {str(k): v for k, v in saved.get("views", {}).items()}
        except (OSError, ValueError, TypeError, AttributeError):
            log.warning("%s is unreadable; the channel starts empty", self.slack_file.name)
            return
        with self.standin.lock:
            self.standin.messages.update(messages)
            self.standin.views.update(views)

    def _save_slack(self) -> None:
        with self.standin.lock:
            version = self.standin.version
            if version == self._saved_version:
                return
            saved = {
                "messages": [[c, ts, m] for (c, ts), m in self.standin.messages.items()],
                "views": {k: v for k, v in self.standin.views.items() if v.get("type") == "home"},
            }
        temporary = self.slack_file.with_suffix(".tmp")
        temporary.write_text(json.dumps(saved), encoding="utf-8")
        temporary.replace(self.slack_file)
        self._saved_version = version

    def _keep_saving(self) -> None:
        while not self._stopping.wait(1.0):
            try:
                self._save_slack()
            except OSError as error:
                log.warning("could not save %s: %s", self.slack_file.name, error.strerror)

    def _start_standin(self) -> None:
        standin = self.standin
        standin.channel_members[demo.HIRING_CHANNEL] = [p.user_id for p in demo.REVIEWERS]
        for person in demo.PEOPLE:
            standin.users[person.user_id] = {
                "name": person.handle,
                "real_name": person.name,
                "is_admin": person is demo.DANA,
                "tz": self.options.timezone.key,
                "profile": {
                    "real_name": person.name,
                    "display_name": person.handle,
                    "email": f"{person.handle}@lab.example.org",
                },
            }
        standin.on_response = self._on_response
        standin.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._saver is not None:
            self._saver.join(timeout=5)
        if self.scheduler is not None:
            # Running jobs (an outbox sweep mid-batch) finish while the stand-in still answers.
            self.scheduler.shutdown(wait=True)
            self.scheduler = None
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        self.standin.stop()
        if self._saver is not None:
            # Saved last, so the cards those last jobs posted are in the file too.
            self._save_slack()
        if self.deps is not None:
            self.deps.engine.dispose()
