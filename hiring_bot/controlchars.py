"""Characters that let text pretend to be something else: line breaks, terminal controls, bidi.

Pure functions shared by the log filters (which escape them so a log line stays one line) and the
intake checks (which drop them from names and filenames so ``resume\u202efdp.exe`` cannot pose as
a PDF). Nothing here knows about logging, HTTP or Slack.
"""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, Unicode line/paragraph separators (U+2028/9 end a line in many
# viewers), and the bidirectional embeddings, overrides, isolates and marks that reorder text.
_CONTROLS = "\x00-\x1f\x7f-\x9f\u2028\u2029"
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
UNSAFE = re.compile(f"[{_CONTROLS}{_BIDI}]")
# For multi-line text (a cover letter) tabs and line breaks are content, the rest is not.
_UNSAFE_IN_TEXT = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI}]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_SPACES = re.compile(r"\s+")

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def escape_controls(text: str) -> str:
    """Every unsafe character as a visible escape (``\\n``, ``\\x1b``, ``\\u202e``)."""
    return UNSAFE.sub(_escape, text)


def has_lone_surrogate(text: str) -> bool:
    """True for text no UTF-8 database or HTTP body can carry (JSON's ``"\\ud800"``)."""
    return _SURROGATE.search(text) is not None


def clean_line(text: str) -> str:
    """One line of text (a name, a filename): unsafe characters become spaces, runs of space one."""
    return _SPACES.sub(" ", UNSAFE.sub(" ", text)).strip()


def clean_filename(text: str) -> str:
    """A filename as the sender meant it to read: controls and bidi characters removed outright, so
    ``resume\u202efdp.exe`` becomes ``resumefdp.exe`` and shows its real extension."""
    return _SPACES.sub(" ", UNSAFE.sub("", text)).strip()


def clean_text(text: str) -> str:
    """Multi-line text (a cover letter): keeps tabs and line breaks, drops the other controls."""
    return _UNSAFE_IN_TEXT.sub("", text)
