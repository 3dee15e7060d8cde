"""`hiring-bot purge [--dry-run] [--ref N ...]`: anonymise applicants' personal data.

Without --ref: everything RETENTION_DAYS makes due (refused, exit 2, when it is unset). With
--ref: those applications now, whatever their dates — an applicant's erasure request. One line per
application (references and counts, never names) and a summary.

Slack: when SLACK_BOT_TOKEN and HIRING_CHANNEL are set, the card updates and file deletions are
delivered before the command exits; otherwise (or when Slack does not accept them) they wait in
the outbox and the running bot's sweep sends them within a minute. The data is gone from the
database either way, so that is not a failure: exit 0 when the command ran, 1 when a named
reference does not exist or an application could not be anonymised.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from hiring_bot.bootstrap import build_deps
from hiring_bot.cli import exit_codes
from hiring_bot.cli.help import command
from hiring_bot.cli.progress import Progress
from hiring_bot.startup import EXIT_CONFIG, configure_logging, die, load_settings_or_exit

ACTOR = "cli:purge"
PROG = "hiring-bot purge"


def reference(raw: str) -> int:
    """`12` or `#12`."""
    text = raw.strip().removeprefix("#")
    if not text.isdigit() or int(text) < 1 or len(text) > 18:
        raise argparse.ArgumentTypeError(f"{raw!r} is not an application reference such as 12")
    return int(text)


def purge_command(args: argparse.Namespace) -> int:
    settings = load_settings_or_exit()
    refs: list[int] | None = args.ref or None
    if refs is None and settings.retention_days is None:
        die(
            f"{PROG}: RETENTION_DAYS is not set, so nothing is due: set it to the number of days "
            "to keep applicants' data after their window ends (e.g. RETENTION_DAYS=365), or name "
            "the applications to anonymise now with --ref N (an erasure request).",
            EXIT_CONFIG,
        )
    configure_logging()
    deps = build_deps(settings)
    from hiring_bot.scheduler.retention import purge
    from hiring_bot.slack.delivery import deliver_pending

    bar = Progress(sys.stderr, 0, what="applications")

    def show(line: str, total: int) -> None:
        bar.total = total
        bar.clear()
        print(line, flush=True)
        bar.advance()

    try:
        report = purge(deps, refs=refs, actor=ACTOR, dry_run=args.dry_run, on_line=show)
        bar.clear()
        if refs is None and not report.lines:
            print(f"nothing is due (RETENTION_DAYS={settings.retention_days})")
        print(report.summary(dry_run=args.dry_run))
        outbox_ids = [] if args.dry_run else report.outbox_ids
        if outbox_ids:
            if settings.slack_bot_token and settings.hiring_channel:
                delivery = deliver_pending(deps, ids=outbox_ids)
                waiting = len(delivery.retrying) + len(delivery.gave_up) + len(delivery.busy)
                print(
                    f"Slack: {len(delivery.sent)} card update(s) / file deletion(s) delivered"
                    + (f", {waiting} left to the running bot's outbox" if waiting else "")
                )
            else:
                print(
                    f"Slack: {len(outbox_ids)} card update(s) / file deletion(s) queued; "
                    "the running bot sends them"
                )
    except SQLAlchemyError as error:
        die(f"{PROG}: database error: {type(error).__name__}", 1)
    finally:
        deps.engine.dispose()
    if report.interrupted:
        return exit_codes.INTERRUPTED
    return exit_codes.FAILED if report.missing or report.failed else exit_codes.OK


def add_parsers(sub: Any) -> None:
    parser = command(
        sub,
        "purge",
        summary="anonymise applicants' personal data (due under RETENTION_DAYS, or --ref N now)",
        description="Remove applicants' personal data (name, email, texts, links, attachments, "
        "review notes)\nwhile keeping references, stages, dates and scores. Without --ref, "
        "everything RETENTION_DAYS\nmakes due; with --ref, those applications now. --dry-run "
        "shows exactly what the real run does.",
        examples=["hiring-bot purge --dry-run", "hiring-bot purge --ref 12 15"],
    )
    parser.add_argument(
        "--ref",
        type=reference,
        nargs="+",
        action="extend",
        metavar="N",
        help="application reference(s) to anonymise now, e.g. --ref 12 15",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="show what would be anonymised; change nothing"
    )


HANDLERS = {"purge": purge_command}
