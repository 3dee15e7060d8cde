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
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from datetime import time as clock_time
from importlib import resources
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server
from zoneinfo import ZoneInfo

from apscheduler.schedulers.base import BaseScheduler
from sqlalchemy import select

from hiring_bot.bootstrap import Deps, build_deps
from hiring_bot.config import DEFAULT_TIMEZONE, Settings
from hiring_bot.db.migrate import upgrade
from hiring_bot.db.models import Window
from hiring_bot.sandbox import demo
from hiring_bot.sandbox.clock import AdjustableClock
from hiring_bot.sandbox.signed_requests import VERIFICATION_TOKEN, SlackRequests
from hiring_bot.sandbox.slack_standin import SlackStandin, validate_view
from hiring_bot.slack.pacing import ChannelPacer

log = logging.getLogger(__name__)

BOT_TOKEN = "xoxb-sandbox"
BOT_NAME = "hiring-bot"
ACK_DEADLINE_SECONDS = 3.0
# The stand-in has no rate limit; a short spacing keeps the demo's first cards quick to appear.
SANDBOX_POST_INTERVAL = 0.05
StartResponse = Callable[..., Any]


@dataclass
class Origin:
    """Where a response_url leads back to: whose screen, which channel, which message."""

    user_id: str
    channel: str
    kind: str  # "command" | "message" | "ephemeral"
    ts: str | None = None


@dataclass
class SandboxOptions:
    port: int = 3000
    data_dir: Path = field(default_factory=Path.cwd)
    database_url: str | None = None
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo(DEFAULT_TIMEZONE))
    spec_path: str | None = None
    demo_data: bool = True
    reset: bool = False


