"""A time budget for read-only work done while Slack waits for an ack.

Inside `within(seconds)`, every database statement this thread runs is cut off when the budget is
spent: on SQLite a progress handler interrupts the running statement and the busy timeout is
shortened to what is left; on Postgres each transaction begins with `SET LOCAL
statement_timeout` (and `lock_timeout`) set to what is left. A statement stopped that way leaves the
block as `Overrun`, so the caller can answer "still working" and do the work again later without a
budget; a database that cannot be reached stays the error it is (waiting would not help). Outside
a budget nothing changes.
"""

from __future__ import annotations

import math
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, event
from sqlalchemy.exc import OperationalError

# Reads answered in the ack: well under Slack's 3 s, leaving room for the rest of the request.
READ_BUDGET_SECONDS = 1.0
# SQLite virtual-machine instructions between two looks at the clock (about a millisecond).
_SQLITE_CHECK_EVERY = 5_000

_local = threading.local()


class Overrun(Exception):
    """The budget ran out before the work finished; nothing was changed by it."""


def deadline() -> float | None:
    """This thread's deadline (time.monotonic()), or None outside a budget."""
    return getattr(_local, "deadline", None)


def remaining_ms() -> int | None:
    end = deadline()
    if end is None:
        return None
    # Rounded up: a busy timeout of this many milliseconds ends at or after the deadline.
    return max(1, math.ceil((end - time.monotonic()) * 1000) + 1)


@contextmanager
def within(seconds: float) -> Iterator[None]:
    """Run the block's database work within `seconds`; Overrun when it could not."""
    outer = deadline()
    end = time.monotonic() + seconds
    _local.deadline = end if outer is None else min(outer, end)
    try:
        yield
    except OperationalError as exc:
        if ran_out(exc):
            raise Overrun() from exc
        raise
    finally:
        _local.deadline = outer


def ran_out(exc: BaseException) -> bool:
    """True when `exc` is a statement this thread's budget stopped."""
    end = deadline()
    return (
        end is not None
        and isinstance(exc, OperationalError)
        and time.monotonic() >= end
        and _cut_off(exc)
    )


# Postgres SQLSTATEs of a statement stopped by statement_timeout or lock_timeout.
_PG_CUT_OFF = {"57014", "55P03"}
# SQLite: stopped by the progress handler, or the (shortened) busy timeout expired.
_SQLITE_CUT_OFF = {"interrupted", "database is locked"}


def _cut_off(exc: OperationalError) -> bool:
    """The budget stopped the statement (it may well succeed given time), as opposed to a
    database that is unreachable, which waiting longer would not fix."""
    orig = exc.orig
    if getattr(orig, "sqlstate", None) in _PG_CUT_OFF:
        return True
    return isinstance(orig, sqlite3.OperationalError) and str(orig) in _SQLITE_CUT_OFF


def install(engine: Engine) -> None:
    """Make `engine`'s connections honour the budget of the thread that checks them out."""
    if engine.dialect.name == "sqlite":
        event.listen(engine, "checkout", _sqlite_checkout)
        event.listen(engine, "checkin", _sqlite_checkin)
    elif engine.dialect.name == "postgresql":
        event.listen(engine, "begin", _postgres_begin)


def _sqlite_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    end = deadline()
    if end is None:
        return

    def spent() -> int:
        return 1 if time.monotonic() >= end else 0

    dbapi_connection.set_progress_handler(spent, _SQLITE_CHECK_EVERY)
    # A lock held by a writer is waited for only as long as the budget lasts.
    wait_ms = remaining_ms() or 1
    dbapi_connection.execute(f"PRAGMA busy_timeout={wait_ms}")
    record.info["budget_busy_restore"] = True


def _sqlite_checkin(dbapi_connection: Any, record: Any) -> None:
    if dbapi_connection is None or not record.info.pop("budget_busy_restore", False):
        return
    dbapi_connection.set_progress_handler(None, 0)
    busy = int(record.info["busy_timeout_ms"])
    dbapi_connection.execute(f"PRAGMA busy_timeout={busy}")


def _postgres_begin(connection: Connection) -> None:
    left = remaining_ms()
    if left is None:
        return
    # SET LOCAL lasts until this transaction ends: the pooled connection keeps its defaults.
    connection.exec_driver_sql(f"SET LOCAL statement_timeout = {left}")
    connection.exec_driver_sql(f"SET LOCAL lock_timeout = {left}")
