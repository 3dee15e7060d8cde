"""The parsing pool hands every failure back to the writer, which decides the message's fate."""

from __future__ import annotations

import multiprocessing

import pytest

from hiring_bot.cli import parse_ahead
from hiring_bot.intake.draft import IntakeLimits, ParseResult

pytestmark = pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="the pool needs fork"
)


def _explode(raw: bytes, **_: object) -> ParseResult:
    raise ValueError("a parser bug on a hostile message")


def test_a_parse_that_raises_in_a_worker_is_parsed_again_by_the_writer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Forked workers inherit the patched parser: the exception happens in the worker.
    monkeypatch.setattr(parse_ahead, "parse_email", _explode)
    pool = parse_ahead.ParseAhead(1, [], IntakeLimits())
    try:
        future = pool.submit(b"From: a@example.org\r\n\r\nhello")
        assert future is not None
        assert pool.result(future) is None  # not raised here: the writer parses it itself
        assert not pool.broken  # the worker lives on for the next message
        again = pool.submit(b"From: b@example.org\r\n\r\nhello")
        assert again is not None
        assert pool.result(again) is None
    finally:
        pool.close()
