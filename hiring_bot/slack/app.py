"""build_app(deps): the Bolt app with every listener registered."""

from __future__ import annotations

import logging

from slack_bolt import App

from hiring_bot.bootstrap import Deps
from hiring_bot.slack.listeners import register_all


def build_app(deps: Deps) -> App:
    settings = deps.settings
    app = App(
        client=deps.client,
        signing_secret=settings.slack_signing_secret or "",
        # Verifying the token would call auth.test on every start; a bad token shows on first use.
        token_verification_enabled=False,
        # Ack first, then run the listener body: Slack gets its answer well inside 3 seconds.
        process_before_response=False,
        logger=logging.getLogger("hiring_bot.slack"),
    )
    register_all(app, deps)
    return app
