"""The windows warning every entry point gives: at start (serve, socket, clock), once per intake
run that stored applications matching no window, and in `doctor`. A refused or missing windows
file is an error only for `migrate`."""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from hiring_bot.bootstrap import Deps
from hiring_bot.db.models import Application
from hiring_bot.domain.calendar import local_date
from hiring_bot.domain.window_outlook import WindowOutlook, window_outlook
from hiring_bot.domain.windows import seed_windows

log = logging.getLogger(__name__)


def outlook(deps: Deps) -> WindowOutlook:
    """The windows in the database as of today in HIRING_TIMEZONE (may raise SQLAlchemyError)."""
    today = local_date(deps.clock.now(), deps.settings.timezone)
    with deps.sessions() as session:
        return window_outlook(session, today=today)


def windows_warning(deps: Deps) -> str | None:
    try:
        return outlook(deps).warning()
    except SQLAlchemyError:
        return None  # the database problem is reported by whoever needs the database


def seed_and_warn(deps: Deps) -> None:
    """At start: load the windows file (a refused file is logged, the windows in force stay),
    then log a warning when no window takes applications any more."""
    try:
        seed_windows(
            deps.sessions, path=deps.settings.windows_file, timezone=deps.settings.timezone
        )
    except SQLAlchemyError as error:
        log.warning("could not load the windows file into the database (%s)", type(error).__name__)
        return
    if (warning := windows_warning(deps)) is not None:
        log.warning("%s", warning)


def print_unmatched_note(
    deps: Deps, command: str, refs: Sequence[int], *, out: TextIO | None = None
) -> None:
    """Once per intake run, at the end: stored applications that matched no window, when the
    windows in force cannot take new applications (the stale-file trap; archives that match
    the old windows they were sent for stay quiet)."""
    if not refs:
        return
    try:
        warning = outlook(deps).warning()
        if warning is None:
            return
        with deps.sessions() as session:
            unmatched = list(
                session.scalars(
                    select(Application.id)
                    .where(Application.id.in_(list(refs)), Application.window_id.is_(None))
                    .order_by(Application.id)
                )
            )
    except SQLAlchemyError:
        return
    if not unmatched:
        return
    shown = ", ".join(f"#{ref}" for ref in unmatched[:10]) + (
        ", ..." if len(unmatched) > 10 else ""
    )
    print(
        f"hiring-bot {command}: warning: {len(unmatched)} stored application(s) matched no "
        f"window ({shown}); {warning}",
        file=out or sys.stderr,
        flush=True,
    )
