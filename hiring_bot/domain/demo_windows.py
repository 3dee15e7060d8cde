"""The two demo hiring windows seed-demo adds: one open for applications now, one opening later."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hiring_bot.db.models import Window


def demo_windows(*, today: date) -> list[dict[str, Any]]:
    """One window open for applications now and one whose applications open later."""
    year = today.year
    return [
        {
            "name": f"Demo open window {year}",
            "aliases": ["demo open"],
            "application_deadline": today + timedelta(days=10),
            "decision_deadline": today + timedelta(days=30),
            "starts_on": today + timedelta(days=60),
            "ends_on": today + timedelta(days=160),
        },
        {
            "name": f"Demo upcoming window {year + 1}",
            "aliases": ["demo upcoming"],
            "application_deadline": today + timedelta(days=120),
            "decision_deadline": today + timedelta(days=150),
            "starts_on": today + timedelta(days=200),
            "ends_on": today + timedelta(days=300),
        },
    ]


def add_demo_windows(session: Session, *, today: date, now: datetime) -> list[str]:
    """The two demo windows, unless windows of those names exist already; the names added."""
    existing = set(session.scalars(select(Window.name)))
    added: list[str] = []
    for values in demo_windows(today=today):
        if values["name"] in existing:
            continue
        session.add(Window(**values, source="slack", created_at=now, updated_at=now))
        added.append(values["name"])
    session.flush()
    return added
