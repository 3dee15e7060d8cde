"""The retention pass: anonymise what is due (daily job, `hiring-bot purge`) or what was named.

Each application is anonymised in its own transaction, so one failure leaves the others done and
the next pass retries it. The card updates and Slack file deletions it queues are delivered right
after (or by the running bot's outbox sweep when Slack is unreachable). Logs carry references and
counts only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy.orm import Session

from hiring_bot.db.engine import begin_write
from hiring_bot.deps import Deps
from hiring_bot.domain.errors import DomainError, NotFound
from hiring_bot.domain.retention import (
    REASON_REQUEST,
    REASON_RETENTION,
    Anonymised,
    anonymise_application,
)
from hiring_bot.domain.retention_due import Due, due_for_retention
from hiring_bot.slack.delivery import deliver_pending

log = logging.getLogger(__name__)

ACTOR = "retention"
JOB_ID = "retention.daily"
# Early morning local time: after the day's last reviews, before the 09:00 reminders.
JOB_HOUR, JOB_MINUTE = 3, 30


@dataclass
class PurgeReport:
    lines: list[str] = field(default_factory=list)  # one per application, no personal data
    done: list[Anonymised] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)  # already anonymised
    missing: list[int] = field(default_factory=list)  # no such application
    failed: list[int] = field(default_factory=list)
    total: int = 0
    interrupted: bool = False

    @property
    def outbox_ids(self) -> list[int]:
        return [row for result in self.done for row in result.outbox_ids]

    def summary(self, *, dry_run: bool) -> str:
        verb = "would be anonymised" if dry_run else "anonymised"
        parts = [f"{len(self.done)} {verb}"]
        if self.unchanged:
            parts.append(f"{len(self.unchanged)} already anonymised")
        if self.missing:
            parts.append(f"{len(self.missing)} not found")
        if self.failed:
            parts.append(f"{len(self.failed)} failed (retried on the next pass)")
        tail = " (dry run: nothing changed)" if dry_run else ""
        if self.interrupted:
            done = len(self.lines)
            tail += f"; interrupted after {done} of {self.total}: run it again for the rest"
        return ", ".join(parts) + tail


def due_now(deps: Deps, *, now: datetime) -> list[Due]:
    """What RETENTION_DAYS makes due at `now` (nothing when it is unset)."""
    days = deps.settings.retention_days
    if days is None:
        return []
    with deps.sessions() as session:
        return due_for_retention(session, now=now, retention_days=days, tz=deps.settings.timezone)


def purge(
    deps: Deps,
    *,
    refs: Sequence[int] | None = None,
    now: datetime | None = None,
    actor: str = ACTOR,
    dry_run: bool = False,
    on_line: Callable[[str, int], None] | None = None,
) -> PurgeReport:
    """Anonymise `refs` now (an erasure request), or without refs everything due.

    A dry run does the same work in one transaction that is rolled back at the end, so it shows
    exactly what would happen (an applicant's second application sees the first one anonymised,
    as in the real run) and changes nothing. ``on_line`` sees each line as it is made (and the
    number of applications in all); Ctrl-C
    stops after the application in hand.
    """
    instant = now or deps.clock.now()
    report = PurgeReport()
    if refs is None:
        targets = [(due.application_id, f" ({due.basis})") for due in due_now(deps, now=instant)]
        reason = REASON_RETENTION
    else:
        targets = [(ref, "") for ref in dict.fromkeys(refs)]
        reason = REASON_REQUEST
    report.total = len(targets)
    shared = deps.sessions() if dry_run else None
    try:
        for ref, why in targets:
            _one(
                deps,
                report,
                ref=ref,
                why=why,
                reason=reason,
                actor=actor,
                now=instant,
                dry=dry_run,
                shared=shared,
            )
            if on_line is not None:
                on_line(report.lines[-1], report.total)
    except KeyboardInterrupt:
        report.interrupted = True
    finally:
        if shared is not None:
            shared.rollback()
            shared.close()
    return report


def _one(
    deps: Deps,
    report: PurgeReport,
    *,
    ref: int,
    why: str,
    reason: str,
    actor: str,
    now: datetime,
    dry: bool,
    shared: Session | None = None,
) -> None:
    # NotFound and "already anonymised" are raised before anything changes, so a shared dry-run
    # session keeps what the earlier applications did (an unexpected error loses it: rollback).
    session = shared or deps.sessions()

    def undo_own() -> None:
        if shared is None:
            session.rollback()

    try:
        # Holds the write lock (SQLite) before reading, so no rating lands between this pass
        # reading the reviews and clearing their notes.
        begin_write(session)
        result = anonymise_application(
            session, application_id=ref, actor=actor, now=now, reason=reason
        )
        if dry:
            session.flush()
        else:
            session.commit()
    except NotFound:
        undo_own()
        report.missing.append(ref)
        report.lines.append(f"#{ref}: no such application")
        return
    except DomainError as refusal:  # already anonymised
        undo_own()
        report.unchanged.append(ref)
        report.lines.append(f"#{ref}: {refusal.message}")
        return
    except Exception as error:  # the next pass retries it; never the exception text (data)
        session.rollback()
        log.error("anonymising #%s failed: %s", ref, type(error).__name__)
        report.failed.append(ref)
        report.lines.append(f"#{ref}: failed ({type(error).__name__}); nothing changed")
        return
    finally:
        if shared is None:
            session.close()
    report.done.append(result)
    report.lines.append(result.line(dry_run=dry) + why)


def run_retention(deps: Deps, *, now: datetime | None = None) -> PurgeReport | None:
    """The daily pass: anonymise what is due and deliver the Slack side; None when disabled."""
    if deps.settings.retention_days is None:
        return None
    report = purge(deps, now=now)
    if report.outbox_ids and deps.settings.slack_bot_token:
        deliver_pending(deps, ids=report.outbox_ids)
    if report.done or report.failed:
        log.info(
            "retention: %d anonymised (%s), %d failed",
            len(report.done),
            ", ".join(f"#{r.application_id}" for r in report.done[:50]),
            len(report.failed),
        )
    return report


def retention_job(deps: Deps) -> None:
    try:
        run_retention(deps)
    except Exception as error:  # the next day's run tries again
        log.error("retention pass failed: %s", type(error).__name__)


def register_jobs(scheduler: BaseScheduler, deps: Deps) -> None:
    """Daily at 03:30 in HIRING_TIMEZONE, only when RETENTION_DAYS is set."""
    if deps.settings.retention_days is None:
        return
    scheduler.add_job(
        retention_job,
        CronTrigger(hour=JOB_HOUR, minute=JOB_MINUTE, timezone=deps.settings.timezone),
        args=[deps],
        id=JOB_ID,
        coalesce=True,
        max_instances=1,
        replace_existing=True,
        # Missed while the bot was down (a deploy at 03:30): run when it is back the same day.
        misfire_grace_time=12 * 60 * 60,
    )
