"""`hiring-bot ingest | poll-mailbox | import-csv | export`: intake and export on the command line.

Each prints one line per message / row and a summary on stdout, and exits 0 when it ran (even if
some messages were rejected); 2 when it could not run (bad path, bad configuration), 1 when the
database or mailbox could not be reached. Cards for what was stored are posted by the running
bot's outbox.
"""

from __future__ import annotations

import argparse
import mailbox
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from hiring_bot.bootstrap import Deps, build_deps
from hiring_bot.cli import exit_codes
from hiring_bot.cli.help import command
from hiring_bot.cli.progress import Progress
from hiring_bot.cli.windows_notice import print_unmatched_note
from hiring_bot.db.engine import begin_write
from hiring_bot.db.migrate import upgrade
from hiring_bot.db.models import Window
from hiring_bot.domain.windows import find_window, seed_windows, window_specs
from hiring_bot.intake.draft import IntakeLimits
from hiring_bot.intake.limits import limits_for
from hiring_bot.intake.store import IngestOutcome, ingest_email
from hiring_bot.startup import die, load_settings_or_exit

MESSAGE_SUFFIXES = (".eml",)
MBOX_SUFFIXES = (".mbox",)
ACTOR = "intake:cli"
NO_POST_HELP = "backfill: store without posting a card each; one summary message instead"


# --- ingest ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One message to ingest: where it is (for the printed line) and how to read it."""

    label: str
    path: Path
    # As the mbox hands it out (typeshed says str; CPython uses int): passed back untouched.
    mbox_key: str | None = None


@dataclass
class IngestSummary:
    counts: dict[str, int] = field(
        default_factory=lambda: {"stored": 0, "duplicate": 0, "skipped": 0, "rejected": 0}
    )
    ignored_files: int = 0
    outbox_ids: list[int] = field(default_factory=list)
    stored_refs: list[int] = field(default_factory=list)
    total: int = 0
    interrupted: bool = False

    def line(self) -> str:
        total = sum(self.counts.values())
        text = (
            f"{total} message{'s' if total != 1 else ''}: {self.counts['stored']} stored, "
            f"{self.counts['duplicate']} duplicate, {self.counts['skipped']} skipped, "
            f"{self.counts['rejected']} rejected"
        )
        if self.ignored_files:
            text += f" ({self.ignored_files} other files in folders ignored)"
        if self.interrupted:
            text += (
                f"; interrupted after {total} of {self.total}: what was stored stays, "
                "run the same command again to continue"
            )
        return text


def collect(paths: list[Path]) -> tuple[list[Path], int]:
    """Files to read, in a stable order; a folder contributes its .eml and .mbox files."""
    files: list[Path] = []
    ignored = 0
    for path in paths:
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if child.suffix.lower() in MESSAGE_SUFFIXES + MBOX_SUFFIXES:
                    files.append(child)
                else:
                    ignored += 1
        else:
            files.append(path)  # named explicitly: read as a message whatever its name
    return files, ignored


def items_of(files: list[Path]) -> Iterator[Item | tuple[Path, str]]:
    """Messages in the files; (path, reason) for a file that cannot be read at all."""
    for file in files:
        if file.suffix.lower() in MBOX_SUFFIXES:
            try:
                box = mailbox.mbox(file, create=False)
                try:
                    keys = list(box.keys())
                finally:
                    box.close()
            except (OSError, mailbox.Error) as error:
                yield file, f"unreadable mbox ({type(error).__name__})"
                continue
            for index, key in enumerate(keys, start=1):
                yield Item(f"{file}#{index}", file, key)
        else:
            yield Item(str(file), file)


class _Reader:
    """Reads items in order, keeping the current mbox open instead of re-scanning it per message."""

    def __init__(self) -> None:
        self.path: Path | None = None
        self.box: mailbox.mbox | None = None

    def read(self, item: Item) -> bytes:
        if item.mbox_key is None:
            return item.path.read_bytes()
        if self.box is None or self.path != item.path:
            self.close()
            self.box, self.path = mailbox.mbox(item.path, create=False), item.path
        return self.box.get_bytes(item.mbox_key)

    def close(self) -> None:
        if self.box is not None:
            self.box.close()
        self.box = self.path = None


