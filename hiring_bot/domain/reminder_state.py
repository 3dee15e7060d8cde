"""A read model of the applications reminders talk about: who holds what, who rated, how long.

Counted and listed by the database, not in Python: a plan over 100k applications must not bring
every row across (building each one in Python costs more than the database spends finding it).
The counts come from one grouped query; only the rows a message names are loaded (the oldest few,
the claims to chase, the shortlist of a window being nudged). A plan's reads all see one
snapshot of the database (`one_snapshot`), so every reminder in it is built from the same state.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, and_, case, func, literal_column, or_, select
from sqlalchemy.orm import Session

from hiring_bot.db.models import Application, BotState, Candidate, Review
from hiring_bot.domain.reminder_views import WaitingItem
from hiring_bot.domain.stages import Stage

LAST_DIGEST_KEY = "reminders.last_digest_at"
# Stages in which an application waits for reviewers (claim, rate).
REVIEW_STAGES: frozenset[str] = frozenset({Stage.NEW.value, Stage.IN_REVIEW.value})
WATCHED_STAGES: frozenset[str] = REVIEW_STAGES | {Stage.SHORTLISTED.value}

# An application in a review stage is exactly one of: claimed and not rated by its holder,
# otherwise rated by someone, otherwise unclaimed.
# (Selecting a column of the reviews' unique index, not `*`, lets SQLite answer from the index.)
_ANY_RATING = select(Review.application_id).where(Review.application_id == Application.id).exists()
_HOLDER_RATED = (
    select(Review.application_id)
    .where(Review.application_id == Application.id, Review.reviewer_id == Application.claimed_by)
    .exists()
)
_IN_REVIEW = Application.stage.in_(sorted(REVIEW_STAGES))
UNCLAIMED = and_(_IN_REVIEW, Application.claimed_by.is_(None), ~_ANY_RATING)
CLAIMED_UNRATED = and_(_IN_REVIEW, Application.claimed_by.is_not(None), ~_HOLDER_RATED)


def _unindexed(column: Any) -> ColumnElement[Any]:
    """`column + 0`: the same value, hidden from the planner's choice of index (see `_in_play`).
    A literal 0, not a bound one, so GROUP BY matches the selected expression on Postgres."""
    hidden: ColumnElement[Any] = column + literal_column("0")
    return hidden


class Counts(NamedTuple):
    """Applications in play in one window (or in none), by where they stand."""

    unclaimed: int = 0
    claimed_unrated: int = 0
    rated: int = 0
    shortlisted: int = 0
    new: int = 0  # created in (since, at], whatever they stand

    def plus(self, other: Counts) -> Counts:
        return Counts(*(a + b for a, b in zip(self, other, strict=True)))


class Waiting(NamedTuple):
    """An application a message names, and since when it waits (received, or last moved)."""

    id: int
    name: str
    since: datetime


class HeldClaim(NamedTuple):
    """A claim in play whose holder has not rated the application."""

    id: int
    window_id: int | None
    claimed_by: str
    claimed_at: datetime
    name: str


def days_since(at: datetime, then: datetime) -> int:
    """Whole days from `then` to `at`, never negative."""
    return max(0, (at - then).days)


def one_snapshot(session: Session) -> None:
    """Read everything that follows in this session from one snapshot.

    The plan reads with several statements. SQLite's read transaction (a deferred BEGIN, WAL)
    already sees one snapshot throughout; Postgres's READ COMMITTED takes a new one per
    statement, so a fresh session asks for REPEATABLE READ (a read-only transaction there never
    fails to serialise). A session already in a transaction keeps the caller's isolation.
    """
    if session.get_bind().dialect.name == "postgresql" and not session.in_transaction():
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


class ReminderState:
    """The applications in play at `at`: in a watched stage, not anonymised, in an open window
    (or in none). Counts are read once, on first use; lists are read when a message needs them."""

    def __init__(
        self, session: Session, *, open_window_ids: Collection[int], at: datetime, since: datetime
    ) -> None:
        self._session = session
        self.at = at
        self.since = since  # "new" means created in (since, at]
        self._window_ids = sorted(open_window_ids)
        self._counts: dict[int | None, Counts] | None = None

    def _rows(self, statement: Any) -> list[Any]:
        # Core rows through the session's connection: no ORM objects to build.
        return list(self._session.connection().execute(statement).all())

    def counts(self, window_id: int | None) -> Counts:
        return self._all_counts().get(window_id, Counts())

    def total(self) -> Counts:
        total = Counts()
        for counts in self._all_counts().values():
            total = total.plus(counts)
        return total

    def _in_play(self, stages: Collection[str] | None = None) -> list[ColumnElement[bool]]:
        """In play, and in one of `stages` when a query names them.

        Written so that only a named stage can pick the index: a query that names a stage goes to
        that stage's rows through it; the passes over every application in play (no `stages`)
        read the table straight through. Through the stage or window index SQLite fetches rows
        one by one in index order, about twice as slow when most rows are in play, while one
        read of the table costs little even when few are. (`+ 0` and `coalesce` on a NOT NULL
        column only hide a column from the planner; the meaning is unchanged.)
        """
        stage = (
            Application.stage.in_(sorted(stages))
            if stages is not None
            else func.coalesce(Application.stage, "").in_(sorted(WATCHED_STAGES))
        )
        return [
            stage,
            Application.anonymised_at.is_(None),
            or_(
                Application.window_id.is_(None),
                (_unindexed(Application.window_id)).in_(self._window_ids),
            ),
        ]

    def _all_counts(self) -> dict[int | None, Counts]:
        if self._counts is None:
            created = Application.created_at
            # rated = the rest of those in review: the three are a partition of them.
            window = _unindexed(Application.window_id)  # grouped without walking the window index
            grouped = (
                select(
                    window,
                    func.count(),
                    func.count(case((Application.stage == Stage.SHORTLISTED.value, 1))),
                    func.count(case((UNCLAIMED, 1))),
                    func.count(case((CLAIMED_UNRATED, 1))),
                    func.count(case((and_(created > self.since, created <= self.at), 1))),
                )
                .where(*self._in_play())
                .group_by(window)
            )
            self._counts = {
                window_id: Counts(
                    unclaimed=unclaimed,
                    claimed_unrated=claimed_unrated,
                    rated=total - shortlisted - unclaimed - claimed_unrated,
                    shortlisted=shortlisted,
                    new=new,
                )
                for window_id, total, shortlisted, unclaimed, claimed_unrated, new in self._rows(
                    grouped
                )
            }
        return self._counts

    def oldest_unclaimed(self, *, window_id: int | None, limit: int) -> list[Waiting]:
        """The `limit` unclaimed applications received first, in window `window_id` (None: in
        every window and in none)."""
        where = [Application.claimed_by.is_(None), ~_ANY_RATING]
        if window_id is not None:
            where.append(_unindexed(Application.window_id) == window_id)
        found: list[Waiting] = []
        # One query per stage, so the (stage, claimed_by, received_at, id) index gives the rows
        # in order and the database stops at `limit` instead of sorting every unclaimed one.
        for stage in sorted(REVIEW_STAGES):
            found += self._waiting(
                Application.received_at,
                *self._in_play({stage}),
                *where,
                order_by=(Application.received_at, Application.id),
                limit=limit,
            )
        return sorted(found, key=lambda w: (w.since, w.id))[:limit]

    def new(self, *, limit: int) -> list[Waiting]:
        """The `limit` applications created first in (since, at]; `since` = when received."""
        created = Application.created_at
        return self._waiting(
            Application.received_at,
            *self._in_play(),
            created > self.since,
            created <= self.at,
            order_by=(created, Application.id),
            limit=limit,
        )

    def shortlisted(self, *, window_id: int) -> list[Waiting]:
        """Shortlisted applications of a window, longest waiting first; `since` = last move."""
        return self._waiting(
            Application.stage_changed_at,
            *self._in_play({Stage.SHORTLISTED.value}),
            _unindexed(Application.window_id) == window_id,
            order_by=(Application.stage_changed_at, Application.id),
        )

    def _waiting(
        self,
        since: Any,
        *where: ColumnElement[bool],
        order_by: tuple[Any, ...],
        limit: int | None = None,
    ) -> list[Waiting]:
        statement = (
            select(Application.id, Candidate.name, since)
            .join(Candidate, Candidate.id == Application.candidate_id)
            .where(*where)
            .order_by(*order_by)
            .limit(limit)
        )
        return [Waiting(*row) for row in self._rows(statement)]

    def held_claims(self, *, claimed_before: datetime) -> list[HeldClaim]:
        """Claims made at or before `claimed_before` and not rated by their holder, in the
        order the applications were received."""
        statement = (
            select(
                Application.id,
                Application.window_id,
                Application.claimed_by,
                Application.claimed_at,
                Candidate.name,
            )
            .join(Candidate, Candidate.id == Application.candidate_id)
            .where(
                *self._in_play(REVIEW_STAGES),
                CLAIMED_UNRATED,
                Application.claimed_at <= claimed_before,
            )
            .order_by(Application.received_at, Application.id)
        )
        return [HeldClaim(*row) for row in self._rows(statement)]


def waiting_items(waiting: Iterable[Waiting], at: datetime) -> tuple[WaitingItem, ...]:
    return tuple(WaitingItem(ref=w.id, name=w.name, days=days_since(at, w.since)) for w in waiting)


def last_digest_at(session: Session) -> datetime | None:
    state = session.get(BotState, LAST_DIGEST_KEY)
    if state is None:
        return None
    try:
        return datetime.fromisoformat(state.value)
    except ValueError:
        return None
