"""The queries behind list, show, claim and rate use indexes, never a full scan of a big table.

Statements are captured as the real app runs the commands (so a refactor cannot move a query out
of sight) and each is explained by the database itself: SQLite's EXPLAIN QUERY PLAN must not say
`SCAN <table>` without an index, Postgres's EXPLAIN (with sequential scans discouraged, so any
usable index is chosen even on a small table) must not say `Seq Scan`.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import sessionmaker

from hiring_bot.db.engine import session_scope
from hiring_bot.db.models import Application
from hiring_bot.domain.demo_data import seed_demo
from tests.conftest import ALICE, BOB, CAROL
from tests.slack.review_harness import Harness, harness  # noqa: F401  (fixture)

# Tables that grow with every application; windows, bot_state and alembic_version stay tiny.
BIG_TABLES = frozenset(
    {
        "applications",
        "candidates",
        "reviews",
        "claims",
        "recusals",
        "audit_log",
        "attachments",
        "outbox",
        "processed_events",
        "reminder_ledger",
        "mailbox_messages",
    }
)
_SQLITE_SCAN = re.compile(r"^SCAN (\w+)(?: AS \w+)?$")
_PG_SEQ_SCAN = re.compile(r"Seq Scan on (\w+)")

LIST_FILTERS = [
    "",
    "new",
    "in_review",
    "shortlisted",
    "mine",
    "unclaimed",
    "unrated",
    "eligible",
    "unknown-eligibility",
    "all",
    "sort:name",
    "sort:score",
    "demo open",
    "ml",
    "mine sort:name",
    "unclaimed sort:name",
    "all sort:name",
    "in_review sort:name",
    "demo open unrated eligible",
]
# Listings a page of which must be read in index order and stop there: no sort of every match.
ORDERED_LISTS = [f for f in LIST_FILTERS if "sort:score" not in f]


@contextmanager
def captured(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    seen: list[tuple[str, Any]] = []
    lock = threading.Lock()

    def before(_conn: Any, _cursor: Any, statement: str, parameters: Any, _ctx: Any, many: bool):  # type: ignore[no-untyped-def]
        if not many and statement.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE")):
            with lock:
                seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)


def _table(name: str) -> str:
    return re.sub(r"_\d+$", "", name)


def full_scans(engine: Engine, statements: list[tuple[str, Any]]) -> list[str]:
    problems: list[str] = []
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection.exec_driver_sql("SET enable_seqscan = off")
        for statement, parameters in statements:
            if engine.dialect.name == "sqlite":
                rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
                details = [str(row[-1]) for row in rows]
                scans = [m.group(1) for d in details if (m := _SQLITE_SCAN.match(d))]
            else:
                rows = connection.exec_driver_sql(f"EXPLAIN {statement}", parameters)
                details = [str(row[0]) for row in rows]
                scans = [m.group(1) for d in details for m in _PG_SEQ_SCAN.finditer(d)]
            bad = sorted({_table(s) for s in scans} & BIG_TABLES)
            if bad:
                problems.append(f"full scan of {bad}:\n{statement}\n  " + "\n  ".join(details))
        connection.rollback()
    return problems


@pytest.fixture
def seeded(harness: Harness) -> Harness:  # noqa: F811
    with session_scope(sessionmaker(harness.deps.engine)) as session:
        seed_demo(
            session,
            count=300,
            now=datetime.now(UTC),
            reviewers=(ALICE, BOB, CAROL),
            with_windows=True,
        )
    return harness


def _a_ref(h: Harness, **where: Any) -> int:
    with session_scope(h.deps.sessions) as session:
        stmt = select(Application.id).order_by(Application.id).limit(1)
        for key, value in where.items():
            stmt = stmt.where(getattr(Application, key) == value)
        ref = session.scalar(stmt)
    assert ref is not None
    return ref


@pytest.mark.parametrize("filters", LIST_FILTERS)
def test_list_uses_indexes(seeded: Harness, filters: str) -> None:
    with captured(seeded.deps.engine) as statements:
        answer = seeded.command(f"list {filters}".strip())
    assert "Something went wrong" not in str(answer)
    assert statements, "no query was captured"
    assert full_scans(seeded.deps.engine, statements) == []


def sorts_of_every_match(engine: Engine, statements: list[tuple[str, Any]]) -> list[str]:
    """Listing statements that sort rows a LIMIT has not cut down yet.

    A page is each stage's first rows in index order, then (for several stages) those few rows
    merged: a sort is allowed only at the top of a UNION ALL, over rows the arms' LIMITs cut.
    """
    problems: list[str] = []
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            # As with scans: on a small table a sort is cheap, so sorts are discouraged and any
            # index that gives the order is chosen; a Sort left in an arm has no such index.
            connection.exec_driver_sql("SET enable_seqscan = off")
            connection.exec_driver_sql("SET enable_sort = off")
        for statement, parameters in statements:
            if "ORDER BY" not in statement or "FROM applications" not in statement:
                continue
            if engine.dialect.name == "sqlite":
                rows = list(
                    connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
                )
                merged = any(str(r[-1]) == "COMPOUND QUERY" for r in rows)
                bad = [
                    str(r[-1])
                    for r in rows
                    if "TEMP B-TREE" in str(r[-1]) and not (merged and r[1] == 0)
                ]
            else:
                plan = connection.exec_driver_sql(
                    f"EXPLAIN (FORMAT JSON) {statement}", parameters
                ).scalar_one()
                bad = _pg_sorts_under_limits(plan[0]["Plan"])
            if bad:
                problems.append(f"sorts every match: {bad}\n{statement}")
        connection.rollback()
    return problems


def _pg_sorts_under_limits(node: dict[str, Any], *, top: bool = True) -> list[str]:
    """Sort nodes but the one merging limited arms (Limit -> Sort -> Append of Limits)."""
    found: list[str] = []
    kind = str(node.get("Node Type"))
    children: list[dict[str, Any]] = node.get("Plans", [])
    # An Incremental Sort only orders rows tied on an index's leading key (received_at then
    # id, when the index holds received_at alone): still a walk in index order.
    if kind == "Sort" and not (top and _merges(children)):
        found.append(f"{kind} {node.get('Sort Key')}")
    still_top = top and kind in ("Limit", "Sort", "Subquery Scan")
    for child in children:
        found += _pg_sorts_under_limits(child, top=still_top)
    return found


def _merges(children: list[dict[str, Any]]) -> bool:
    while len(children) == 1 and children[0].get("Node Type") == "Subquery Scan":
        children = children[0].get("Plans", [])
    return len(children) == 1 and children[0].get("Node Type") in ("Append", "Merge Append")


@pytest.mark.parametrize("filters", ORDERED_LISTS)
def test_list_pages_walk_an_index_in_order(seeded: Harness, filters: str) -> None:
    with captured(seeded.deps.engine) as statements:
        answer = seeded.command(f"list {filters}".strip())
    assert "Something went wrong" not in str(answer)
    assert any("ORDER BY" in s for s, _p in statements)
    assert sorts_of_every_match(seeded.deps.engine, statements) == []


def test_the_order_check_can_fail(seeded: Harness) -> None:
    """Sorting every open application by candidate name (the old `sort:name`) is reported."""
    with captured(seeded.deps.engine) as statements, seeded.deps.engine.connect() as c:
        c.exec_driver_sql(
            "SELECT applications.id FROM applications JOIN candidates"
            " ON candidates.id = applications.candidate_id"
            " WHERE applications.stage IN ('new', 'in_review')"
            " ORDER BY lower(candidates.name), applications.received_at LIMIT 10"
        )
    assert sorts_of_every_match(seeded.deps.engine, statements)


def test_show_claim_and_rate_use_indexes(seeded: Harness) -> None:
    ref = _a_ref(seeded, stage="new")
    with captured(seeded.deps.engine) as statements:
        seeded.command(f"show {ref}")
        claimed = seeded.command(f"claim {ref}", user=ALICE)
        rated = seeded.command(f"rate {ref} 4 solid", user=ALICE)
    assert f"#{ref}" in str(claimed)
    assert "Something went wrong" not in str(rated)
    assert statements
    assert full_scans(seeded.deps.engine, statements) == []


def test_the_check_can_fail(seeded: Harness) -> None:
    """A query filtering on an unindexed column is reported: the check is not vacuous."""
    with captured(seeded.deps.engine) as statements, seeded.deps.engine.connect() as c:
        c.exec_driver_sql("SELECT id FROM applications WHERE university = 'x'")
    assert any("applications" in p for p in full_scans(seeded.deps.engine, statements))
