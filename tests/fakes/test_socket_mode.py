"""The fake Socket Mode server: against slack_sdk's own client, and byte by byte per RFC 6455."""

from __future__ import annotations

import base64
import json
import os
import socket
import struct
import threading
import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from tests.fakes.slack_api import FakeSlack, fake_slack
from tests.fakes.socket_mode import (
    CLOSE_GOING_AWAY,
    CLOSE_NORMAL,
    CLOSE_PROTOCOL_ERROR,
    OP_CLOSE,
    OP_PING,
    OP_PONG,
    OP_TEXT,
    FakeSocketMode,
    accept_key,
    encode_frame,
    iter_frames,
)

TOKEN, APP_TOKEN = "xoxb-test", "xapp-test"


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with fake_slack(TOKEN, app_token=APP_TOKEN) as f:
        yield f


@pytest.fixture
def server(fake: FakeSlack) -> Iterator[FakeSocketMode]:
    with FakeSocketMode(fake) as s:
        yield s


def test_accept_key_matches_rfc_6455_example() -> None:
    assert accept_key("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="


def test_apps_connections_open_takes_only_the_app_token(fake: FakeSlack) -> None:
    def error(token: str, method: str = "apps.connections.open", **params: Any) -> str:
        with pytest.raises(SlackApiError) as err:
            WebClient(token=token, base_url=fake.url).api_call(method, params=params or None)
        return str(err.value.response["error"])

    assert error(TOKEN) == "not_allowed_token_type"
    assert error("xapp-wrong") == "invalid_auth"
    assert error(APP_TOKEN, "chat.postMessage", channel="C1", text="x") == "not_allowed_token_type"
    fake.assert_clean()
    # Without a FakeSocketMode attached there is no URL to give: a test setup mistake.
    assert error(APP_TOKEN) == "internal_error"
    assert "no Socket Mode endpoint" in fake.violations[0]
    fake.reset()

    with FakeSocketMode(fake) as server:
        url = WebClient(base_url=fake.url).apps_connections_open(app_token=APP_TOKEN)["url"]
        parts = urllib.parse.urlsplit(url)
        assert (parts.scheme, parts.hostname, parts.port) == ("ws", "127.0.0.1", server.port)
        assert parts.path == "/link/"
        query = dict(urllib.parse.parse_qsl(parts.query))
        assert query["app_id"] == fake.app_id
        assert query["ticket"]
    fake.assert_clean()


def test_slack_sdk_client_gets_hello_and_envelopes_and_its_acks_are_recorded(
    fake: FakeSlack, server: FakeSocketMode
) -> None:
    client = SocketModeClient(
        app_token=APP_TOKEN,
        web_client=WebClient(base_url=fake.url),
        auto_reconnect_enabled=False,
    )
    messages: list[dict[str, Any]] = []
    got = threading.Event()

    def on_message(_client: Any, message: dict[str, Any], _raw: str | None) -> None:
        messages.append(message)

    def on_request(sm_client: Any, request: SocketModeRequest) -> None:
        sm_client.send_socket_mode_response(SocketModeResponse(envelope_id=request.envelope_id))
        got.set()

    client.message_listeners.append(on_message)
    client.socket_mode_request_listeners.append(on_request)
    try:
        queued = server.send_slash_command(  # queued before connecting: sent after hello
            "help", user_id="U0ALICE", channel_id="C0HIRING", response_url="http://127.0.0.1:1/r"
        )
        client.connect()
        server.wait_for_connection()
        assert server.wait_for_ack(queued).message == {"envelope_id": queued}
        live = server.send("events_api", {"event": {"type": "app_home_opened"}}, retry_attempt=0)
        assert server.wait_for_ack(live).seconds < 3
        assert got.is_set()
        server.ping(b"still-there")
        assert server.wait_for_pong(1) == [b"still-there"]
    finally:
        client.close()
    assert server.pings  # slack_sdk pings as soon as it connects (and the server answers)
    assert messages[0]["type"] == "hello"
    assert messages[1]["payload"]["command"] == "/intern"
    assert messages[1]["accepts_response_payload"] is True
    server.assert_clean()


class RawClient:
    """A hand-rolled WebSocket client, to check the server's side of the protocol exactly."""

    def __init__(self, server: FakeSocketMode, url: str | None = None) -> None:
        self.url = urllib.parse.urlsplit(url or server.issue_url())
        self.sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        self.buffer = b""

    def handshake(self, key: str | None = None, path: str | None = None) -> tuple[str, str]:
        key = key or base64.b64encode(os.urandom(16)).decode()
        target = path or f"{self.url.path}?{self.url.query}"
        self.sock.sendall(
            f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n".encode()
        )
        while b"\r\n\r\n" not in self.buffer:
            chunk = self.sock.recv(4096)
            if not chunk:
                break
            self.buffer += chunk
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        return key, head.decode()

    def send(self, opcode: int, payload: bytes, *, masked: bool = True, fin: bool = True) -> None:
        self.sock.sendall(
            encode_frame(opcode, payload, mask=os.urandom(4) if masked else None, fin=fin)
        )

    def frame(self) -> tuple[int, bytes]:
        while True:
            frames = list(iter_frames(self.buffer))
            if frames and self._complete():
                opcode, data = frames[0]
                self.buffer = self.buffer[self._first_length() :]
                return opcode, data
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("server closed the connection")
            self.buffer += chunk

    def _first_length(self) -> int:
        length, offset = self.buffer[1] & 0x7F, 2
        if length == 126:
            (length,), offset = struct.unpack("!H", self.buffer[2:4]), 4
        elif length == 127:
            (length,), offset = struct.unpack("!Q", self.buffer[2:10]), 10
        return offset + length

    def _complete(self) -> bool:
        return len(self.buffer) >= 2 and len(self.buffer) >= self._first_length()

    def close(self) -> None:
        self.sock.close()


def test_raw_handshake_frames_ping_fragments_and_close(server: FakeSocketMode) -> None:
    raw = RawClient(server)
    try:
        key, head = raw.handshake()
        assert head.startswith("HTTP/1.1 101 ")
        assert f"Sec-WebSocket-Accept: {accept_key(key)}" in head
        opcode, hello = raw.frame()
        assert opcode == OP_TEXT
        assert json.loads(hello)["type"] == "hello"

        raw.send(OP_PING, b"p1")
        assert raw.frame() == (OP_PONG, b"p1")

        envelope_id = server.send("interactive", {"type": "block_actions"})
        opcode, data = raw.frame()
        assert json.loads(data)["envelope_id"] == envelope_id
        ack = json.dumps({"envelope_id": envelope_id}).encode()
        raw.send(OP_TEXT, ack[:5], fin=False)  # fragmented text, with a ping in between
        raw.send(OP_PING, b"p2")
        raw.send(0x0, ack[5:])
        assert raw.frame() == (OP_PONG, b"p2")
        assert server.wait_for_ack(envelope_id).message == {"envelope_id": envelope_id}

        raw.send(OP_CLOSE, struct.pack("!H", CLOSE_NORMAL) + b"bye")
        assert raw.frame() == (OP_CLOSE, struct.pack("!H", CLOSE_NORMAL))  # echoed
        assert raw.sock.recv(1) == b""  # and the TCP connection ends
    finally:
        raw.close()
    assert server.closes == [CLOSE_NORMAL]
    server.assert_clean()


def test_protocol_problems_are_refused_and_recorded(server: FakeSocketMode) -> None:
    url = server.issue_url()
    first = RawClient(server, url)
    try:
        _, head = first.handshake()
        assert head.startswith("HTTP/1.1 101 ")
        first.frame()  # hello
        first.send(OP_TEXT, b'{"envelope_id": "never-sent"}')
        first.send(OP_TEXT, b"{}", masked=False)  # clients must mask
        opcode, data = first.frame()
        assert (opcode, struct.unpack("!H", data[:2])[0]) == (OP_CLOSE, CLOSE_PROTOCOL_ERROR)
    finally:
        first.close()

    reused = RawClient(server, url)  # a ticket opens one connection
    try:
        _, head = reused.handshake()
        assert head.startswith("HTTP/1.1 401 ")
    finally:
        reused.close()
    wrong_path = RawClient(server)
    try:
        _, head = wrong_path.handshake(path="/elsewhere")
        assert head.startswith("HTTP/1.1 404 ")
    finally:
        wrong_path.close()

    problems = "\n".join(server.violations)
    assert "unknown envelope_id 'never-sent'" in problems
    assert "not masked" in problems
    assert "ticket" in problems
    assert "unknown path" in problems
    server.violations.clear()


def test_stop_closes_open_connections_with_a_close_frame(fake: FakeSlack) -> None:
    server = FakeSocketMode(fake).start()
    raw = RawClient(server)
    try:
        raw.handshake()
        raw.frame()  # hello
        stopping = threading.Thread(target=server.stop)
        stopping.start()
        opcode, data = raw.frame()
        assert (opcode, struct.unpack("!H", data[:2])[0]) == (OP_CLOSE, CLOSE_GOING_AWAY)
        raw.send(OP_CLOSE, data[:2])
        stopping.join(5)
        assert not stopping.is_alive()
    finally:
        raw.close()
        server.stop()
    server.assert_clean()
