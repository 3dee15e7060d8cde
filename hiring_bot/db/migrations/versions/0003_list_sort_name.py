"""applications.sort_name and the indexes `sort:name` and a window's page walk

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 14:10:00

`/intern list sort:name` sorted every match by lower(candidate name) to show ten rows. The
name's sort key is now kept on the application (the model keeps it right on insert and on a
candidate's rename), so a page walks (stage, [claimed_by,] sort_name, received_at, id) in order
and stops after the page, as received order already does since 0002. A window's page walks
(window_id, stage, received_at, id): its applications are the newest, so a walk of the stage
from the oldest would read every earlier window's first.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

BATCH = 5_000


def upgrade() -> None:
    op.add_column(
        "applications",
        sa.Column("sort_name", sa.String(200), nullable=False, server_default=""),
    )
    _backfill()
    op.create_index(
        "ix_applications_stage_sort_name",
        "applications",
        ["stage", "sort_name", "received_at", "id"],
    )
    op.create_index(
        "ix_applications_stage_claimed_sort_name",
        "applications",
        ["stage", "claimed_by", "sort_name", "received_at", "id"],
    )
    op.create_index(
        "ix_applications_window_stage_received",
        "applications",
        ["window_id", "stage", "received_at", "id"],
    )


def _backfill() -> None:
    """Each candidate's name, lower-cased in Python as `models.sort_key` does (not with SQL
    lower(), which on SQLite leaves non-ASCII capitals alone), so old and new rows agree."""
    bind = op.get_bind()
    candidates = sa.table("candidates", sa.column("id", sa.Integer), sa.column("name", sa.String))
    applications = sa.table(
        "applications",
        sa.column("candidate_id", sa.Integer),
        sa.column("sort_name", sa.String),
    )
    update = (
        applications.update()
        .where(applications.c.candidate_id == sa.bindparam("cid"))
        .values(sort_name=sa.bindparam("key"))
    )
    last = 0
    while True:
        rows = bind.execute(
            sa.select(candidates.c.id, candidates.c.name)
            .where(candidates.c.id > last)
            .order_by(candidates.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        bind.execute(update, [{"cid": ref, "key": (name or "").lower()} for ref, name in rows])
        last = rows[-1][0]


def downgrade() -> None:
    op.drop_index("ix_applications_window_stage_received", table_name="applications")
    op.drop_index("ix_applications_stage_claimed_sort_name", table_name="applications")
    op.drop_index("ix_applications_stage_sort_name", table_name="applications")
    op.drop_column("applications", "sort_name")
