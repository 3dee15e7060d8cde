"""Read-side queries: `/intern list` paging, App Home lists, windows.

`list_applications` runs the filters `list_filters.parse_filters` made, for one viewer.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple, cast

from sqlalchemy import (
    ColumnElement,
    Exists,
    Text,
    exists,
    or_,
    select,
    union_all,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import InstrumentedAttribute, Session, selectinload

from hiring_bot.db.models import Application, Recusal, Review, Window
from hiring_bot.domain.list_filters import ListFilters
from hiring_bot.domain.list_paging import COUNT_CAP, count_matches, in_stages
from hiring_bot.domain.reviews import visible_average
from hiring_bot.domain.stages import OPEN, Stage

PAGE_SIZE = 10
_BY_RECEIVED: tuple[InstrumentedAttribute[Any], ...] = (Application.received_at, Application.id)
_BY_NAME: tuple[InstrumentedAttribute[Any], ...] = (
    Application.sort_name,
    Application.received_at,
    Application.id,
)


@dataclass(frozen=True)
class ListResult:
    rows: tuple[Application, ...]
    total: int
    page: int  # 0-based, clamped to the last page
    page_size: int
    capped: bool = False  # more than `total` match: counting stopped at `total`


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
    count_cap: int = COUNT_CAP,
) -> ListResult:
    """One page; its total is exact up to `count_cap` (or the page's end) and `capped` past it.

    `sort:score` still reads every match to order them, so its total stays exact.
    """
    if filters.stages:
        stages: list[str] | None = sorted(s.value for s in filters.stages)
    elif not filters.include_closed:
        stages = sorted(s.value for s in OPEN)
    else:
        stages = None  # every stage
    where = _conditions(filters, viewer=viewer)
    if filters.sort == "score":
        return _by_score(
            session, stages, where, viewer=viewer, is_admin=is_admin, quorum=quorum,
            page=page, page_size=page_size,
        )  # fmt: skip
    by_stage, order = stages, _BY_RECEIVED
    if filters.sort == "name":
        # Every stage by name, not the whole table: only (stage, sort_name, ...) is indexed.
        by_stage = stages if stages is not None else [s.value for s in Stage]
        order = _BY_NAME
    # Filters only the rows themselves can answer; claims and windows have indexes of their own.
    table_order = bool(where) and not (filters.mine or filters.unclaimed or filters.window_ids)
    return _walk(
        session, by_stage, where, order, page=page, page_size=page_size,
        count_cap=count_cap, table_order=table_order,
    )  # fmt: skip


def _conditions(filters: ListFilters, *, viewer: str) -> list[ColumnElement[bool]]:
    """Every filter but the stage, as SQL."""
    where: list[ColumnElement[bool]] = []
    if filters.window_ids:
        where.append(Application.window_id.in_(sorted(filters.window_ids)))
    if filters.mine:
        where.append(Application.claimed_by == viewer)
    if filters.unclaimed:
        where.append(Application.claimed_by.is_(None))
    if filters.eligibility:
        where.append(Application.eligibility.in_(sorted(filters.eligibility)))
    if filters.unrated:
        where.append(~_rated_by(viewer))
    if filters.areas:
        where.append(or_(*(_has_area(label) for label in sorted(filters.areas))))
    return where


def _has_area(label: str) -> ColumnElement[bool]:
    """`areas` (a JSON list of labels) holds `label`: the label as a JSON string in the JSON text.

    The same test on SQLite (JSON is text) and Postgres (json keeps its input text); the quotes
    make it a whole element, never part of a longer label.
    """
    return sql_cast(Application.areas, Text).contains(json.dumps(label), autoescape=True)


def _clamp(page: int, total: int, page_size: int) -> int:
    return min(max(0, page), max(0, (total - 1) // page_size))


def _walk(
    session: Session,
    stages: list[str] | None,
    where: list[ColumnElement[bool]],
    order: tuple[InstrumentedAttribute[Any], ...],
    *,
    page: int,
    page_size: int,
    count_cap: int,
    table_order: bool,
) -> ListResult:
    """One page in `order` (ending with the id), each stage's rows read in index order up to
    the page's end.

    Postgres and SQLite can walk (stage, ..., received_at, id) in order for one stage, not for
    an IN list of stages (they would sort every open application); so each stage is read on its
    own, up to the page's end, and the database merges those few rows (its own collation orders
    names, as it did when it sorted them all).
    """
    cap = max(count_cap, (max(0, page) + 1) * page_size)
    total, capped = count_matches(session, stages, where, cap=cap, table_order=table_order)
    page = _clamp(page, total, page_size)
    start, end = page * page_size, (page + 1) * page_size
    arms = []
    for stage in stages if stages is not None else [None]:
        arm = select(*order).where(*where)
        if stage is not None:
            arm = arm.where(Application.stage == stage)
        arms.append(arm.order_by(*order).limit(end))
    if len(arms) == 1:
        stmt = arms[0].offset(start)
    else:
        merged = union_all(*(arm.subquery().select() for arm in arms)).subquery()
        stmt = (
            select(merged.c.id)
            .order_by(*(merged.c[column.key] for column in order))
            .limit(end - start)
            .offset(start)
        )
    refs = [row[-1] for row in session.execute(stmt)]
    return ListResult(_load(refs, session), total, page, page_size, capped)


def _load(refs: list[int], session: Session) -> tuple[Application, ...]:
    """The applications `refs`, with what a list row shows, in the order given."""
    if not refs:
        return ()
    found = {
        a.id: a
        for a in session.scalars(
            select(Application).options(*_with_relations()).where(Application.id.in_(refs))
        )
    }
    return tuple(found[r] for r in refs if r in found)


class _Rating(NamedTuple):
    reviewer_id: str
    overall: int


def _by_score(
    session: Session,
    stages: list[str] | None,
    where: list[ColumnElement[bool]],
    *,
    viewer: str,
    is_admin: bool,
    quorum: int,
    page: int,
    page_size: int,
) -> ListResult:
    """Highest visible average first, then received order.

    The order depends on what this viewer may see (`visible_average`), so it is decided here,
    over plain columns (ids, received times, ratings), never over whole rows; only the page's
    applications are loaded.
    """
    matching = select(Application.received_at, Application.id).where(*in_stages(stages), *where)
    apps: list[tuple[datetime, int]] = [
        (received, ref) for received, ref in session.execute(matching)
    ]
    ratings: dict[int, list[_Rating]] = defaultdict(list)
    for ref, reviewer_id, overall in session.execute(
        select(Review.application_id, Review.reviewer_id, Review.overall)
        .join(Application, Application.id == Review.application_id)
        .where(*in_stages(stages), *where)
    ):
        ratings[ref].append(_Rating(reviewer_id, overall))

    def key(row: tuple[datetime, int]) -> tuple[bool, float, datetime, int]:
        received, ref = row
        # Same rule as a card: only averages the viewer may see take part, so no hidden score
        # leaks through the order. (_Rating has the two fields the rule reads.)
        avg = visible_average(
            cast(list[Review], ratings.get(ref, [])),
            quorum=quorum,
            viewer=viewer,
            is_admin=is_admin,
        )
        return (avg is None, -(avg or 0.0), received, ref)

    apps.sort(key=key)
    total = len(apps)
    page = _clamp(page, total, page_size)
    start = page * page_size
    return ListResult(
        _load([ref for _received, ref in apps[start : start + page_size]], session),
        total,
        page,
        page_size,
    )


def _rated_by(user_id: str) -> Exists:
    return exists().where(Review.application_id == Application.id, Review.reviewer_id == user_id)


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
    "COUNT_CAP",
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
