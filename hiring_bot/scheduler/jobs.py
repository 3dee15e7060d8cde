"""Reminder jobs: open a session, plan what is due, record + enqueue it once, deliver it.

Triggers run in HIRING_TIMEZONE; the instant a job acts on comes from `deps.clock` (tests use a
fake clock), so what APScheduler fires when only decides *when* we look, never *what* is due.

- `reminders.startup`: once, as the scheduler starts: seed windows.toml, then catch up (anything
  missed while the bot was down and still within its grace is sent now; older ones are dropped).
- `reminders.daily`: weekdays 09:00 local: claim releases, stale-claim DMs, digest (punctually).
- `reminders.check`: every 15 minutes: everything due, window reminders included (09:00 falls on
  a quarter hour, so window reminders also go out at 09:00).
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import datetime

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger

from hiring_bot.deps import Deps
from hiring_bot.domain.calendar import local_date
from hiring_bot.domain.reminder_ledger import DispatchReport, dispatch
from hiring_bot.domain.reminder_messages import ClaimRelease
from hiring_bot.domain.reminder_schedule import ALL_KINDS, DAILY_KINDS, Kind
from hiring_bot.domain.reminders import Plan, plan_reminders
from hiring_bot.domain.window_outlook import window_outlook
from hiring_bot.domain.windows import SyncReport, seed_windows
from hiring_bot.slack.blocks import render_reminder
from hiring_bot.slack.delivery import DeliveryReport, deliver_pending

log = logging.getLogger(__name__)

CHECK_MINUTES = "*/15"
DAILY_GRACE_SECONDS = 3 * 60 * 60  # the planner decides relevance; this only lets the job run
JOB_OPTIONS = {"coalesce": True, "max_instances": 1, "replace_existing": True}


@dataclass
class RunResult:
    plan: Plan
    report: DispatchReport
    delivery: DeliveryReport | None


def plan_due(deps: Deps, *, at: datetime, kinds: Collection[Kind] = ALL_KINDS) -> Plan:
    """What is due at `at` (read-only: `hiring-bot reminders --dry-run`)."""
    with deps.sessions() as session:
        return plan_reminders(session, settings=deps.settings, at=at, kinds=kinds)


def run_reminders(
    deps: Deps,
    *,
    at: datetime | None = None,
    kinds: Collection[Kind] = ALL_KINDS,
    deliver: bool = True,
) -> RunResult:
    """Plan, record + enqueue exactly once, then deliver what this call enqueued.

    Expired claims are released first and the messages planned afterwards, so a reminder's counts
    and a reviewer's DM already reflect the release.
    """
    instant = at or deps.clock.now()
    channel = deps.settings.hiring_channel
    report = DispatchReport()
    released: list[ClaimRelease] = []
    if Kind.CLAIM_RELEASE in kinds:
        first = plan_due(deps, at=instant, kinds={Kind.CLAIM_RELEASE})
        released = first.releases
        report.merge(dispatch(deps.sessions, first, channel=channel, render=render_reminder))
    plan = plan_due(deps, at=instant, kinds=set(kinds) - {Kind.CLAIM_RELEASE})
    plan.releases = released
    report.merge(
        dispatch(deps.sessions, replace(plan, releases=[]), channel=channel, render=render_reminder)
    )
    delivery = (
        deliver_pending(deps, ids=report.outbox_ids) if deliver and report.outbox_ids else None
    )
    if report.sent or report.released or report.dropped:
        # Keys only: they hold kinds, window ids, dates and user ids, never candidate data.
        log.info(
            "reminders at %s: %d sent, %d claims released, %d dropped, %d already done",
            instant.isoformat(),
            len(report.sent),
            len(report.released),
            len(report.dropped),
            len(report.skipped),
        )
    return RunResult(plan, report, delivery)


def seed_windows_from_settings(deps: Deps) -> SyncReport | None:
    """Seed windows.toml into the database; None (logged) when the file is refused."""
    return seed_windows(
        deps.sessions, path=deps.settings.windows_file, timezone=deps.settings.timezone
    )


def _guarded(name: str, deps: Deps, kinds: Collection[Kind]) -> None:
    try:
        run_reminders(deps, kinds=kinds)
    except Exception:  # the next run tries again; the ledger keeps it exactly once
        log.exception("reminder job %s failed", name)


def startup_job(deps: Deps) -> None:
    try:
        seed_windows_from_settings(deps)
    except Exception:
        log.exception("seeding the windows file failed; the windows in the database stay")
    _warn_if_no_window_takes_applications(deps)
    _guarded("startup", deps, ALL_KINDS)


def _warn_if_no_window_takes_applications(deps: Deps) -> None:
    """On every start: a stale windows file silently leaves new applications without a window."""
    today = local_date(deps.clock.now(), deps.settings.timezone)
    try:
        with deps.sessions() as session:
            warning = window_outlook(session, today=today).warning()
    except Exception:  # the reminder run below reports database trouble
        return
    if warning is not None:
        log.warning("%s", warning)


def daily_job(deps: Deps) -> None:
    _guarded("daily", deps, DAILY_KINDS)


def check_job(deps: Deps) -> None:
    _guarded("check", deps, ALL_KINDS)


def register_jobs(scheduler: BaseScheduler, deps: Deps) -> None:
    """The registrar in `hiring_bot.scheduler.wiring.REGISTRARS`."""
    tz = deps.settings.timezone
    scheduler.add_job(startup_job, "date", args=[deps], id="reminders.startup", **JOB_OPTIONS)
    scheduler.add_job(
        daily_job,
        CronTrigger(day_of_week="mon-fri", hour=9, minute=0, timezone=tz),
        args=[deps],
        id="reminders.daily",
        misfire_grace_time=DAILY_GRACE_SECONDS,
        **JOB_OPTIONS,
    )
    scheduler.add_job(
        check_job,
        CronTrigger(minute=CHECK_MINUTES, timezone=tz),
        args=[deps],
        id="reminders.check",
        **JOB_OPTIONS,
    )
