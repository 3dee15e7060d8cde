"""A fake Socket Mode endpoint: the WebSocket server that ``apps.connections.open`` points at.

``FakeSocketMode(fake_slack)`` listens on 127.0.0.1 and attaches itself to a ``FakeSlack``, whose
``apps.connections.open`` (called with the app-level token) then answers with a fresh
``ws://127.0.0.1:<port>/link/?ticket=...`` URL, as Slack answers with a ``wss://`` one. Each
ticket opens one connection. The server speaks just enough RFC 6455 for slack_sdk's built-in client
(and any other): the opening handshake with ``Sec-WebSocket-Accept``, text frames (fragmented or
not), client-to-server masking (required), ping/pong and the closing handshake. On every new
connection it sends Slack's ``hello``, then any envelopes queued with ``send``; the client's acks
(``{"envelope_id": ...}``) land in ``acks``.

Problems (unmasked client frames, bad UTF-8, acks for unknown envelopes, duplicate acks, acks later
than Slack's 3 seconds) go to ``violations``; ``assert_clean()`` raises if there are any.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import hashlib
import itertools
import json
import secrets
import socket
import struct
import threading
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from typing import Any

from tests.fakes.slack_api import APP_ID, TEAM_ID, FakeSlack

WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455 section 1.3
OP_CONTINUATION, OP_TEXT, OP_BINARY = 0x0, 0x1, 0x2
OP_CLOSE, OP_PING, OP_PONG = 0x8, 0x9, 0xA
CLOSE_NORMAL, CLOSE_GOING_AWAY, CLOSE_PROTOCOL_ERROR, CLOSE_INVALID_DATA = 1000, 1001, 1002, 1007
ACK_DEADLINE_SECONDS = 3.0  # Slack retries (and the user sees an error) after 3 s without an ack
MAX_REQUEST_BYTES = 16384
POLL_SECONDS = 0.05


def accept_key(key: str) -> str:
    """``Sec-WebSocket-Accept`` for a client's ``Sec-WebSocket-Key`` (RFC 6455 section 4.2.2)."""
    return base64.b64encode(hashlib.sha1((key + WEBSOCKET_GUID).encode()).digest()).decode()


def encode_frame(
    opcode: int, payload: bytes, *, mask: bytes | None = None, fin: bool = True
) -> bytes:
    """One frame; servers send unmasked (``mask=None``), clients must mask."""
    head = bytes([(0x80 if fin else 0) | opcode])
    bit = 0x80 if mask is not None else 0
    n = len(payload)
    if n <= 125:
        head += bytes([bit | n])
    elif n <= 0xFFFF:
        head += bytes([bit | 126]) + struct.pack("!H", n)
    else:
        head += bytes([bit | 127]) + struct.pack("!Q", n)
    if mask is None:
        return head + payload
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def slash_command_payload(
    text: str,
    *,
    user_id: str,
    channel_id: str,
    response_url: str,
    command: str = "/intern",
    team_id: str = TEAM_ID,
    api_app_id: str = APP_ID,
) -> dict[str, Any]:
    """A slash command as Socket Mode delivers it: the HTTP form's fields as a JSON object."""
    n = secrets.randbelow(10**9)
    return {
        "token": "fake-verification-token",
        "team_id": team_id,
        "team_domain": "research-lab",
        "channel_id": channel_id,
        "channel_name": "hiring" if channel_id.startswith("C") else "directmessage",
        "user_id": user_id,
        "user_name": user_id.lower(),
        "command": command,
        "text": text,
        "api_app_id": api_app_id,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": f"{n}.{int(time.time())}.{secrets.token_hex(16)}",
    }


@dataclasses.dataclass(frozen=True)
class Handshake:
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-cased names


@dataclasses.dataclass
class Ack:
    envelope_id: str
    message: dict[str, Any]
    seconds: float  # from sending the envelope to receiving the ack


class _Closed(Exception):
    """The peer went away, or the server is shutting down."""


