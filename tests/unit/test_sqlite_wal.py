"""SQLite files run in WAL mode with synchronous=NORMAL; the files beside them are named."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from sqlalchemy.pool import StaticPool

from hiring_bot.db.engine import make_engine, sqlite_files


def test_a_file_database_writes_ahead_to_the_files_sqlite_files_names(tmp_path: Path) -> None:
    database = tmp_path / "bot.db"
    engine = make_engine(f"sqlite:///{database}")
    try:
        with engine.begin() as connection:
            assert connection.scalar(text("PRAGMA journal_mode")) == "wal"
            assert connection.scalar(text("PRAGMA synchronous")) == 1  # NORMAL
            connection.execute(text("CREATE TABLE t (x INTEGER)"))
            connection.execute(text("INSERT INTO t VALUES (1)"))
        with engine.connect():  # open: the log and its index sit beside the file
            assert all(path.exists() for path in sqlite_files(database))
    finally:
        engine.dispose()


def test_an_in_memory_database_keeps_its_journal() -> None:
    engine = make_engine("sqlite://", poolclass=StaticPool)
    try:
        with engine.connect() as connection:
            assert connection.scalar(text("PRAGMA journal_mode")) == "memory"
    finally:
        engine.dispose()
