"""A time budget for read-only work done while Slack waits for an ack.

Inside `within(seconds)`, every database statement this thread runs is cut off when the budget is
spent: on SQLite a progress handler interrupts the running statement and the busy timeout is
shortened to what is left; on Postgres each transaction begins with `SET LOCAL
statement_timeout` (and `lock_timeout`) set to what is left. A statement stopped that way (or one
that fails once the deadline has passed) leaves the block as `Overrun`, so the caller can answer
"still working" and do the work again later without a budget. Outside a budget nothing changes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

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
    return max(1, int((end - time.monotonic()) * 1000))


@contextmanager
def within(seconds: float) -> Iterator[None]:
    """Run the block's database work within `seconds`; Overrun when it could not."""
    outer = deadline()
    end = time.monotonic() + seconds
    _local.deadline = end if outer is None else min(outer, end)
    try:
        yield
    except (OperationalError, PoolTimeout) as exc:
        if time.monotonic() >= _local.deadline:
            raise Overrun() from exc
        raise
    finally:
        _local.deadline = outer


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
