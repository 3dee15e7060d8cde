"""Internship windows in the database: seeding from windows.toml, finding one, admin changes.

The file seeds the database (`sync_windows`): new windows are added, windows still owned by the file
(`source="file"`) follow it, and windows edited in Slack (`source="slack"`) are left as they are.
A file that does not validate changes nothing: the windows already in the database stay in force.
Admins add, edit and close windows with `add_window`, `edit_window` and `close_window`; every
change is audited. Parsing the file lives in `windows_file`, calendar rules in `calendar`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from hiring_bot.db.engine import session_scope
from hiring_bot.db.models import Window
from hiring_bot.domain import audit
from hiring_bot.domain.calendar import is_closed
from hiring_bot.domain.errors import Conflict, FieldErrors, InvalidInput, bold, quote
from hiring_bot.domain.window_spec import FILE_SOURCE, SLACK_SOURCE, WindowDef, WindowSpec
from hiring_bot.domain.windows_file import WindowsFileError, load_windows_file

log = logging.getLogger(__name__)

# Quotes and separators people wrap around or put after a name: `"Winter",` is `winter`.
_STRIP = "\"'“”‘’,;"


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept_slack: list[str] = field(default_factory=list)  # edited in Slack: the file is ignored

    def summary(self) -> str:
        return (
            f"windows: {len(self.added)} added, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged, {len(self.kept_slack)} kept as edited in Slack"
        )


def snapshot(window: Window) -> dict[str, Any]:
    """JSON-safe view of a window for the audit log."""
    return {
        "name": window.name,
        "aliases": list(window.aliases or []),
        "application_deadline": window.application_deadline.isoformat(),
        "decision_deadline": window.decision_deadline.isoformat(),
        "starts_on": window.starts_on.isoformat(),
        "ends_on": window.ends_on.isoformat(),
        "source": window.source,
        "closed_at": window.closed_at.isoformat() if window.closed_at else None,
    }


# --- finding a window by what people type --------------------------------------------------------


def name_words(text: str) -> tuple[str, ...]:
    """`  "Winter  2017/2018", ` -> ("winter", "2017/2018"): case, spacing and quotes ignored."""
    return tuple(t.strip(_STRIP).lower() for t in text.split() if t.strip(_STRIP))


def window_phrases(session: Session) -> list[tuple[tuple[str, ...], Window]]:
    """Every way to name a window, in the order they win: all names first, then all aliases.

    `find_window` and the `/intern list` filter words both resolve through this list, so a
    window name means the same window everywhere.
    """
    windows = list(session.scalars(select(Window).order_by(Window.starts_on, Window.id)))
    phrases = [(name_words(w.name), w) for w in windows]
    phrases += [(name_words(alias), w) for w in windows for alias in w.aliases or []]
    return [(words, window) for words, window in phrases if words]


def find_window(session: Session, name: str) -> Window | None:
    """The window `name` names: its name, else one of its aliases; any case, spacing, quotes.

    The one window lookup (list filters, window admin, stats, export --window all use it).
    Names beat aliases — an alias ("winter") of one window never hides another window that is
    called "Winter" — and punctuation people type around a name (`"Winter",`) is ignored, so
    whatever resolves in `/intern list` resolves to the same window in `/intern window edit`.
    """
    wanted = name_words(name)
    if not wanted:
        return None
    for words, window in window_phrases(session):
        if words == wanted:
            return window
    return None


def window_names(session: Session) -> str:
    """The windows' names for a "there is no such window" answer: "`A`, `B`" or "none yet"."""
    names = session.scalars(select(Window.name).order_by(Window.starts_on, Window.id)).all()
    return ", ".join(quote(name, 80) for name in names) or "none yet"


def require_window(session: Session, *, name: str) -> Window:
    """`find_window`, or InvalidInput naming the windows there are."""
    window = find_window(session, name)
    if window is None:
        raise InvalidInput(
            f"There is no window called {quote(name)}. Windows: {window_names(session)}."
        )
    return window


# --- admin changes (`/intern window add | edit | close`) -----------------------------------------


def _name_taken(session: Session, name: str, window_id: int | None) -> bool:
    query = select(Window.id).where(func.lower(Window.name) == name.lower())
    if window_id is not None:
        query = query.where(Window.id != window_id)
    return session.scalars(query).first() is not None


