"""`hiring-bot ingest | poll-mailbox | import-csv | export`: intake and export on the command line.

Each prints one line per message / row and a summary on stdout, and exits 0 when it ran (even if
some messages were rejected); 2 when it could not run (bad path, bad configuration), 1 when the
database or mailbox could not be reached. Cards for what was stored are posted by the running
bot's outbox.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from hiring_bot.bootstrap import Deps, build_deps
from hiring_bot.cli import exit_codes
from hiring_bot.cli.help import command
from hiring_bot.cli.ingest_files import NO_POST_HELP, ingest_paths
from hiring_bot.cli.progress import Progress
from hiring_bot.cli.windows_notice import print_unmatched_note
from hiring_bot.db.migrate import upgrade
from hiring_bot.db.models import Window
from hiring_bot.domain.windows import find_window, seed_windows
from hiring_bot.intake.store import IngestOutcome
from hiring_bot.startup import die, load_settings_or_exit


def _prepared_deps(command: str) -> Deps:
    """Settings, the database at the latest schema, and the windows seeded if there are none."""
    settings = load_settings_or_exit()
    deps = build_deps(settings)
    try:
        upgrade(deps.engine)
        with deps.sessions() as session:
            has_windows = session.scalar(select(func.count(Window.id))) or 0
        if not has_windows and settings.windows_file.is_file():
            seed_windows(deps.sessions, path=settings.windows_file, timezone=settings.timezone)
    except OperationalError as error:
        die(f"hiring-bot {command}: the database could not be reached ({_reason(error)})", 1)
    return deps


def _reason(error: OperationalError) -> str:
    return str(error.orig).splitlines()[0][:200] if error.orig is not None else "unknown"


def ingest(args: argparse.Namespace) -> int:
    paths = [Path(p) for p in args.paths]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        die(f"hiring-bot ingest: no such file or folder: {', '.join(missing)}")
    deps = _prepared_deps("ingest")
    try:
        summary = ingest_paths(deps, paths, out=sys.stdout, progress=sys.stderr)
        print(summary.line(), flush=True)
        if args.no_post:
            _backfill_note(deps, "ingest", summary.stored_refs)
        print_unmatched_note(deps, "ingest", summary.stored_refs)
    except OperationalError as error:
        die(f"hiring-bot ingest: the database could not be reached ({_reason(error)})", 1)
    finally:
        deps.engine.dispose()
    # Rejected messages are the mailbox's content, not a failure of the run (DESIGN.md).
    return exit_codes.INTERRUPTED if summary.interrupted else exit_codes.OK


def _backfill_note(deps: Deps, command: str, refs: list[int]) -> None:
    from hiring_bot.cli.backfill import hold_cards

    held = hold_cards(deps, refs=refs, command=command)
    print(
        f"--no-post: {held} card(s) held, not posted; one summary message queued for the channel",
        flush=True,
    )


# --- poll-mailbox ---------------------------------------------------------------------------------


def poll(_args: argparse.Namespace) -> int:
    from hiring_bot.intake.mailbox import MailboxError, parse_imap_url, poll_mailbox

    settings = load_settings_or_exit()
    url = settings.imap_url
    if not url:
        die("hiring-bot poll-mailbox: IMAP_URL is not set (e.g. imaps://user:pass@host/INBOX)")
    try:
        parse_imap_url(url)
    except MailboxError as error:
        die(f"hiring-bot poll-mailbox: {error}")
    deps = _prepared_deps("poll-mailbox")
    bar = Progress(sys.stderr, 0, what="messages")

    def show(uid: int, outcome: IngestOutcome, total: int) -> None:
        bar.total = total
        bar.clear()
        print(f"uid {uid}: {outcome.line()}", flush=True)
        bar.advance()

    try:
        report = poll_mailbox(deps, url=url, on_outcome=show)
    except MailboxError as error:
        die(f"hiring-bot poll-mailbox: {error}", 1)
    except OSError as error:
        die(f"hiring-bot poll-mailbox: connection lost ({type(error).__name__}); run it again", 1)
    finally:
        bar.clear()
        deps.engine.dispose()
    print(report.summary(), flush=True)
    print_unmatched_note(deps, "poll-mailbox", report.stored)
    deps.engine.dispose()
    return exit_codes.INTERRUPTED if report.interrupted else exit_codes.OK


# --- import-csv -----------------------------------------------------------------------------------


def import_csv_command(args: argparse.Namespace) -> int:
    from hiring_bot.intake.csv_import import CsvImportError, ImportReport, RowResult, import_csv

    path = Path(args.file)
    if not path.is_file():
        die(f"hiring-bot import-csv: no such file: {path}")
    deps = _prepared_deps("import-csv")
    bar: Progress | None = None

    def show(row: RowResult) -> None:
        if bar is not None:
            bar.clear()
        print(row.line(dry_run=args.dry_run), flush=True)
        if bar is not None:
            bar.advance()

    def started(report: ImportReport) -> None:
        nonlocal bar
        if report.ignored_columns:
            print(f"ignored columns: {', '.join(report.ignored_columns)}", file=sys.stderr)
        bar = Progress(sys.stderr, report.total, what="rows")

    try:
        report = import_csv(deps, path=path, dry_run=args.dry_run, on_row=show, on_start=started)
        if bar is not None:
            bar.clear()
        print(report.summary(dry_run=args.dry_run), flush=True)
        if not args.dry_run:
            stored = [r.ref for r in report.rows if r.status == "stored" and r.ref is not None]
            if args.no_post:
                _backfill_note(deps, "import-csv", stored)
            print_unmatched_note(deps, "import-csv", stored)
    except CsvImportError as error:
        die(f"hiring-bot import-csv: {error}")
    finally:
        deps.engine.dispose()
    if report.interrupted:
        return exit_codes.INTERRUPTED
    # A refused row is work not done: a script (or a person) must not take it for a clean run.
    return exit_codes.FAILED if report.count("error") else exit_codes.OK


# --- export ---------------------------------------------------------------------------------------


def export(args: argparse.Namespace) -> int:
    from hiring_bot.intake.export import export_records, write_csv, write_json

    deps = _prepared_deps("export")
    try:
        with deps.sessions() as session:
            window_id = None
            if args.window:
                window = find_window(session, args.window)
                if window is None:
                    names = [w.name for w in session.scalars(select(Window).order_by(Window.id))]
                    die(
                        f"hiring-bot export: no window named {args.window!r}; windows: "
                        + (", ".join(names) or "none")
                    )
                window_id = window.id
            reviewers = _reviewer_names(deps, session, window_id=window_id)
            records = export_records(
                session, window_id=window_id, names=reviewers, with_notes=args.with_notes
            )
    finally:
        deps.engine.dispose()
    (write_json if args.format == "json" else write_csv)(records, sys.stdout)
    return 0


def _reviewer_names(deps: Deps, session: Any, *, window_id: int | None) -> dict[str, str]:
    """Names from Slack (users.info, once per reviewer) when a bot token is set; else IDs only."""
    from hiring_bot.db.models import Application, Review
    from hiring_bot.slack.user_names import resolve_names

    if not deps.settings.slack_bot_token:
        return {}
    query = select(Review.reviewer_id).distinct()
    if window_id is not None:
        query = query.join(Application).where(Application.window_id == window_id)
    return resolve_names(deps.client, session.scalars(query))


def add_parsers(sub: Any) -> None:
    p = command(
        sub,
        "ingest",
        summary="store applications from .eml / .mbox files and folders",
        description="One line per message naming its file (stored / duplicate / skipped / "
        "rejected, with the reason)\nand a summary; progress with rate and ETA on a terminal. "
        "Ctrl-C stops after the message in hand,\nprints the summary so far and exits 130; run "
        "it again to continue (duplicates are recognised).\nExit 0 when it ran, even if some "
        "messages were rejected.",
        examples=[
            "hiring-bot ingest inbox-export/",
            "hiring-bot ingest --no-post 2018-applications.mbox   # backfill an archive",
        ],
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help=".eml or .mbox file, or a folder")
    p.add_argument("--no-post", action="store_true", help=NO_POST_HELP)
    command(
        sub,
        "poll-mailbox",
        summary="one IMAP polling pass over IMAP_URL",
        description="Fetch unseen messages from IMAP_URL once, store them as `ingest` does and "
        "mark them seen.\nThe running bot polls on its own schedule; this is for a manual pass.",
        examples=["IMAP_URL=imaps://jobs:secret@imap.example.org/INBOX hiring-bot poll-mailbox"],
    )
    p = command(
        sub,
        "import-csv",
        summary="store applications from a CSV file",
        description="Columns: name, email (required), cover_letter, resume, links, period, "
        "eligibility, id, received_at.\nOne line per row and a summary; exit 1 when any row was "
        "refused. --dry-run checks every row\nand writes nothing, and says exactly what the real "
        "run would do.",
        examples=[
            "hiring-bot import-csv old-form.csv --dry-run",
            "hiring-bot import-csv old-form.csv",
        ],
    )
    p.add_argument("file", metavar="FILE")
    p.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
    p.add_argument("--no-post", action="store_true", help=NO_POST_HELP)
    p = command(
        sub,
        "export",
        summary="one record per application, as CSV or JSON",
        description="For spreadsheets and decision meetings: one record per application, oldest "
        'first.\nJSON is one array; CSV joins lists with " | ".',
        examples=[
            "hiring-bot export --format csv > applications.csv",
            "hiring-bot export --format json --window 'Spring/Summer 2018' --with-notes",
        ],
    )
    p.add_argument("--format", choices=("csv", "json"), default="csv")
    p.add_argument("--window", metavar="NAME", help="only this window's applications")
    p.add_argument(
        "--with-notes",
        action="store_true",
        help="include reviewers' private notes (for the decision meeting only)",
    )


HANDLERS = {
    "ingest": ingest,
    "poll-mailbox": poll,
    "import-csv": import_csv_command,
    "export": export,
}
