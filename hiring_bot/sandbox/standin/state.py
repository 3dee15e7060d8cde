"""What the stand-in remembers: recorded calls, messages, files, views, ephemerals and modal
stacks, guarded by one condition the request threads and the sandbox share; ids and ``ts``."""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import threading
import time
from collections.abc import Callable, Iterator
from http.server import ThreadingHTTPServer
from typing import Any

from hiring_bot.sandbox.standin.params import truthy
from hiring_bot.sandbox.standin.spec import MethodSpec

TEAM_ID = "T0LAB00001"
TEAM_NAME = "Research Lab"
BOT_USER_ID = "U0BOT"
BOT_ID = "B0BOT00001"
APP_ID = "A0HIRING01"


@dataclasses.dataclass
class Call:
    """One Web API call as the fake received it.

    ``params`` merges query string and body; JSON-carrying parameters (``blocks``, ``view``,
    ``attachments``, ``metadata``, ``files``) are decoded to Python objects; ``token`` is removed.
    ``status`` is the HTTP status answered and ``response`` the JSON body answered (None when the
    server hung past stop()).
    """

    method: str
    params: dict[str, Any]
    http_method: str
    headers: dict[str, str]
    status: int = 200
    response: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return self.status == 200 and bool(self.response and self.response.get("ok"))


