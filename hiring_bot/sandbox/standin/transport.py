"""The stand-in's HTTP side: the threaded server, writing answers, and the two endpoints that are
not Web API methods (upload URLs from files.getUploadURLExternal, and response_url)."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from hiring_bot.sandbox.standin.block_kit import validate_blocks
from hiring_bot.sandbox.standin.faults import FaultInjection, _Fault

if TYPE_CHECKING:
    from hiring_bot.sandbox.standin.fake import FakeSlack


class _Server(ThreadingHTTPServer):
    daemon_threads = False  # server_close() joins handler threads: nothing outlives stop()
    block_on_close = True
    fake: FakeSlack

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that time out and hang up are expected (hang_next); stay quiet.
        return


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"
    timeout = 30

    def do_GET(self) -> None:
        self.server.fake._dispatch(self)

    def do_POST(self) -> None:
        self.server.fake._dispatch(self)

    def log_message(self, format: str, *args: Any) -> None:
        return


class HttpEndpoints(FaultInjection):
    def _send(
        self,
        handler: _Handler,
        status: int,
        body: dict[str, Any] | str,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        if isinstance(body, str):
            data, ctype = body.encode(), "text/plain; charset=utf-8"
        else:
            data, ctype = json.dumps(body).encode(), "application/json; charset=utf-8"
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", ctype)
            handler.send_header("Content-Length", str(len(data)))
            for k, v in (extra_headers or {}).items():
                handler.send_header(k, v)
            handler.end_headers()
            handler.wfile.write(data)
        except OSError:
            pass  # the client gave up (timeouts in hang tests)

    # -- upload URL --------------------------------------------------------------------------

    def _handle_upload(
        self, handler: _Handler, file_id: str, body: bytes, fault: _Fault | None
    ) -> None:
        if fault is not None and fault.status is not None:
            status, reply, extra = self._fault_reply(fault)
            self._send(handler, status, reply, extra)
            return
        with self._cond:
            record = self.files.get(file_id)
            if record is None:
                self._send(handler, 404, "file not found")
                return
            if handler.command != "POST":
                self._send(handler, 405, "method not allowed")
                return
            record["data"] = body
            if len(body) != record["length"]:
                self.violations.append(
                    f"upload: {file_id} got {len(body)} bytes, files.getUploadURLExternal "
                    f"declared length={record['length']}"
                )
        self._send(handler, 200, f"OK - {len(body)}")

    # -- response_url ------------------------------------------------------------------------

    def _handle_response_url(
        self,
        handler: _Handler,
        path: str,
        body: bytes,
        headers: dict[str, str],
        fault: _Fault | None,
    ) -> None:
        if fault is not None and fault.status is not None:
            status, reply, extra = self._fault_reply(fault)
            self._send(handler, status, reply, extra)
            return
        try:
            payload = json.loads(body or b"{}")
        except ValueError:
            self._violate("response_url", [f"{path}: body is not JSON"])
            self._send(handler, 400, "invalid_payload")
            return
        if not isinstance(payload, dict):
            self._violate("response_url", [f"{path}: body must be a JSON object"])
            self._send(handler, 400, "invalid_payload")
            return
        problems: list[str] = []
        if "blocks" in payload:
            problems = validate_blocks(payload["blocks"], action_id_scope=self.action_id_scope)
        if not any(k in payload for k in ("text", "blocks", "attachments", "delete_original")):
            problems.append("no_text: one of text, blocks, attachments, delete_original required")
        with self._cond:
            self.responses.append(payload)
            self.version += 1
            self._cond.notify_all()
        if self.on_response is not None:
            self.on_response(path, payload)
        if problems:
            self._violate("response_url", [f"{path}: {p}" for p in problems])
            self._send(handler, 400, "invalid_blocks")
            return
        self._send(handler, 200, {"ok": True})
