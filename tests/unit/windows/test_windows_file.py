"""windows.toml: the shipped file is valid; bad files are refused naming the line and the field."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hiring_bot.domain.calendar import deadline_instant
from hiring_bot.domain.windows_file import WindowsFileError, load_windows_file, parse_windows

REPO = Path(__file__).resolve().parents[3]
LA = ZoneInfo("America/Los_Angeles")

GOOD = """\
# two windows
[[window]]
name = "Winter 2017/2018"
aliases = ["winter", "Winter", "jan-apr 2018"]
application_deadline = 2017-10-31
decision_deadline = 2017-11-30
starts_on = 2018-01-08
ends_on = 2018-04-27

[[window]]
name = "Spring/Summer 2018"
aliases = [
  "spring 2018",
  "summer 2018",
]
application_deadline = 2018-02-28
decision_deadline = 2018-03-31
starts_on = 2018-05-14
ends_on = 2018-08-31
"""


def problems(text: str, **kwargs: object) -> list[str]:
    with pytest.raises(WindowsFileError) as caught:
        parse_windows(text, **kwargs)  # type: ignore[arg-type]
    return caught.value.problems


def test_the_shipped_file_holds_the_postings_two_windows() -> None:
    windows = load_windows_file(REPO / "windows.toml", timezone=LA)
    assert [w.name for w in windows] == ["Winter 2017/2018", "Spring/Summer 2018"]
    spring = windows[1]
    assert (spring.application_deadline, spring.starts_on) == (date(2018, 2, 28), date(2018, 5, 14))
    assert "summer 2018" in spring.aliases


def test_good_file_parses_with_multiline_arrays_and_deduplicated_aliases() -> None:
    winter, spring = parse_windows(GOOD)
    assert winter.aliases == ("winter", "jan-apr 2018")
    assert spring.aliases == ("spring 2018", "summer 2018")
    assert (winter.line, spring.line) == (2, 10)


def test_out_of_order_deadlines_name_the_line_and_field() -> None:
    text = GOOD.replace("decision_deadline = 2018-03-31", "decision_deadline = 2018-02-01")
    assert problems(text) == [
        "windows.toml line 17, field 'decision_deadline': window 'Spring/Summer 2018': "
        "decision_deadline 2018-02-01 is before application_deadline 2018-02-28 "
        "(dates must be in the order application_deadline <= decision_deadline <= starts_on "
        "<= ends_on)"
    ]


def test_impossible_date_is_refused_with_line_and_field() -> None:
    text = GOOD.replace("application_deadline = 2018-02-28", "application_deadline = 2018-02-30")
    assert problems(text) == [
        "windows.toml line 16, field 'application_deadline': '2018-02-30' is not a real "
        "calendar date (YYYY-MM-DD)"
    ]


def test_toml_syntax_error_names_the_line() -> None:
    text = GOOD.replace('name = "Winter 2017/2018"', 'name = "Winter 2017/2018')
    (problem,) = problems(text)
    assert problem.startswith("windows.toml line 3, field 'name': TOML syntax error:")


def test_unknown_time_zone_is_refused_with_line_and_field() -> None:
    assert problems('timezone = "America/Atlantis"\n' + GOOD) == [
        "windows.toml line 1, field 'timezone': 'America/Atlantis' is not a known IANA time "
        "zone (e.g. America/Los_Angeles)"
    ]


def test_time_zone_must_agree_with_hiring_timezone() -> None:
    assert parse_windows('timezone = "America/Los_Angeles"\n' + GOOD, timezone=LA)
    (problem,) = problems('timezone = "Europe/Paris"\n' + GOOD, timezone=LA)
    assert problem.startswith("windows.toml line 1, field 'timezone': the file says 'Europe/Paris'")


def test_missing_and_unknown_fields_and_quoted_dates() -> None:
    text = """\
[[window]]
name = "A"
application_deadline = "2018-01-01"
starts_on = 2018-05-01
ends_on = 2018-08-01
colour = "blue"
"""
    assert problems(text, source="w.toml") == [
        "w.toml line 6, field 'colour': unknown field (expected one of name, aliases, "
        "application_deadline, decision_deadline, starts_on, ends_on)",
        "w.toml line 1, field 'decision_deadline': window 'A' is missing decision_deadline",
        "w.toml line 3, field 'application_deadline': must be a TOML date like 2018-02-28 — "
        "write it without quotes: application_deadline = 2018-01-01",
    ]


def test_duplicate_names_are_refused() -> None:
    text = GOOD.replace('name = "Spring/Summer 2018"', 'name = "winter 2017/2018"')
    (problem,) = problems(text)
    assert problem.startswith("windows.toml line 11, field 'name': 'winter 2017/2018' is already")


def test_missing_file_is_a_clear_problem(tmp_path: Path) -> None:
    with pytest.raises(WindowsFileError, match="no such file"):
        load_windows_file(tmp_path / "nope.toml")


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2018, 2, 28), datetime(2018, 3, 1, 8, 0, tzinfo=UTC)),  # PST: UTC-8
        (date(2018, 3, 10), datetime(2018, 3, 11, 8, 0, tzinfo=UTC)),  # midnight still PST
        (date(2018, 3, 11), datetime(2018, 3, 12, 7, 0, tzinfo=UTC)),  # PDT from 11 March
        (date(2018, 11, 3), datetime(2018, 11, 4, 7, 0, tzinfo=UTC)),
        (date(2018, 11, 4), datetime(2018, 11, 5, 8, 0, tzinfo=UTC)),
    ],
)
def test_deadline_is_the_next_local_midnight(day: date, expected: datetime) -> None:
    assert deadline_instant(day, LA) == expected
