"""What every part of the sandbox shares: its options, the state the page shows (activity,
problems, warnings, modal errors) behind one lock, and the version the page polls."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from wsgiref.simple_server import WSGIServer
from zoneinfo import ZoneInfo

from apscheduler.schedulers.base import BaseScheduler

from hiring_bot.bootstrap import Deps
from hiring_bot.config import DEFAULT_TIMEZONE
from hiring_bot.sandbox.clock import AdjustableClock
from hiring_bot.sandbox.signed_requests import SlackRequests
from hiring_bot.sandbox.slack_standin import SlackStandin

if TYPE_CHECKING:
    from hiring_bot.web import WebApp

BOT_TOKEN = "xoxb-sandbox"
BOT_NAME = "hiring-bot"
ACK_DEADLINE_SECONDS = 3.0
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


class SandboxBase:
    """The sandbox's shared state; Sandbox's __init__ fills it."""

    options: SandboxOptions
    port: int
    signing_secret: str
    standin: SlackStandin
    clock: AdjustableClock
    windows_file: Path
    database_file: Path
    slack_file: Path
    database_url: str
    activity: list[dict[str, Any]]
    view_errors: dict[str, dict[str, str]]
    problems: list[str]
    warnings: list[str]
    deps: Deps | None
    scheduler: BaseScheduler | None
    requests: SlackRequests | None
    _saved_version: int
    _saver: threading.Thread | None
    _stopping: threading.Event
    _origins: dict[str, Origin]
    _lock: threading.Lock
    _version: int
    _samples: int
    _server: WSGIServer | None
    _thread: threading.Thread | None
    _web: WebApp

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