class StandinState:
    """The state every part of the fake works on; FakeSlack's __init__ fills it."""

    token: str
    valid_tokens: set[str]
    app_token: str
    app_tokens: set[str]
    socket_mode_url: Callable[[], str] | None
    spec: dict[str, MethodSpec] | None
    spec_note: str
    action_id_scope: str
    team_id: str
    bot_user_id: str
    bot_id: str
    app_id: str
    channel_members: dict[str, list[str]]
    users: dict[str, dict[str, Any] | None]
    bot_scopes: list[str]
    bot_channels: set[str] | None
    trigger_users: dict[str, str]
    on_response: Callable[[str, dict[str, Any]], None] | None
    calls: list[Call]
    responses: list[dict[str, Any]]
    violations: list[str]
    messages: dict[tuple[str, str], dict[str, Any]]
    files: dict[str, dict[str, Any]]
    views: dict[str, dict[str, Any]]
    ephemerals: list[dict[str, Any]]
    modal_stacks: dict[str, list[str]]
    version: int
    _cond: threading.Condition
    _stopping: threading.Event
    _server: ThreadingHTTPServer | None
    _last_ts_us: int
    _ids: Iterator[int]
    _response_urls: Iterator[int]

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeSlack is not started")
        return int(self._server.server_address[1])

    @property
    def base(self) -> str:
        """Server root, e.g. ``http://127.0.0.1:PORT/``."""
        return f"http://127.0.0.1:{self.port}/"

    @property
    def url(self) -> str:
        """Web API base URL for ``WebClient(base_url=...)``; ends with ``/api/``."""
        return f"{self.base}api/"

    # -- state -------------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget calls, responses, violations, faults and posted messages/files/views."""
        with self._cond:
            self.calls = []
            self.responses = []
            self.violations = []
            self.messages = {}
            self.files = {}
            self.views = {}
            self.ephemerals = []
            self.modal_stacks = {}
            self.version = 0
            self._last_ts_us = 0
            self._ids = itertools.count(1)
            self._reset_faults()
            self._response_urls = itertools.count(1)

    def assert_clean(self) -> None:
        with self._cond:
            violations = list(self.violations)
        if violations:
            listing = "\n  ".join(violations)
            raise AssertionError(f"{len(violations)} Slack API violation(s):\n  {listing}")

    def calls_to(self, method: str) -> list[Call]:
        with self._cond:
            return [c for c in self.calls if c.method == method]

    def last(self, method: str) -> Call:
        calls = self.calls_to(method)
        if not calls:
            seen = sorted({c.method for c in self.calls})
            raise AssertionError(f"no call to {method}; calls seen: {seen}")
        return calls[-1]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Block until at least ``count`` calls to ``method`` arrived; return them."""
        with self._cond:
            if not self._cond.wait_for(
                lambda: sum(c.method == method for c in self.calls) >= count, timeout
            ):
                seen = [c.method for c in self.calls]
                raise AssertionError(
                    f"timed out after {timeout}s waiting for {count} call(s) to {method}; "
                    f"calls seen: {seen}"
                )
            return [c for c in self.calls if c.method == method]

    def response_url(self) -> str:
        """A fresh response_url served by this fake; POSTs land in ``responses``."""
        with self._cond:
            n = next(self._response_urls)
        return f"{self.base}response/{n}"

    def wait_for_response(self, count: int = 1, timeout: float = 5.0) -> list[dict[str, Any]]:
        with self._cond:
            if not self._cond.wait_for(lambda: len(self.responses) >= count, timeout):
                raise AssertionError(
                    f"timed out after {timeout}s waiting for {count} response_url post(s); "
                    f"got {len(self.responses)}"
                )
            return list(self.responses)

    def _reset_faults(self) -> None:
        """Hook for reset(): FaultInjection forgets its pending faults here."""

    # -- ids ---------------------------------------------------------------------------------

    def _next_ts(self) -> str:
        """Slack's ``ts``: the wall-clock time in microseconds, unique and strictly increasing.

        Wall-clock (not a fixed epoch) so that callers filtering history with ``oldest`` computed
        from ``time.time()`` see what they would see on Slack. Integer microseconds keep the
        six-digit fraction exact; same-length strings sort like the numbers they hold.
        """
        with self._cond:
            micros = max(time.time_ns() // 1000, self._last_ts_us + 1)
            self._last_ts_us = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _next_id(self, prefix: str) -> str:
        return f"{prefix}0{next(self._ids):09d}"

    @staticmethod
    def dm_channel_for(user_id: str) -> str:
        """The stable ``D…`` id conversations.open returns for a user (or user list)."""
        return "D" + hashlib.sha256(user_id.encode()).hexdigest()[:10].upper()

    def _message(self, p: dict[str, Any], ts: str) -> dict[str, Any]:
        message: dict[str, Any] = {
            "type": "message",
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "team": self.team_id,
            "text": p.get("text", ""),
            "ts": ts,
        }
        for key in ("blocks", "attachments", "thread_ts", "metadata"):
            if key in p:
                message[key] = p[key]
        if "thread_ts" in p and truthy(p.get("reply_broadcast")):
            message["subtype"] = "thread_broadcast"
        return message

    def _record(self, call: Call) -> None:
        with self._cond:
            self.calls.append(call)
            self.version += 1
            self._cond.notify_all()

    def _violate(self, method: str, problems: list[str]) -> None:
        with self._cond:
            self.violations.extend(f"{method}: {p}" for p in problems)
            self.version += 1

    def touch(self) -> None:
        """Note a change made from outside (the sandbox closing a modal, say)."""
        with self._cond:
            self.version += 1
            self._cond.notify_all()

    # -- for the sandbox, which plays the Slack client around this server ---------------------

    @property
    def lock(self) -> threading.Condition:
        """Hold it to read or change the state consistently with the request threads."""
        return self._cond

    def next_ts(self) -> str:
        return self._next_ts()

    def add_ephemeral(self, *, channel: str, user: str, fields: dict[str, Any]) -> str:
        """An ephemeral message for ``user`` that did not come through chat.postEphemeral (an
        ack body or a response_url answer); returns its ts."""
        with self._cond:
            ts = self._next_ts()
            message = self._message(fields, ts)
            message.update(channel=channel, to_user=user, source="response")
            self.ephemerals.append(message)
        self.touch()
        return ts

    def record_violation(self, where: str, problems: list[str]) -> None:
        self._violate(where, problems)
