"""The applicant's university and program (PhD, MS, BS, recent graduate), from free text."""

from __future__ import annotations

import re

__all__ = ["PROGRAMS", "find_university_and_program"]

PROGRAMS = ("PhD", "MS", "BS", "Recent graduate")
MAX_SCAN_CHARS = 400_000


def _upper_class() -> str:
    r"""A character class of the uppercase letters up to U+2FFF ("É", "Ł", "Ж" as well as A-Z):
    Python's re has no \p{Lu}, and names such as "École Polytechnique" start with one."""
    ranges: list[tuple[int, int]] = []
    for code in range(0x3000):
        if chr(code).isupper():
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    return "[" + "".join(f"{chr(a)}-{chr(b)}" if b > a else chr(a) for a, b in ranges) + "]"


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_UPPER = _upper_class()
_NAME_WORD = rf"(?:St\.|{_UPPER}[\w&'’-]*)"
# Lower-case words that sit inside school names: "of", "de", "at" ("Texas at Austin") ...
_PARTICLE = (
    r"(?:of|the|at|in|de|del|della|di|da|do|dos|das|du|des|la|le|las|los|el|y|e|et|and|&"
    r"|für|fur|van|von|zu|am)"
)
_JOIN = r"(?:[ \t]+(?:of|the|&|de|la)){0,2}[ \t]+"
# Between name words after the head word: "California, Berkeley", "Texas at Austin", "Science and
# Technology", "Nacional Autónoma de México".
_SEP = rf"(?:,[ \t]*|[ \t]+(?:{_PARTICLE}[ \t]+){{0,2}})"
_TAIL = rf"(?:{_SEP}{_NAME_WORD}){{0,5}}"
_OF_TAIL = rf"[ \t]+of(?:[ \t]+the)?[ \t]+{_NAME_WORD}{_TAIL}"
_FOREIGN_HEAD = (
    r"(?:Universidad|Universidade|Universit(?:à|a|ä|ät|at|é|e|eit|as|atea)|Uniwersytet"
    r"|[ÉE]cole|Escuela|Scuola|Institut|Instituto|Istituto|Polit[eé]cnico)(?!\w)"
)
_UNIVERSITY_RES = (
    # Well-known names the general patterns below would cut.
    re.compile(r"\bCollege[ \t]+of[ \t]+William[ \t]+(?:and|&)[ \t]+Mary\b"),
    # "University of California, Berkeley", "Universidad Nacional Autónoma de México",
    # "École Polytechnique Fédérale de Lausanne"
    re.compile(
        rf"\b(?:The[ \t]+)?(?:(?:University|College|Institute){_OF_TAIL}"
        rf"|{_FOREIGN_HEAD}(?:{_SEP}{_NAME_WORD}){{1,5}})"
    ),
    # "Stanford University", "Carnegie Mellon University", "Massachusetts Institute of Technology",
    # "Hanoi University of Science and Technology", "Technische Universität München"
    re.compile(
        rf"\b{_NAME_WORD}(?:{_JOIN}{_NAME_WORD}){{0,4}}[ \t]+"
        rf"(?:(?:University|College|Polytechnic[ \t]+Institute)(?:{_OF_TAIL})?"
        rf"|Institute{_OF_TAIL}|(?:Universität|Universiteit|Hochschule)(?:[ \t]+{_NAME_WORD})?)"
        r"(?!\w)"
    ),
    # Common short names.
    re.compile(
        r"\b(?:MIT|Caltech|CMU|UCLA|UCSD|UCSB|UCSF|UIUC|USC|NYU|UPenn|UT[ \t]+Austin"
        r"|Georgia[ \t]+Tech|Virginia[ \t]+Tech"
        r"|UC[ \t]+(?:Berkeley|Davis|Irvine|Santa[ \t]+Cruz|San[ \t]+Diego"
        r"|Santa[ \t]+Barbara|Riverside|Merced|Los[ \t]+Angeles)|ETH[ \t]+Z[uü]rich|EPFL)\b"
    ),
)
# The general patterns: a name they find may continue from the line above and may run on past an
# "and" (the known and short names stand alone).
_GENERAL = frozenset({1, 2})
_LEADING_NOISE = re.compile(r"^(?:(?:The|I|I'm|At|In|From|Dear|My)[ \t]+)+")
_TRAILING_NOISE = re.compile(
    r"(?:,?[ \t]+(?:I|I'm|We|My|The|And|In|At|As|This|It|Dear|Sincerely|Best|Thanks|Regards))+$"
)


