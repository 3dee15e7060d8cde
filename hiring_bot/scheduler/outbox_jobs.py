"""Outbox and mailbox jobs: sweep the outbox every 30 s, poll the mailbox every few minutes.

The sweep sends whatever the web process could not deliver right after its commit (Slack down,
a crash, a row waiting for its card); the mailbox poll runs only when IMAP_URL is set.
"""

from __future__ import annotations

import logging

from apscheduler.schedulers.base import BaseScheduler

from hiring_bot.deps import Deps
from hiring_bot.intake.mailbox import poll_mailbox
from hiring_bot.slack.delivery import deliver_pending, deliver_soon

log = logging.getLogger(__name__)

SWEEP_SECONDS = 30
MAILBOX_POLL_MINUTES = 3


def sweep(deps: Deps) -> None:
    """The scheduler job: deliver everything due."""
    try:
        report = deliver_pending(deps)
    except Exception:
        log.exception("outbox sweep failed")
        return
    if report.sent or report.retrying or report.gave_up:
        log.info(
            "outbox sweep: %d sent, %d to retry, %d given up",
            len(report.sent),
            len(report.retrying),
            len(report.gave_up),
        )


def poll_mailbox_job(deps: Deps) -> None:
    try:
        report = poll_mailbox(deps)
    except Exception as error:  # never a traceback with mailbox contents; the next pass retries
        log.warning("mailbox poll failed: %s", type(error).__name__)
        return
    if report.stored:
        deliver_soon(deps, report.outbox_ids)


def register_jobs(scheduler: BaseScheduler, deps: Deps) -> None:
    """Outbox sweep every 30 s; mailbox poll every few minutes when IMAP_URL is set."""
    scheduler.add_job(
        sweep,
        "interval",
        seconds=SWEEP_SECONDS,
        args=[deps],
        id="outbox.sweep",
        replace_existing=True,
    )
    if deps.settings.imap_url:
        scheduler.add_job(
            poll_mailbox_job,
            "interval",
            minutes=MAILBOX_POLL_MINUTES,
            args=[deps],
            id="intake.poll_mailbox",
            replace_existing=True,
        )
