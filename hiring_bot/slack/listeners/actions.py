"""Block actions: card buttons, menus, paging."""

from __future__ import annotations

from slack_bolt import App

from hiring_bot.bootstrap import Deps


def register(app: App, deps: Deps) -> None:
    return None
