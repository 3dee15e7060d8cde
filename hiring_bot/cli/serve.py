"""run / web / socket / clock / migrate: the long-running processes and the release step."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from typing import Any

from hiring_bot.bootstrap import Deps, build_deps
from hiring_bot.cli.help import command
from hiring_bot.cli.windows_notice import seed_and_warn, windows_warning
from hiring_bot.config import Settings
from hiring_bot.db.engine import session_scope
from hiring_bot.db.migrate import upgrade
from hiring_bot.domain.windows import sync_windows
from hiring_bot.domain.windows_file import WindowsFileError, load_windows_file
from hiring_bot.startup import configure_logging, die, load_settings_or_exit

log = logging.getLogger(__name__)


def migrate(_args: argparse.Namespace) -> int:
    settings = load_settings_or_exit()
    deps = build_deps(settings)
    try:
        upgrade(deps.engine)
    except Exception as exc:  # a database that cannot be reached is a clear message, not a trace
        die(f"hiring-bot migrate: could not migrate {_redact(settings.database_url)}: {exc}", 1)
    print("database is at the latest schema")
    # Release is where a new windows.toml takes effect. A missing or refused file fails the
    # release (exit 2), so a deploy never goes live without the windows it was meant to have.
    try:
        specs = load_windows_file(settings.windows_file, timezone=settings.timezone)
    except WindowsFileError as error:
        lines = [f"hiring-bot migrate: the windows file {settings.windows_file} was refused:"]
        lines += [f"  - {problem}" for problem in error.problems]
        lines.append(
            "Fix it (see windows.toml in the repository for the format) or point WINDOWS_FILE "
            "at the right file; the windows already in the database stay in force."
        )
        die("\n".join(lines))
    with session_scope(deps.sessions) as session:
        report = sync_windows(session, specs=specs)
    print(f"{report.summary()} ({settings.windows_file})")
    if (warning := windows_warning(deps)) is not None:
        print(f"hiring-bot migrate: warning: {warning}", file=sys.stderr)
    deps.engine.dispose()
    return 0


def _redact(url: str) -> str:
    head, sep, tail = url.partition("@")
    if not sep:
        return url
    scheme, _, _creds = head.partition("://")
    return f"{scheme}://***@{tail}"


def _start_scheduler(deps: Deps) -> None:
    from hiring_bot.scheduler.wiring import build_scheduler

    scheduler = build_scheduler(deps, blocking=False)
    scheduler.start()
    log.info("scheduler started in-process")


def serve_http(settings: Settings, *, workers: int, with_scheduler: bool) -> int:
    """gunicorn in-process: the same server the Procfile's web line runs."""
    from gunicorn.app.base import BaseApplication

    from hiring_bot.slack.app import build_app
    from hiring_bot.web import build_web

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", f"0.0.0.0:{settings.port}")
            self.cfg.set("workers", workers)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("threads", 8)
            self.cfg.set("accesslog", None)
            # gunicorn's own lines (start, workers booting and exiting) in LOG_FORMAT too.
            self.cfg.set("logger_class", "hiring_bot.gunicorn_logging.Logger")
            if with_scheduler:
                # Built in the worker, after fork: threads and DB connections never cross a fork.
                self.cfg.set("post_worker_init", lambda _worker: _start_scheduler(self.deps))
            # The worker's background deliveries finish (or are left to the sweep) as it exits.
            self.cfg.set("worker_exit", lambda _arbiter, _worker: self.stop_background())

        def load(self) -> Any:
            self.deps = build_deps(settings)
            return build_web(self.deps, build_app(self.deps))

        def stop_background(self) -> None:
            deps: Deps | None = getattr(self, "deps", None)  # None: the worker never loaded
            if deps is not None:
                deps.background.shutdown()

    Server().run()
    return 0


def run(args: argparse.Namespace) -> int:
    """Default: the whole bot in one process (Socket Mode if SLACK_APP_TOKEN is set); with no
    Slack settings at all, the sandbox (a partial set is still a configuration error)."""
    found = load_settings_or_exit()
    slack = (found.slack_bot_token, found.slack_signing_secret, found.slack_app_token)
    if not any(slack) and not found.hiring_channel:
        from hiring_bot.cli.sandbox import sandbox

        return sandbox(
            args,
            why="No Slack settings are configured (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, "
            "HIRING_CHANNEL), so this is the sandbox; set them in .env to run in Slack.",
        )
    settings = load_settings_or_exit(require_slack=True)
    configure_logging()
    _migrate_quietly(settings)
    if settings.socket_mode:
        return _serve_socket(settings, with_scheduler=settings.run_scheduler)
    return serve_http(settings, workers=1, with_scheduler=settings.run_scheduler)


def _migrate_quietly(settings: Settings) -> None:
    deps = build_deps(settings)
    try:
        upgrade(deps.engine)
    except Exception as exc:
        deps.engine.dispose()
        die(
            f"hiring-bot: could not prepare the database {_redact(settings.database_url)}: {exc}", 1
        )
    try:
        if not settings.run_scheduler:  # else the scheduler's start-up job seeds and warns
            seed_and_warn(deps)
    finally:
        deps.engine.dispose()


def web(_args: argparse.Namespace) -> int:
    settings = load_settings_or_exit(require_slack=True, socket_mode=False)
    configure_logging()
    _warn_stale_windows(settings)
    return serve_http(settings, workers=settings.web_concurrency, with_scheduler=False)


