"""One record per application, for spreadsheets and scripts (`hiring-bot export`)."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from typing import Any, TextIO

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from hiring_bot.db.models import Application, Review
from hiring_bot.domain.redaction import shown_email, shown_name

# The record's keys, in this order; the intake issue fixes them.
EXPORT_KEYS: tuple[str, ...] = (
    "ref",
    "name",
    "email",
    "window",
    "period_text",
    "stage",
    "claimed_by",
    "ratings",
    "links",
    "areas",
    "eligibility",
    "eligibility_reason",
    "missing",
    "received_at",
)
LIST_KEYS = ("links", "areas", "missing")


def export_records(session: Session, *, window_id: int | None = None) -> list[dict[str, Any]]:
    """Every application (only ``window_id``'s when given), oldest reference first."""
    counts = dict(
        session.execute(
            select(Review.application_id, func.count(Review.id)).group_by(Review.application_id)
        ).all()
    )
    query = (
        select(Application)
        .options(selectinload(Application.candidate), selectinload(Application.window))
        .order_by(Application.id)
    )
    if window_id is not None:
        query = query.where(Application.window_id == window_id)
    records = []
    for app in session.scalars(query):
        records.append(
            {
                "ref": app.id,
                "name": shown_name(app),
                "email": shown_email(app),
                "window": app.window.name if app.window is not None else None,
                "period_text": app.period_text,
                "stage": app.stage,
                "claimed_by": app.claimed_by,
                "ratings": int(counts.get(app.id, 0)),
                "links": list(app.links or []),
                "areas": list(app.areas or []),
                "eligibility": app.eligibility,
                "eligibility_reason": app.eligibility_reason,
                "missing": list(app.missing or []),
                "received_at": app.received_at.isoformat(),
            }
        )
    return records


def write_json(records: Sequence[dict[str, Any]], out: TextIO) -> None:
    """One JSON array."""
    json.dump(list(records), out, ensure_ascii=False, indent=2)
    out.write("\n")


def write_csv(records: Sequence[dict[str, Any]], out: TextIO) -> None:
    """A header row, then one row per record; lists are joined with " | "."""
    writer = csv.DictWriter(out, fieldnames=list(EXPORT_KEYS), lineterminator="\n")
    writer.writeheader()
    for record in records:
        row = dict(record)
        for key in LIST_KEYS:
            row[key] = " | ".join(row[key])
        writer.writerow({k: _cell(v) for k, v in row.items()})


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    # Applicant-written text opened in a spreadsheet must not run as a formula.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