def _check_name(session: Session, definition: WindowDef, window_id: int | None) -> None:
    if _name_taken(session, definition.name, window_id):
        raise FieldErrors({"name": f"A window called “{definition.name[:60]}” already exists."})


def add_window(session: Session, *, definition: WindowDef, actor: str) -> Window:
    """A new window from Slack (`source="slack"`), audited; FieldErrors when the name is taken."""
    _check_name(session, definition, None)
    window = Window(source=SLACK_SOURCE, **definition.values())
    session.add(window)
    session.flush()
    audit.record(session, actor=actor, action="window_added", after=snapshot(window))
    return window


def edit_window(session: Session, *, window_id: int, definition: WindowDef, actor: str) -> Window:
    """Replace a window's values, audited; it becomes `source="slack"` (the file no longer wins)."""
    _check_name(session, definition, window_id)
    window = session.get(Window, window_id)
    if window is None:
        raise FieldErrors({"name": "This window no longer exists; close the form."})
    before = snapshot(window)
    for key, value in definition.values().items():
        setattr(window, key, value)
    window.source = SLACK_SOURCE
    session.flush()
    audit.record(
        session, actor=actor, action="window_edited", before=before, after=snapshot(window)
    )
    return window


def close_window(session: Session, *, name: str, actor: str, now: datetime) -> Window:
    """Close a window at `now` (no more reminders, no more period matching), audited."""
    window = require_window(session, name=name)
    if window.closed_at is not None:
        raise Conflict(f"{bold(window.name)} is already closed.")
    before = snapshot(window)
    window.closed_at = now
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="window_closed",
        before=before,
        after=snapshot(window),
        detail=window.name,
    )
    return window


# --- seeding from the file -----------------------------------------------------------------------


def _apply(window: Window, spec: WindowDef) -> bool:
    changed = False
    for key, value in spec.values().items():
        if getattr(window, key) != value:
            setattr(window, key, value)
            changed = True
    return changed


def sync_windows(
    session: Session, *, specs: Iterable[WindowDef], actor: str = audit.SYSTEM
) -> SyncReport:
    """Seed the database from the file's windows; audited; the caller commits.

    Matching is by name, case-insensitively. Windows only in the database are left alone
    (applications point at them); windows edited in Slack keep their Slack values.
    """
    report = SyncReport()
    for spec in specs:
        existing = session.scalars(
            select(Window).where(func.lower(Window.name) == spec.name.lower())
        ).first()
        if existing is None:
            window = Window(source=FILE_SOURCE, **spec.values())
            session.add(window)
            session.flush()
            audit.record(
                session,
                actor=actor,
                action="window_added",
                after=snapshot(window),
                detail="from the windows file",
            )
            report.added.append(spec.name)
        elif existing.source != FILE_SOURCE:
            report.kept_slack.append(existing.name)
        else:
            before = snapshot(existing)
            if _apply(existing, spec):
                session.flush()
                audit.record(
                    session,
                    actor=actor,
                    action="window_updated",
                    before=before,
                    after=snapshot(existing),
                    detail="from the windows file",
                )
                report.updated.append(spec.name)
            else:
                report.unchanged.append(spec.name)
    return report


def seed_windows(
    sessions: sessionmaker[Session], *, path: Path, timezone: ZoneInfo | None = None
) -> SyncReport | None:
    """Load the windows file and sync it; on a bad file log why and keep the windows in force.

    The entry points call this at start (`migrate`, scheduler start); returns None when refused.
    """
    try:
        specs = load_windows_file(path, timezone=timezone)
    except WindowsFileError as error:
        for problem in error.problems:
            log.error("windows file refused, previous windows stay in force: %s", problem)
        return None
    with session_scope(sessions) as session:
        report = sync_windows(session, specs=specs)
    log.info("%s (%s)", report.summary(), path.name)
    return report


def window_specs(session: Session, *, at: datetime | None = None) -> list[WindowSpec]:
    """Windows as the intake parser matches them: every window not closed by an admin."""
    windows = session.scalars(select(Window).order_by(Window.starts_on, Window.id))
    return [
        WindowSpec(
            name=w.name,
            aliases=tuple(w.aliases or ()),
            starts_on=w.starts_on,
            ends_on=w.ends_on,
        )
        for w in windows
        if (w.closed_at is None if at is None else not is_closed(w, at=at))
    ]
