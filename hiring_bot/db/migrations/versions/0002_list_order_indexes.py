"""indexes that serve `/intern list` in its own order

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03 11:50:00

A page of the list walks (stage, received_at, id) — or (stage, claimed_by, received_at, id) for
`mine` / `unclaimed` — and stops after one page, instead of sorting every open application.
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_applications_stage_received", "applications", ["stage", "received_at", "id"]
    )
    op.create_index(
        "ix_applications_stage_claimed_received",
        "applications",
        ["stage", "claimed_by", "received_at", "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_applications_stage_claimed_received", table_name="applications")
    op.drop_index("ix_applications_stage_received", table_name="applications")
