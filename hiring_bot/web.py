"""The WSGI app: /slack/events, /intake/applications, /healthz; JSON 404 elsewhere.

gunicorn loads it through the factory: `gunicorn 'hiring_bot.web:create_app()'`.
"""

from __future__ import annotations

import gc
import json
import logging
import urllib.parse
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from hiring_bot.bootstrap import Deps
from hiring_bot.health import health_check
from hiring_bot.http_guard import GuardedSlackHandler, SlackRequestGate
from hiring_bot.intake.webhook import intake_route
from hiring_bot.slack.delivery import deliver_soon

log = logging.getLogger(__name__)

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
Route = Callable[[dict[str, Any]], tuple[int, dict[str, Any]]]

_REASONS = {
    200: "OK",
    201: "Created",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    411: "Length Required",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def json_response(
    start_response: StartResponse,
    status: int,
    body: dict[str, Any],
    headers: list[tuple[str, str]] | None = None,
) -> list[bytes]:
    payload = json.dumps(body).encode()
    start_response(
        f"{status} {_REASONS.get(status, 'Status')}",
        [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(payload))),
            *(headers or []),
        ],
    )
    return [payload]


def healthz(deps: Deps, environ: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """200 when the database answers a read (and, with `?deep=1`, a rolled-back write) in time;
    else 503 with what is wrong (hiring_bot.health)."""
    query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
    deep = query.get("deep", [""])[-1].lower() in {"1", "true", "yes"}
    health = health_check(deps.engine).check(deep=deep)
    return health.status, health.body()


class WebApp:
    """Routes by path; Slack traffic goes to Bolt's WSGI adapter untouched."""

    def __init__(self, deps: Deps, slack_app: App) -> None:
        self.deps = deps
        gate = SlackRequestGate(deps.settings.slack_signing_secret or "")
        self.slack = GuardedSlackHandler(SlackRequestHandler(slack_app), gate)
        self.routes: dict[tuple[str, str], Route] = {}

    def add_route(self, method: str, path: str, route: Route) -> None:
        self.routes[(method, path)] = route

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "") or "/"
        method = environ.get("REQUEST_METHOD", "GET")
        try:
            if path == "/slack/events":
                if method != "POST":
                    return json_response(start_response, 405, {"error": "use POST"})
                return self.slack(environ, start_response)
            if path == "/healthz":
                status, body = healthz(self.deps, environ)
                return json_response(start_response, status, body)
            route = self.routes.get((method, path))
            if route is None:
                if any(p == path for _, p in self.routes):
                    return json_response(start_response, 405, {"error": "method not allowed"})
                return json_response(start_response, 404, {"error": "not found", "path": path})
            status, body = route(environ)
            return json_response(start_response, status, body)
        except Exception:
            log.exception("unhandled error on %s %s", method, path)
            return json_response(start_response, 500, {"error": "internal error"})


def build_web(deps: Deps, slack_app: App) -> WebApp:
    web = WebApp(deps, slack_app)
    route = intake_route(deps, deliver=lambda ids: deliver_soon(deps, ids))
    web.add_route("POST", "/intake/applications", route)
    return web


# gunicorn's "worker failed to boot" code: the master stops instead of respawning forever.
WORKER_BOOT_ERROR = 3


def create_app() -> WebApp:
    """gunicorn's factory: settings from the environment, everything built here, once."""
    from hiring_bot.bootstrap import build_deps
    from hiring_bot.slack.app import build_app
    from hiring_bot.startup import configure_logging, load_settings_or_exit

    try:
        settings = load_settings_or_exit(require_slack=True, socket_mode=False)
    except SystemExit as exit_:
        raise SystemExit(WORKER_BOOT_ERROR) from exit_
    configure_logging()
    deps = build_deps(settings)
    web = build_web(deps, build_app(deps))
    # Everything built so far lives as long as the worker: out of the collector's sight, a
    # full collection no longer walks every imported module and class (tens of ms, paid by
    # whichever request happened to trigger it).
    gc.freeze()
    return web
