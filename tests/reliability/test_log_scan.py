"""The session-wide log scan of tests/conftest.py sees what it must (issue 10, point 6): a record
that carries a sample applicant's name, what they wrote, or a test secret, in its message, its
arguments or its traceback, and nothing else."""

from __future__ import annotations

import logging

import pytest

from tests.conftest import BOT_TOKEN, SIGNING_SECRET, _LogScan


def _record(msg: str, *args: object, exc: BaseException | None = None) -> logging.LogRecord:
    exc_info = (type(exc), exc, exc.__traceback__) if exc is not None else None
    return logging.LogRecord("hiring_bot.x", logging.DEBUG, __file__, 1, msg, args, exc_info)


@pytest.mark.parametrize(
    "record",
    [
        _record("stored %s", "Ada Lovelace"),
        _record("from <ADA@example.edu>"),
        _record("text: %r", "... a career sabbatical ..."),
        _record("signing with %s", SIGNING_SECRET),
        _record("token=%s", BOT_TOKEN),
        _record("failed", exc=ValueError("bad name 'Zenobia Quillfeather'")),
    ],
)
def test_a_record_with_candidate_data_or_a_secret_is_a_hit(record: logging.LogRecord) -> None:
    scan = _LogScan()
    scan.handle(record)
    assert scan.count == 1
    assert scan.hits


def test_ordinary_records_are_not_hits() -> None:
    scan = _LogScan()
    for record in (
        _record("stored application #%d", 42),
        _record("Sending a request: http://127.0.0.1/api/chat.update [details withheld]"),
        _record("message could not be parsed (%s)", "ValueError"),
    ):
        scan.handle(record)
    assert (scan.count, scan.hits) == (0, [])
