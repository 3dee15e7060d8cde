"""`hiring-bot reminders` (what is due at an instant; show or send) and `hiring-bot windows`."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from hiring_bot.bootstrap import build_deps
from hiring_bot.cli.help import command
from hiring_bot.config import Settings
from hiring_bot.db.engine import session_scope
from hiring_bot.domain.reminder_messages import ClaimRelease, Reminder
from hiring_bot.domain.reminder_schedule import Kind
from hiring_bot.domain.reminders import Plan
from hiring_bot.domain.window_spec import WindowDef
from hiring_bot.domain.windows import sync_windows
from hiring_bot.domain.windows_file import WindowsFileError, load_windows_file
from hiring_bot.slack.blocks import render_reminder
from hiring_bot.startup import configure_logging, die, load_settings_or_exit

AT_EXAMPLE = "2018-02-21T09:00-08:00"


def parse_at(raw: str | None, settings: Settings) -> datetime:
    """ISO-8601; without an offset it is local time in HIRING_TIMEZONE. Aware UTC out."""
    if raw is None:
        return datetime.now(UTC)
    text = raw.strip()
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        die(
            f"hiring-bot reminders: --at {raw!r} is not an ISO-8601 date-time "
            f"(e.g. {AT_EXAMPLE}, or 2018-02-21T09:00 in HIRING_TIMEZONE)"
        )
    if value.tzinfo is None:
        value = value.replace(tzinfo=settings.timezone)
    return value.astimezone(UTC)


def _record(kind: Kind, key: str, target: str, text: str) -> dict[str, Any]:
    return {"kind": kind.value, "key": key, "target": target, "text": text}


def _reminder_record(reminder: Reminder) -> dict[str, Any]:
    text, _blocks = render_reminder(reminder.view)  # the text Slack shows, e.g. in notifications
    return _record(reminder.kind, reminder.key, reminder.target, text)


def _release_record(release: ClaimRelease) -> dict[str, Any]:
    return _record(release.slot.kind, release.key, release.slot.target, release.note)


def _print(records: list[dict[str, Any]], *, as_json: bool, verb: str) -> None:
    for record in records:
        if as_json:
            print(json.dumps(record, ensure_ascii=False, sort_keys=False))
        else:
            print(f"{verb} {record['kind']} to {record['target']}: {record['text']}")
            print(f"    key {record['key']}")


def reminders(args: argparse.Namespace) -> int:
    settings = load_settings_or_exit()
    if not settings.hiring_channel:
        die("hiring-bot reminders: HIRING_CHANNEL is not set: the ID (C...) of the hiring channel")
    if not args.dry_run and not settings.slack_bot_token:
        die(
            "hiring-bot reminders: SLACK_BOT_TOKEN is not set, so nothing can be sent "
            "(use --dry-run to only show what is due)"
        )
    at = parse_at(args.at, settings)
    configure_logging()
    # Real time for the outbox (locks, retries); `at` only decides what is due.
    deps = build_deps(settings)
    from hiring_bot.scheduler.jobs import plan_due, run_reminders

    try:
        if args.dry_run:
            plan = plan_due(deps, at=at)
            _show_plan(plan, as_json=args.json)
            return 0
        result = run_reminders(deps, at=at)
    except SQLAlchemyError as error:
        die(f"hiring-bot reminders: database error: {type(error).__name__}", 1)
    finally:
        deps.engine.dispose()

    report = result.report
    records = [_release_record(r) for r in report.released]
    records += [_reminder_record(r) for r in report.sent]
    # Recorded and queued here; whether Slack took them is only known from the delivery below.
    _print(records, as_json=args.json, verb="queued")
    delivery = result.delivery
    delivered = len(delivery.sent) if delivery is not None else 0
    undelivered = (delivery.retrying + delivery.gave_up) if delivery is not None else []
    elsewhere = len(delivery.busy) if delivery is not None else 0  # another process has them
    if not args.json:
        for key in report.skipped:
            print(f"already done, not sent again: {key}")
        for slot in report.dropped:
            print(f"dropped (past its grace): {slot.key}")
        print(
            f"{len(report.sent)} queued, {_claims(len(report.released))} released, "
            f"{len(report.dropped)} dropped, {len(report.skipped)} already done; "
            f"Slack: {delivered} message(s) delivered"
            + (f", {len(undelivered)} not delivered yet" if undelivered else "")
            + (f", {elsewhere} being delivered by the running bot" if elsewhere else "")
        )
    if undelivered:
        die(
            f"hiring-bot reminders: {len(undelivered)} message(s) queued but not delivered yet "
            "(Slack did not accept them); the running bot retries them",
            1,
        )
    return 0


def _show_plan(plan: Plan, *, as_json: bool) -> None:
    records = [_release_record(r) for r in plan.releases]
    records += [_reminder_record(r) for r in plan.due]
    _print(records, as_json=as_json, verb="would send")
    if not as_json:
        for slot in plan.expired:
            print(f"would drop (past its grace): {slot.key}")
        print(
            f"{len(plan.due)} due, {_claims(len(plan.releases))} to release, "
            f"{len(plan.expired)} past their grace (dry run: nothing sent or recorded)"
        )


def _claims(count: int) -> str:
    return f"{count} claim" if count == 1 else f"{count} claims"


def _window_line(window: WindowDef) -> str:
    aliases = ", ".join(window.aliases) or "-"
    return (
        f"{window.name}: applications until {window.application_deadline}, decisions by "
        f"{window.decision_deadline}, {window.starts_on} to {window.ends_on} (aliases: {aliases})"
    )


def windows(args: argparse.Namespace) -> int:
    settings = load_settings_or_exit()
    path = Path(args.file) if args.file else settings.windows_file
    try:
        specs = load_windows_file(path, timezone=settings.timezone)
    except WindowsFileError as error:
        lines = [f"hiring-bot windows: {path} refused; the windows in force are kept:"]
        lines += [f"  - {problem}" for problem in error.problems]
        die("\n".join(lines), 1)
    print(f"{path}: {len(specs)} window(s), valid (dates in {settings.timezone.key})")
    for spec in specs:
        print(f"  {_window_line(spec)}")
    if args.sync:
        deps = build_deps(settings)
        try:
            with session_scope(deps.sessions) as session:
                report = sync_windows(session, specs=specs)
        except SQLAlchemyError as error:
            die(f"hiring-bot windows: database error: {type(error).__name__}", 1)
        finally:
            deps.engine.dispose()
        print(report.summary())
    return 0


def add_parsers(sub: Any) -> None:
    parser = command(
        sub,
        "reminders",
        summary="show (--dry-run) or send the reminders due at an instant",
        description="Reminders due at --at (default: now). Each is recorded in the reminder "
        "ledger and queued,\nthen delivered before the command exits; running it again never "
        "sends a reminder twice.\nExit 1 when some were queued but Slack did not take them yet "
        "(the running bot retries).",
        examples=[
            "hiring-bot reminders --dry-run",
            f"hiring-bot reminders --at {AT_EXAMPLE} --json",
        ],
    )
    parser.add_argument(
        "--at",
        metavar="ISO-8601",
        help=f"the instant, e.g. {AT_EXAMPLE}; without an offset, local time in HIRING_TIMEZONE",
    )
    parser.add_argument("--dry-run", action="store_true", help="show what is due; send nothing")
    parser.add_argument(
        "--json",
        action="store_true",
        help="one JSON object per line: kind, key, target, text",
    )
    parser = command(
        sub,
        "windows",
        summary="validate and show the windows file (--sync: seed it into the database)",
        description="Check WINDOWS_FILE (or --file) and list its windows; --sync loads it into "
        "the database now\n(windows edited in Slack keep their Slack values).",
        examples=["hiring-bot windows", "hiring-bot windows --file next-year.toml --sync"],
    )
    parser.add_argument("--file", metavar="PATH", help="default: WINDOWS_FILE or windows.toml")
    parser.add_argument(
        "--sync",
        action="store_true",
        help="add/update the file's windows in the database (windows edited in Slack are kept)",
    )


HANDLERS = {"reminders": reminders, "windows": windows}
