"""One record per application, for spreadsheets and scripts (`hiring-bot export`)."""

from __future__ import annotations

import csv
import json
import statistics
from collections.abc import Mapping, Sequence
from typing import Any, TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from hiring_bot.db.models import Application, Review
from hiring_bot.domain.redaction import shown_email, shown_name

# The record's first keys, in this order; the intake issue fixes them (a contract: only append).
CONTRACT_KEYS: tuple[str, ...] = (
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
# What a decision meeting needs, after the contract keys.
DECISION_KEYS: tuple[str, ...] = (
    "university",
    "mean",
    "spread",
    "recommendations",
    "reviewers",
    "reviews",
)
EXPORT_KEYS: tuple[str, ...] = CONTRACT_KEYS + DECISION_KEYS
LIST_KEYS = ("links", "areas", "missing", "recommendations", "reviewers")


def export_records(
    session: Session,
    *,
    window_id: int | None = None,
    names: Mapping[str, str] | None = None,
    with_notes: bool = False,
) -> list[dict[str, Any]]:
    """Every application (only ``window_id``'s when given), oldest reference first.

    ``names`` maps reviewer IDs to names (resolved once by the caller); review notes are only
    included ``with_notes``.
    """
    names = names or {}
    query = (
        select(Application)
        .options(
            selectinload(Application.candidate),
            selectinload(Application.window),
            selectinload(Application.reviews),
        )
        .order_by(Application.id)
    )
    if window_id is not None:
        query = query.where(Application.window_id == window_id)
    records = []
    for app in session.scalars(query):
        reviews = sorted(app.reviews, key=lambda r: (r.created_at, r.id))
        scores = [r.overall for r in reviews]
        records.append(
            {
                "ref": app.id,
                "name": shown_name(app),
                "email": shown_email(app),
                "window": app.window.name if app.window is not None else None,
                "period_text": app.period_text,
                "stage": app.stage,
                "claimed_by": app.claimed_by,
                "ratings": len(reviews),
                "links": list(app.links or []),
                "areas": list(app.areas or []),
                "eligibility": app.eligibility,
                "eligibility_reason": app.eligibility_reason,
                "missing": list(app.missing or []),
                "received_at": app.received_at.isoformat(),
                "university": app.university,
                "mean": round(statistics.fmean(scores), 2) if scores else None,
                # Population standard deviation of the overall scores; None below two ratings,
                # where it would say "agreement" without anyone to agree with.
                "spread": round(statistics.pstdev(scores), 2) if len(scores) > 1 else None,
                "recommendations": [r.recommendation for r in reviews if r.recommendation],
                "reviewers": [names.get(r.reviewer_id, r.reviewer_id) for r in reviews],
                "reviews": [_review(r, names, with_notes=with_notes) for r in reviews],
            }
        )
    return records


def _review(review: Review, names: Mapping[str, str], *, with_notes: bool) -> dict[str, Any]:
    record: dict[str, Any] = {
        "reviewer_id": review.reviewer_id,
        "reviewer": names.get(review.reviewer_id),
        "overall": review.overall,
        "criteria": {k: review.criteria[k] for k in sorted(review.criteria or {})},
        "recommendation": review.recommendation,
        "rated_at": review.updated_at.isoformat(),
    }
    if with_notes:
        record["notes"] = review.notes
    return record


def _review_cell(review: dict[str, Any]) -> str:
    """`Alice Smith: 4 (coding 5, ml_research 3), yes` — one review in a spreadsheet cell."""
    who = review["reviewer"] or review["reviewer_id"]
    text = f"{who}: {review['overall']}"
    if review["criteria"]:
        text += " (" + ", ".join(f"{k} {v}" for k, v in review["criteria"].items()) + ")"
    if review["recommendation"]:
        text += f", {review['recommendation']}"
    if review.get("notes"):
        text += f" — {review['notes']}"
    return text


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
        row["reviews"] = " | ".join(_review_cell(r) for r in row["reviews"])
        writer.writerow({k: _cell(v) for k, v in row.items()})


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    # Applicant-written text opened in a spreadsheet must not run as a formula.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
