"""Rows for reminder tests, committed so the jobs' own sessions see them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from hiring_bot.db.models import Application, Candidate, Claim, Review, Window

LA = ZoneInfo("America/Los_Angeles")


def local(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    """A wall-clock time in Los Angeles as aware UTC."""
    return datetime(year, month, day, hour, minute, tzinfo=LA).astimezone(UTC)


def add_window(
    session: Session,
    *,
    name: str,
    application_deadline: date,
    decision_deadline: date,
    starts_on: date,
    ends_on: date,
    source: str = "file",
    created_at: datetime | None = None,
) -> Window:
    window = Window(
        name=name,
        aliases=[],
        application_deadline=application_deadline,
        decision_deadline=decision_deadline,
        starts_on=starts_on,
        ends_on=ends_on,
        source=source,
    )
    if created_at is not None:
        window.created_at = created_at
    session.add(window)
    session.flush()
    return window


def add_spring_window(session: Session) -> Window:
    """Spring/Summer 2018 as the posting has it: applications until 28 Feb, decisions by 31 Mar."""
    return add_window(
        session,
        name="Spring/Summer 2018",
        application_deadline=date(2018, 2, 28),
        decision_deadline=date(2018, 3, 31),
        starts_on=date(2018, 5, 14),
        ends_on=date(2018, 8, 31),
    )


def add_application(
    session: Session,
    *,
    window: Window | None,
    name: str,
    received_at: datetime,
    stage: str = "new",
    created_at: datetime | None = None,
    stage_changed_at: datetime | None = None,
    card_ts: str | None = None,
) -> Application:
    slug = name.lower().replace(" ", ".")
    candidate = Candidate(email=f"{slug}@example.edu", name=name, created_at=received_at)
    session.add(candidate)
    session.flush()
    application = Application(
        candidate_id=candidate.id,
        window_id=window.id if window is not None else None,
        source="test",
        source_id=f"test-{slug}",
        stage=stage,
        received_at=received_at,
        created_at=created_at or received_at,
        stage_changed_at=stage_changed_at or received_at,
        card_channel="C0HIRING" if card_ts else None,
        card_ts=card_ts,
    )
    session.add(application)
    session.flush()
    return application


def claim(session: Session, application: Application, user_id: str, at: datetime) -> Claim:
    application.claimed_by = user_id
    application.claimed_at = at
    row = Claim(application_id=application.id, user_id=user_id, claimed_at=at)
    session.add(row)
    session.flush()
    return row


def rate(session: Session, application: Application, reviewer_id: str, overall: int = 4) -> Review:
    review = Review(application_id=application.id, reviewer_id=reviewer_id, overall=overall)
    session.add(review)
    session.flush()
    return review


def days(n: float) -> timedelta:
    return timedelta(days=n)
