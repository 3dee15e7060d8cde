"""Applications and windows for review-workflow tests, stored through the intake's own store."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from hiring_bot.db.models import Window
from hiring_bot.intake.draft import ApplicationDraft
from hiring_bot.intake.store import store_application

T0 = datetime(2018, 1, 10, 17, 0, tzinfo=UTC)


def add_window(
    session: Session,
    name: str = "Winter 2017/2018",
    *,
    aliases: tuple[str, ...] = ("winter",),
    application_deadline: date = date(2018, 1, 31),
    decision_deadline: date = date(2018, 2, 15),
    starts_on: date = date(2018, 3, 1),
    ends_on: date = date(2018, 6, 30),
) -> Window:
    window = Window(
        name=name,
        aliases=list(aliases),
        application_deadline=application_deadline,
        decision_deadline=decision_deadline,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    session.add(window)
    session.flush()
    return window


_counter = iter(range(1, 1_000_000))


def add_application(
    session: Session,
    name: str = "Ada Lovelace",
    *,
    email: str | None = None,
    window: str | None = None,
    areas: tuple[str, ...] = ("Machine learning",),
    eligibility: str = "eligible",
    received_at: datetime | None = None,
    university: str = "Stanford University",
    source: str = "test",
    actor: str = "test",
) -> int:
    """A stored application (candidate, card in the outbox, audit); returns its reference."""
    n = next(_counter)
    slug = name.lower().replace(" ", ".")
    draft = ApplicationDraft(
        name=name,
        email=email or f"{slug}.{n}@example.edu",
        subject=f"Research internship application ({name})",
        message_id=f"<test-{n}-{slug}@example.edu>",
        received_at=received_at,
        body_text="Dear hiring team, please find my application attached.",
        cover_letter_text="I would love to work on sequence learning.",
        resume_text="Education: PhD student. Coursework: machine learning.",
        links=[f"https://github.com/{slug}"],
        period_text="Spring/Summer 2018",
        window_name=window,
        duration_text="4 months",
        areas=list(areas),
        university=university,
        program="PhD",
        eligibility=eligibility,
        eligibility_reason="enrolled at a US university" if eligibility == "eligible" else "",
        missing=[],
    )
    result = store_application(
        session,
        draft=draft,
        source=source,
        source_id=f"test-{n}",
        received_at=received_at or (T0 + timedelta(minutes=n)),
        actor=actor,
    )
    return result.application_id
