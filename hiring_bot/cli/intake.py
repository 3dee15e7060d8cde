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
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from hiring_bot.bootstrap import Deps, build_deps
from hiring_bot.cli.runtime import die, load_settings_or_exit
from hiring_bot.cli.windows_notice import print_intake_warning
from hiring_bot.db.migrate import upgrade
from hiring_bot.db.models import Window
from hiring_bot.domain.windows import find_window, seed_windows, window_specs
from hiring_bot.intake.draft import IntakeLimits
from hiring_bot.intake.limits import limits_for
from hiring_bot.intake.store import IngestOutcome, in_transaction, ingest_email

MESSAGE_SUFFIXES = (".eml",)
MBOX_SUFFIXES = (".mbox",)
ACTOR = "intake:cli"


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

    def line(self) -> str:
        total = sum(self.counts.values())
        text = (
            f"{total} message{'s' if total != 1 else ''}: {self.counts['stored']} stored, "
            f"{self.counts['duplicate']} duplicate, {self.counts['skipped']} skipped, "
            f"{self.counts['rejected']} rejected"
        )
        if self.ignored_files:
            text += f" ({self.ignored_files} other files in folders ignored)"
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
    """Ingest every message under ``paths``; one line each on ``out``. Paths must exist."""
    intake_limits = limits or limits_for(deps.settings)
    files, ignored = collect(paths)
    entries = list(items_of(files))
    summary = IngestSummary(ignored_files=ignored)
    with deps.sessions() as session:
        windows = window_specs(session)
    bar = _Progress(progress, len(entries))
    reader = _Reader()
    try:
        for entry in entries:
            if isinstance(entry, tuple):
                path, reason = entry
                outcome = IngestOutcome("rejected", reason)
                label = str(path)
            else:
                label = entry.label
                outcome = _ingest_one(deps, reader, entry, windows, intake_limits)
            summary.counts[outcome.status] += 1
            if outcome.status == "stored" and outcome.outbox_id is not None:
                summary.outbox_ids.append(outcome.outbox_id)
            bar.clear()
            print(f"{label}: {outcome.line()}", file=out, flush=True)
            bar.advance()
    finally:
        reader.close()
        bar.clear()
    return summary


def _ingest_one(
    deps: Deps, reader: _Reader, item: Item, windows: Any, limits: IntakeLimits
) -> IngestOutcome:
    try:
        raw = reader.read(item)
    except (OSError, mailbox.Error, KeyError) as error:
        return IngestOutcome("rejected", f"unreadable file ({type(error).__name__})")
    if len(raw) > limits.max_message_bytes:
        return IngestOutcome(
            "rejected", f"message too large ({len(raw)} bytes, limit {limits.max_message_bytes})"
        )
    now = deps.clock.now()
    try:
        return in_transaction(
            deps.sessions,
            lambda session: ingest_email(
                session, raw=raw, windows=windows, limits=limits, now=now, actor=ACTOR
            ),
        )
    except OperationalError:
        raise  # the database is gone: stop, do not report every message as rejected
    except Exception as error:  # one odd message must not stop the run; no content in the line
        return IngestOutcome("rejected", f"could not be stored ({type(error).__name__})")


class _Progress:
    """`[#####.....] 12/40` on stderr, only when stderr is a terminal."""

    WIDTH = 30

    def __init__(self, stream: TextIO | None, total: int) -> None:
        self.stream = stream if stream is not None and _isatty(stream) else None
        self.total = total
        self.done = 0

    def advance(self) -> None:
        self.done += 1
        if self.stream is None or self.total < 2:
            return
        filled = self.WIDTH * self.done // self.total
        bar = "#" * filled + "." * (self.WIDTH - filled)
        self.stream.write(f"\r[{bar}] {self.done}/{self.total}")
        self.stream.flush()

    def clear(self) -> None:
        if self.stream is not None and self.done:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _prepared_deps(command: str, *, intake: bool = True) -> Deps:
    """Settings, the database at the latest schema, and the windows seeded if there are none;
    for intake, one warning when applications would match no window."""
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
    if intake:
        print_intake_warning(deps, command)
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
    except OperationalError as error:
        die(f"hiring-bot ingest: the database could not be reached ({_reason(error)})", 1)
    finally:
        deps.engine.dispose()
    print(summary.line())
    return 0


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
    try:
        report = poll_mailbox(deps, url=url)
    except MailboxError as error:
        die(f"hiring-bot poll-mailbox: {error}", 1)
    except OSError as error:
        die(f"hiring-bot poll-mailbox: connection lost ({type(error).__name__}); run it again", 1)
    finally:
        deps.engine.dispose()
    for uid, outcome in report.outcomes:
        print(f"uid {uid}: {outcome.line()}")
    print(report.summary())
    return 0


# --- import-csv -----------------------------------------------------------------------------------


def import_csv_command(args: argparse.Namespace) -> int:
    from hiring_bot.intake.csv_import import CsvImportError, import_csv

    path = Path(args.file)
    if not path.is_file():
        die(f"hiring-bot import-csv: no such file: {path}")
    deps = _prepared_deps("import-csv")
    try:
        report = import_csv(deps, path=path, dry_run=args.dry_run)
    except CsvImportError as error:
        die(f"hiring-bot import-csv: {error}")
    finally:
        deps.engine.dispose()
    if report.ignored_columns:
        print(f"ignored columns: {', '.join(report.ignored_columns)}", file=sys.stderr)
    for row in report.rows:
        print(row.line(dry_run=args.dry_run))
    print(report.summary(dry_run=args.dry_run))
    return 0


# --- export ---------------------------------------------------------------------------------------


def export(args: argparse.Namespace) -> int:
    from hiring_bot.intake.export import export_records, write_csv, write_json

    deps = _prepared_deps("export", intake=False)
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
            records = export_records(session, window_id=window_id)
    finally:
        deps.engine.dispose()
    (write_json if args.format == "json" else write_csv)(records, sys.stdout)
    return 0


def add_parsers(sub: Any) -> None:
    p = sub.add_parser("ingest", help="store applications from .eml / .mbox files and folders")
    p.add_argument("paths", nargs="+", metavar="PATH", help=".eml or .mbox file, or a folder")
    sub.add_parser("poll-mailbox", help="one IMAP polling pass over IMAP_URL")
    p = sub.add_parser("import-csv", help="store applications from a CSV file")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
    p = sub.add_parser("export", help="one record per application, as CSV or JSON")
    p.add_argument("--format", choices=("csv", "json"), default="csv")
    p.add_argument("--window", metavar="NAME", help="only this window's applications")


HANDLERS = {
    "ingest": ingest,
    "poll-mailbox": poll,
    "import-csv": import_csv_command,
    "export": export,
}
