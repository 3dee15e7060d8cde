"""Seeding windows.toml into the database: added, followed, Slack edits kept, bad files ignored."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hiring_bot.db.models import AuditEntry, Window
from hiring_bot.domain.window_spec import WindowDef, WindowSpec
from hiring_bot.domain.windows import find_window, seed_windows, sync_windows, window_specs
from tests.db import TestDatabase

LA = ZoneInfo("America/Los_Angeles")


def spec(name: str, deadline: date = date(2018, 2, 28), aliases: tuple[str, ...] = ()) -> WindowDef:
    return WindowDef(
        name=name,
        aliases=aliases,
        application_deadline=deadline,
        decision_deadline=date(2018, 3, 31),
        starts_on=date(2018, 5, 14),
        ends_on=date(2018, 8, 31),
    )


def test_sync_adds_follows_the_file_and_keeps_slack_edits(session: Session) -> None:
    first = sync_windows(session, specs=[spec("Spring/Summer 2018"), spec("Fall 2018")])
    assert first.added == ["Spring/Summer 2018", "Fall 2018"]

    fall = find_window(session, "fall 2018")
    assert fall is not None
    fall.source = "slack"  # an admin edited it in Slack
    fall.application_deadline = date(2018, 3, 15)

    second = sync_windows(
        session,
        specs=[spec("Spring/Summer 2018", date(2018, 2, 27), ("summer",)), spec("Fall 2018")],
    )
    assert second.updated == ["Spring/Summer 2018"]
    assert second.kept_slack == ["Fall 2018"]
    spring = find_window(session, "summer")  # found by alias too
    assert spring is not None
    assert spring.application_deadline == date(2018, 2, 27)
    assert fall.application_deadline == date(2018, 3, 15)

    third = sync_windows(
        session, specs=[spec("Spring/Summer 2018", date(2018, 2, 27), ("summer",))]
    )
    assert third.unchanged == ["Spring/Summer 2018"]
    actions = list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions == ["window_added", "window_added", "window_updated"]


def test_window_specs_for_the_parser_leave_out_closed_windows(session: Session) -> None:
    sync_windows(session, specs=[spec("Spring/Summer 2018", aliases=("summer",)), spec("Old")])
    old = find_window(session, "Old")
    assert old is not None
    old.closed_at = old.created_at
    assert window_specs(session) == [
        WindowSpec(
            name="Spring/Summer 2018",
            aliases=("summer",),
            starts_on=date(2018, 5, 14),
            ends_on=date(2018, 8, 31),
        )
    ]


def test_a_refused_file_keeps_the_windows_in_force(
    db: TestDatabase, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sessions = sessionmaker(db.engine, expire_on_commit=False)
    good = tmp_path / "windows.toml"
    good.write_text(
        '[[window]]\nname = "Spring/Summer 2018"\naliases = []\n'
        "application_deadline = 2018-02-28\ndecision_deadline = 2018-03-31\n"
        "starts_on = 2018-05-14\nends_on = 2018-08-31\n",
        encoding="utf-8",
    )
    report = seed_windows(sessions, path=good, timezone=LA)
    assert report is not None
    assert report.added == ["Spring/Summer 2018"]

    good.write_text(
        good.read_text(encoding="utf-8").replace("2018-02-28", "2018-02-30"), encoding="utf-8"
    )
    assert seed_windows(sessions, path=good, timezone=LA) is None
    assert "windows.toml line 4, field 'application_deadline'" in caplog.text
    with sessions() as session:
        (window,) = session.scalars(select(Window)).all()
        assert window.application_deadline == date(2018, 2, 28)
