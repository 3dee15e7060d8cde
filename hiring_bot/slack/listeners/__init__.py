"""Listeners grouped by kind; each module has register(app, deps, router).

The router collects `/intern` sub-commands from every feature; the `commands` module owns the one
Bolt listener for `/intern` and dispatches through it.
"""

from __future__ import annotations

from slack_bolt import App

from hiring_bot.deps import Deps
from hiring_bot.slack.listeners import (
    actions,
    commands,
    events,
    retention_admin,
    views,
    windows_admin,
)
from hiring_bot.slack.listeners.router import CommandRouter


def register_all(app: App, deps: Deps) -> CommandRouter:
    router = CommandRouter()
    for kind in (commands, actions, views, events, windows_admin, retention_admin):
        kind.register(app, deps, router)
    return router
