"""The engine of `hiring-bot ingest`: .eml / .mbox files and folders, read one message at a time,
stored in batches (one transaction per batch, a savepoint per message), one line per message."""

from __future__ import annotations

import mailbox
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from hiring_bot.bootstrap import Deps
from hiring_bot.cli.progress import Progress
from hiring_bot.db.engine import begin_write
from hiring_bot.domain.windows import window_specs
from hiring_bot.intake.draft import IntakeLimits
from hiring_bot.intake.limits import limits_for
from hiring_bot.intake.store import IngestOutcome, ingest_email

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
        # Taken off the list before printing: a Ctrl-C in the middle of the printing must not
        # make the summary step print (and count) the same lines again.
        lines, self._lines = self._lines, []
        for label, outcome in lines:
            self.summary.counts[outcome.status] += 1
            if outcome.status == "stored" and outcome.outbox_id is not None:
                self.summary.outbox_ids.append(outcome.outbox_id)
            if outcome.status == "stored" and outcome.ref is not None:
                self.summary.stored_refs.append(outcome.ref)
            self.bar.clear()
            print(f"{label}: {outcome.line()}", file=self.out, flush=True)
            self.bar.advance()


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