class Sandbox:
    """Builds and runs everything; ``start()`` returns the page's URL, ``stop()`` ends it all."""

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
        self._saver: threading.Thread | None = None
        self._stopping = threading.Event()
        self.activity: list[dict[str, Any]] = []
        self.view_errors: dict[str, dict[str, str]] = {}
        self.problems: list[str] = []  # the app answered Slack with an error
        self.warnings: list[str] = []  # the app answered, but slower than Slack waits
        self._origins: dict[str, Origin] = {}
        self._lock = threading.Lock()
        self._version = 0
        self._samples = 0
        self.deps: Deps | None = None
        self.scheduler: BaseScheduler | None = None
        self._server: WSGIServer | None = None
        self._thread: threading.Thread | None = None
        self.requests: SlackRequests | None = None

    # -- lifecycle -------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> str:
        if self.options.reset or (
            self.options.database_url is None and not self.database_file.exists()
        ):
            for stale in (self.database_file, self.windows_file, self.slack_file):
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

    def _windows_for_demo(self) -> tuple[demo.DemoWindow, ...]:
        today = datetime.now(self.options.timezone).date()
        return demo.demo_windows(today)

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
            self._save_slack()
        if self.scheduler is not None:
            # Running jobs (an outbox sweep mid-batch) finish while the stand-in still answers.
            self.scheduler.shutdown(wait=True)
            self.scheduler = None
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        self.standin.stop()
        if self.deps is not None:
            self.deps.engine.dispose()

    def run_job_now(self, job_id: str) -> bool:
        """Have the scheduler run one of its jobs at once (as if its trigger had fired)."""
        scheduler = self.scheduler
        if scheduler is None or scheduler.get_job(job_id) is None:
            return False
        scheduler.modify_job(job_id, next_run_time=datetime.now(self.options.timezone))
        scheduler.wakeup()
        return True

    # -- bookkeeping -----------------------------------------------------------------------------

    def _changed(self) -> None:
        with self._lock:
            self._version += 1

    def _note(self, kind: str, text: str, *, user: str | None = None) -> None:
        with self._lock:
            self.activity.append(
                {"at": time.strftime("%H:%M:%S"), "kind": kind, "text": text, "user": user}
            )
            del self.activity[:-200]
            self._version += 1

    def _problem(self, text: str) -> None:
        with self._lock:
            self.problems.append(text)
            self._version += 1

    def _new_trigger(self, user_id: str) -> str:
        trigger = f"{int(time.time())}.{secrets.randbelow(10**9)}.{secrets.token_hex(16)}"
        self.standin.trigger_users[trigger] = user_id
        return trigger

    def _new_response_url(self, origin: Origin) -> str:
        url = self.standin.response_url()
        with self._lock:
            self._origins[urllib.parse.urlsplit(url).path] = origin
        return url

    def _add_ephemeral(self, user_id: str, channel: str, reply: dict[str, Any]) -> str:
        fields: dict[str, Any] = {k: reply[k] for k in ("text", "blocks") if k in reply}
        return self.standin.add_ephemeral(channel=channel, user=user_id, fields=fields)

    # -- what the app sends back -----------------------------------------------------------------

    def _on_response(self, path: str, payload: dict[str, Any]) -> None:
        """A response_url POST from the app: ephemeral, replace, delete or in-channel."""
        with self._lock:
            origin = self._origins.get(path)
        if origin is None:
            self._problem(f"response_url {path}: the app posted to a URL the sandbox never issued")
            return
        standin = self.standin
        if payload.get("delete_original"):
            self._delete_origin(origin)
            return
        if payload.get("replace_original") and origin.ts is not None:
            self._replace_origin(origin, payload)
            return
        if payload.get("response_type") == "in_channel":
            standin.post_as_bot(origin.channel, payload)
            return
        self._add_ephemeral(origin.user_id, origin.channel, payload)

    def _delete_origin(self, origin: Origin) -> None:
        standin = self.standin
        with standin.lock:
            if origin.kind == "ephemeral":
                standin.ephemerals[:] = [m for m in standin.ephemerals if m["ts"] != origin.ts]
            elif origin.kind == "message" and origin.ts is not None:
                standin.messages.pop((origin.channel, origin.ts), None)
        standin.touch()

    def _replace_origin(self, origin: Origin, payload: dict[str, Any]) -> None:
        standin = self.standin
        changes: dict[str, Any] = {k: payload[k] for k in ("text", "blocks") if k in payload}
        changes.setdefault("blocks", [])
        with standin.lock:
            if origin.kind == "ephemeral":
                for message in standin.ephemerals:
                    if message["ts"] == origin.ts:
                        message.update(changes)
            elif origin.kind == "message" and origin.ts is not None:
                key = (origin.channel, origin.ts)
                if key in standin.messages:
                    standin.messages[key] = {**standin.messages[key], **changes}
        standin.touch()

    # -- what the person does --------------------------------------------------------------------

    def _slack(self) -> SlackRequests:
        assert self.requests is not None
        return self.requests

    def _check_answer(self, what: str, status: int, elapsed: float) -> None:
        if status != 200:
            self._problem(f"{what}: /slack/events answered HTTP {status} (Slack shows an error)")
        if elapsed > ACK_DEADLINE_SECONDS:
            with self._lock:
                self.warnings.append(
                    f"{what}: acknowledged after {elapsed:.1f} s (Slack gives up after 3 s)"
                )
                self._version += 1

    def slash_command(self, user_id: str, text: str, channel: str) -> dict[str, Any]:
        command, _, rest = text.strip().partition(" ")
        if command != "/intern":
            return {"ok": False, "error": "Only /intern commands reach the bot here."}
        response_url = self._new_response_url(Origin(user_id, channel, "command"))
        started = time.monotonic()
        answer = self._slack().slash_command(
            rest.strip(),
            user_id=user_id,
            channel_id=channel,
            response_url=response_url,
            trigger_id=self._new_trigger(user_id),
        )
        self._check_answer(f"/intern {rest.strip()}", answer.status, time.monotonic() - started)
        self._note("command", f"/intern {rest.strip()} → HTTP {answer.status}", user=user_id)
        if answer.status == 200 and answer.body.strip():
            reply = _ack_body(answer.body)
            if reply.get("response_type") == "in_channel":
                self.standin.post_as_bot(channel, reply)
            else:
                self._add_ephemeral(user_id, channel, reply)
        elif answer.status != 200:
            self._add_ephemeral(
                user_id, channel, {"text": "/intern failed with the error “dispatch_failed”"}
            )
        return {"ok": answer.status == 200}

    def block_action(self, user_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """A click or choice in a message, an ephemeral message, a modal or the Home tab."""
        action = dict(body.get("action") or {})
        action["action_ts"] = f"{time.time():.6f}"
        source = body.get("source") or {}
        kind = source.get("kind")
        requests = self._slack()
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": requests.user(user_id),
            "api_app_id": requests.api_app_id,
            "token": VERIFICATION_TOKEN,
            "trigger_id": self._new_trigger(user_id),
            "team": requests.team(),
            "enterprise": None,
            "is_enterprise_install": False,
            "actions": [action],
        }
        if kind in ("modal", "home"):
            view = self.standin.views.get(str(source.get("view_id")))
            if view is None:
                return {"ok": False, "error": "That view is gone."}
            full = {**view, "state": {"values": body.get("values") or {}}}
            payload.update(
                container={"type": "view", "view_id": view["id"]},
                view=full,
                state=full["state"],
            )
        else:
            channel, ts = str(source.get("channel")), str(source.get("ts"))
            ephemeral = kind == "ephemeral"
            origin = Origin(user_id, channel, "ephemeral" if ephemeral else "message", ts)
            payload.update(
                container={
                    "type": "message",
                    "message_ts": ts,
                    "channel_id": channel,
                    "is_ephemeral": ephemeral,
                },
                channel={"id": channel, "name": "hiring" if channel.startswith("C") else ""},
                state={"values": body.get("values") or {}},
                response_url=self._new_response_url(origin),
            )
            if not ephemeral:
                message = self.standin.messages.get((channel, ts))
                if message is None:
                    return {"ok": False, "error": "That message is gone."}
                payload["message"] = message
        return self._interact(user_id, payload, f"{action.get('action_id')} ({kind})")

    def _interact(self, user_id: str, payload: dict[str, Any], what: str) -> dict[str, Any]:
        started = time.monotonic()
        answer = self._slack().interactive(payload)
        self._check_answer(what, answer.status, time.monotonic() - started)
        self._note(payload["type"], f"{what} → HTTP {answer.status}", user=user_id)
        return {"ok": answer.status == 200, "status": answer.status, "body": answer.text}

    def submit_view(self, user_id: str, body: dict[str, Any]) -> dict[str, Any]:
        view_id = str(body.get("view_id"))
        view = self.standin.views.get(view_id)
        if view is None:
            return {"ok": False, "error": "That modal is gone."}
        requests = self._slack()
        full = {**view, "state": {"values": body.get("values") or {}}}
        payload = {
            "type": "view_submission",
            "team": requests.team(),
            "user": requests.user(user_id),
            "api_app_id": requests.api_app_id,
            "token": VERIFICATION_TOKEN,
            "trigger_id": self._new_trigger(user_id),
            "view": full,
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }
        result = self._interact(user_id, payload, f"submit {view.get('callback_id')}")
        if not result["ok"]:
            return result
        reply = _ack_body(result["body"].encode()) if result["body"].strip() else {}
        action = reply.get("response_action")
        with self._lock:
            self.view_errors.pop(view_id, None)
        if action == "errors":
            with self._lock:
                self.view_errors[view_id] = dict(reply.get("errors") or {})
        elif action == "update":
            self._replace_view(view_id, reply.get("view") or {})
        elif action == "push":
            self._push_view(user_id, view_id, reply.get("view") or {})
        elif action == "clear":
            self._close(user_id, everything=True)
        else:
            self._close(user_id, view_id=view_id)
        self._changed()
        self.standin.touch()
        return {"ok": True, "response_action": action}

    def _replace_view(self, view_id: str, new: dict[str, Any]) -> None:
        problems = validate_view(new, where="response_action update view")
        if problems:
            self.standin.record_violation("view_submission", problems)
        with self.standin.lock:
            old = self.standin.views.get(view_id, {})
            self.standin.views[view_id] = {
                **{k: old.get(k) for k in ("id", "user_id", "root_view_id", "previous_view_id")},
                **new,
                "state": {"values": {}},
            }

    def _push_view(self, user_id: str, under: str, new: dict[str, Any]) -> None:
        problems = validate_view(new, where="response_action push view")
        if problems:
            self.standin.record_violation("view_submission", problems)
        view_id = f"V0PUSH{secrets.token_hex(3).upper()}"
        with self.standin.lock:
            stack = self.standin.modal_stacks.setdefault(user_id, [])
            self.standin.views[view_id] = {
                **new,
                "id": view_id,
                "user_id": user_id,
                "previous_view_id": under,
                "state": {"values": {}},
            }
            stack.append(view_id)

    def _close(self, user_id: str, *, view_id: str | None = None, everything: bool = False) -> None:
        with self.standin.lock:
            stack = self.standin.modal_stacks.get(user_id, [])
            if everything:
                stack.clear()
            elif view_id in stack:
                del stack[stack.index(view_id) :]
        self.standin.touch()

    def close_view(self, user_id: str, body: dict[str, Any]) -> dict[str, Any]:
        view_id = str(body.get("view_id"))
        view = self.standin.views.get(view_id)
        self._close(user_id, view_id=view_id)
        if view is not None and view.get("notify_on_close"):
            requests = self._slack()
            payload = {
                "type": "view_closed",
                "team": requests.team(),
                "user": requests.user(user_id),
                "api_app_id": requests.api_app_id,
                "token": VERIFICATION_TOKEN,
                "view": view,
                "is_cleared": False,
                "is_enterprise_install": False,
                "enterprise": None,
            }
            return self._interact(user_id, payload, f"close {view.get('callback_id')}")
        return {"ok": True}

    def open_home(self, user_id: str) -> dict[str, Any]:
        started = time.monotonic()
        answer = self._slack().event(
            {
                "type": "app_home_opened",
                "user": user_id,
                "channel": self.standin.dm_channel_for(user_id),
                "tab": "home",
            },
            event_id=f"Ev{uuid.uuid4().hex[:12].upper()}",
        )
        self._check_answer("app_home_opened", answer.status, time.monotonic() - started)
        self._note("event", f"app_home_opened → HTTP {answer.status}", user=user_id)
        return {"ok": answer.status == 200}

    def jump_clock(self, body: dict[str, Any]) -> dict[str, Any]:
        """Move the app's clock forward, then have the scheduler run its reminder check."""
        try:
            if body.get("to"):
                target = datetime.fromisoformat(str(body["to"]))
                if target.tzinfo is None:
                    target = target.replace(tzinfo=self.options.timezone)
                now = self.clock.jump_to(target)
            else:
                now = self.clock.advance(timedelta(days=float(body.get("days") or 0)))
        except (TypeError, ValueError) as error:
            return {"ok": False, "error": str(error)}
        self._note(
            "clock", f"clock moved to {now.astimezone(self.options.timezone):%a %d %b %H:%M}"
        )
        ran = self.run_job_now("reminders.check")
        return {"ok": True, "now": now.isoformat(), "reminders": ran}

    def ingest_sample(self) -> dict[str, Any]:
        assert self.deps is not None
        self._samples += 1
        alias = self._windows_for_demo()[0].aliases[0]
        with self.deps.sessions() as session:
            names = list(session.scalars(select(Window.aliases).order_by(Window.starts_on)))
        for aliases in names:
            if aliases:
                alias = aliases[0]
                break
        raw = demo.sample_email(self._samples, window_alias=alias, now=self.clock.now())
        outcome = demo.ingest(self.deps, raw)
        self._note("intake", f"sample email: {outcome.line()}")
        self.run_job_now("outbox.sweep")
        return {"ok": True, "outcome": outcome.line()}

    # -- the page's JSON -------------------------------------------------------------------------

    def state(self, user_id: str) -> dict[str, Any]:
        standin = self.standin
        dm_ids = {standin.dm_channel_for(user_id), user_id}
        with standin.lock:
            channel = sorted(
                (
                    {**m, "channel": c}
                    for (c, _ts), m in standin.messages.items()
                    if c == demo.HIRING_CHANNEL
                ),
                key=lambda m: float(m["ts"]),
            )
            dms = sorted(
                ({**m, "channel": c} for (c, _ts), m in standin.messages.items() if c in dm_ids),
                key=lambda m: float(m["ts"]),
            )
            ephemerals = [m for m in standin.ephemerals if m.get("to_user") == user_id]
            stack = [standin.views[v] for v in standin.modal_stacks.get(user_id, [])]
            home = next(
                (
                    v
                    for v in standin.views.values()
                    if v.get("type") == "home" and v.get("user_id") == user_id
                ),
                None,
            )
            violations = list(standin.violations)
            version = standin.version
        with self._lock:
            errors = {v["id"]: self.view_errors.get(v["id"], {}) for v in stack}
            activity = list(self.activity[-40:])
            problems = list(self.problems)
            warnings = list(self.warnings)
            version = version * 100_000 + self._version
        return {
            "version": version,
            "me": user_id,
            "people": [
                {"id": p.user_id, "name": p.name, "role": p.role, "handle": p.handle}
                for p in demo.PEOPLE
            ],
            "bot": {"id": standin.bot_user_id, "name": BOT_NAME},
            "channel": {"id": demo.HIRING_CHANNEL, "name": "hiring"},
            "messages": channel,
            "dms": dms,
            "ephemerals": ephemerals,
            "modals": stack,
            "modal_errors": errors,
            "home": home,
            "violations": violations,
            "problems": problems,
            "warnings": warnings,
            "spec_note": standin.spec_note,
            "activity": activity,
            "clock": self._clock_state(),
            "deadlines": self._deadlines(),
        }

    def version(self) -> int:
        """Grows with any change the page shows (a poll with the same version gets no body)."""
        with self.standin.lock:
            outside = self.standin.version
        with self._lock:
            return outside * 100_000 + self._version

    def _clock_state(self) -> dict[str, Any]:
        now = self.clock.now().astimezone(self.options.timezone)
        return {
            "now": now.isoformat(),
            "label": f"{now:%a %d %b %Y %H:%M %Z}",
            "offset_days": round(self.clock.offset.total_seconds() / 86400, 2),
        }

    def _deadlines(self) -> list[dict[str, str]]:
        if self.deps is None:
            return []
        tz = self.options.timezone
        out = []
        with self.deps.sessions() as session:
            for window in session.scalars(select(Window).order_by(Window.starts_on)):
                for label, day in (
                    ("application deadline", window.application_deadline),
                    ("decision deadline", window.decision_deadline),
                ):
                    before = datetime.combine(day - timedelta(days=1), datetime.min.time(), tz)
                    out.append(
                        {
                            "label": f"day before {window.name} {label} ({day:%d %b})",
                            "to": (before + timedelta(hours=9, minutes=1)).isoformat(),
                        }
                    )
        now = self.clock.now()
        # The daily jobs (digest, stale-claim DMs, claim releases) act at 09:00 local.
        morning = datetime.combine(now.astimezone(tz).date(), clock_time(9, 1), tz)
        if morning <= now:
            morning += timedelta(days=1)
        daily = {
            "label": f"next morning, 09:01 {morning:%a %d %b} (digest, stale-claim DMs)",
            "to": morning.isoformat(),
        }
        return [daily, *(d for d in out if datetime.fromisoformat(d["to"]) > now)]

    # -- HTTP ------------------------------------------------------------------------------------

    def _wsgi(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "") or "/"
        method = environ.get("REQUEST_METHOD", "GET")
        if path == "/" or path.startswith("/sandbox/"):
            try:
                return self._page(method, path, environ, start_response)
            except Exception:
                log.exception("sandbox page error on %s %s", method, path)
                return _send(start_response, 500, {"ok": False, "error": "sandbox error"})
        return self._web(environ, start_response)

    def _page(
        self, method: str, path: str, environ: dict[str, Any], start_response: StartResponse
    ) -> Iterable[bytes]:
        if method == "GET" and path in ("/", "/sandbox/", "/sandbox/index.html"):
            return _static(start_response, "index.html")
        if method == "GET" and path.startswith("/sandbox/static/"):
            return _static(start_response, path.removeprefix("/sandbox/static/"))
        query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
        if method == "GET" and path == "/sandbox/api/state":
            user = (query.get("user") or [demo.ALICE.user_id])[0]
            known = (query.get("known") or [""])[0]
            if known == str(self.version()):
                unchanged = {"unchanged": True, "version": int(known)}
                return _send(start_response, 200, {**unchanged, "clock": self._clock_state()})
            return _send(start_response, 200, self.state(user))
        if method != "POST":
            return _send(start_response, 404, {"ok": False, "error": "not found"})
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = json.loads(environ["wsgi.input"].read(length) or b"{}")
        except ValueError:
            return _send(start_response, 400, {"ok": False, "error": "body must be JSON"})
        if not isinstance(body, dict):
            return _send(start_response, 400, {"ok": False, "error": "body must be an object"})
        user = str(body.get("user") or "")
        known = {p.user_id for p in demo.PEOPLE}
        routes: dict[str, Callable[[], dict[str, Any]]] = {
            "/sandbox/api/command": lambda: self.slash_command(
                user, str(body.get("text") or ""), str(body.get("channel") or demo.HIRING_CHANNEL)
            ),
            "/sandbox/api/action": lambda: self.block_action(user, body),
            "/sandbox/api/submit": lambda: self.submit_view(user, body),
            "/sandbox/api/close": lambda: self.close_view(user, body),
            "/sandbox/api/home": lambda: self.open_home(user),
            "/sandbox/api/clock": lambda: self.jump_clock(body),
            "/sandbox/api/ingest": self.ingest_sample,
            "/sandbox/api/dismiss": lambda: self.dismiss(user, str(body.get("ts") or "")),
        }
        route = routes.get(path)
        if route is None:
            return _send(start_response, 404, {"ok": False, "error": "not found"})
        if path not in ("/sandbox/api/clock", "/sandbox/api/ingest") and user not in known:
            return _send(start_response, 400, {"ok": False, "error": f"unknown user {user!r}"})
        result = route()
        return _send(start_response, 200 if result.get("ok") else 400, result)

    def dismiss(self, user_id: str, ts: str) -> dict[str, Any]:
        with self.standin.lock:
            self.standin.ephemerals[:] = [
                m
                for m in self.standin.ephemerals
                if not (m.get("to_user") == user_id and m["ts"] == ts)
            ]
        self.standin.touch()
        return {"ok": True}


