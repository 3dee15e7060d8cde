"""Who a reminder counts and names: the database's counts and lists match the rules exactly.

Unclaimed = in review, nobody holds it and nobody rated it; claimed but unrated = its holder has
not rated it (someone else may have); rated = the rest in review. Anonymised applications, other
stages and closed windows are left out; applications in no window count in the digest only.
"""

from __future__ import annotations

from datetime import date, datetime

from hiring_bot.bootstrap import Deps
from hiring_bot.db.engine import session_scope
from hiring_bot.db.models import Application, Window
from hiring_bot.domain.reminder_schedule import Kind
from hiring_bot.domain.reminder_views import Digest, WaitingItem, WindowReminder
from hiring_bot.scheduler.jobs import plan_due
from tests.conftest import ALICE, BOB
from tests.reminders.factories import (
    add_application,
    add_spring_window,
    add_window,
    claim,
    local,
    rate,
)

# Monday 26 Feb 2018, 09:30 in Los Angeles: the application deadline's T-3 reminder and the
# digest are due; "new" means created in the 24 hours before.
AT = local(2018, 2, 26, 9, 30)


def seed(deps: Deps) -> dict[str, int]:
    ids: dict[str, int] = {}
    with session_scope(deps.sessions) as session:
        spring = add_spring_window(session)
        closed = add_window(
            session,
            name="Closed 2018",
            application_deadline=date(2018, 3, 15),
            decision_deadline=date(2018, 4, 15),
            starts_on=date(2018, 6, 1),
            ends_on=date(2018, 9, 1),
        )
        closed.closed_at = local(2018, 2, 20)

        apps: dict[str, Application] = {}

        def add(
            name: str,
            received_at: datetime,
            *,
            stage: str = "new",
            window: Window | None = spring,
            created_at: datetime | None = None,
        ) -> None:
            apps[name] = add_application(
                session,
                window=window,
                name=name,
                received_at=received_at,
                stage=stage,
                created_at=created_at,
            )
            ids[name] = apps[name].id

        # Unclaimed, in both review stages; Uma 2 and Uma 3 arrived at the same instant.
        add("Uma 1", local(2018, 2, 1, 9))
        add("Uma 2", local(2018, 2, 1, 10), stage="in_review")
        add("Uma 3", local(2018, 2, 1, 10))
        add("Uma 4", local(2018, 2, 2), stage="in_review")
        add("Uma 5", local(2018, 2, 3))
        add("Uma 6", local(2018, 2, 4))
        # Claimed: rated by someone else only (chased), by the holder (rated).
        add("Eli", local(2018, 1, 20), stage="in_review")
        add("Fin", local(2018, 1, 21), stage="in_review")
        # Unclaimed but rated: not unclaimed.
        add("Gil", local(2018, 1, 22))
        add("Hal", local(2018, 1, 23), stage="shortlisted")
        # New since yesterday, claimed by Bob, not rated.
        add("Max", local(2018, 2, 25, 19), created_at=local(2018, 2, 25, 20))
        # Left out: anonymised, decided, in a closed window.
        add("Ivy", local(2018, 1, 10))
        add("Jo", local(2018, 1, 11), stage="rejected")
        add("Lu", local(2018, 1, 12), window=closed)
        # In no window; received long ago, recorded only now (a backlog import).
        add("Kay", local(2018, 1, 15), window=None, created_at=local(2018, 2, 26, 8))

        claim(session, apps["Eli"], ALICE, local(2018, 2, 24))
        rate(session, apps["Eli"], BOB)
        claim(session, apps["Fin"], ALICE, local(2018, 2, 24))
        rate(session, apps["Fin"], ALICE)
        rate(session, apps["Gil"], BOB)
        claim(session, apps["Max"], BOB, local(2018, 2, 25, 21))
        apps["Ivy"].anonymised_at = local(2018, 2, 20)
    return ids


def test_window_reminder_and_digest_count_and_name_by_the_rules(deps: Deps) -> None:
    ids = seed(deps)
    plan = plan_due(deps, at=AT, kinds={Kind.APPLICATION_DEADLINE, Kind.DIGEST})
    views = {type(r.view): r.view for r in plan.due}
    assert set(views) == {WindowReminder, Digest}

    def item(name: str, days: int) -> WaitingItem:
        return WaitingItem(ref=ids[name], name=name, days=days)

    window = views[WindowReminder]
    assert isinstance(window, WindowReminder)
    assert window.window_name == "Spring/Summer 2018"
    assert (window.unclaimed, window.claimed_unrated, window.rated, window.shortlisted) == (
        6,
        2,
        2,
        1,
    )
    # Oldest first across both review stages; a tie on arrival goes to the earlier record.
    assert window.oldest == (
        item("Uma 1", 25),
        item("Uma 2", 24),
        item("Uma 3", 24),
        item("Uma 4", 24),
        item("Uma 5", 23),
    )

    digest = views[Digest]
    assert isinstance(digest, Digest)
    assert digest.unclaimed_count == 7  # Kay too: in no window
    assert digest.new_count == 2
    # In the order they were recorded; `days` counts from when each was received.
    assert digest.new_items == (item("Max", 0), item("Kay", 42))
    assert digest.oldest_waiting == (
        item("Kay", 42),
        item("Uma 1", 25),
        item("Uma 2", 24),
        item("Uma 3", 24),
        item("Uma 4", 24),
    )
