"""Work-eligibility statements the posting asks for.

The posting can only consider applicants who are US citizens, Green Card holders (permanent
residents), Canadian or Mexican (NAFTA) citizens, or enrolled at a US university. Being on an F-1
student visa (or asking for CPT/OPT) implies enrolment at a US university.
"""

from __future__ import annotations

import re

__all__ = ["assess_eligibility"]

MAX_SCAN_CHARS = 400_000
NO_STATEMENT = "no eligibility statement"
ASKS_SPONSORSHIP = "asks for visa sponsorship"
NO_SPONSORSHIP_NEEDED = "says no visa sponsorship is needed, but gives no eligibility statement"

_US = r"(?:U\.?\s?S\.?(?:A\.?)?|United\s+States|American)"
_QUALIFYING: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "states US citizenship",
        re.compile(
            rf"\b{_US}[\s-]+(?:born\s+)?citizen(?:ship)?\b|\bcitizen\s+of\s+(?:the\s+)?{_US}",
            re.IGNORECASE,
        ),
    ),
    (
        "states Green Card / permanent residence",
        re.compile(
            r"\bgreen[\s-]*card|\b(?:lawful\s+|US\s+|U\.S\.\s+)?permanent\s+residen(?:t|ce|cy)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "states Canadian citizenship",
        re.compile(r"\bCanadian\s+(?:citizen|national)|\bcitizen\s+of\s+Canada\b", re.IGNORECASE),
    ),
    (
        "states Mexican citizenship",
        re.compile(r"\bMexican\s+(?:citizen|national)|\bcitizen\s+of\s+Mexico\b", re.IGNORECASE),
    ),
    ("states NAFTA citizenship", re.compile(r"\bNAFTA\s+(?:citizen|national)", re.IGNORECASE)),
    (
        "enrolled at a US university",
        re.compile(
            rf"\benrolled\s+(?:at|in)\s+(?:a\s+)?{_US}[\s-]+(?:based\s+)?"
            r"(?:university|college|school|institution|program)"
            rf"|\bstudent\s+at\s+(?:a\s+)?{_US}[\s-]+(?:based\s+)?(?:university|college)"
            r"|\bF-?1\s+(?:visa|status|student)|\b(?:CPT|OPT)\b",
            re.IGNORECASE,
        ),
    ),
)
_SPONSORSHIP = re.compile(
    r"\b(?:visa|H-?1B|work\s+(?:visa|permit|authori[sz]ation))\s+sponsor"
    r"|\bsponsor(?:ship)?\s+(?:(?:for|of)\s+)?(?:a|my|an)?\s*(?:work\s+|H-?1B\s+|J-?1\s+)?visa"
    r"|\b(?:require|need|needs|requires|requiring|needing|seek|seeking)\s+(?:visa\s+)?sponsorship"
    r"|\bsponsor\s+(?:me|my)\b",
    re.IGNORECASE,
)
# A negation at most two words before the statement: "not a US citizen", "do not need sponsorship".
_NEGATION = re.compile(
    r"(?:\bnot|n't|\bno|\bnever|\bneither|\bnor|\bwithout)(?:\s+[\w-]+){0,2}\s*$",
    re.IGNORECASE,
)
_NON_PREFIX = re.compile(r"\bnon[\s-]*$", re.IGNORECASE)


def assess_eligibility(text: str) -> tuple[str, str]:
    """("eligible" | "ineligible" | "unknown", reason) from what the applicant says about status."""
    text = text[:MAX_SCAN_CHARS]
    for reason, pattern in _QUALIFYING:
        for match in pattern.finditer(text):
            if not _negated(text, match.start()):
                return "eligible", reason
    sponsorship = list(_SPONSORSHIP.finditer(text))
    if any(not _negated(text, m.start()) for m in sponsorship):
        return "ineligible", ASKS_SPONSORSHIP
    if sponsorship:
        return "unknown", NO_SPONSORSHIP_NEEDED
    return "unknown", NO_STATEMENT


def _negated(text: str, start: int) -> bool:
    before = text[max(0, start - 40) : start]
    return bool(_NEGATION.search(before) or _NON_PREFIX.search(before))
