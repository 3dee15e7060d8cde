"""Block actions: card buttons, menus, paging."""

from __future__ import annotations

from slack_bolt import App

from hiring_bot.bootstrap import Deps
from hiring_bot.slack.listeners.router import CommandRouter


def register(app: App, deps: Deps, router: CommandRouter) -> None:
    return None
