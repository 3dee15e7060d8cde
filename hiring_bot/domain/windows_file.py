"""The windows.toml file: parsing and validating it, every problem named by line and field.

A file that does not validate is refused whole (WindowsFileError); `domain.windows` seeds the
database only from a file that passed.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hiring_bot.domain.window_spec import DATE_FIELDS, FIELDS, NAME_MAX, REQUIRED, WindowDef

_TABLE_HEADER = re.compile(r"^\s*\[\[\s*window\s*\]\]")
_ANY_HEADER = re.compile(r"^\s*\[\[?\s*[A-Za-z0-9_\"']")
_KEY_LINE = re.compile(r"^\s*([A-Za-z0-9_\-]+|\"[^\"]*\")\s*=")
_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")


class WindowsFileError(Exception):
    """The windows file was refused; each problem names the file, the line and the field."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _key_lines(text: str) -> tuple[list[int], list[dict[str, int]]]:
    """For each `[[window]]` table: its header line and the line of each key in it.

    tomllib gives values, not positions; the file is already valid TOML when this runs, so a
    line scan for headers and `key =` is enough to point at the right line.
    """
    headers: list[int] = []
    keys: list[dict[str, int]] = []
    inside = False
    for number, line in enumerate(text.splitlines(), start=1):
        if _TABLE_HEADER.match(line):
            headers.append(number)
            keys.append({})
            inside = True
        elif _ANY_HEADER.match(line):
            inside = False  # another table ends the window table
        elif inside and (match := _KEY_LINE.match(line)):
            keys[-1].setdefault(match.group(1).strip('"'), number)
    return headers, keys


def _toml_error(error: tomllib.TOMLDecodeError, text: str, source: str) -> str:
    message = str(error)
    lines = text.splitlines()
    position = _TOML_POSITION.search(message)
    reason = _TOML_POSITION.sub("", message).strip()
    if position is None:
        number = max(len(lines), 1)
        return f"{source} line {number}: TOML syntax error: {reason} (at the end of the file)"
    number = int(position.group(1))
    line = lines[number - 1] if 0 < number <= len(lines) else ""
    key = _KEY_LINE.match(line)
    where = f", field {key.group(1).strip(chr(34))!r}" if key else ""
    if "date" in reason.lower() and key:
        value = line[key.end() :].split("#", 1)[0].strip()
        return f"{source} line {number}{where}: {value!r} is not a real calendar date (YYYY-MM-DD)"
    return f"{source} line {number}{where}: TOML syntax error: {reason}"


def _as_date(value: Any) -> date | None:
    # tomllib gives `datetime` for date-times, which is a subclass of date: refuse those too.
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    return None


def _window(
    raw: Any, header_line: int, key_lines: dict[str, int], source: str, problems: list[str]
) -> WindowDef | None:
    def at(key: str | None) -> str:
        number = key_lines.get(key, header_line) if key else header_line
        return f"{source} line {number}"

    if not isinstance(raw, dict):
        problems.append(f"{at(None)}: each [[window]] must be a table")
        return None
    count = len(problems)
    for key in raw:
        if key not in FIELDS:
            problems.append(
                f"{at(key)}, field {key!r}: unknown field (expected one of {', '.join(FIELDS)})"
            )
    label = raw.get("name") if isinstance(raw.get("name"), str) else None
    who = f"window {label!r}" if label else "[[window]]"
    for key in REQUIRED:
        if key not in raw:
            problems.append(f"{at(None)}, field {key!r}: {who} is missing {key}")

    name = raw.get("name")
    if "name" in raw:
        if not isinstance(name, str) or not name.strip():
            problems.append(f"{at('name')}, field 'name': must be a non-empty string")
        elif len(name.strip()) > NAME_MAX:
            problems.append(f"{at('name')}, field 'name': at most {NAME_MAX} characters")

    aliases_raw = raw.get("aliases", [])
    aliases: list[str] = []
    if not isinstance(aliases_raw, list) or not all(isinstance(a, str) for a in aliases_raw):
        problems.append(f"{at('aliases')}, field 'aliases': must be a list of strings")
    else:
        seen: set[str] = set()
        for alias in aliases_raw:
            tidy = " ".join(alias.split())
            if tidy and tidy.casefold() not in seen:
                seen.add(tidy.casefold())
                aliases.append(tidy)

    dates: dict[str, date] = {}
    for key in DATE_FIELDS:
        if key not in raw:
            continue
        value = _as_date(raw[key])
        if value is None:
            hint = (
                f" — write it without quotes: {key} = {raw[key]}"
                if isinstance(raw[key], str)
                else ""
            )
            problems.append(f"{at(key)}, field {key!r}: must be a TOML date like 2018-02-28{hint}")
        else:
            dates[key] = value

    previous: tuple[str, date] | None = None
    for key in DATE_FIELDS:
        if key not in dates:
            continue
        if previous is not None and dates[key] < previous[1]:
            problems.append(
                f"{at(key)}, field {key!r}: {who}: {key} {dates[key].isoformat()} is before "
                f"{previous[0]} {previous[1].isoformat()} (dates must be in the order "
                f"{' <= '.join(DATE_FIELDS)})"
            )
        previous = (key, dates[key])

    if len(problems) > count or not isinstance(name, str):
        return None
    return WindowDef(
        name=" ".join(name.split()),
        aliases=tuple(aliases),
        line=header_line,
        **dates,
    )


