"""The applicant's university and program (PhD, MS, BS, recent graduate), from free text."""

from __future__ import annotations

import re

__all__ = ["PROGRAMS", "find_university_and_program"]

PROGRAMS = ("PhD", "MS", "BS", "Recent graduate")
MAX_SCAN_CHARS = 400_000

_NAME_WORD = r"(?:St\.|[A-Z][\w&'’-]*)"
_JOIN = r"(?:[ \t]+(?:of|the|&|de|la)){0,2}[ \t]+"
_UNIVERSITY_RES = (
    # "University of California, Berkeley", "University of Texas at Austin"
    re.compile(
        rf"\b(?:The[ \t]+)?(?:University|Universit[äéà]t?|Universidad|Universit[ée])"
        rf"[ \t]+of(?:[ \t]+the)?[ \t]+{_NAME_WORD}"
        rf"(?:(?:,[ \t]*|[ \t]+(?:at|in|of)[ \t]+|[ \t]+){_NAME_WORD}){{0,3}}"
    ),
    # "Stanford University", "Carnegie Mellon University", "Massachusetts Institute of Technology"
    re.compile(
        rf"\b{_NAME_WORD}(?:{_JOIN}{_NAME_WORD}){{0,4}}[ \t]+"
        r"(?:University|Institute[ \t]+of[ \t]+Technology|Polytechnic[ \t]+Institute|College"
        r"|Institute[ \t]+of[ \t]+Science)\b"
    ),
    # Common short names.
    re.compile(
        r"\b(?:MIT|Caltech|CMU|UCLA|UCSD|UCSB|UCSF|UIUC|USC|NYU|UPenn|UT[ \t]+Austin"
        r"|Georgia[ \t]+Tech|Virginia[ \t]+Tech"
        r"|UC[ \t]+(?:Berkeley|Davis|Irvine|Santa[ \t]+Cruz|San[ \t]+Diego"
        r"|Santa[ \t]+Barbara|Riverside|Merced|Los[ \t]+Angeles)|ETH[ \t]+Z[uü]rich|EPFL)\b"
    ),
)
_LEADING_NOISE = re.compile(r"^(?:(?:The|I|I'm|At|In|From|Dear|My)[ \t]+)+")
_TRAILING_NOISE = re.compile(
    r"(?:,?[ \t]+(?:I|I'm|We|My|The|And|In|At|As|This|It|Dear|Sincerely|Best|Thanks|Regards))+$"
)
_NOT_A_SCHOOL = re.compile(r"^(?:Numenta|Hiring|Research|Internship)\b")

_PROGRAM_RES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "Recent graduate",
        re.compile(r"\brecent(?:ly)?[\s-]+grad(?:uate|uated)?\b|\bjust\s+graduated\b", re.I),
    ),
    (
        "PhD",
        re.compile(
            r"\b(?:Ph\.?\s?D\.?|doctoral|doctorate)(?:[\s-]+(?:student|candidate|program|researcher))"
            r"|\b(?:pursuing|working\s+towards?|enrolled\s+in|in)\s+(?:a|my|the)\s+Ph\.?\s?D\b",
            re.I,
        ),
    ),
    (
        "MS",
        re.compile(
            r"\b(?:master'?s|masters|M\.?S\.?c?|M\.?Eng\.?)(?:[\s-]+(?:student|candidate|program))"
            r"|\b(?:pursuing|enrolled\s+in|in)\s+(?:a|my|the)\s+(?:master'?s|M\.?S\b)",
            re.I,
        ),
    ),
    (
        "BS",
        re.compile(
            r"\b(?:undergrad(?:uate)?|bachelor'?s|B\.?S\.?c?|B\.?A\.?|B\.?Eng\.?)"
            r"(?:[\s-]+(?:student|candidate|program))|\bundergraduate\b",
            re.I,
        ),
    ),
)
# A degree named without "student" etc.; the highest one wins.
# Case-sensitive: "ms" and "bs" are ordinary words.
_DEGREE_RES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("PhD", re.compile(r"\bPh\.?\s?D\b|\bPHD\b|\b[Dd]octora(?:l|te)\b")),
    ("MS", re.compile(r"\bM\.S\.|\bMSc\b|\bMS\b|\b[Mm]aster'?s\b|\bM\.?Eng\b")),
    ("BS", re.compile(r"\bB\.S\.|\bBSc\b|\bBS\b|\b[Bb]achelor'?s\b|\bB\.?Eng\b")),
)


def find_university_and_program(text: str) -> tuple[str | None, str | None]:
    """(university, program) named in ``text``; program is one of PROGRAMS. Either may be None."""
    text = text[:MAX_SCAN_CHARS]
    return _university(text), _program(text)


def _university(text: str) -> str | None:
    best: tuple[int, str] | None = None
    for pattern in _UNIVERSITY_RES:
        for match in pattern.finditer(text):
            name = _LEADING_NOISE.sub("", match.group(0))
            name = _TRAILING_NOISE.sub("", name).strip(" \t,.")
            if not name or _NOT_A_SCHOOL.match(name):
                continue
            if best is None or match.start() < best[0]:
                best = (match.start(), name)
            break
    return best[1] if best else None


def _program(text: str) -> str | None:
    best: tuple[int, str] | None = None
    for program, pattern in _PROGRAM_RES:
        match = pattern.search(text)
        if match and (best is None or match.start() < best[0]):
            best = (match.start(), program)
    if best is not None:
        return best[1]
    for program, pattern in _DEGREE_RES:
        if pattern.search(text):
            return program
    return None
