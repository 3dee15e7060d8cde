"""run / web / socket / clock / migrate: the long-running processes and the release step."""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from typing import Any

from hiring_bot.bootstrap import Deps, build_deps
from hiring_bot.config import Settings
from hiring_bot.db.migrate import upgrade
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
    # Release is where a new windows.toml takes effect; a bad file is logged, old windows kept.
    from hiring_bot.scheduler.jobs import seed_windows_from_settings

    configure_logging()
    seed_windows_from_settings(deps)
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
        die(
            f"hiring-bot: could not prepare the database {_redact(settings.database_url)}: {exc}", 1
        )
    finally:
        deps.engine.dispose()


def web(_args: argparse.Namespace) -> int:
    settings = load_settings_or_exit(require_slack=True, socket_mode=False)
    configure_logging()
    return serve_http(settings, workers=settings.web_concurrency, with_scheduler=False)


def socket(_args: argparse.Namespace) -> int:
    settings = load_settings_or_exit(require_slack=True, socket_mode=True)
    configure_logging()
    _migrate_quietly(settings)
    return _serve_socket(settings, with_scheduler=settings.run_scheduler)


def _serve_socket(settings: Settings, *, with_scheduler: bool) -> int:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from hiring_bot.slack.app import build_app

    deps = build_deps(settings)
    if with_scheduler:
        _start_scheduler(deps)
    try:
        SocketModeHandler(build_app(deps), settings.slack_app_token).start()  # type: ignore[no-untyped-call]
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
    sub.add_parser("run", help="run the bot (default): Socket Mode or HTTP, scheduler in-process")
    sub.add_parser("web", help="serve HTTP on $PORT with gunicorn (no scheduler)")
    sub.add_parser("socket", help="run over Socket Mode (needs SLACK_APP_TOKEN)")
    sub.add_parser("clock", help="run the scheduler alone (the Procfile clock process)")
    sub.add_parser("migrate", help="upgrade the database to the latest schema (idempotent)")


HANDLERS = {"run": run, "web": web, "socket": socket, "clock": clock, "migrate": migrate}
