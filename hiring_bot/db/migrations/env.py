"""Alembic environment: the engine comes from hiring_bot.db.migrate, never from alembic.ini."""

from __future__ import annotations

from alembic import context

from hiring_bot.db.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    # SQLite cannot ALTER most things in place; batch mode copies the table instead.
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
