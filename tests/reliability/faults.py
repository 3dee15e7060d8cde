"""Database faults for the tests: a lock held by another connection, a host that never answers."""

from __future__ import annotations

import socket
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

from sqlalchemy import text

from hiring_bot.config import Settings
from tests.conftest import ADMIN, BOT_TOKEN, HIRING_CHANNEL, REPO, SIGNING_SECRET
from tests.db import TestDatabase


@contextmanager
def database_locked(db: TestDatabase) -> Iterator[None]:
    """Another connection holds the lock every command needs, until the block ends.

    SQLite: an EXCLUSIVE transaction on the file (no other connection may read or write).
    Postgres: ACCESS EXCLUSIVE locks on the tables a claim and /healthz use.
    """
    if db.kind == "sqlite":
        holder = sqlite3.connect(str(db.engine.url.database), isolation_level=None)
        try:
            holder.execute("BEGIN EXCLUSIVE")
            yield
            holder.execute("ROLLBACK")
        finally:
            holder.close()
        return
    with db.engine.connect() as connection, connection.begin() as transaction:
        connection.execute(
            text("LOCK TABLE applications, alembic_version IN ACCESS EXCLUSIVE MODE")
        )
        yield
        transaction.rollback()


class BlackHole:
    """A TCP listener on 127.0.0.1 that accepts connections and never says a word."""

    def __init__(self) -> None:
        self._server = socket.create_server(("127.0.0.1", 0), backlog=128)
        self.port = self._server.getsockname()[1]
        self._held: list[socket.socket] = []
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def database_url(self) -> str:
        return f"postgresql+psycopg://hiring@127.0.0.1:{self.port}/hiring"

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                connection, _ = self._server.accept()
            except OSError:
                return
            self._held.append(connection)

    def close(self) -> None:
        self._closed.set()
        self._server.close()
        for connection in self._held:
            connection.close()


def settings_for(database_url: str, slack_api_url: str) -> Settings:
    """The test settings (as tests/conftest.py builds them) on another database."""
    return Settings(
        database_url=database_url,
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack_api_url,
        hiring_channel=HIRING_CHANNEL,
        timezone=ZoneInfo("America/Los_Angeles"),
        admin_user_ids=frozenset({ADMIN}),
        intake_token="test-intake-token",
        run_scheduler=False,
        windows_file=REPO / "windows.toml",
    )


@contextmanager
def writes_blocked(db: TestDatabase) -> Iterator[None]:
    """Another connection lets the database be read but not written, until the block ends.

    SQLite: a pending write transaction (BEGIN IMMEDIATE) holds the one write lock.
    Postgres: an EXCLUSIVE lock on alembic_version (SELECT passes, UPDATE waits).
    """
    if db.kind == "sqlite":
        holder = sqlite3.connect(str(db.engine.url.database), isolation_level=None)
        try:
            holder.execute("BEGIN IMMEDIATE")
            yield
            holder.execute("ROLLBACK")
        finally:
            holder.close()
        return
    with db.engine.connect() as connection, connection.begin() as transaction:
        connection.execute(text("LOCK TABLE alembic_version IN EXCLUSIVE MODE"))
        yield
        transaction.rollback()
