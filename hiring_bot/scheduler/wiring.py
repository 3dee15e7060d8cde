"""APScheduler wiring: which jobs run, when, in HIRING_TIMEZONE, one instance at a time."""

from __future__ import annotations

import logging
from collections.abc import Callable

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from hiring_bot.deps import Deps
from hiring_bot.scheduler import jobs as reminder_jobs
from hiring_bot.scheduler import outbox_jobs, processed_events, retention

log = logging.getLogger(__name__)

JobRegistrar = Callable[[BaseScheduler, Deps], None]

# Each feature adds its registrar here; kept as a list so features do not import each other.
REGISTRARS: list[JobRegistrar] = [
    reminder_jobs.register_jobs,
    outbox_jobs.register_jobs,
    processed_events.register_jobs,
    retention.register_jobs,
]

JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 15 * 60}


def build_scheduler(deps: Deps, *, blocking: bool) -> BaseScheduler:
    kind = BlockingScheduler if blocking else BackgroundScheduler
    scheduler: BaseScheduler = kind(timezone=deps.settings.timezone, job_defaults=JOB_DEFAULTS)
    for registrar in REGISTRARS:
        registrar(scheduler, deps)
    # One line instead of APScheduler's one per job (quietened in startup.configure_logging).
    log.info("scheduled jobs: %s", ", ".join(job.id for job in scheduler.get_jobs()) or "none")
    return scheduler
