"""A read model of the applications reminders talk about: who holds what, who rated, how long.

Loaded once per plan, so every reminder in it is built from the same state at the same instant.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hiring_bot.db.models import Application, BotState, Candidate, Review
from hiring_bot.domain.reminder_views import WaitingItem
from hiring_bot.domain.stages import Stage

LAST_DIGEST_KEY = "reminders.last_digest_at"
# Stages in which an application waits for reviewers (claim, rate).
REVIEW_STAGES: frozenset[str] = frozenset({Stage.NEW.value, Stage.IN_REVIEW.value})
WATCHED_STAGES: frozenset[str] = REVIEW_STAGES | {Stage.SHORTLISTED.value}


@dataclass(frozen=True)
class AppState:
    """One application still in play, with the reviewers who rated it."""

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
    """Applications still in play, in open windows (or in none), oldest first."""
    rows = session.execute(
        select(Application, Candidate.name)
        .join(Candidate, Candidate.id == Application.candidate_id)
        .where(Application.stage.in_(WATCHED_STAGES))
        .where(Application.anonymised_at.is_(None))
        .order_by(Application.received_at, Application.id)
    ).all()
    apps = [
        (app, name)
        for app, name in rows
        if app.window_id is None or app.window_id in open_window_ids
    ]
    reviewers: dict[int, set[str]] = defaultdict(set)
    ids = [app.id for app, _name in apps]
    for start in range(0, len(ids), 500):  # keep IN lists a sane size
        chunk = ids[start : start + 500]
        for application_id, reviewer_id in session.execute(
            select(Review.application_id, Review.reviewer_id).where(
                Review.application_id.in_(chunk)
            )
        ):
            reviewers[application_id].add(reviewer_id)
    return [
        AppState(
            id=app.id,
            window_id=app.window_id,
            stage=app.stage,
            claimed_by=app.claimed_by,
            claimed_at=app.claimed_at,
            received_at=app.received_at,
            created_at=app.created_at,
            stage_changed_at=app.stage_changed_at,
            name=name,
            reviewers=frozenset(reviewers.get(app.id, ())),
        )
        for app, name in apps
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
