"""The sandbox's HTTP side: ``/`` and ``/sandbox/…`` (the page, its static files and its JSON
API) routed to the sandbox, everything else to the app's own WSGI app."""

from __future__ import annotations

import json
import logging
import urllib.parse
from collections.abc import Callable, Iterable
from importlib import resources
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

from hiring_bot.sandbox import demo
from hiring_bot.sandbox.demo_actions import DemoActions
from hiring_bot.sandbox.interactions import Interactions
from hiring_bot.sandbox.page_state import PageState
from hiring_bot.sandbox.sandbox_base import StartResponse

# The logger the sandbox always logged page errors under.
log = logging.getLogger("hiring_bot.sandbox.server")


class PageRoutes(Interactions, DemoActions, PageState):
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
