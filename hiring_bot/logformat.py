"""One log line format for every process: plain text, logfmt or JSON lines (``LOG_FORMAT``).

Every process (the CLI, gunicorn's master and workers, its error and access logs, the clock) puts
the same formatter on its handlers, so a log search reads one format. Under Heroku (``DYNO`` is
set) no timestamp is written: Heroku's log router stamps every line itself, and two timestamps
on a line only confuse. There the default format is logfmt, the format Heroku's own router lines
use and its log add-ons parse; elsewhere it is plain text for a person at a terminal.

The formatters only lay out what the record holds: the log-safety filters (logsafety.py) have
already withheld bodies and escaped the message. Values are escaped again here (a traceback's
lines, an access line's path) so a line stays one line in every format.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from hiring_bot.controlchars import UNSAFE, escape_controls

LogFormat = Literal["plain", "logfmt", "json"]
LOG_FORMATS: tuple[LogFormat, ...] = ("plain", "logfmt", "json")
# Structured fields a record may carry (``extra={FIELDS: {...}}``), written after the message.
FIELDS = "log_fields"


@dataclass(frozen=True)
class LogStyle:
    format: LogFormat
    timestamps: bool


def log_format_problem(raw: str | None) -> str | None:
    """A configuration problem for ``LOG_FORMAT``, or None when it is empty or valid."""
    value = (raw or "").strip().lower()
    if not value or value in LOG_FORMATS:
        return None
    return f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, got {raw!r}"


def log_style(env: Mapping[str, str] | None = None) -> LogStyle:
    """The format ``LOG_FORMAT`` asks for (default: logfmt on Heroku, plain elsewhere), and whether
    to write timestamps (not on Heroku). An invalid value was already refused by the settings."""
    env = os.environ if env is None else env
    on_heroku = bool(env.get("DYNO", "").strip())
    value = env.get("LOG_FORMAT", "").strip().lower()
    chosen: LogFormat = "logfmt" if on_heroku else "plain"
    for candidate in LOG_FORMATS:
        if value == candidate:
            chosen = candidate
    return LogStyle(format=chosen, timestamps=not on_heroku)


def build_formatter(style: LogStyle) -> logging.Formatter:
    if style.format == "json":
        return JsonFormatter(timestamps=style.timestamps)
    if style.format == "logfmt":
        return LogfmtFormatter(timestamps=style.timestamps)
    return PlainFormatter(timestamps=style.timestamps)


class PlainFormatter(logging.Formatter):
    """``2026-01-05 10:00:00,123 INFO hiring_bot.x: message`` (the time left out on Heroku). Fields
    are left to the structured formats: the message says it all for a person."""

    def __init__(self, *, timestamps: bool) -> None:
        head = "%(asctime)s " if timestamps else ""
        super().__init__(f"{head}%(levelname)s %(name)s: %(message)s")


class _StructuredFormatter(logging.Formatter):
    def __init__(self, *, timestamps: bool) -> None:
        super().__init__()
        self.timestamps = timestamps

    def pairs(self, record: logging.LogRecord) -> dict[str, Any]:
        pairs: dict[str, Any] = {}
        if self.timestamps:
            stamp = datetime.fromtimestamp(record.created, UTC)
            pairs["time"] = stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        pairs["level"] = record.levelname.lower()
        pairs["logger"] = record.name
        pairs["message"] = record.getMessage()
        for key, value in _fields(record).items():
            if key not in pairs:
                pairs[key] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            pairs["exception"] = record.exc_text
        if record.stack_info:
            pairs["stack"] = record.stack_info
        return pairs


class LogfmtFormatter(_StructuredFormatter):
    """``time=… level=info logger=hiring_bot.x msg="two words" key=value``: one line a record."""

    def format(self, record: logging.LogRecord) -> str:
        pairs = self.pairs(record)
        pairs["msg"] = pairs.pop("message")
        order: list[str] = [k for k in ("time", "level", "logger", "msg") if k in pairs]
        order += [k for k in pairs if k not in order]
        return " ".join(f"{key}={_logfmt_value(pairs[key])}" for key in order)


class JsonFormatter(_StructuredFormatter):
    """One JSON object a line with ``level``, ``logger`` and ``message`` (``time`` off Heroku)."""

    def format(self, record: logging.LogRecord) -> str:
        # ensure_ascii: every control and bidi character becomes an escape; a line stays a line.
        return json.dumps(self.pairs(record), ensure_ascii=True, default=str)


_BARE = re.compile(r'^[^\s"=\\]+$')


def _logfmt_value(value: object) -> str:
    """Bare when it can be, else quoted with Go's escapes (``\\"``, ``\\n``, ``\\x1b``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = "" if value is None else str(value)
    if _BARE.match(text) and not UNSAFE.search(text):
        return text
    quoted = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escape_controls(quoted) + '"'


def _fields(record: logging.LogRecord) -> dict[str, object]:
    fields = getattr(record, FIELDS, None)
    return dict(fields) if isinstance(fields, Mapping) else {}
