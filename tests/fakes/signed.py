"""Signed Slack requests (shared with the sandbox) and a threaded WSGI server for tests.

``SlackRequests`` lives in `hiring_bot.sandbox.signed_requests`; ``wsgi_server(app)`` serves any
WSGI callable on 127.0.0.1 (ephemeral port) in a thread, for tests that want the real app behind a
real socket.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from hiring_bot.sandbox.signed_requests import (
    API_APP_ID,
    BOT_USER_ID,
    TEAM_DOMAIN,
    TEAM_ID,
    VERIFICATION_TOKEN,
    Response,
    SlackRequests,
    sign,
)

__all__ = [
    "API_APP_ID",
    "BOT_USER_ID",
    "TEAM_DOMAIN",
    "TEAM_ID",
    "VERIFICATION_TOKEN",
    "Response",
    "SlackRequests",
    "sign",
    "wsgi_server",
]


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = False  # server_close() joins request threads
    block_on_close = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return


@contextmanager
def wsgi_server(app: Any, host: str = "127.0.0.1") -> Iterator[str]:
    """Serve a WSGI callable (threaded) on an ephemeral port; yields ``http://host:port``."""
    server = make_server(
        host, 0, app, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler
    )
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield f"http://{host}:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
