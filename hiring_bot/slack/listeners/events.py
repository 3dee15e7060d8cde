"""Events API: the App Home tab.

`app_home_opened` publishes the opener's queue with `views.publish`. Slack re-sends an event it
thinks was not received (X-Slack-Retry-Num); the event_id is recorded, so a retry does nothing.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from hiring_bot.db.engine import session_scope
from hiring_bot.deps import Deps
from hiring_bot.domain import idempotency
from hiring_bot.domain.errors import NotAllowed
from hiring_bot.domain.people import Access
from hiring_bot.slack.listeners.router import CommandRouter
from hiring_bot.slack.listeners.surfaces import publish_home
from hiring_bot.slack.listeners.workflow import authorize, log_failure


def first_delivery(deps: Deps, event_id: str) -> bool:
    if not event_id:
        return True
    with session_scope(deps.sessions) as session:
        return idempotency.first_time(
            session, key=idempotency.event_key(event_id), now=deps.clock.now()
        )


def register(app: App, deps: Deps, router: CommandRouter) -> None:
    def ack_now(ack: Ack) -> None:
        ack()

    def home_opened(body: dict[str, Any], event: dict[str, Any], client: Any) -> None:
        if event.get("tab", "home") != "home":
            return  # the Messages tab
        user_id = str(event.get("user") or "")
        try:
            if not user_id or not first_delivery(deps, str(body.get("event_id") or "")):
                return
            try:
                access = authorize(deps, user_id=user_id, action="app home").access
            except NotAllowed:
                access = Access.NONE
            publish_home(deps, client, user_id=user_id, access=access)
        except Exception as exc:  # nothing to answer: the tab keeps its last content
            log_failure("app home", exc)

    app.event("app_home_opened")(ack=ack_now, lazy=[home_opened])