class _Connection:
    """One accepted WebSocket; reading happens on its own thread, sending under a lock."""

    def __init__(self, sock: socket.socket, give_up: threading.Event) -> None:
        self.sock = sock
        self.give_up = give_up
        self.send_lock = threading.Lock()
        self.close_sent = False
        self.buffer = b""

    def read_more(self, size: int) -> None:
        """Append what the socket has (up to `size`); a timeout just returns for another look."""
        try:
            chunk = self.sock.recv(size)
        except TimeoutError:
            if self.give_up.is_set():
                raise _Closed("server stopping") from None
            return
        if not chunk:
            raise _Closed("peer closed the TCP connection")
        self.buffer += chunk

    def recv_exact(self, n: int) -> bytes:
        while len(self.buffer) < n:
            self.read_more(65536)
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def recv_until(self, marker: bytes, limit: int) -> bytes:
        while marker not in self.buffer:
            if len(self.buffer) > limit:
                raise _Closed("request too large")
            self.read_more(4096)
        head, _, self.buffer = self.buffer.partition(marker)
        return head

    def send_frame(self, opcode: int, payload: bytes) -> None:
        with self.send_lock:
            if self.close_sent:
                return  # nothing may follow a close frame (RFC 6455 section 5.5.1)
            if opcode == OP_CLOSE:
                self.close_sent = True
            with contextlib.suppress(OSError):  # a dead socket: the reader notices it
                self.sock.sendall(encode_frame(opcode, payload))

    def send_text(self, message: dict[str, Any]) -> None:
        self.send_frame(OP_TEXT, json.dumps(message).encode())

    def send_close(self, code: int, reason: str = "") -> None:
        self.send_frame(OP_CLOSE, struct.pack("!H", code) + reason.encode())


