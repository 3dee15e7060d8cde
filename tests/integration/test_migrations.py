"""The Alembic chain builds the schema the models describe, on SQLite and Postgres alike."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from hiring_bot.db.migrate import current_revision, head_revision, upgrade
from hiring_bot.db.models import Base
from tests.db import TestDatabase


def test_migrations_reach_head_and_match_the_models(db: TestDatabase) -> None:
    assert current_revision(db.engine) == head_revision()
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_upgrade_is_idempotent(db: TestDatabase) -> None:
    before = current_revision(db.engine)
    upgrade(db.engine)
    upgrade(db.engine)
    assert current_revision(db.engine) == before == head_revision()


def test_list_filters_are_indexed(db: TestDatabase) -> None:
    indexed = {
        column
        for index in inspect(db.engine).get_indexes("applications")
        for column in index["column_names"]
    }
    assert {"stage", "window_id", "claimed_by", "received_at"} <= indexed
    uniques = inspect(db.engine).get_unique_constraints("applications")
    assert any(set(u["column_names"]) == {"source", "source_id"} for u in uniques)
