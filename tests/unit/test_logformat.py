"""LOG_FORMAT: every format parses back, one record a line, no timestamp under Heroku, and the
log-safety escaping holds in each."""

from __future__ import annotations

import ast
import io
import json
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from hiring_bot.config import ConfigError, load_settings
from hiring_bot.logformat import FIELDS, LogStyle, build_formatter, log_style
from hiring_bot.logsafety import EscapeControls

HOSTILE = "evil\n2026-01-01 INFO hiring_bot: FORGED \x1b[31m \u202e end"
_PAIR = re.compile(r'([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|[^\s"=]*)(?: |$)')


def parse_logfmt(line: str) -> dict[str, str]:
    """A strict logfmt reader: the whole line must be key=value pairs, quoted values unescaped."""
    pairs: dict[str, str] = {}
    position = 0
    while position < len(line):
        match = _PAIR.match(line, position)
        assert match is not None, f"not logfmt at {position}: {line!r}"
        key, value = match.groups()
        pairs[key] = ast.literal_eval(value) if value.startswith('"') else value
        position = match.end()
    return pairs


@contextmanager
def logger_in(style: LogStyle) -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(build_formatter(style))
    handler.addFilter(EscapeControls())  # what install_log_safety puts on every handler
    logger = logging.getLogger("hiring_bot.test_logformat")
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    try:
        yield logger, stream
    finally:
        logger.removeHandler(handler)
        logger.propagate = True


def _log_three(logger: logging.Logger) -> None:
    logger.info("stored application %s in window %s", 7, "spring 2027")
    logger.warning("from outside: %s", HOSTILE, extra={FIELDS: {"path": "/a b\n", "status": 404}})
    try:
        raise KeyError("key\nFORGED line")
    except KeyError:
        logger.exception("job failed")


@pytest.mark.parametrize("timestamps", [True, False])
def test_json_lines_are_valid_json_with_level_logger_and_message(timestamps: bool) -> None:
    with logger_in(LogStyle("json", timestamps=timestamps)) as (logger, stream):
        _log_three(logger)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 3  # the traceback too stays on its record's line
    records = [json.loads(line) for line in lines]
    assert [r["level"] for r in records] == ["info", "warning", "error"]
    assert {r["logger"] for r in records} == {"hiring_bot.test_logformat"}
    assert records[0]["message"] == "stored application 7 in window spring 2027"
    assert records[1]["path"] == "/a b\n"
    assert records[1]["status"] == 404
    assert "Traceback" in records[2]["exception"]
    assert all(("time" in r) == timestamps for r in records)


@pytest.mark.parametrize("timestamps", [True, False])
def test_logfmt_lines_are_key_value_pairs_with_quoting(timestamps: bool) -> None:
    with logger_in(LogStyle("logfmt", timestamps=timestamps)) as (logger, stream):
        _log_three(logger)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 3
    records = [parse_logfmt(line) for line in lines]
    assert lines[0].startswith("time=" if timestamps else "level=info ")
    assert records[0]["msg"] == "stored application 7 in window spring 2027"
    assert [r["level"] for r in records] == ["info", "warning", "error"]
    assert records[1]["path"] == "/a b\n"
    assert records[1]["status"] == "404"
    assert records[2]["msg"] == "job failed"
    assert "Traceback" in records[2]["exception"]
    assert all(("time" in r) == timestamps for r in records)


@pytest.mark.parametrize("timestamps", [True, False])
def test_plain_lines_have_the_time_only_off_heroku(timestamps: bool) -> None:
    with logger_in(LogStyle("plain", timestamps=timestamps)) as (logger, stream):
        logger.info("hello")
    line = stream.getvalue().rstrip("\n")
    assert line.endswith("INFO hiring_bot.test_logformat: hello")
    assert bool(re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", line)) == timestamps
    assert line.startswith("INFO ") != timestamps


@pytest.mark.parametrize("fmt", ["plain", "logfmt", "json"])
def test_control_characters_never_reach_the_log_raw(fmt: str) -> None:
    with logger_in(LogStyle(fmt, timestamps=True)) as (logger, stream):  # type: ignore[arg-type]
        _log_three(logger)
    text = stream.getvalue()
    for raw in ("\x1b", "\u202e", "\r"):
        assert raw not in text
    assert not any(line.startswith(("2026-01-01", "FORGED")) for line in text.splitlines())
    # The escaped form is still there to read.
    assert "\\x1b" in text
    assert "\\u202e" in text


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, LogStyle("plain", timestamps=True)),
        ({"LOG_FORMAT": "json"}, LogStyle("json", timestamps=True)),
        ({"LOG_FORMAT": " LogFmt "}, LogStyle("logfmt", timestamps=True)),
        ({"DYNO": "web.1"}, LogStyle("logfmt", timestamps=False)),
        ({"DYNO": "web.1", "LOG_FORMAT": "plain"}, LogStyle("plain", timestamps=False)),
        ({"DYNO": "clock.1", "LOG_FORMAT": "json"}, LogStyle("json", timestamps=False)),
    ],
)
def test_the_style_follows_log_format_and_heroku(env: dict[str, str], expected: LogStyle) -> None:
    assert log_style(env) == expected


def test_settings_refuse_an_unknown_log_format_by_name() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({"LOG_FORMAT": "xml"})
    assert any("LOG_FORMAT must be one of plain, logfmt, json" in p for p in caught.value.problems)
    assert load_settings({"LOG_FORMAT": "json"}).log_format == "json"
    assert load_settings({"DYNO": "web.1"}).log_format == "logfmt"
