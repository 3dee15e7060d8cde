"""The engine of `hiring-bot ingest`: .eml / .mbox files and folders, read one message at a time,
stored in batches (one transaction per batch, a savepoint per message), one line per message."""

from __future__ import annotations

import contextlib
import mailbox
import signal
import threading
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from hiring_bot.bootstrap import Deps
from hiring_bot.cli.parse_ahead import AHEAD_BYTES, AHEAD_MESSAGES, ParseAhead, workers_for
from hiring_bot.cli.progress import Progress
from hiring_bot.db.engine import begin_write
from hiring_bot.domain.windows import window_specs
from hiring_bot.intake.draft import IntakeLimits, ParseResult
from hiring_bot.intake.limits import limits_for
from hiring_bot.intake.store import (
    IngestOutcome,
    header_message_id,
    ingest_email,
    stored_message_ids,
)

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
    workers = workers_for(len(entries))
    ahead = ParseAhead(workers, windows, intake_limits) if workers else None
    queue = _Ahead(entries, reader, intake_limits, batch, ahead)
    try:
        for entry, raw, future in queue:
            if isinstance(entry, tuple):
                path, reason = entry
                batch.done(str(path), IngestOutcome("rejected", reason))
            elif isinstance(raw, IngestOutcome):
                batch.done(entry.label, raw)
            else:
                parsed = ahead.result(future) if ahead is not None else None
                outcome = _ingest_one(batch.session(), raw, windows, intake_limits, deps, parsed)
                batch.done(entry.label, outcome)
            batch.commit_if_due()
        batch.commit()
    except KeyboardInterrupt:
        # Ctrl-C: the message in hand was rolled back with its savepoint; the batch so far stays.
        summary.interrupted = True
        # An interrupt inside a statement drops the connection with it: the batch is rolled
        # back and its lines were never printed, so the summary still holds.
        with contextlib.suppress(SQLAlchemyError):
            batch.commit()
    finally:
        batch.close()
        reader.close()
        bar.clear()
        if ahead is not None:
            ahead.close()
    return summary


Entry = Item | tuple[Path, str]


class _Ahead:
    """The entries in order, each with its bytes (or why they cannot be read) and, with a pool,
    its parse already under way for the next few.

    A message already stored is not sent to be parsed (a re-run is mostly duplicates): the
    writer's own look-up finds it again and never needs the draft.
    """

    def __init__(
        self,
        entries: list[Entry],
        reader: _Reader,
        limits: IntakeLimits,
        batch: _Batch,
        ahead: ParseAhead | None,
    ) -> None:
        self._entries = iter(entries)
        self._reader, self._limits, self._batch, self._ahead = reader, limits, batch, ahead
        self._waiting: deque[tuple[Entry, bytes | IngestOutcome, Future[ParseResult] | None]]
        self._waiting = deque()
        self._bytes = 0

    def __iter__(self) -> Iterator[tuple[Entry, bytes | IngestOutcome, Future[ParseResult] | None]]:
        while True:
            self._fill()
            if not self._waiting:
                return
            entry, raw, future = self._waiting.popleft()
            if isinstance(raw, bytes):
                self._bytes -= len(raw)
            yield entry, raw, future

    def _fill(self) -> None:
        if self._ahead is None:
            room = 1 - len(self._waiting)
        elif len(self._waiting) <= AHEAD_MESSAGES // 2:  # topped up in runs: one look-up each
            room = AHEAD_MESSAGES - len(self._waiting)
        else:
            return
        added: list[tuple[Entry, bytes | IngestOutcome]] = []
        # Bounded in bytes too (a message may be megabytes), but one is always read.
        while len(added) < room and (self._bytes < AHEAD_BYTES or not (added or self._waiting)):
            entry = next(self._entries, None)
            if entry is None:
                break
            if isinstance(entry, tuple):
                added.append((entry, IngestOutcome("rejected", entry[1])))
                continue
            raw = _read(self._reader, entry, self._limits)
            if isinstance(raw, bytes):
                self._bytes += len(raw)
            added.append((entry, raw))
        if self._ahead is None:
            self._waiting.extend((entry, raw, None) for entry, raw in added)
            return
        ids = [header_message_id(raw) if isinstance(raw, bytes) else None for _, raw in added]
        wanted = {mid for mid in ids if mid is not None}
        stored = stored_message_ids(self._batch.session(), wanted) if wanted else set()
        for (entry, raw), mid in zip(added, ids, strict=True):
            future = None
            if isinstance(raw, bytes) and (mid is None or mid not in stored):
                future = self._ahead.submit(raw)
            self._waiting.append((entry, raw, future))


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
        # Taken off the list before printing: the summary step must not print (and count) the
        # same lines again. A Ctrl-C waits for the lines of the batch: all of them are stored,
        # and one counted in the summary but never printed would make the output a liar.
        lines, self._lines = self._lines, []
        with _ctrl_c_deferred():
            self._print(lines)

    def _print(self, lines: list[tuple[str, IngestOutcome]]) -> None:
        for label, outcome in lines:
            self.summary.counts[outcome.status] += 1
            if outcome.status == "stored" and outcome.outbox_id is not None:
                self.summary.outbox_ids.append(outcome.outbox_id)
            if outcome.status == "stored" and outcome.ref is not None:
                self.summary.stored_refs.append(outcome.ref)
            self.bar.clear()
            print(f"{label}: {outcome.line()}", file=self.out, flush=True)
            self.bar.advance()


@contextlib.contextmanager
def _ctrl_c_deferred() -> Iterator[None]:
    """Ctrl-C (SIGINT) takes effect when the block ends, not inside it (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, _frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if caught and callable(previous):
            previous(signal.SIGINT, None)  # Python's own handler raises KeyboardInterrupt here


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
    session: Session,
    raw: bytes,
    windows: Any,
    limits: IntakeLimits,
    deps: Deps,
    parsed: ParseResult | None = None,
) -> IngestOutcome:
    """One message in its own savepoint of the batch's transaction."""
    now = deps.clock.now()
    for attempt in (1, 2):
        try:
            with session.begin_nested():
                return ingest_email(
                    session,
                    raw=raw,
                    windows=windows,
                    limits=limits,
                    now=now,
                    actor=ACTOR,
                    parsed=parsed,
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
