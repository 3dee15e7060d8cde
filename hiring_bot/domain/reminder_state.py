"""A read model of the applications reminders talk about: who holds what, who rated, how long.

Loaded once per plan, so every reminder in it is built from the same state at the same instant.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from hiring_bot.db.models import Application, BotState, Candidate, Review
from hiring_bot.domain.reminder_views import WaitingItem
from hiring_bot.domain.stages import Stage

LAST_DIGEST_KEY = "reminders.last_digest_at"
# Stages in which an application waits for reviewers (claim, rate).
REVIEW_STAGES: frozenset[str] = frozenset({Stage.NEW.value, Stage.IN_REVIEW.value})
WATCHED_STAGES: frozenset[str] = REVIEW_STAGES | {Stage.SHORTLISTED.value}


class AppState(NamedTuple):
    """One application still in play, with the reviewers who rated it.

    A tuple rather than a frozen dataclass: a pass builds one per application in play (tens of
    thousands), and a tuple is built several times faster.
    """

    id: int
    window_id: int | None
    stage: str
    claimed_by: str | None
    claimed_at: datetime | None
    received_at: datetime
    created_at: datetime
    stage_changed_at: datetime
    name: str
    reviewers: frozenset[str]

    @property
    def in_review(self) -> bool:
        return self.stage in REVIEW_STAGES

    @property
    def unclaimed(self) -> bool:
        return self.in_review and self.claimed_by is None and not self.reviewers

    @property
    def claimed_unrated(self) -> bool:
        return (
            self.in_review
            and self.claimed_by is not None
            and (self.claimed_by not in self.reviewers)
        )

    @property
    def rated(self) -> bool:
        return self.in_review and bool(self.reviewers) and not self.claimed_unrated


def days_since(at: datetime, then: datetime) -> int:
    """Whole days from `then` to `at`, never negative."""
    return max(0, (at - then).days)


def load_apps(session: Session, open_window_ids: Collection[int]) -> list[AppState]:
    """Applications still in play, in open windows (or in none), oldest first.

    Plain column rows, no ORM objects: a pass over 100k applications must not hydrate (and
    decode the JSON of) every one. Reviewers come from one query over the same filter, not an
    IN list per chunk of ids.
    """
    in_play = (
        Application.stage.in_(WATCHED_STAGES),
        Application.anonymised_at.is_(None),
        or_(Application.window_id.is_(None), Application.window_id.in_(list(open_window_ids))),
    )
    # Core rows through the session's connection: the ORM's per-row loading costs more than
    # the query itself at this size.
    connection = session.connection()
    rows = connection.execute(
        select(
            Application.id,
            Application.window_id,
            Application.stage,
            Application.claimed_by,
            Application.claimed_at,
            Application.received_at,
            Application.created_at,
            Application.stage_changed_at,
            Candidate.name,
        )
        .join(Candidate, Candidate.id == Application.candidate_id)
        .where(*in_play)
        .order_by(Application.received_at, Application.id)
    ).all()
    reviewers: dict[int, set[str]] = defaultdict(set)
    for application_id, reviewer_id in connection.execute(
        select(Review.application_id, Review.reviewer_id)
        .join(Application, Application.id == Review.application_id)
        .where(*in_play)
    ):
        reviewers[application_id].add(reviewer_id)
    none: frozenset[str] = frozenset()
    # Columns in AppState's field order, the reviewers last.
    return [
        AppState(*row, frozenset(reviewers[row[0]]) if row[0] in reviewers else none)
        for row in rows
    ]


def waiting_items(apps: Iterable[AppState], at: datetime, *, limit: int) -> tuple[WaitingItem, ...]:
    return tuple(
        WaitingItem(ref=a.id, name=a.name, days=days_since(at, a.received_at))
        for a in list(apps)[:limit]
    )


def last_digest_at(session: Session) -> datetime | None:
    state = session.get(BotState, LAST_DIGEST_KEY)
    if state is None:
        return None
    try:
        return datetime.fromisoformat(state.value)
    except ValueError:
        return None