class FakeSocketMode:
    """Fake Socket Mode WebSocket server; ``with FakeSocketMode(fake_slack) as sm: ...``."""

    def __init__(self, slack: FakeSlack | None = None, *, app_id: str = APP_ID) -> None:
        self.app_id = app_id
        self._cond = threading.Condition()
        self._stopping = threading.Event()  # no new connections; close the open ones
        self._give_up = threading.Event()  # stop reading even without the peer's close
        self._listener: socket.socket | None = None
        self._threads: list[threading.Thread] = []
        self._live: list[_Connection] = []
        self._tickets: set[str] = set()
        self._pending: list[dict[str, Any]] = []
        self._sent_at: dict[str, float] = {}
        self._ids = itertools.count(1)
        self.handshakes: list[Handshake] = []
        self.received: list[dict[str, Any]] = []  # every text message from clients, decoded
        self.acks: dict[str, Ack] = {}
        self.pings: list[bytes] = []  # payloads of the pings clients sent (each answered)
        self.pongs: list[bytes] = []  # payloads of the pongs clients sent (answers to ping())
        self.closes: list[int | None] = []  # close codes clients sent
        self.violations: list[str] = []
        if slack is not None:
            slack.socket_mode_url = self.issue_url

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> FakeSocketMode:
        if self._listener is not None:
            return self
        self._stopping.clear()
        self._give_up.clear()
        listener = socket.create_server(("127.0.0.1", 0))
        listener.settimeout(POLL_SECONDS)
        self._listener = listener
        self._spawn(self._accept_loop, f"FakeSocketMode:{self.port}")
        return self

    def stop(self, timeout: float = 2.0) -> None:
        """Close every connection with a close frame (1001), wait for the replies, shut down."""
        listener = self._listener
        if listener is None:
            return
        self._stopping.set()
        with self._cond:
            live = list(self._live)
        for connection in live:
            connection.send_close(CLOSE_GOING_AWAY, "server stopping")
        deadline = time.monotonic() + timeout
        for thread in list(self._threads):
            thread.join(max(0.0, deadline - time.monotonic()))
        self._give_up.set()  # a client that never answers the close frame is let go
        for thread in list(self._threads):
            thread.join(timeout)
        listener.close()
        self._listener = None
        self._threads = []

    def __enter__(self) -> FakeSocketMode:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._listener is None:
            raise RuntimeError("FakeSocketMode is not started")
        return int(self._listener.getsockname()[1])

    def issue_url(self) -> str:
        """A one-use connection URL, as ``apps.connections.open`` hands out."""
        ticket = uuid.uuid4().hex
        with self._cond:
            self._tickets.add(ticket)
        query = urllib.parse.urlencode({"ticket": ticket, "app_id": self.app_id})
        return f"ws://127.0.0.1:{self.port}/link/?{query}"

    # -- driving and inspecting ------------------------------------------------------------------

    def send(self, type_: str, payload: dict[str, Any], **extra: Any) -> str:
        """Queue an envelope for the open connection (or the next one); returns its id."""
        envelope_id = f"{uuid.uuid4()}-{next(self._ids)}"
        envelope = {"envelope_id": envelope_id, "type": type_, "payload": payload, **extra}
        with self._cond:
            live = self._live[-1] if self._live else None
            if live is None:
                self._pending.append(envelope)
            else:
                self._sent_at[envelope_id] = time.monotonic()
        if live is not None:
            live.send_text(envelope)
        return envelope_id

    def send_slash_command(self, text: str, **fields: Any) -> str:
        payload = slash_command_payload(text, **fields)
        return self.send("slash_commands", payload, accepts_response_payload=True)

    def wait_for_connection(self, count: int = 1, timeout: float = 30.0) -> None:
        with self._cond:
            if not self._cond.wait_for(lambda: len(self.handshakes) >= count, timeout):
                raise AssertionError(
                    f"no Socket Mode connection after {timeout}s ({len(self.handshakes)} seen)"
                )

    def wait_for_ack(self, envelope_id: str, timeout: float = 10.0) -> Ack:
        with self._cond:
            if not self._cond.wait_for(lambda: envelope_id in self.acks, timeout):
                raise AssertionError(
                    f"envelope {envelope_id} not acknowledged after {timeout}s; "
                    f"received: {self.received}"
                )
            return self.acks[envelope_id]

    def wait_for_pong(self, count: int = 1, timeout: float = 10.0) -> list[bytes]:
        with self._cond:
            if not self._cond.wait_for(lambda: len(self.pongs) >= count, timeout):
                raise AssertionError(f"{len(self.pongs)} pong(s) after {timeout}s")
            return list(self.pongs)

    def ping(self, payload: bytes = b"fake-ping") -> None:
        with self._cond:
            live = list(self._live)
        for connection in live:
            connection.send_frame(OP_PING, payload)

    def assert_clean(self) -> None:
        with self._cond:
            violations = list(self.violations)
        if violations:
            listing = "\n  ".join(violations)
            raise AssertionError(f"{len(violations)} Socket Mode violation(s):\n  {listing}")

    # -- server ----------------------------------------------------------------------------------

    def _spawn(self, target: Any, name: str, *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _violate(self, problem: str) -> None:
        with self._cond:
            self.violations.append(problem)
            self._cond.notify_all()

    def _accept_loop(self) -> None:
        listener = self._listener
        assert listener is not None
        while not self._stopping.is_set():
            try:
                sock, _addr = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            sock.settimeout(POLL_SECONDS)
            self._spawn(self._serve, f"FakeSocketMode-conn:{self.port}", sock)

    def _serve(self, sock: socket.socket) -> None:
        connection = _Connection(sock, self._give_up)
        try:
            if not self._handshake(connection):
                return
            with self._cond:
                self._live.append(connection)
                pending, self._pending = self._pending, []
                now = time.monotonic()
                for envelope in pending:
                    self._sent_at[envelope["envelope_id"]] = now
            connection.send_text(
                {
                    "type": "hello",
                    "num_connections": 1,
                    "debug_info": {
                        "host": "applink-fake",
                        "build_number": 1,
                        "approximate_connection_time": 18060,
                    },
                    "connection_info": {"app_id": self.app_id},
                }
            )
            for envelope in pending:
                connection.send_text(envelope)
            self._read_frames(connection)
        except _Closed:
            pass
        finally:
            with self._cond:
                if connection in self._live:
                    self._live.remove(connection)
                self._cond.notify_all()
            sock.close()

    def _handshake(self, connection: _Connection) -> bool:
        head = connection.recv_until(b"\r\n\r\n", MAX_REQUEST_BYTES).decode("latin-1")
        request_line, *header_lines = head.split("\r\n")
        headers: dict[str, str] = {}
        for line in header_lines:
            name, sep, value = line.partition(":")
            if sep:
                headers[name.strip().lower()] = value.strip()
        parts = request_line.split(" ")
        target = urllib.parse.urlsplit(parts[1] if len(parts) == 3 else "")
        query = dict(urllib.parse.parse_qsl(target.query))

        def refuse(status: str, problem: str) -> bool:
            self._violate(f"handshake: {problem}")
            body = problem.encode()
            connection.sock.sendall(
                f"HTTP/1.1 {status}\r\nContent-Length: {len(body)}\r\n"
                "Connection: close\r\n\r\n".encode()
                + body
            )
            return False

        if len(parts) != 3 or parts[0] != "GET" or parts[2] != "HTTP/1.1":
            return refuse("400 Bad Request", f"not a GET HTTP/1.1 request: {request_line!r}")
        if target.path.rstrip("/") != "/link":
            return refuse("404 Not Found", f"unknown path {target.path!r}")
        if "websocket" not in headers.get("upgrade", "").lower():
            return refuse("400 Bad Request", "Upgrade: websocket missing")
        if "upgrade" not in headers.get("connection", "").lower():
            return refuse("400 Bad Request", "Connection: Upgrade missing")
        if headers.get("sec-websocket-version") != "13":
            return refuse("426 Upgrade Required", "Sec-WebSocket-Version must be 13")
        key = headers.get("sec-websocket-key", "")
        try:
            key_ok = len(base64.b64decode(key, validate=True)) == 16
        except ValueError:
            key_ok = False
        if not key_ok:
            return refuse(
                "400 Bad Request", f"Sec-WebSocket-Key is not 16 bytes of base64: {key!r}"
            )
        with self._cond:
            ticket_ok = query.get("ticket") in self._tickets
            self._tickets.discard(query.get("ticket", ""))
        if not ticket_ok:
            return refuse("401 Unauthorized", "ticket missing, unknown or already used")
        connection.sock.sendall(
            (
                "HTTP/1.1 101 Switching Protocols\r\n"
                "Upgrade: websocket\r\n"
                "Connection: Upgrade\r\n"
                f"Sec-WebSocket-Accept: {accept_key(key)}\r\n"
                "\r\n"
            ).encode()
        )
        with self._cond:
            self.handshakes.append(Handshake(target.path, query, headers))
            self._cond.notify_all()
        return True

    def _read_frame(self, connection: _Connection) -> tuple[bool, int, bytes]:
        b1, b2 = connection.recv_exact(2)
        fin, opcode, masked, length = bool(b1 & 0x80), b1 & 0x0F, bool(b2 & 0x80), b2 & 0x7F
        if b1 & 0x70:
            raise self._protocol_error(connection, "reserved bits set without an extension")
        if length == 126:
            (length,) = struct.unpack("!H", connection.recv_exact(2))
        elif length == 127:
            (length,) = struct.unpack("!Q", connection.recv_exact(8))
        if not masked:
            raise self._protocol_error(connection, "client frame not masked (RFC 6455 5.1)")
        mask = connection.recv_exact(4)
        data = connection.recv_exact(length)
        return fin, opcode, bytes(b ^ mask[i % 4] for i, b in enumerate(data))

    def _protocol_error(self, connection: _Connection, problem: str) -> _Closed:
        self._violate(f"frame: {problem}")
        connection.send_close(CLOSE_PROTOCOL_ERROR, problem[:100])
        return _Closed(problem)

    def _read_frames(self, connection: _Connection) -> None:
        fragments: list[bytes] = []
        fragment_opcode: int | None = None
        while True:
            fin, opcode, data = self._read_frame(connection)
            if opcode >= OP_CLOSE:  # control frames: never fragmented, at most 125 bytes
                if not fin or len(data) > 125:
                    raise self._protocol_error(connection, "fragmented or oversized control frame")
                if opcode == OP_PING:
                    with self._cond:
                        self.pings.append(data)
                    connection.send_frame(OP_PONG, data)
                elif opcode == OP_PONG:
                    with self._cond:
                        self.pongs.append(data)
                        self._cond.notify_all()
                elif opcode == OP_CLOSE:
                    code = struct.unpack("!H", data[:2])[0] if len(data) >= 2 else None
                    with self._cond:
                        self.closes.append(code)
                    connection.send_close(code or CLOSE_NORMAL)  # echo, unless we closed first
                    return
                else:
                    raise self._protocol_error(connection, f"unknown control opcode {opcode:#x}")
                continue
            if opcode == OP_CONTINUATION:
                if fragment_opcode is None:
                    raise self._protocol_error(connection, "continuation without a first frame")
            elif opcode in (OP_TEXT, OP_BINARY):
                if fragment_opcode is not None:
                    raise self._protocol_error(connection, "new message inside a fragmented one")
                fragment_opcode = opcode
            else:
                raise self._protocol_error(connection, f"unknown data opcode {opcode:#x}")
            fragments.append(data)
            if not fin:
                continue
            message, kind = b"".join(fragments), fragment_opcode
            fragments, fragment_opcode = [], None
            if kind == OP_TEXT:
                self._on_text(connection, message)
            else:
                self._violate("frame: Socket Mode clients send text frames, got binary")

    def _on_text(self, connection: _Connection, raw: bytes) -> None:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            self._violate("frame: text frame is not valid UTF-8")
            connection.send_close(CLOSE_INVALID_DATA, "invalid UTF-8")
            raise _Closed("invalid UTF-8") from None
        try:
            message = json.loads(text)
        except ValueError:
            self._violate(f"message: not JSON: {text[:120]!r}")
            return
        if not isinstance(message, dict):
            self._violate(f"message: not a JSON object: {text[:120]!r}")
            return
        with self._cond:
            self.received.append(message)
            envelope_id = message.get("envelope_id")
            if envelope_id is not None:
                self._record_ack(str(envelope_id), message)
            self._cond.notify_all()

    def _record_ack(self, envelope_id: str, message: dict[str, Any]) -> None:
        sent_at = self._sent_at.get(envelope_id)
        if sent_at is None:
            self.violations.append(f"ack: unknown envelope_id {envelope_id!r}")
            return
        if envelope_id in self.acks:
            self.violations.append(f"ack: envelope {envelope_id} acknowledged twice")
            return
        seconds = time.monotonic() - sent_at
        if seconds > ACK_DEADLINE_SECONDS:
            self.violations.append(
                f"ack: envelope {envelope_id} acknowledged after {seconds:.1f}s "
                f"(Slack gives up after {ACK_DEADLINE_SECONDS:.0f}s)"
            )
        self.acks[envelope_id] = Ack(envelope_id, message, seconds)


def iter_frames(data: bytes) -> Iterator[tuple[int, bytes]]:
    """Split unmasked server frames (for tests reading the raw stream)."""
    while data:
        opcode, length, offset = data[0] & 0x0F, data[1] & 0x7F, 2
        if length == 126:
            (length,), offset = struct.unpack("!H", data[2:4]), 4
        elif length == 127:
            (length,), offset = struct.unpack("!Q", data[2:10]), 10
        yield opcode, data[offset : offset + length]
        data = data[offset + length :]
