"""Which internship window an applicant asks for, and for how long.

``match_window`` finds the applicant's own words for the period ("Spring/Summer 2018",
"summer 2018", "Jan-Apr 2018", "January to April 2018", "winter", "starting June 2018",
"from March") and maps them to a configured window: first by the window's name and aliases, then by
dates (the window that holds at least half of the period and overlaps it most, or the window running
in the start month). Words without a year are read in each window's own years, earliest first.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from hiring_bot.intake.draft import WindowSpec

__all__ = ["find_duration", "match_window"]

MAX_SCAN_CHARS = 200_000

_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_SEASON = r"(?:winter|spring|summer|fall|autumn)"
_YEAR = r"(?:(?:19|20)\d\d|['’]\d\d)"
# (first month, last month) of each season; winter runs December to February.
_SEASON_MONTHS = {"winter": (12, 2), "spring": (3, 5), "summer": (6, 8), "fall": (9, 11)}

_SEASON_RE = re.compile(
    rf"\b(?P<s1>{_SEASON})(?:\s*(?:/|-|–|&|\+|\band\b|\bor\b)\s*(?P<s2>{_SEASON}))?"
    rf"(?:\s+(?:of\s+|in\s+)?(?P<y1>{_YEAR})(?:\s*(?:/|-|–)\s*(?P<y2>{_YEAR}|\d\d))?)?"
    r"(?![\w'’])",
    re.IGNORECASE,
)
_RANGE_RE = re.compile(
    rf"\b(?P<m1>{_MONTH})(?:\s+(?P<y1>{_YEAR}))?"
    rf"\s*(?:-|–|—|\bto\b|\bthrough\b|\bthru\b|\buntil\b|\btill\b)\s*"
    rf"(?P<m2>{_MONTH})(?:\s*,?\s+(?P<y2>{_YEAR}))?(?![\w'’])",
    re.IGNORECASE,
)
_START_RE = re.compile(
    r"\b(?:start(?:ing)?|from|begin(?:ning)?|available|availability|as\s+of|after)"
    r"(?:\s+(?:in|on|at|from|starting|the|of))*"
    r"(?:\s+(?:early|mid|late|end\s+of|beginning\s+of|middle\s+of)[\s-]*)?"
    rf"\s+(?P<m1>{_MONTH})(?:\s*,?\s+(?:of\s+)?(?P<y1>{_YEAR}))?(?![\w'’])",
    re.IGNORECASE,
)

_NUMBER = r"(?:\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a\s+few)"
_NOT_EXPERIENCE = r"(?!\s+(?:of\s+)?(?:experience|ago|of\s+work|of\s+research|prior))"
_DURATION_RES = (
    re.compile(
        rf"\b{_NUMBER}\s*(?:-|–|to|or)\s*{_NUMBER}[\s-]*(?:months?|weeks?){_NOT_EXPERIENCE}",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?:up\s+to|as\s+long\s+as|at\s+most|maximum\s+of|max\.?)\s+(?:a|one|1|two|2)"
        r"[\s-]+(?:full\s+)?years?\b",
        re.IGNORECASE,
    ),
    re.compile(r"\b(?:a|one|1)[\s-]+(?:full\s+)?year(?:[\s-]+long)?\b(?!\s+ago)", re.IGNORECASE),
    re.compile(rf"\b{_NUMBER}[\s-]*(?:months?|weeks?){_NOT_EXPERIENCE}\b", re.IGNORECASE),
)


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    text: str
    first: date | None  # first day the words point at (None: no year given, or an alias)
    last: date | None  # None for a start month ("starting June 2018")
    months: tuple[int, int] | None = None  # (first, last) month, for words without a year
    start_only: bool = False  # "starting June", "from March": a start, not a span


def match_window(text: str, windows: Sequence[WindowSpec]) -> tuple[str | None, str | None]:
    """(the applicant's words for the period, the name of the matching window) — each may be None.

    Candidates are tried in order of appearance; the first one that maps to a window wins. When none
    does, the first candidate's words are still returned (with no window).
    """
    text = text[:MAX_SCAN_CHARS]
    candidates = _candidates(text, windows)
    for candidate in candidates:
        window = _resolve(candidate, windows)
        if window is not None:
            return _clean(candidate.text), window.name
    if candidates:
        return _clean(candidates[0].text), None
    return None, None


def find_duration(text: str) -> str | None:
    """The applicant's words for how long they want to stay ("3-4 months", "up to a year")."""
    text = text[:MAX_SCAN_CHARS]
    best: re.Match[str] | None = None
    for pattern in _DURATION_RES:
        match = pattern.search(text)
        if match and (best is None or match.start() < best.start()):
            best = match
    return _clean(best.group(0)) if best else None


def _candidates(text: str, windows: Sequence[WindowSpec]) -> list[_Candidate]:
    found: list[_Candidate] = []
    for match in _SEASON_RE.finditer(text):
        if _is_verb_fall(match, text):
            continue
        first, last = _season_dates(match)
        s1 = _season_key(match.group("s1"))
        s2 = _season_key(match.group("s2") or match.group("s1"))
        months = (_SEASON_MONTHS[s1][0], _SEASON_MONTHS[s2][1])
        found.append(_Candidate(match.start(), match.end(), match.group(0), first, last, months))
    for match in _RANGE_RE.finditer(text):
        first, last = _range_dates(match)
        months = (_month_number(match.group("m1")), _month_number(match.group("m2")))
        found.append(_Candidate(match.start(), match.end(), match.group(0), first, last, months))
    for match in _START_RE.finditer(text):
        first = _month_date(match.group("m1"), match.group("y1"))
        month = _month_number(match.group("m1"))
        found.append(
            _Candidate(
                match.start("m1"), match.end(), match.group(0), first, None, (month, month), True
            )
        )
    lowered = text.lower()
    for window in windows:
        for alias in (window.name, *window.aliases):
            alias = alias.strip().lower()
            if not alias or alias not in lowered:  # a plain search rules most out cheaply
                continue
            for match in _alias_re(alias).finditer(lowered):
                words = text[match.start() : match.end()]
                found.append(_Candidate(match.start(), match.end(), words, None, None))
    # Earliest first; at the same place the longest words win.
    found.sort(key=lambda c: (c.start, -(c.end - c.start)))
    kept: list[_Candidate] = []
    for candidate in found:
        if kept and candidate.start < kept[-1].end:
            continue
        kept.append(candidate)
    return kept


@functools.lru_cache(maxsize=256)
def _alias_re(alias: str) -> re.Pattern[str]:
    """The alias as whole words; compiled once, not once per message."""
    return re.compile(rf"(?<!\w){re.escape(alias)}(?!\w)")


def _resolve(candidate: _Candidate, windows: Sequence[WindowSpec]) -> WindowSpec | None:
    words = _normal(candidate.text)
    for window in windows:
        names = {_normal(window.name), *(_normal(a) for a in window.aliases)}
        if words in names:
            return window
    # An alias inside the words ("spring/summer 2018" holds "summer 2018").
    for window in windows:
        for alias in (window.name, *window.aliases):
            alias_words = _normal(alias)
            if alias_words and alias_words in words and _alias_re(alias_words).search(words):
                return window
    if candidate.first is not None:
        return _best_window(candidate.first, candidate.last, windows)
    if candidate.months is None:
        return None
    # No year given: read the months in each window's own years, earliest window first.
    first_month, last_month = candidate.months
    for window in sorted(windows, key=lambda w: w.starts_on):
        for year in sorted({window.starts_on.year, window.ends_on.year}):
            last: date | None
            if candidate.start_only:
                first, last = date(year, first_month, 1), None
            else:
                first_year = year - 1 if last_month < first_month else year
                first, last = date(first_year, first_month, 1), _month_end(year, last_month)
            if _best_window(first, last, [window]) is not None:
                return window
    return None


def _best_window(
    first: date, last: date | None, windows: Sequence[WindowSpec]
) -> WindowSpec | None:
    """The window running on ``first`` (start month only), else the one holding most of the span."""
    if last is None:
        for window in windows:
            if window.starts_on <= first <= window.ends_on:
                return window
        return None
    best: WindowSpec | None = None
    best_overlap = ((last - first).days + 1) // 2  # at least half of the period
    for window in windows:
        overlap = (min(window.ends_on, last) - max(window.starts_on, first)).days + 1
        if overlap > best_overlap:
            best, best_overlap = window, overlap
    return best


def _is_verb_fall(match: re.Match[str], text: str) -> bool:
    """ "fall" with no year is usually the verb; keep it only as "this fall", "fall semester" ..."""
    if match.group("y1") or match.group("s2") or match.group("s1").lower() != "fall":
        return False
    before = text[max(0, match.start() - 20) : match.start()].lower()
    after = text[match.end() : match.end() + 20].lower()
    return not (
        re.search(r"\b(?:this|next|the|in|for|during|coming|upcoming)\s+$", before)
        or re.match(r"\s+(?:semester|quarter|term|internship|window|session)\b", after)
    )


def _season_dates(match: re.Match[str]) -> tuple[date | None, date | None]:
    year1 = _year(match.group("y1"))
    if year1 is None:
        return None, None
    year2 = _year(match.group("y2"), century_of=year1) or year1
    first_season = _season_key(match.group("s1"))
    last_season = _season_key(match.group("s2") or match.group("s1"))
    first_month = _SEASON_MONTHS[first_season][0]
    last_month = _SEASON_MONTHS[last_season][1]
    # Winter starts in December of the (first) year: "Winter 2017/2018" -> Dec 2017 to Feb 2018.
    # A bare "winter 2018" is ambiguous; configure it as an alias when it means January 2018.
    first = date(year1, first_month, 1)
    last_year = year2
    if last_season == "winter" and year2 == year1:
        last_year = year1 + 1
    return first, _month_end(last_year, last_month)


def _range_dates(match: re.Match[str]) -> tuple[date | None, date | None]:
    year2 = _year(match.group("y2"))
    year1 = _year(match.group("y1")) or year2
    if year1 is None or year2 is None:
        return None, None
    m1 = _month_number(match.group("m1"))
    m2 = _month_number(match.group("m2"))
    if year1 == year2 and m2 < m1 and match.group("y1") is None:
        year1 -= 1  # "Dec-Mar 2018" starts in December 2017
    return date(year1, m1, 1), _month_end(year2, m2)


def _month_date(month: str, year: str | None) -> date | None:
    number = _year(year)
    if number is None:
        return None
    return date(number, _month_number(month), 1)


def _month_number(word: str) -> int:
    return _MONTHS[word.lower().rstrip(".")[:3]]


def _month_end(year: int, month: int) -> date:
    if month == 12:
        return date(year, 12, 31)
    return date.fromordinal(date(year, month + 1, 1).toordinal() - 1)


def _year(word: str | None, *, century_of: int | None = None) -> int | None:
    if not word:
        return None
    digits = word.lstrip("'’")
    if len(digits) == 4:
        return int(digits)
    century = (century_of // 100 * 100) if century_of else 2000
    return century + int(digits)


def _season_key(word: str) -> str:
    word = word.lower()
    return "fall" if word == "autumn" else word


def _normal(words: str) -> str:
    words = words.lower().replace("–", "-").replace("’", "'")
    words = re.sub(r"\s*([/-])\s*", r"\1", words)
    return re.sub(r"\s+", " ", words).strip(" .,;:")


def _clean(words: str) -> str:
    return re.sub(r"\s+", " ", words).strip(" .,;:")
