"""Test databases: a SQLite file and a Postgres schema, each migrated once per session."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError

from hiring_bot.config import normalise_database_url
from hiring_bot.db.engine import make_engine
from hiring_bot.db.migrate import upgrade
from hiring_bot.db.models import Base

LOCAL_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@dataclass
class TestDatabase:
    __test__ = False  # a fixture value, not a test class

    kind: str
    url: str
    engine: Engine

    def reset(self) -> None:
        """Empty every table (and restart ids) so the next test starts clean."""
        tables = [t.name for t in reversed(Base.metadata.sorted_tables)] + ["alembic_version"]
        data_tables = [t for t in tables if t != "alembic_version"]
        with self.engine.begin() as connection:
            if self.kind == "postgres":
                names = ", ".join(f'"{t}"' for t in data_tables)
                connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in data_tables:
                    connection.execute(text(f'DELETE FROM "{table}"'))
                has_seq = connection.execute(
                    text("SELECT name FROM sqlite_master WHERE name='sqlite_sequence'")
                ).first()
                if has_seq:
                    connection.execute(text("DELETE FROM sqlite_sequence"))


def postgres_base_url() -> str | None:
    """TEST_DATABASE_URL, else the local server when it answers; None when neither."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return normalise_database_url(url)
    probe = create_engine(LOCAL_POSTGRES, connect_args={"connect_timeout": 3})
    try:
        with probe.connect():
            return LOCAL_POSTGRES
    except OperationalError:
        return None
    finally:
        probe.dispose()


def postgres_unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"PostgreSQL is required in CI: {reason}")
    pytest.skip(f"PostgreSQL not reachable ({reason}); set TEST_DATABASE_URL to run this half")


def sqlite_database(directory: Path) -> TestDatabase:
    url = f"sqlite:///{directory / 'test.db'}"
    engine = make_engine(url)
    upgrade(engine)
    return TestDatabase("sqlite", url, engine)


@pytest.fixture(scope="session")
def _postgres_schema() -> Iterator[tuple[str, str] | None]:
    """A private schema per test session, so parallel runs on one server never collide."""
    base = postgres_base_url()
    if base is None:
        yield None
        return
    schema = f"hb_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield base, schema
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def postgres_database(base: str, schema: str) -> TestDatabase:
    # The schema rides in the URL, so a subprocess given DATABASE_URL lands in the same place.
    separator = "&" if "?" in base else "?"
    url = f"{base}{separator}options=-csearch_path%3D{schema}"
    engine = make_engine(url)
    upgrade(engine)
    return TestDatabase("postgres", url, engine)


@contextmanager
def empty_database(kind: str, directory: Path) -> Iterator[str]:
    """The URL of a brand-new, unmigrated database of `kind`, removed afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{directory / 'fresh.db'}"
        return
    base = postgres_base_url()
    if base is None:
        postgres_unavailable("no TEST_DATABASE_URL and nothing on 127.0.0.1:5432")
        return
    schema = f"hb_fresh_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        separator = "&" if "?" in base else "?"
        yield f"{base}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
