"""`hiring-bot import-csv FILE`: applications collected elsewhere (a spreadsheet, an old form).

Columns (header names, any order, case-insensitive): ``name`` and ``email`` (required),
``cover_letter``, ``resume`` (path to the file, relative to the CSV's folder), ``links``
(separated by spaces, commas or semicolons), ``period``, ``eligibility``, ``id`` (your own unique
id: makes a re-import a duplicate rather than a second application) and ``received_at`` (ISO 8601
date or date-time; local time in HIRING_TIMEZONE when no offset is given).

Rows are numbered as a spreadsheet shows them: the header is row 1. Each row is stored in its own
transaction, so one bad row does not hold back the others. ``--dry-run`` checks every row,
duplicates included, and writes nothing.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from functools import partial
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from hiring_bot.domain.windows import window_specs
from hiring_bot.intake.context import IntakeContext
from hiring_bot.intake.draft import IntakeLimits, WindowSpec
from hiring_bot.intake.form import (
    FieldErrors,
    FormFields,
    build_draft,
    check_fields,
    form_source_id,
)
from hiring_bot.intake.limits import limits_for
from hiring_bot.intake.store import SOURCE_CSV, StoreResult, in_transaction, store_application

COLUMNS = (
    "name",
    "email",
    "cover_letter",
    "resume",
    "links",
    "period",
    "eligibility",
    "id",
    "received_at",
)
REQUIRED_COLUMNS = ("name", "email")
ACTOR = "intake:csv"
MAX_FIELD_CHARS = 1_000_000


class CsvImportError(Exception):
    """The file as a whole cannot be imported (missing, unreadable, no name/email columns)."""


@dataclass(frozen=True)
class RowResult:
    row: int
    status: Literal["stored", "duplicate", "error"]
    ref: int | None = None
    errors: tuple[str, ...] = ()
    outbox_id: int | None = None
    # Dry run: a duplicate of an earlier row of this file, which only the real run would store
    # (its provisional reference is rolled back and means nothing).
    of_row: int | None = None

    def line(self, *, dry_run: bool = False) -> str:
        if self.status == "stored":
            return f"row {self.row}: " + ("would be stored" if dry_run else f"stored #{self.ref}")
        if self.status == "duplicate" and self.of_row is not None:
            return f"row {self.row}: duplicate of row {self.of_row}"
        if self.status == "duplicate":
            return f"row {self.row}: duplicate of #{self.ref}"
        return f"row {self.row}: error: " + "; ".join(self.errors)


@dataclass
class ImportReport:
    rows: list[RowResult] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    outbox_ids: list[int] = field(default_factory=list)
    total: int = 0  # data rows in the file
    interrupted: bool = False

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    def summary(self, *, dry_run: bool = False) -> str:
        stored = "would be stored" if dry_run else "stored"
        return (
            f"{len(self.rows)} rows: {self.count('stored')} {stored}, "
            f"{self.count('duplicate')} duplicate, {self.count('error')} with errors"
            + (" (dry run: nothing was written)" if dry_run else "")
            + (
                f"; interrupted after {len(self.rows)} of {self.total} rows: the rows stored "
                "stay, run the same command again to continue"
                if self.interrupted
                else ""
            )
        )


def import_csv(
    deps: IntakeContext,
    *,
    path: Path,
    dry_run: bool = False,
    limits: IntakeLimits | None = None,
    on_row: Callable[[RowResult], None] | None = None,
    on_start: Callable[[ImportReport], None] | None = None,
) -> ImportReport:
    """Import every row (``on_row`` sees each result as it is made); Ctrl-C stops after the row
    in hand, and the report says so."""
    intake_limits = limits or limits_for(deps.settings)
    report = ImportReport()
    with deps.sessions() as session:
        windows = window_specs(session)
    rows = _read(path, report)
    report.total = len(rows)
    if on_start is not None:
        on_start(report)

    def record(result: RowResult) -> None:
        report.rows.append(result)
        if result.outbox_id is not None and not dry_run:
            report.outbox_ids.append(result.outbox_id)
        if on_row is not None:
            on_row(result)

    try:
        if dry_run:
            _dry_run(deps, rows, path=path, windows=windows, limits=intake_limits, record=record)
            return report
        for number, values in rows:
            work = partial(
                _row,
                deps,
                number=number,
                values=values,
                path=path,
                windows=windows,
                limits=intake_limits,
            )
            record(in_transaction(deps.sessions, work))
    except KeyboardInterrupt:
        report.interrupted = True
    return report


def _dry_run(
    deps: IntakeContext,
    rows: list[tuple[int, dict[str, str]]],
    *,
    path: Path,
    windows: list[WindowSpec],
    limits: IntakeLimits,
    record: Callable[[RowResult], None],
) -> None:
    # One transaction, rolled back: rows that repeat each other are still seen as duplicates,
    # named by the row the real run would store.
    stored_by: dict[int, int] = {}  # provisional reference -> row
    with deps.sessions() as session:
        try:
            for number, values in rows:
                result = _row(
                    deps,
                    session,
                    number=number,
                    values=values,
                    path=path,
                    windows=windows,
                    limits=limits,
                )
                if result.status == "stored" and result.ref is not None:
                    stored_by[result.ref] = number
                elif result.status == "duplicate" and result.ref in stored_by:
                    result = replace(result, of_row=stored_by[result.ref])
                record(result)
        finally:
            session.rollback()


def _read(path: Path, report: ImportReport) -> list[tuple[int, dict[str, str]]]:
    if not path.is_file():
        raise CsvImportError(f"{path}: no such file")
    csv.field_size_limit(max(csv.field_size_limit(), MAX_FIELD_CHARS))
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return list(_records(csv.reader(handle), path, report))
    except UnicodeDecodeError as error:
        raise CsvImportError(f"{path}: not UTF-8 text (save the sheet as CSV UTF-8)") from error
    except csv.Error as error:
        raise CsvImportError(f"{path}: not a readable CSV file ({error})") from error


def _records(
    reader: Iterator[list[str]], path: Path, report: ImportReport
) -> Iterator[tuple[int, dict[str, str]]]:
    header = next(reader, None)
    if header is None:
        raise CsvImportError(f"{path}: the file is empty")
    names = [h.strip().lower().replace(" ", "_").replace("-", "_") for h in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        raise CsvImportError(
            f"{path}: the header row has no {' or '.join(missing)} column "
            f"(columns: {', '.join(COLUMNS)})"
        )
    report.ignored_columns = [h for h in names if h and h not in COLUMNS]
    for index, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        yield (
            index,
            {
                name: cells[i] if i < len(cells) else ""
                for i, name in enumerate(names)
                if name in COLUMNS
            },
        )


def _row(
    deps: IntakeContext,
    session: Session,
    *,
    number: int,
    values: dict[str, str],
    path: Path,
    windows: list[WindowSpec],
    limits: IntakeLimits,
) -> RowResult:
    errors = FieldErrors()
    resume = _resume(values.get("resume", ""), path.parent, limits, errors)
    received_at = _received_at(values.get("received_at", ""), deps.settings.timezone, errors)
    fields, errors = check_fields(
        name=values.get("name"),
        email=values.get("email"),
        cover_letter=values.get("cover_letter") or None,
        resume=resume,
        links=values.get("links") or None,
        period=values.get("period") or None,
        eligibility=values.get("eligibility") or None,
        client_id=values.get("id") or None,
        received_at=received_at,
        limits=limits,
        errors=errors,
    )
    if fields is None:
        return RowResult(
            number, "error", errors=tuple(f"{k}: {v}" for k, v in errors.errors.items())
        )
    result = _store(deps, session, fields, windows, limits)
    return RowResult(number, result.outcome, ref=result.application_id, outbox_id=result.outbox_id)


def _store(
    deps: IntakeContext,
    session: Session,
    fields: FormFields,
    windows: list[WindowSpec],
    limits: IntakeLimits,
) -> StoreResult:
    draft = build_draft(fields, windows=windows, limits=limits)
    return store_application(
        session,
        draft=draft,
        source=SOURCE_CSV,
        source_id=form_source_id(fields, draft),
        received_at=fields.received_at or deps.clock.now(),
        actor=ACTOR,
    )


def _resume(
    value: str, folder: Path, limits: IntakeLimits, errors: FieldErrors
) -> tuple[str, bytes] | None:
    value = value.strip()
    if not value:
        return None
    file = (folder / value).resolve()
    if not file.is_file():
        errors.add("resume", f"no such file: {value}")
        return None
    size = file.stat().st_size
    if size > limits.max_attachment_bytes:
        errors.add("resume", f"{value} is {size} bytes; the limit is {limits.max_attachment_bytes}")
        return None
    return file.name, file.read_bytes()


def _received_at(value: str, tz: ZoneInfo, errors: FieldErrors) -> datetime | None:
    value = value.strip()
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        try:
            parsed = datetime.combine(date.fromisoformat(value), time(0))
        except ValueError:
            errors.add("received_at", f"{value!r} is not an ISO 8601 date or date-time")
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed.astimezone(ZoneInfo("UTC"))
