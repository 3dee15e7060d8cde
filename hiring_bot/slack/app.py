"""build_app(deps): the Bolt app with every listener registered."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_sdk import WebClient

from hiring_bot.deps import Deps
from hiring_bot.logsafety import withhold_bodies_at_source
from hiring_bot.slack.listeners import register_all
from hiring_bot.slack.replay_guard import SignatureMemory, replay_guard


def build_app(deps: Deps) -> App:
    settings = deps.settings
    bot_token = settings.slack_bot_token

    def authorize(enterprise_id: str | None, team_id: str | None, **_: Any) -> AuthorizeResult:
        # One workspace, one bot token: answering from settings keeps Bolt's default
        # single-team authorization from calling auth.test before the first ack.
        return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, bot_token=bot_token)

    # Bolt builds each request's client from this one plus the authorized token, so it carries no
    # token itself (Bolt would otherwise warn that the token is ignored in favour of authorize).
    request_client = WebClient(
        base_url=deps.client.base_url,
        timeout=deps.client.timeout,
        retry_handlers=deps.client.retry_handlers,
    )
    logger = logging.getLogger("hiring_bot.slack")
    # Bolt logs rejected requests with their bodies, slack_sdk its calls' bodies at DEBUG.
    withhold_bodies_at_source()
    # Bolt reads SLACK_BOT_TOKEN from the environment by itself and, as `client` is given, warns
    # at every boot that the token is unused. The token is used (by `authorize`): drop that line.
    quiet = _DropMessage(warning_client_prioritized_and_token_skipped())
    logger.addFilter(quiet)
    try:
        app = App(
            client=request_client,
            authorize=authorize,
            signing_secret=settings.slack_signing_secret or "",
            # Ack functions are tiny and run in the request thread, answering Slack as soon as
            # they return; slow work is in lazy listeners. This also skips Bolt's 10 ms
            # ack-polling loop.
            process_before_response=True,
            logger=logger,
        )
    finally:
        logger.removeFilter(quiet)
    # Runs after Bolt's own signature check, before any listener.
    app.use(replay_guard(SignatureMemory()))
    register_all(app, deps)
    return app


class _DropMessage(logging.Filter):
    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != self.message
