"""Bare Bolt apps for `make bench` to measure hiring_bot against: the framework and nothing else.

gunicorn loads them exactly as it loads hiring_bot (`bench.bare_bolt:create_app()`), with
BARE_MODE choosing how `/intern` is answered:

- `default`: Bolt's default runner, `ack("ok")` (Bolt polls for the ack every 10 ms);
- `pbr`: `process_before_response=True`, `ack("ok")` answered from the request thread;
- `lazy`: `ack()` now, then a lazy listener calls `respond("ok")` on the response_url.

Every mode imports the same libraries hiring_bot does, so worker memory compares like for like.
"""

from __future__ import annotations

import os
from typing import Any

import alembic  # noqa: F401  (imported for the memory comparison only)
import apscheduler  # noqa: F401
import pypdf  # noqa: F401
import sqlalchemy  # noqa: F401
from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.authorization import AuthorizeResult
from slack_sdk import WebClient

MODES = ("default", "pbr", "lazy")


def build(mode: str) -> App:
    if mode not in MODES:
        raise ValueError(f"BARE_MODE must be one of {MODES}, not {mode!r}")
    token = os.environ.get("SLACK_BOT_TOKEN", "xoxb-bench")

    def authorize(enterprise_id: str | None, team_id: str | None, **_: Any) -> AuthorizeResult:
        return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, bot_token=token)

    app = App(
        client=WebClient(base_url=os.environ.get("SLACK_API_URL", "https://slack.com/api/")),
        authorize=authorize,
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        process_before_response=mode == "pbr",
    )
    if mode == "lazy":

        def ack_now(ack: Ack) -> None:
            ack()

        def answer(respond: Any) -> None:
            respond(text="ok", response_type="ephemeral")

        app.command("/intern")(ack=ack_now, lazy=[answer])
    else:

        def echo(ack: Ack) -> None:
            ack(text="ok", response_type="ephemeral")

        app.command("/intern")(echo)
    return app


class _Echo:
    def __init__(self, app: App) -> None:
        self.handler = SlackRequestHandler(app)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("PATH_INFO") == "/healthz":
            start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
            return [b"ok"]
        return self.handler(environ, start_response)


def create_app() -> _Echo:
    return _Echo(build(os.environ.get("BARE_MODE", "pbr")))