def parse_windows(
    text: str, *, source: str = "windows.toml", timezone: ZoneInfo | None = None
) -> list[WindowDef]:
    """Validate the text of a windows file; raise WindowsFileError naming each line and field.

    An optional top-level `timezone = "America/Los_Angeles"` states which zone the dates are in;
    it must be an IANA name and agree with HIRING_TIMEZONE (`timezone`), which is what counts.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise WindowsFileError([_toml_error(error, text, source)]) from None

    problems: list[str] = []
    top_lines = _top_level_lines(text)
    for key in data:
        if key not in {"window", "timezone"}:
            number = top_lines.get(key, 1)
            problems.append(
                f"{source} line {number}, field {key!r}: unknown top-level key "
                "(expected [[window]] tables and an optional timezone)"
            )
    if "timezone" in data:
        problems.extend(
            _check_timezone(data["timezone"], top_lines.get("timezone", 1), source, timezone)
        )

    raw_windows = data.get("window", [])
    if not isinstance(raw_windows, list):
        problems.append(f"{source} line {top_lines.get('window', 1)}: use [[window]] tables")
        raw_windows = []
    headers, key_lines = _key_lines(text)
    windows: list[WindowDef] = []
    names: dict[str, WindowDef] = {}
    for index, raw in enumerate(raw_windows):
        header = headers[index] if index < len(headers) else 1
        keys = key_lines[index] if index < len(key_lines) else {}
        window = _window(raw, header, keys, source, problems)
        if window is None:
            continue
        folded = window.name.casefold()
        if folded in names:
            problems.append(
                f"{source} line {keys.get('name', header)}, field 'name': "
                f"{window.name!r} is already used by the window on line {names[folded].line}"
            )
            continue
        names[folded] = window
        windows.append(window)
    if problems:
        raise WindowsFileError(problems)
    return windows


def _top_level_lines(text: str) -> dict[str, int]:
    lines: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if _ANY_HEADER.match(line):
            if _TABLE_HEADER.match(line):
                lines.setdefault("window", number)
            break
        if match := _KEY_LINE.match(line):
            lines.setdefault(match.group(1).strip('"'), number)
    return lines


def _check_timezone(value: Any, number: int, source: str, expected: ZoneInfo | None) -> list[str]:
    where = f"{source} line {number}, field 'timezone'"
    if not isinstance(value, str):
        return [f'{where}: must be a string such as "America/Los_Angeles"']
    try:
        zone = ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return [f"{where}: {value!r} is not a known IANA time zone (e.g. America/Los_Angeles)"]
    if expected is not None and zone.key != expected.key:
        return [
            f"{where}: the file says {value!r} but HIRING_TIMEZONE is {expected.key!r}; "
            "window dates are read in HIRING_TIMEZONE — make them agree"
        ]
    return []


def load_windows_file(path: Path, *, timezone: ZoneInfo | None = None) -> list[WindowDef]:
    """Read and validate a windows file; WindowsFileError when it is missing or invalid."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise WindowsFileError([f"{path}: no such file (set WINDOWS_FILE)"]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise WindowsFileError([f"{path}: cannot be read: {error}"]) from None
    return parse_windows(text, source=path.name, timezone=timezone)
