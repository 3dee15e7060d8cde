"""Read-side queries: `/intern list` paging, App Home lists, windows.

`list_applications` runs the filters `list_filters.parse_filters` made, for one viewer.
"""

from __future__ import annotations

import functools
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Executable,
    Exists,
    Text,
    bindparam,
    exists,
    or_,
    select,
    union_all,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import InstrumentedAttribute, Session, joinedload, load_only, selectinload

from hiring_bot.db.models import Application, Candidate, Recusal, Review, Window
from hiring_bot.domain.list_filters import ListFilters
from hiring_bot.domain.list_paging import COUNT_CAP, count_matches, count_statement, in_stages
from hiring_bot.domain.list_rows import ListRow, load_rows
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
    rows: tuple[ListRow, ...]
    total: int
    page: int  # 0-based, clamped to the last page
    page_size: int
    capped: bool = False  # more than `total` match: counting stopped at `total`


def _with_relations() -> list[Any]:
    """What a list row, a Home entry or a card shows, and nothing else.

    The long texts (body, cover letter, resume) are left in the database: a page of ten would
    otherwise read them all. Anything else a caller touches still loads, lazily. Candidate and
    window are one row each, joined into the same query; the ratings come in one more.
    """
    return [
        load_only(*(getattr(Application, column) for column in _LIST_COLUMNS), raiseload=False),
        joinedload(Application.candidate).load_only(
            Candidate.name, Candidate.email, raiseload=False
        ),
        joinedload(Application.window).load_only(Window.name, raiseload=False),
        selectinload(Application.reviews).load_only(
            Review.reviewer_id, Review.overall, raiseload=False
        ),
    ]


# Application columns the list, Home and card read models use (see slack/cards.card_for).
_LIST_COLUMNS = (
    "id", "candidate_id", "window_id", "period_text", "duration_text", "university", "program",
    "areas", "links", "missing", "eligibility", "eligibility_reason", "stage", "claimed_by",
    "claimed_at", "received_at", "anonymised_at",
)  # fmt: skip


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
    walk = stages
    if filters.sort == "name" and stages is None:
        # Every stage by name, not the whole table: only (stage, sort_name, ...) is indexed.
        walk = [s.value for s in Stage]
    sqlite = session.get_bind().dialect.name == "sqlite"
    shape = _Shape.of(filters, stages=stages, walk=walk, sqlite=sqlite)
    params = _params(filters, viewer=viewer, stages=stages, walk=walk)
    session.flush()  # the statements run on the connection, past the ORM's autoflush
    if filters.sort == "score":
        return _by_score(
            session, shape, params, viewer=viewer, is_admin=is_admin, quorum=quorum,
            page=page, page_size=page_size,
        )  # fmt: skip
    return _walk(session, shape, params, page=page, page_size=page_size, count_cap=count_cap)


@dataclass(frozen=True)
class _Shape:
    """What decides a list query's SQL text: which filters are on, never their values.

    The statements are built once per shape and cached, the values bound at execution: a list is
    answered inside Slack's ack, and building a SELECT costs more than SQLite running it.
    """

    stages: int | None  # how many stages match, None for every stage
    walk: int | None  # how many stages are walked in order, None for the whole table
    by_name: bool
    windows: bool
    mine: bool
    unclaimed: bool
    eligibility: bool
    unrated: bool
    areas: int
    table_order: bool  # count in id order (see list_paging.count_statement)

    @staticmethod
    def of(
        filters: ListFilters, *, stages: list[str] | None, walk: list[str] | None, sqlite: bool
    ) -> _Shape:
        only_rows = bool(filters.eligibility or filters.unrated or filters.areas)
        # Claims and windows have indexes of their own; the other filters only the rows answer.
        indexed = filters.mine or filters.unclaimed or bool(filters.window_ids)
        return _Shape(
            stages=None if stages is None else len(stages),
            walk=None if walk is None else len(walk),
            by_name=filters.sort == "name",
            windows=bool(filters.window_ids),
            mine=filters.mine,
            unclaimed=filters.unclaimed,
            eligibility=bool(filters.eligibility),
            unrated=filters.unrated,
            areas=len(filters.areas),
            table_order=sqlite and stages is not None and only_rows and not indexed,
        )


def _params(
    filters: ListFilters, *, viewer: str, stages: list[str] | None, walk: list[str] | None
) -> dict[str, Any]:
    """The values the shape's statements bind."""
    params: dict[str, Any] = {
        "viewer": viewer,
        "windows": sorted(filters.window_ids),
        "eligibility": sorted(filters.eligibility),
        "stages": stages or [],
    }
    for i, stage in enumerate(stages or ()):
        params[f"stage{i}"] = stage
    for i, stage in enumerate(walk or ()):
        params[f"walk{i}"] = stage
    for i, label in enumerate(sorted(filters.areas)):
        params[f"area{i}"] = f"%{_like_escaped(json.dumps(label))}%"
    return params


def _like_escaped(text: str) -> str:
    return text.replace("/", "//").replace("%", "/%").replace("_", "/_")


