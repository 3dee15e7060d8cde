"""Engine and session factory; the only place connection details are turned into objects.

Transactions. `session_scope` is the write path: on SQLite its transaction begins with
`BEGIN IMMEDIATE`, which takes the database's write lock before the first read, so a
read-check-write (claim, rate, purge) cannot interleave with another writer's; on Postgres it is a
plain BEGIN and the domain's `SELECT ... FOR UPDATE` row locks do that job. Other sessions (reads)
begin deferred and never block writers. pysqlite's own transaction handling is switched off so
that these BEGINs are the ones that run (SQLAlchemy's documented recipe for pysqlite): left to
itself, pysqlite opens a transaction only before an INSERT/UPDATE/DELETE, so a SELECT earlier in
a "transaction" saw data another writer could change before the write.

Timeouts. A locked or unreachable database becomes an error within about two seconds, well
inside Slack's 3 s, instead of a request thread waiting 30 s (SQLite lock) or minutes (a
Postgres host that does not answer).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from hiring_bot.db import budget

# How long a statement waits for another connection's SQLite lock before failing.
SQLITE_BUSY_TIMEOUT = 2.0
# Postgres: seconds to establish a connection (libpq's connect_timeout), and server-side limits
# on one statement and on one lock wait (the analogue of SQLite's busy timeout).
POSTGRES_CONNECT_TIMEOUT = 2
POSTGRES_STATEMENT_TIMEOUT_MS = 10_000
POSTGRES_LOCK_TIMEOUT_MS = 2_000
POSTGRES_TCP_USER_TIMEOUT_MS = 2_000
# Seconds to wait for a free pooled connection when every one is in use.
POOL_TIMEOUT = 2.0

# Execution option read by the SQLite "begin" hook: which BEGIN to emit.
_BEGIN = "hiring_bot_sqlite_begin"
_IMMEDIATE = "IMMEDIATE"
# Connection.execution_options(**WRITE_TRANSACTION): its next transaction is a writer's.
WRITE_TRANSACTION = {_BEGIN: _IMMEDIATE}


def make_engine(url: str, *, lock_wait: float | None = None, **kwargs: Any) -> Engine:
    """The engine for `url`; `lock_wait` (seconds) overrides how long a statement waits for
    another connection's lock (SQLite busy timeout, Postgres lock_timeout)."""
    if url.startswith("sqlite"):
        return _sqlite_engine(url, lock_wait or SQLITE_BUSY_TIMEOUT, **kwargs)
    lock_ms = int(lock_wait * 1000) if lock_wait else POSTGRES_LOCK_TIMEOUT_MS
    return _postgres_engine(url, lock_ms, **kwargs)


def _write_ahead_log(cursor: Any) -> None:
    """WAL with synchronous=NORMAL: a commit appends to the -wal file without an fsync of its own
    (checkpoints fsync), so a batch of writes costs little more than one; readers never block the
    writer. A process killed at any point loses no committed transaction; only a power cut can
    lose the last commits (never corrupt the file). Where WAL cannot be switched on (a read-only
    folder) the database keeps its rollback journal."""
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
    except sqlite3.OperationalError:
        return
    cursor.execute("PRAGMA synchronous=NORMAL")


def sqlite_files(database: Path) -> tuple[Path, Path, Path]:
    """The database file and the WAL files beside it (`-wal`, `-shm`). Delete or copy all three
    together: a `-wal` left by a killed process next to a new file of the same name would be
    read as that file's log."""
    return (
        database,
        database.with_name(database.name + "-wal"),
        database.with_name(database.name + "-shm"),
    )


def _sqlite_engine(url: str, busy_timeout: float, **kwargs: Any) -> Engine:
    database = make_url(url).database or ""
    on_disk = database not in ("", ":memory:") and "mode=memory" not in url
    if kwargs.get("poolclass") is None:
        kwargs.setdefault("pool_timeout", POOL_TIMEOUT)
    engine = create_engine(
        url,
        # Threads share the file; a busy lock is waited for, briefly (see SQLITE_BUSY_TIMEOUT).
        connect_args={"check_same_thread": False, "timeout": busy_timeout},
        **kwargs,
    )

    @event.listens_for(engine, "connect")
    def _sqlite_connect(dbapi_connection: Any, record: Any) -> None:
        # pysqlite emits no BEGIN (nor COMMIT before DDL) of its own; the "begin" hook does.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        if on_disk:
            _write_ahead_log(cursor)
        cursor.close()
        record.info["busy_timeout_ms"] = int(busy_timeout * 1000)

    @event.listens_for(engine, "begin")
    def _sqlite_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get(_BEGIN)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if mode == _IMMEDIATE else "BEGIN")

    budget.install(engine)
    return engine


def _postgres_engine(url: str, lock_timeout_ms: int, **kwargs: Any) -> Engine:
    if kwargs.get("poolclass") is None:
        kwargs.setdefault("pool_timeout", POOL_TIMEOUT)
    # Added to any `options` the URL already carries (tests put search_path there).
    given = make_url(url).query.get("options", "")
    given = given if isinstance(given, str) else " ".join(given)
    limits = (
        f"-c statement_timeout={POSTGRES_STATEMENT_TIMEOUT_MS} -c lock_timeout={lock_timeout_ms}"
    )
    connect_args = {
        "connect_timeout": POSTGRES_CONNECT_TIMEOUT,
        # A host gone silent mid-connection (packets dropped): data unacknowledged this long
        # closes the connection, where the server-side statement_timeout can never fire.
        "tcp_user_timeout": POSTGRES_TCP_USER_TIMEOUT_MS,
        "options": f"{given} {limits}".strip(),
        **kwargs.pop("connect_args", {}),
    }
    engine = create_engine(url, pool_pre_ping=True, connect_args=connect_args, **kwargs)
    budget.install(engine)
    return engine


# Postgres gives up one transaction of a deadlock (40P01) or a failed serialisation (40001); it
# was rolled back whole, so running it again is the documented answer.
_RUN_AGAIN_SQLSTATES = frozenset({"40P01", "40001"})


def should_run_again(exc: BaseException) -> bool:
    """True when `exc` rolled a transaction back that may simply be run again."""
    return getattr(getattr(exc, "orig", None), "sqlstate", None) in _RUN_AGAIN_SQLSTATES


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def begin_write(session: Session) -> None:
    """Start `session`'s transaction as a writer: on SQLite with BEGIN IMMEDIATE, so the write
    lock is held before anything is read. Does nothing once the transaction has begun."""
    if not session.in_transaction():
        session.connection(execution_options=WRITE_TRANSACTION)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work that writes: committed when the block ends, rolled back if it raises.

    On SQLite it holds the write lock from the start (see the module doc); read-only work uses
    `read_scope`.
    """
    session = factory()
    try:
        begin_write(session)
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def read_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session for reading: one deferred transaction, never holding the write lock, closed at
    the end (anything written by mistake is rolled back)."""
    session = factory()
    try:
        yield session
    finally:
        session.close()
