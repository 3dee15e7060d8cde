"""Application references as people type them: `42`, `#42`, ` # 42 `, `No.42` is not one."""

from __future__ import annotations

import re

from hiring_bot.domain.errors import InvalidInput, quote

# Big enough for any real id, small enough that int() and the database never choke on it.
MAX_REF_DIGITS = 12
_REF = re.compile(rf"^#?\s*(\d{{1,{MAX_REF_DIGITS}}})$")


def parse_ref(text: str | None) -> int | None:
    """The application id in `text`, or None when it is not a reference."""
    if text is None:
        return None
    match = _REF.match(text.strip())
    if match is None:
        return None
    ref = int(match.group(1))
    return ref if ref > 0 else None


def require_ref(text: str | None) -> int:
    """Like parse_ref, but a missing or malformed reference raises a user-facing InvalidInput."""
    if text is None or not text.strip():
        raise InvalidInput("Which application? Give its reference, e.g. `42` or `#42`.")
    ref = parse_ref(text)
    if ref is None:
        raise InvalidInput(
            f"{quote(text)} is not an application reference; use e.g. `42` or `#42`."
        )
    return ref
