"""`/intern` slash command."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from hiring_bot.bootstrap import Deps
from hiring_bot.slack.listeners.router import CommandRouter

COMMAND = "/intern"


def register(app: App, deps: Deps, router: CommandRouter) -> None:
    @app.command(COMMAND)
    def intern(ack: Ack, command: dict[str, Any]) -> None:
        ack(response_type="ephemeral", text="Usage: `/intern help`")