def _ack_body(raw: bytes) -> dict[str, Any]:
    """What an ack carried: JSON (text, blocks, response_action) or plain text."""
    try:
        decoded = json.loads(raw)
    except ValueError:
        return {"text": raw.decode("utf-8", "replace")}
    return decoded if isinstance(decoded, dict) else {"text": str(decoded)}


_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".png": "image/png",
}


def _static(start_response: StartResponse, name: str) -> list[bytes]:
    folder = resources.files("hiring_bot.sandbox") / "static"
    if "/" in name or name.startswith(".") or not (folder / name).is_file():
        return _send(start_response, 404, {"ok": False, "error": "not found"})
    data = (folder / name).read_bytes()
    ctype = _TYPES.get(Path(name).suffix, "application/octet-stream")
    start_response(
        "200 OK",
        [
            ("Content-Type", ctype),
            ("Content-Length", str(len(data))),
            ("Cache-Control", "no-store"),
        ],
    )
    return [data]


def _send(start_response: StartResponse, status: int, body: dict[str, Any]) -> list[bytes]:
    data = json.dumps(body).encode()
    reason = {200: "OK", 400: "Bad Request", 404: "Not Found", 500: "Internal Server Error"}
    start_response(
        f"{status} {reason.get(status, 'Status')}",
        [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(data))),
            ("Cache-Control", "no-store"),
        ],
    )
    return [data]


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return
