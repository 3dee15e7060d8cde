"""FakeSlack: the stand-in assembled from its parts, with its lifecycle and request routing."""

from __future__ import annotations

import threading
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from hiring_bot.sandbox.standin.api import ApiEndpoint
from hiring_bot.sandbox.standin.chat import ChatMethods
from hiring_bot.sandbox.standin.conversations import ConversationsMethods
from hiring_bot.sandbox.standin.files import FilesMethods
from hiring_bot.sandbox.standin.spec import DEFAULT_BOT_SCOPES, SPEC_FILENAME, MethodSpec, load_spec
from hiring_bot.sandbox.standin.state import APP_ID, BOT_ID, BOT_USER_ID, TEAM_ID
from hiring_bot.sandbox.standin.transport import _Handler, _Server
from hiring_bot.sandbox.standin.users import UsersMethods
from hiring_bot.sandbox.standin.views import ViewsMethods


class FakeSlack(
    ApiEndpoint, ChatMethods, ConversationsMethods, UsersMethods, ViewsMethods, FilesMethods
):
    """Fake Slack Web API over HTTP. Use as a context manager or call start()/stop().

    Configure: ``channel_members[channel] = [user ids]``, ``users[user_id] = {...}`` (None means
    ``user_not_found``; unconfigured ids get a synthesized user). Inspect: ``calls``,
    ``responses``, ``messages`` ((channel, ts) -> message, as updated/deleted; what
    ``conversations.history`` serves), ``files``, ``views``, ``violations``. ``app_token`` is the
    app-level token ``apps.connections.open`` takes (see tests/fakes/socket_mode.py).
    """

    def __init__(
        self,
        token: str = "xoxb-test",
        *,
        app_token: str = "xapp-test",
        spec_path: str | None = None,
        action_id_scope: str = "block",
        require_spec: bool = True,
    ) -> None:
        self.token = token
        self.valid_tokens: set[str] = {token}
        self.app_token = app_token
        self.app_tokens: set[str] = {app_token}
        # Set by FakeSocketMode: issues the WebSocket URL apps.connections.open answers with.
        self.socket_mode_url: Callable[[], str] | None = None
        self.spec: dict[str, MethodSpec] | None
        self.spec_note: str
        try:
            self.spec = load_spec(spec_path)
            self.spec_note = f"every Web API call is checked against {SPEC_FILENAME}"
        except FileNotFoundError as missing:
            if require_spec:
                raise
            self.spec = None
            self.spec_note = f"spec checks are off: {missing}"
        # Slack: action_id "should be unique among all other action_ids in the containing block";
        # "message" is stricter (unique across the whole message/view).
        self.action_id_scope = action_id_scope
        self.team_id = TEAM_ID
        self.bot_user_id = BOT_USER_ID
        self.bot_id = BOT_ID
        self.app_id = APP_ID

        self.channel_members: dict[str, list[str]] = {}
        self.users: dict[str, dict[str, Any] | None] = {}
        # The installed token's scopes, sent as Slack does in the ``x-oauth-scopes`` header of
        # every answer to a bot-token call.
        self.bot_scopes: list[str] = list(DEFAULT_BOT_SCOPES)
        # Channels (of ``channel_members``) the bot is a member of; None: all of them.
        self.bot_channels: set[str] | None = None
        # Who pressed what: the sender of an interaction registers its trigger_id here, so
        # views.open knows whose screen the modal is on.
        self.trigger_users: dict[str, str] = {}
        # Called (outside the lock) with (path, payload) after each response_url POST.
        self.on_response: Callable[[str, dict[str, Any]], None] | None = None

        self._cond = threading.Condition()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.reset()

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> FakeSlack:
        if self._server is not None:
            return self
        self._stopping.clear()
        server = _Server(("127.0.0.1", 0), _Handler)
        server.fake = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.name = f"FakeSlack:{self.port}"
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        self._stopping.set()  # releases hang_next handlers at once
        server.shutdown()
        server.server_close()  # joins handler threads
        if thread is not None:
            thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- HTTP dispatch -----------------------------------------------------------------------

    def _dispatch(self, handler: _Handler) -> None:
        parsed = urllib.parse.urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        headers = dict(handler.headers.items())
        path = parsed.path
        if path.startswith("/api/"):
            kind, name = "api", path[len("/api/") :]
        elif path.startswith("/response/"):
            kind, name = "response", "response_url"
        elif path.startswith("/upload/"):
            kind, name = "upload", "upload"
        else:
            self._send(handler, 404, {"ok": False, "error": "not_found"})
            return

        fault = self._take_fault(name)
        if (
            fault is not None
            and fault.hang_seconds is not None
            and self._stopping.wait(fault.hang_seconds)
        ):
            return  # stopping: drop the connection without answering

        if kind == "upload":
            self._handle_upload(handler, path[len("/upload/") :], body, fault)
        elif kind == "response":
            self._handle_response_url(handler, path, body, headers, fault)
        else:
            self._handle_api(handler, name, parsed.query, body, headers, fault)


@contextmanager
def fake_slack(token: str = "xoxb-test", **kwargs: Any) -> Iterator[FakeSlack]:
    """``with fake_slack() as fake:`` — started server, stopped on exit (no assert_clean)."""
    fake = FakeSlack(token, **kwargs)
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()


SlackStandin = FakeSlack
