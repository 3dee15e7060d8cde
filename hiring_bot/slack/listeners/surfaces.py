"""What the review listeners show: list pages, the rating and details modals, the Home tab.

Each function reads the database in its own short session, builds Block Kit with the pure
builders and (where named `open_*` / `publish_*`) makes the one Slack call that shows it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from hiring_bot.db import budget
from hiring_bot.deps import Deps
from hiring_bot.domain import applications, list_filters, queries, reviews
from hiring_bot.domain.errors import InvalidInput
from hiring_bot.domain.people import Access
from hiring_bot.slack.blocks import (
    ListPage,
    RatingModalInput,
    build_details_modal,
    build_home,
    build_list_message,
    build_rating_modal,
    list_text,
)
from hiring_bot.slack.blocks._kit import context, section
from hiring_bot.slack.cards import card_for, details_for, home_for
from hiring_bot.slack.listeners.workflow import Actor, read

# --- lists ---------------------------------------------------------------------------------------


def encode_state(query: str, page: int) -> str:
    return json.dumps({"q": query, "p": page}, separators=(",", ":"))


def decode_state(value: str | None) -> tuple[str, int]:
    """The list query and page a Next / Previous button carries; InvalidInput when mangled."""
    try:
        state = json.loads(value or "")
        query, page = state["q"], state["p"]
    except (ValueError, TypeError, KeyError):
        raise InvalidInput("That list is out of date; run `/intern list` again.") from None
    if not isinstance(query, str) or not isinstance(page, int) or isinstance(page, bool):
        raise InvalidInput("That list is out of date; run `/intern list` again.")
    return query, max(0, page)


def list_message(
    deps: Deps, actor: Actor, *, query: str, page: int = 0
) -> tuple[str, list[dict[str, Any]]]:
    """One page of `/intern list <query>` as `actor` may see it: (fallback text, blocks)."""
    quorum = deps.settings.rating_quorum

    def work(session: Session) -> tuple[str, list[dict[str, Any]]]:
        filters = list_filters.parse_filters(session, query)
        result = queries.list_applications(
            session,
            filters=filters,
            viewer=actor.user_id,
            is_admin=actor.is_admin,
            quorum=quorum,
            page=page,
        )
        listing = ListPage(
            items=tuple(
                card_for(
                    a,
                    quorum=quorum,
                    viewer=actor.user_id,
                    tz=deps.settings.timezone,
                    is_admin=actor.is_admin,
                )
                for a in result.rows
            ),
            page=result.page,
            page_size=result.page_size,
            total=result.total,
            total_capped=result.capped,
            filters_text=filters.describe(),
            state=encode_state(" ".join(query.split()), result.page),
        )
        return list_text(listing), build_list_message(listing)

    text, blocks = read(deps, work)
    return text, blocks


# --- modals --------------------------------------------------------------------------------------


_CHANNEL_ID = re.compile(r"[CGD][A-Z0-9]{2,30}")


@dataclass(frozen=True)
class RatingOrigin:
    """Where the rating form was opened from, carried in the modal's private_metadata: the
    application, whether from the Home tab, and the channel (None when unknown: Home, a modal)
    where the saved rating is confirmed."""

    ref: int
    home: bool = False
    channel: str | None = None

    def encode(self) -> str:
        data: dict[str, Any] = {"ref": self.ref, "home": self.home}
        if self.channel:
            data["channel"] = self.channel
        return json.dumps(data, separators=(",", ":"))

    @staticmethod
    def decode(value: str | None) -> RatingOrigin | None:
        try:
            data = json.loads(value or "")
            ref, home = data["ref"], bool(data.get("home", False))
            channel = data.get("channel")
        except (ValueError, TypeError, KeyError, AttributeError):
            return None
        if not isinstance(ref, int) or isinstance(ref, bool) or ref <= 0:
            return None
        if not isinstance(channel, str) or not _CHANNEL_ID.fullmatch(channel):
            channel = None  # forms opened before the channel was carried: confirmed by DM
        return RatingOrigin(ref, home, channel)


def open_rating_modal(
    deps: Deps,
    client: Any,
    actor: Actor,
    *,
    trigger_id: str,
    ref: int,
    home: bool = False,
    channel: str | None = None,
) -> None:
    """The rubric form, pre-filled with the actor's own earlier review (never anyone else's)."""

    def work(session: Session) -> RatingModalInput:
        application = reviews.check_can_rate(session, ref=ref, actor=actor.user_id)
        own = applications.own_review(session, application_id=ref, user_id=actor.user_id)
        return RatingModalInput(
            ref=ref,
            candidate_name=application.candidate.name,
            private_metadata=RatingOrigin(ref, home, channel).encode(),
            overall=own.overall if own else None,
            criteria=dict(own.criteria or {}) if own else {},
            recommendation=own.recommendation if own else None,
            notes=own.notes if own else None,
        )

    data: RatingModalInput = read(deps, work)
    client.views_open(trigger_id=trigger_id, view=build_rating_modal(data))


def open_details_modal(deps: Deps, client: Any, actor: Actor, *, trigger_id: str, ref: int) -> None:
    def work(session: Session) -> dict[str, Any]:
        application = applications.get_application(session, ref=ref)
        details = details_for(
            session,
            application,
            settings=deps.settings,
            viewer=actor.user_id,
            is_admin=actor.is_admin,
        )
        return build_details_modal(details)

    view = read(deps, work)
    client.views_open(trigger_id=trigger_id, view=view)


# --- App Home ------------------------------------------------------------------------------------

OUTSIDER_HOME: dict[str, Any] = {
    "type": "home",
    "blocks": [
        section(
            "*Internship hiring*\nThis app is for the lab's hiring team (the members of the "
            "hiring channel). Ask an admin if you should be on it."
        ),
        context("`/intern help` lists the commands."),
    ],
}


LOADING_HOME: dict[str, Any] = {
    "type": "home",
    "blocks": [
        section("*Internship hiring*\nStill loading your queue — it appears in a moment."),
    ],
}


def publish_home(deps: Deps, client: Any, *, user_id: str, access: Access) -> None:
    """Publish the Home tab, its data read within the read budget; past it, a short "loading"
    view goes up first and the full one follows once the read has finished without a budget."""
    if access is Access.NONE:
        client.views_publish(user_id=user_id, view=OUTSIDER_HOME)
        return
    try:
        with budget.within(budget.READ_BUDGET_SECONDS):
            view = _home_view(deps, user_id=user_id, access=access)
    except budget.Overrun:
        client.views_publish(user_id=user_id, view=LOADING_HOME)
        view = _home_view(deps, user_id=user_id, access=access)
    client.views_publish(user_id=user_id, view=view)


def _home_view(deps: Deps, *, user_id: str, access: Access) -> dict[str, Any]:
    now = deps.clock.now()

    def work(session: Session) -> dict[str, Any]:
        home = home_for(
            session,
            user_id=user_id,
            is_admin=access is Access.ADMIN,
            settings=deps.settings,
            now=now,
        )
        return build_home(home)

    view: dict[str, Any] = read(deps, work)
    return view