def _warn_stale_windows(settings: Settings) -> None:
    deps = build_deps(settings)
    try:
        if (warning := windows_warning(deps)) is not None:
            log.warning("%s", warning)
    finally:
        deps.engine.dispose()


def socket(_args: argparse.Namespace) -> int:
    settings = load_settings_or_exit(require_slack=True, socket_mode=True)
    configure_logging()
    _migrate_quietly(settings)
    return _serve_socket(settings, with_scheduler=settings.run_scheduler)


def _serve_socket(settings: Settings, *, with_scheduler: bool) -> int:
    from slack_bolt.adapter.socket_mode import SocketModeHandler
    from slack_sdk.errors import SlackApiError

    from hiring_bot.slack.app import build_app

    deps = build_deps(settings)
    handler = SocketModeHandler(build_app(deps), settings.slack_app_token)
    try:
        handler.connect()  # type: ignore[no-untyped-call]
    except SlackApiError as error:
        # Slack refused the app-level token: nothing a retry fixes, so one line and exit 2.
        code = error.response.get("error", "unknown_error")
        die(
            f"hiring-bot: Slack refused SLACK_APP_TOKEN ({code}): create an app-level token with "
            "connections:write under Basic Information -> App-Level Tokens and set it"
        )
    except OSError as error:  # URLError included: Slack (SLACK_API_URL) cannot be reached
        die(
            f"hiring-bot: could not reach Slack at {settings.slack_api_url} "
            f"({type(error).__name__}); check the network and SLACK_API_URL",
            1,
        )
    if with_scheduler:
        _start_scheduler(deps)
    # What SocketModeHandler.start() does after connecting: serve until the process is stopped.
    try:
        threading.Event().wait()
    finally:
        deps.background.shutdown()
    return 0


def clock(_args: argparse.Namespace) -> int:
    """The Procfile clock process: the scheduler alone, blocking, until SIGTERM or Ctrl-C."""
    from apscheduler.events import EVENT_SCHEDULER_START

    from hiring_bot.scheduler.wiring import build_scheduler

    settings = load_settings_or_exit()
    configure_logging()
    deps = build_deps(settings)
    scheduler = build_scheduler(deps, blocking=True)
    started = threading.Event()
    stopping = threading.Event()

    def _stop(_signum: int, _frame: object) -> None:
        # Only set a flag: the handler may interrupt the scheduler while it holds its executor's
        # lock, and shutting down from here would wait on that same lock forever.
        stopping.set()

    def _stopper() -> None:
        stopping.wait()
        started.wait()  # a SIGTERM during start-up is honoured once there is something to stop
        scheduler.shutdown(wait=False)

    def _started(_event: object) -> None:
        started.set()
        log.info("clock process started")

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    scheduler.add_listener(_started, EVENT_SCHEDULER_START)
    threading.Thread(target=_stopper, name="clock-stopper", daemon=True).start()
    try:
        scheduler.start()
    except Exception:
        # APScheduler's loop can trip over a shutdown made from another thread (it looks for a
        # finished one-off job among pending ones once the state reads "stopped"); when we asked
        # it to stop, that is a stop, not a crash.
        if not stopping.is_set():
            raise
    finally:
        deps.background.shutdown()
    log.info("clock process stopped")
    return 0


def add_parsers(sub: Any) -> None:
    command(
        sub,
        "run",
        summary="run the bot (default): Socket Mode or HTTP, scheduler in-process",
        description="The whole bot in one process: Socket Mode when SLACK_APP_TOKEN is set, "
        "else HTTP on $PORT;\nthe reminder scheduler runs inside unless RUN_SCHEDULER=0. "
        "Migrates the database first.\nRun `hiring-bot doctor` before the first start.",
        examples=["hiring-bot run", "RUN_SCHEDULER=0 hiring-bot run   # with a separate clock"],
    )
    command(
        sub,
        "web",
        summary="serve HTTP on $PORT with gunicorn (no scheduler)",
        description="POST /slack/events, POST /intake/applications and GET /healthz on $PORT,\n"
        "WEB_CONCURRENCY gunicorn workers. Reminders need `hiring-bot clock` alongside.",
        examples=["PORT=3000 hiring-bot web"],
    )
    command(
        sub,
        "socket",
        summary="run over Socket Mode (needs SLACK_APP_TOKEN)",
        description="Connect to Slack over a WebSocket (no public URL needed). A token Slack "
        "refuses\nends the process at once with exit status 2.",
        examples=["SLACK_APP_TOKEN=xapp-... hiring-bot socket"],
    )
    command(
        sub,
        "clock",
        summary="run the scheduler alone (the Procfile clock process)",
        description="Reminders, claim releases and the retention pass, until SIGTERM or Ctrl-C. "
        "Warns at start\nwhen no internship window takes applications any more.",
        examples=["hiring-bot clock"],
    )
    command(
        sub,
        "migrate",
        summary="upgrade the database to the latest schema and load the windows file",
        description="Upgrade the schema (idempotent), then load WINDOWS_FILE into the database. "
        "A missing or\nrefused windows file exits 2, so a Heroku release fails instead of "
        "going live without windows.",
        examples=["hiring-bot migrate", "WINDOWS_FILE=config/windows.toml hiring-bot migrate"],
    )


HANDLERS = {"run": run, "web": web, "socket": socket, "clock": clock, "migrate": migrate}
