"""Admins' window changes in the domain: rows and audit entries written, or field errors raised."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hiring_bot.db.models import AuditEntry, Window
from hiring_bot.domain import windows
from hiring_bot.domain.errors import Conflict, FieldErrors, InvalidInput
from hiring_bot.domain.window_spec import WindowDef

ADMIN = "U0ADMIN"
NOW = datetime(2018, 3, 1, 17, 0, tzinfo=UTC)


def definition(name: str, aliases: tuple[str, ...] = ()) -> WindowDef:
    return WindowDef(
        name=name,
        aliases=aliases,
        application_deadline=date(2018, 6, 30),
        decision_deadline=date(2018, 7, 31),
        starts_on=date(2018, 9, 10),
        ends_on=date(2018, 12, 14),
    )


def actions(session: Session) -> list[str]:
    return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_add_edit_close_write_the_window_and_audit_each_change(session: Session) -> None:
    added = windows.add_window(session, definition=definition("Fall 2018"), actor=ADMIN)
    assert (added.source, added.aliases) == ("slack", [])

    edited = windows.edit_window(
        session, window_id=added.id, definition=definition("Fall 2018", ("autumn",)), actor=ADMIN
    )
    assert edited.aliases == ["autumn"]

    closed = windows.close_window(session, name="autumn", actor=ADMIN, now=NOW)
    assert closed.id == added.id
    assert closed.closed_at is not None
    assert actions(session) == ["window_added", "window_edited", "window_closed"]
    with pytest.raises(Conflict, match=r"\*Fall 2018\* is already closed"):
        windows.close_window(session, name="Fall 2018", actor=ADMIN, now=NOW)


def test_a_taken_name_or_a_vanished_window_is_a_field_error(session: Session) -> None:
    first = windows.add_window(session, definition=definition("Fall 2018"), actor=ADMIN)
    other = windows.add_window(session, definition=definition("Winter"), actor=ADMIN)
    with pytest.raises(FieldErrors) as taken:
        windows.add_window(session, definition=definition("FALL 2018"), actor=ADMIN)
    assert taken.value.errors == {"name": "A window called “FALL 2018” already exists."}
    with pytest.raises(FieldErrors) as clash:
        windows.edit_window(
            session, window_id=other.id, definition=definition("fall 2018"), actor=ADMIN
        )
    assert set(clash.value.errors) == {"name"}
    # Keeping its own name is no clash.
    windows.edit_window(
        session, window_id=first.id, definition=definition("Fall 2018"), actor=ADMIN
    )
    with pytest.raises(FieldErrors, match="no longer exists"):
        windows.edit_window(session, window_id=10_000, definition=definition("X"), actor=ADMIN)
    assert session.scalar(select(func.count()).select_from(Window)) == 2
    assert actions(session) == ["window_added", "window_added", "window_edited"]


def test_closing_an_unknown_window_names_the_windows(session: Session) -> None:
    windows.add_window(session, definition=definition("Fall 2018"), actor=ADMIN)
    with pytest.raises(InvalidInput, match=r"There is no window called `spring`\. Windows: `Fall"):
        windows.close_window(session, name="spring", actor=ADMIN, now=NOW)
