"""The pure text helpers of intake in one place (for the webhook, CSV import and email parser).

Each works on plain text and never raises:

- ``find_links(text) -> list[str]`` and ``normalize_link``, ``is_code_link`` (links.py)
- ``match_window(text, windows) -> (period_text, window_name)``, ``find_duration`` (periods.py)
- ``find_areas(text) -> list[str]`` (areas.py)
- ``find_university_and_program(text) -> (university, program)`` (education.py)
- ``assess_eligibility(text) -> (status, reason)`` (eligibility.py)
- ``missing_items(*, has_cover_letter, has_resume, links, period_text)`` (completeness.py)
"""

from __future__ import annotations

from hiring_bot.intake.areas import AREA_LABELS, find_areas
from hiring_bot.intake.completeness import MISSING_ORDER, missing_items
from hiring_bot.intake.education import PROGRAMS, find_university_and_program
from hiring_bot.intake.eligibility import assess_eligibility
from hiring_bot.intake.links import find_links, is_code_link, normalize_link
from hiring_bot.intake.periods import find_duration, match_window

__all__ = [
    "AREA_LABELS",
    "MISSING_ORDER",
    "PROGRAMS",
    "assess_eligibility",
    "find_areas",
    "find_duration",
    "find_links",
    "find_university_and_program",
    "is_code_link",
    "match_window",
    "missing_items",
    "normalize_link",
]