def ingest_paths(
    deps: Deps,
    paths: list[Path],
    *,
    out: TextIO,
    progress: TextIO | None = None,
    limits: IntakeLimits | None = None,
) -> IngestSummary:
    """Ingest every message under ``paths``; one line each on ``out``. Paths must exist.

    Messages are stored in batches: one transaction (and one commit, the costly part) per
    `BATCH_MESSAGES` messages or `BATCH_SECONDS`, whichever comes first, with a savepoint per
    message so a message that fails is rolled back alone. A line is printed only once its
    batch is committed, so what the output says was stored is stored; a run killed mid-batch
    loses that batch's uncommitted work only, and running it again stores those messages once
    (duplicates are recognised by Message-ID or content hash).
    """
    intake_limits = limits or limits_for(deps.settings)
    files, ignored = collect(paths)
    entries = list(items_of(files))
    summary = IngestSummary(ignored_files=ignored, total=len(entries))
    with deps.sessions() as session:
        windows = window_specs(session)
    bar = Progress(progress, len(entries), what="messages")
    reader = _Reader()
    batch = _Batch(deps, summary, bar, out)
    try:
        for entry in entries:
            if isinstance(entry, tuple):
                path, reason = entry
                batch.done(str(path), IngestOutcome("rejected", reason))
            else:
                raw = _read(reader, entry, intake_limits)
                if isinstance(raw, IngestOutcome):
                    batch.done(entry.label, raw)
                else:
                    outcome = _ingest_one(batch.session(), raw, windows, intake_limits, deps)
                    batch.done(entry.label, outcome)
            batch.commit_if_due()
        batch.commit()
    except KeyboardInterrupt:
        # Ctrl-C: the message in hand was rolled back with its savepoint; the batch so far stays.
        summary.interrupted = True
        batch.commit()
    finally:
        batch.close()
        reader.close()
        bar.clear()
    return summary


# Messages per transaction, and the longest a batch stays open: a commit costs as much as
# storing several messages, and a batch should not hold SQLite's write lock for long.
BATCH_MESSAGES = 200
BATCH_SECONDS = 0.25


class _Batch:
    """The open transaction and the lines waiting for its commit."""

    def __init__(self, deps: Deps, summary: IngestSummary, bar: Progress, out: TextIO) -> None:
        self.deps, self.summary, self.bar, self.out = deps, summary, bar, out
        self._session: Session | None = None
        self._opened = 0.0
        self._lines: list[tuple[str, IngestOutcome]] = []

    def session(self) -> Session:
        if self._session is None:
            self._session = self.deps.sessions()
            begin_write(self._session)
            self._opened = time.monotonic()
        return self._session

    def done(self, label: str, outcome: IngestOutcome) -> None:
        self._lines.append((label, outcome))
        if self._session is None:  # nothing written yet: say so at once
            self._report()

    def commit_if_due(self) -> None:
        if self._session is None:
            return
        if len(self._lines) >= BATCH_MESSAGES or time.monotonic() - self._opened >= BATCH_SECONDS:
            self.commit()

    def commit(self) -> None:
        if self._session is not None:
            session, self._session = self._session, None
            try:
                session.commit()
            except BaseException:
                session.rollback()
                self._lines.clear()  # not stored: nothing to report for them
                raise
            finally:
                session.close()
        self._report()

    def close(self) -> None:
        """Roll back a batch left open by an error; its lines are not printed."""
        if self._session is not None:
            self._session.rollback()
            self._session.close()
            self._session = None
            self._lines.clear()

    def _report(self) -> None:
        for label, outcome in self._lines:
            self.summary.counts[outcome.status] += 1
            if outcome.status == "stored" and outcome.outbox_id is not None:
                self.summary.outbox_ids.append(outcome.outbox_id)
            if outcome.status == "stored" and outcome.ref is not None:
                self.summary.stored_refs.append(outcome.ref)
            self.bar.clear()
            print(f"{label}: {outcome.line()}", file=self.out, flush=True)
            self.bar.advance()
        self._lines.clear()


def _read(reader: _Reader, item: Item, limits: IntakeLimits) -> bytes | IngestOutcome:
    try:
        raw = reader.read(item)
    except (OSError, mailbox.Error, KeyError) as error:
        return IngestOutcome("rejected", f"unreadable file ({type(error).__name__})")
    if len(raw) > limits.max_message_bytes:
        return IngestOutcome(
            "rejected", f"message too large ({len(raw)} bytes, limit {limits.max_message_bytes})"
        )
    return raw


def _ingest_one(
    session: Session, raw: bytes, windows: Any, limits: IntakeLimits, deps: Deps
) -> IngestOutcome:
    """One message in its own savepoint of the batch's transaction."""
    now = deps.clock.now()
    for attempt in (1, 2):
        try:
            with session.begin_nested():
                return ingest_email(
                    session, raw=raw, windows=windows, limits=limits, now=now, actor=ACTOR
                )
        except OperationalError:
            raise  # the database is gone: stop, do not report every message as rejected
        except IntegrityError as error:
            # Another process stored the same message (or candidate) first: once more finds it.
            if attempt == 2:
                return IngestOutcome("rejected", f"could not be stored ({type(error).__name__})")
        except Exception as error:  # one odd message must not stop the run; no content in the line
            return IngestOutcome("rejected", f"could not be stored ({type(error).__name__})")
    raise AssertionError("unreachable")


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
