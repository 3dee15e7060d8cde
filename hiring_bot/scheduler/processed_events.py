"""Daily job: forget idempotency keys of Slack deliveries too old for Slack to retry."""

from __future__ import annotations

import logging
from datetime import timedelta

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger

from hiring_bot.db.engine import session_scope
from hiring_bot.deps import Deps
from hiring_bot.domain import idempotency

log = logging.getLogger(__name__)

# Slack retries within minutes; a week keeps every key that could still matter.
KEEP = timedelta(days=7)


def prune_job(deps: Deps) -> int:
    try:
        with session_scope(deps.sessions) as session:
            removed = idempotency.prune(session, before=deps.clock.now() - KEEP)
    except Exception as exc:  # tomorrow's run tries again
        log.warning("pruning processed events failed: %s", type(exc).__name__)
        return 0
    log.info("pruned %d processed-event keys", removed)
    return removed


def register_jobs(scheduler: BaseScheduler, deps: Deps) -> None:
    scheduler.add_job(
        prune_job,
        CronTrigger(hour=3, minute=17, timezone=deps.settings.timezone),
        args=[deps],
        id="slack.prune_processed_events",
        replace_existing=True,
    )
