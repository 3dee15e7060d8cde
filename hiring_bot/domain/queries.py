"""Read-side queries: `/intern list` paging, App Home lists, windows.

`list_applications` runs the filters `list_filters.parse_filters` made, for one viewer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Exists, Select, exists, func, select
from sqlalchemy.orm import Session, selectinload

from hiring_bot.db.models import Application, Candidate, Recusal, Review, Window
from hiring_bot.domain.list_filters import ListFilters
from hiring_bot.domain.reviews import visible_average
from hiring_bot.domain.stages import OPEN

PAGE_SIZE = 10


@dataclass(frozen=True)
class ListResult:
    rows: tuple[Application, ...]
    total: int
    page: int  # 0-based, clamped to the last page
    page_size: int


def _with_relations() -> list[Any]:
    return [
        selectinload(Application.reviews),
        selectinload(Application.candidate),
        selectinload(Application.window),
    ]


def list_applications(
    session: Session,
    *,
    filters: ListFilters,
    viewer: str,
    is_admin: bool,
    quorum: int,
    page: int = 0,
    page_size: int = PAGE_SIZE,
) -> ListResult:
    stmt = select(Application).options(*_with_relations())
    if filters.stages:
        stmt = stmt.where(Application.stage.in_([s.value for s in filters.stages]))
    elif not filters.include_closed:
        stmt = stmt.where(Application.stage.in_([s.value for s in OPEN]))
    if filters.window_ids:
        stmt = stmt.where(Application.window_id.in_(filters.window_ids))
    if filters.mine:
        stmt = stmt.where(Application.claimed_by == viewer)
    if filters.unclaimed:
        stmt = stmt.where(Application.claimed_by.is_(None))
    if filters.eligibility:
        stmt = stmt.where(Application.eligibility.in_(filters.eligibility))
    if filters.unrated:
        stmt = stmt.where(~_rated_by(viewer))
    if not filters.areas and filters.sort != "score":
        return _paged_in_sql(session, stmt, sort=filters.sort, page=page, page_size=page_size)
    # Areas live in a JSON list and score order depends on what this viewer may see: both are
    # decided in Python, over the rows the SQL filters left.
    rows = list(session.scalars(stmt))
    if filters.areas:
        rows = [r for r in rows if filters.areas & set(r.areas or [])]
    rows = _sorted(rows, filters.sort, viewer=viewer, is_admin=is_admin, quorum=quorum)
    total = len(rows)
    last_page = max(0, (total - 1) // page_size)
    page = min(max(0, page), last_page)
    start = page * page_size
    return ListResult(tuple(rows[start : start + page_size]), total, page, page_size)


def _paged_in_sql(
    session: Session, stmt: Select[Application], *, sort: str, page: int, page_size: int
) -> ListResult:
    """Count, order and page in the database, so a long list costs one page of rows."""
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    last_page = max(0, (total - 1) // page_size)
    page = min(max(0, page), last_page)
    if sort == "name":
        stmt = stmt.join(Candidate, Candidate.id == Application.candidate_id).order_by(
            func.lower(Candidate.name), Application.received_at, Application.id
        )
    else:
        stmt = stmt.order_by(Application.received_at, Application.id)
    rows = session.scalars(stmt.offset(page * page_size).limit(page_size))
    return ListResult(tuple(rows), total, page, page_size)


def _rated_by(user_id: str) -> Exists:
    return exists().where(Review.application_id == Application.id, Review.reviewer_id == user_id)


def _sorted(
    rows: list[Application], sort: str, *, viewer: str, is_admin: bool, quorum: int
) -> list[Application]:
    received = sorted(rows, key=lambda a: (a.received_at, a.id))
    if sort == "name":
        return sorted(received, key=lambda a: a.candidate.name.casefold())
    if sort == "score":
        # Only averages the viewer may see take part, so the order leaks no hidden score.
        def key(a: Application) -> tuple[bool, float]:
            avg = visible_average(a.reviews, quorum=quorum, viewer=viewer, is_admin=is_admin)
            return (avg is None, -(avg or 0.0))

        return sorted(received, key=key)
    return received


# --- App Home ------------------------------------------------------------------------------------


def awaiting_rating(session: Session, *, user_id: str) -> list[Application]:
    """Open applications the user holds and has not rated, longest-held first."""
    stmt = (
        select(Application)
        .options(*_with_relations())
        .where(
            Application.claimed_by == user_id,
            Application.stage.in_([s.value for s in OPEN]),
            ~_rated_by(user_id),
        )
        .order_by(Application.claimed_at, Application.id)
    )
    return list(session.scalars(stmt))


def unclaimed_queue(session: Session, *, user_id: str, limit: int = 50) -> list[Application]:
    """Open, unclaimed applications the user has not recused from, oldest first."""
    recused = exists().where(Recusal.application_id == Application.id, Recusal.user_id == user_id)
    stmt = (
        select(Application)
        .options(*_with_relations())
        .where(
            Application.claimed_by.is_(None),
            Application.stage.in_([s.value for s in OPEN]),
            Application.anonymised_at.is_(None),  # nothing left to review
            ~recused,
        )
        .order_by(Application.received_at, Application.id)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def recent_ratings(session: Session, *, user_id: str, limit: int = 20) -> list[Review]:
    stmt = (
        select(Review)
        .options(selectinload(Review.application).selectinload(Application.candidate))
        .where(Review.reviewer_id == user_id)
        .order_by(Review.updated_at.desc(), Review.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


# --- windows -------------------------------------------------------------------------------------


def windows(session: Session, *, open_at: datetime | None = None) -> list[Window]:
    """Every window, by application deadline; only those not closed at `open_at` when given."""
    found = session.scalars(select(Window).order_by(Window.application_deadline, Window.name))
    return [w for w in found if open_at is None or w.closed_at is None or w.closed_at > open_at]


@dataclass(frozen=True)
class Deadline:
    window: Window
    label: str
    day: date
    days_left: int


def upcoming_deadlines(
    session: Session, *, today: date, now: datetime, limit: int = 20
) -> list[Deadline]:
    """Application and decision deadlines of windows open at `now`, from today on, soonest first."""
    found: list[Deadline] = []
    for window in windows(session, open_at=now):
        for label, day in (
            ("Application deadline", window.application_deadline),
            ("Decision deadline", window.decision_deadline),
        ):
            if day >= today:
                found.append(Deadline(window, label, day, (day - today).days))
    found.sort(key=lambda d: (d.day, d.window.name))
    return found[:limit]


def other_application_ids(session: Session, *, application: Application) -> list[int]:
    """The same candidate's other applications (other windows, earlier tries)."""
    return list(
        session.scalars(
            select(Application.id)
            .where(
                Application.candidate_id == application.candidate_id,
                Application.id != application.id,
            )
            .order_by(Application.id)
        )
    )


__all__ = [
    "PAGE_SIZE",
    "Deadline",
    "ListResult",
    "awaiting_rating",
    "list_applications",
    "other_application_ids",
    "recent_ratings",
    "unclaimed_queue",
    "upcoming_deadlines",
    "windows",
]