@functools.lru_cache(maxsize=256)
def _conditions(shape: _Shape) -> tuple[ColumnElement[bool], ...]:
    """Every filter but the stage, as SQL with the values left to bind."""
    where: list[ColumnElement[bool]] = []
    if shape.windows:
        where.append(Application.window_id.in_(bindparam("windows", expanding=True)))
    if shape.mine:
        where.append(Application.claimed_by == bindparam("viewer"))
    if shape.unclaimed:
        where.append(Application.claimed_by.is_(None))
    if shape.eligibility:
        where.append(Application.eligibility.in_(bindparam("eligibility", expanding=True)))
    if shape.unrated:
        where.append(~_rated_by(bindparam("viewer")))
    if shape.areas:
        where.append(or_(*(_has_area(bindparam(f"area{i}")) for i in range(shape.areas))))
    return tuple(where)


def _has_area(pattern: BindParameter[Any]) -> ColumnElement[bool]:
    """`areas` (a JSON list of labels) holds a label: `%"label"%` (escaped) in the JSON text.

    The same test on SQLite (JSON is text) and Postgres (json keeps its input text); the quotes
    make it a whole element, never part of a longer label.
    """
    return sql_cast(Application.areas, Text).like(pattern, escape="/")


def _clamp(page: int, total: int, page_size: int) -> int:
    return min(max(0, page), max(0, (total - 1) // page_size))


@functools.lru_cache(maxsize=256)
def _count_statement(shape: _Shape) -> Executable:
    return count_statement(
        stages=shape.stages, where=_conditions(shape), table_order=shape.table_order
    )


def _walk(
    session: Session,
    shape: _Shape,
    params: dict[str, Any],
    *,
    page: int,
    page_size: int,
    count_cap: int,
) -> ListResult:
    """One page in received or name order, each stage's rows read in index order up to the
    page's end.

    Postgres and SQLite can walk (stage, ..., received_at, id) in order for one stage, not for
    an IN list of stages (they would sort every open application); so each stage is read on its
    own, up to the page's end, and the database merges those few rows (its own collation orders
    names, as it did when it sorted them all).
    """
    cap = max(count_cap, (max(0, page) + 1) * page_size)
    total, capped = count_matches(session, _count_statement(shape), params, cap=cap)
    page = _clamp(page, total, page_size)
    start, end = page * page_size, (page + 1) * page_size
    found = session.connection().execute(
        _page_statement(shape), {**params, "start": start, "end": end, "size": page_size}
    )
    refs = [row[-1] for row in found]
    return ListResult(load_rows(session, refs), total, page, page_size, capped)


@functools.lru_cache(maxsize=256)
def _page_statement(shape: _Shape) -> Executable:
    """The page's ids (last column); binds the shape's values, `walk<i>`, start, end, size."""
    order = _BY_NAME if shape.by_name else _BY_RECEIVED
    arms = []
    for i in range(shape.walk) if shape.walk is not None else [None]:
        arm = select(*order).where(*_conditions(shape))
        if i is not None:
            arm = arm.where(Application.stage == bindparam(f"walk{i}"))
        arms.append(arm.order_by(*order).limit(bindparam("end")))
    if len(arms) == 1:
        return arms[0].offset(bindparam("start"))
    merged = union_all(*(arm.subquery().select() for arm in arms)).subquery()
    return (
        select(merged.c.id)
        .order_by(*(merged.c[column.key] for column in order))
        .limit(bindparam("size"))
        .offset(bindparam("start"))
    )


class _Rating(NamedTuple):
    reviewer_id: str
    overall: int


def _by_score(
    session: Session,
    shape: _Shape,
    params: dict[str, Any],
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
    where = (*in_stages(shape.stages), *_conditions(shape))
    connection = session.connection()
    matching = select(Application.received_at, Application.id).where(*where)
    apps: list[tuple[datetime, int]] = [
        (received, ref) for received, ref in connection.execute(matching, params)
    ]
    ratings: dict[int, list[_Rating]] = defaultdict(list)
    for ref, reviewer_id, overall in connection.execute(
        select(Review.application_id, Review.reviewer_id, Review.overall)
        .join(Application, Application.id == Review.application_id)
        .where(*where),
        params,
    ):
        ratings[ref].append(_Rating(reviewer_id, overall))

    def key(row: tuple[datetime, int]) -> tuple[bool, float, datetime, int]:
        received, ref = row
        # Same rule as a card: only averages the viewer may see take part, so no hidden score
        # leaks through the order.
        avg = visible_average(ratings.get(ref, []), quorum=quorum, viewer=viewer, is_admin=is_admin)
        return (avg is None, -(avg or 0.0), received, ref)

    apps.sort(key=key)
    total = len(apps)
    page = _clamp(page, total, page_size)
    start = page * page_size
    return ListResult(
        load_rows(session, [ref for _received, ref in apps[start : start + page_size]]),
        total,
        page,
        page_size,
    )


def _rated_by(user_id: str | BindParameter[Any]) -> Exists:
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
