"""Listeners grouped by kind; each module has register(app, deps)."""

from __future__ import annotations

from slack_bolt import App

from hiring_bot.bootstrap import Deps
from hiring_bot.slack.listeners import actions, commands, events, views


def register_all(app: App, deps: Deps) -> None:
    for kind in (commands, actions, views, events):
        kind.register(app, deps)
