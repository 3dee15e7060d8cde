"""What one entry of a list shows, read as plain rows: no ORM objects on the hot path.

`/intern list` is answered inside Slack's ack, so a page of ten is read with two statements over
the columns a list entry shows (the application joined to its candidate's name and its window's
name; the ratings), built once and run through the connection: the ORM's per-query work (option
processing, identity map, lazy loaders) costs several times what SQLite does for these reads.
`row_of` gives the same shape for an application already loaded, so every card is built from one
type.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Executable, bindparam, select
from sqlalchemy.orm import Session

from hiring_bot.db.models import Application, Candidate, Review, Window
from hiring_bot.domain.redaction import shown_name, shown_name_of


@dataclass(frozen=True, slots=True)
class Rating:
    reviewer_id: str
    overall: int


@dataclass(frozen=True, slots=True)
class ListRow:
    """An application as a list entry or card shows it; `name` is the name to show."""

    id: int
    name: str
    window_name: str | None
    period_text: str | None
    duration_text: str | None
    university: str | None
    program: str | None
    areas: tuple[str, ...]
    links: tuple[str, ...]
    missing: tuple[str, ...]
    eligibility: str
    eligibility_reason: str | None
    stage: str
    claimed_by: str | None
    received_at: datetime
    anonymised_at: datetime | None
    reviews: tuple[Rating, ...]


def row_of(application: Application) -> ListRow:
    """An application already loaded, as a list row."""
    return ListRow(
        id=application.id,
        name=shown_name(application),
        window_name=application.window.name if application.window is not None else None,
        period_text=application.period_text,
        duration_text=application.duration_text,
        university=application.university,
        program=application.program,
        areas=tuple(application.areas or ()),
        links=tuple(application.links or ()),
        missing=tuple(application.missing or ()),
        eligibility=application.eligibility,
        eligibility_reason=application.eligibility_reason,
        stage=application.stage,
        claimed_by=application.claimed_by,
        received_at=application.received_at,
        anonymised_at=application.anonymised_at,
        reviews=tuple(Rating(r.reviewer_id, r.overall) for r in application.reviews),
    )


@functools.cache
def _rows_statement() -> Executable:
    return (
        select(
            Application.id,
            Candidate.name,
            Window.name,
            Application.period_text,
            Application.duration_text,
            Application.university,
            Application.program,
            Application.areas,
            Application.links,
            Application.missing,
            Application.eligibility,
            Application.eligibility_reason,
            Application.stage,
            Application.claimed_by,
            Application.received_at,
            Application.anonymised_at,
        )
        .join(Candidate, Candidate.id == Application.candidate_id)
        .outerjoin(Window, Window.id == Application.window_id)
        .where(Application.id.in_(bindparam("refs", expanding=True)))
    )


@functools.cache
def _ratings_statement() -> Executable:
    return (
        select(Review.application_id, Review.reviewer_id, Review.overall)
        .where(Review.application_id.in_(bindparam("refs", expanding=True)))
        .order_by(Review.application_id, Review.id)
    )


def load_rows(session: Session, refs: list[int]) -> tuple[ListRow, ...]:
    """The applications `refs` as list rows, in the order given (ids not found are skipped)."""
    if not refs:
        return ()
    connection = session.connection()
    ratings: dict[int, list[Rating]] = {}
    for ref, reviewer_id, overall in connection.execute(_ratings_statement(), {"refs": refs}):
        ratings.setdefault(ref, []).append(Rating(reviewer_id, overall))
    found: dict[int, ListRow] = {}
    for row in connection.execute(_rows_statement(), {"refs": refs}):
        (ref, name, window_name, period, duration, university, program, areas, links, missing,
         eligibility, reason, stage, claimed_by, received_at, anonymised_at) = row  # fmt: skip
        found[ref] = ListRow(
            id=ref,
            name=shown_name_of(ref=ref, name=name, anonymised_at=anonymised_at),
            window_name=window_name,
            period_text=period,
            duration_text=duration,
            university=university,
            program=program,
            areas=tuple(areas or ()),
            links=tuple(links or ()),
            missing=tuple(missing or ()),
            eligibility=eligibility,
            eligibility_reason=reason,
            stage=stage,
            claimed_by=claimed_by,
            received_at=received_at,
            anonymised_at=anonymised_at,
            reviews=tuple(ratings.get(ref, ())),
        )
    return tuple(found[r] for r in refs if r in found)


__all__ = ["ListRow", "Rating", "load_rows", "row_of"]