_NOT_A_SCHOOL = re.compile(r"^(?:Numenta|Hiring|Research|Internship)\b")
# "Science and Technology" is one name; "Washington and Microsoft" is two things.
_CONJUNCTION = re.compile(r"[ \t]+(?:and|&)[ \t]+")
_FIELD_WORDS = _words(
    "science sciences technology technologies arts engineering medicine letters agriculture"
    " agricultural mechanical mathematics economics business law design music humanities"
    " education health management commerce"
)
# Line wraps. A line ending in a particle ("University of") or a line starting with one
# ("and Technology") continues the name; so does a line broken mid-sentence ("graduated from
# Carnegie" / "Mellon University") or a lone word line ("Carnegie" / "Mellon University").
# A whole line of name words ("Jane Doe" / "Stanford University") is a signature, not a wrap.
_DANGLING_END = re.compile(rf"[ \t]{_PARTICLE}[ \t]*\n(?=[ \t]*{_UPPER})")
_CONTINUED_START = re.compile(
    rf"(?<=\w)[ \t]*\n(?=[ \t]*(?:of|and|&|de|del|di|da|du|des|la|y|für)[ \t]+{_UPPER})"
)
_LINE_END_RUN = re.compile(rf"(?<![\w&'’-]){_NAME_WORD}(?:[ \t]+{_NAME_WORD})?[ \t]*\Z")
_LONE_WORD = re.compile(rf"[ \t]*{_UPPER}[^\W\d_A-Z]+[ \t]*\Z")
_NOT_A_NAME_PART = (
    _words(
        "department center centre lab laboratory labs group institute school faculty division"
        " program programme hospital foundation inc ltd company corp research neuroscience"
        " physics biology psychology education experience affiliation institution schools"
        " university college regards thanks best cheers sincerely hi hello dear signature"
        " currently formerly student candidate degree name"
    )
    | _FIELD_WORDS
)
_SIGN_OFF = re.compile(r"^[ \t]*(?:best|thanks|thank|regards|kind|cheers|sincerely|--)", re.I)
MAX_WRAP_LOOKBACK = 300

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


def find_university_and_program(
    text: str, *, resume_text: str | None = None
) -> tuple[str | None, str | None]:
    """(university, program) named in ``text``; program is one of PROGRAMS. Either may be None.

    The applicant's own words come first; ``resume_text`` only fills in what they do not name.
    """
    text = text[:MAX_SCAN_CHARS]
    university, program = _university(text), _program(text)
    if (university is None or program is None) and resume_text:
        from_resume = find_university_and_program(resume_text)
        university, program = university or from_resume[0], program or from_resume[1]
    return university, program


def _university(text: str) -> str | None:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Same-length substitutions, so match positions stay valid.
    text = _DANGLING_END.sub(lambda m: m.group(0).replace("\n", " "), text)
    text = _CONTINUED_START.sub(lambda m: m.group(0).replace("\n", " "), text)
    best: tuple[int, str] | None = None
    for index, pattern in enumerate(_UNIVERSITY_RES):
        for match in pattern.finditer(text):
            start, name = match.start(), match.group(0)
            if index in _GENERAL:
                start, name = _with_wrapped_start(text, start, name)
                name = _cut_at_conjunction(name)
            name = _LEADING_NOISE.sub("", name)
            name = _TRAILING_NOISE.sub("", name).strip(" \t,.")
            if not name or _NOT_A_SCHOOL.match(name):
                continue
            if best is None or start < best[0]:
                best = (start, name)
            break
    return best[1] if best else None


def _with_wrapped_start(text: str, start: int, name: str) -> tuple[int, str]:
    """The name with the words that end the line above, when that line break is a wrap."""
    line_start = text.rfind("\n", 0, start) + 1
    if line_start == 0 or text[line_start:start].strip(" \t"):
        return start, name
    above_start = text.rfind("\n", 0, line_start - 1) + 1
    above = text[max(above_start, line_start - 1 - MAX_WRAP_LOOKBACK) : line_start - 1]
    run = _LINE_END_RUN.search(above)
    if run is None or run.group(0).split()[-1].lower() in _NOT_A_NAME_PART:
        return start, name
    before = above[: run.start()].rstrip(" \t")
    if before:
        # Mid-sentence: "... graduated from Carnegie" / "Mellon University"; but not a resume's
        # "Ph.D. in Computational Biology" / "Stanford University".
        wrapped = before[-1].islower() and before.split()[-1] not in ("in", "of")
    else:
        # A lone word line: "Carnegie" / "Mellon University", unless it signs a letter off
        # ("Thanks," / "Jane" / "Stanford University").
        wrapped = _LONE_WORD.match(above) is not None and _after_open_line(text, above_start)
    if not wrapped:
        return start, name
    joined_start = line_start - 1 - len(above) + run.start()
    return joined_start, f"{run.group(0).strip()} {name}"


def _after_open_line(text: str, line_start: int) -> bool:
    """True at the start of the text or after a line that doesn't close a sentence or sign off."""
    if line_start == 0:
        return True
    previous = text[text.rfind("\n", 0, line_start - 1) + 1 : line_start - 1].rstrip(" \t")
    return bool(previous) and previous[-1] not in ",.;:!?" and not _SIGN_OFF.match(previous)


def _cut_at_conjunction(name: str) -> str:
    """Cut the name at an "and" that joins two things rather than two fields of study."""
    for match in _CONJUNCTION.finditer(name):
        left = (name[: match.start()].split() or [""])[-1].strip(",").lower()
        right = (name[match.end() :].split() or [""])[0].strip(",").lower()
        if left not in _FIELD_WORDS or right not in _FIELD_WORDS:
            return name[: match.start()]
    return name


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
