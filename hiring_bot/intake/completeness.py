"""Which of the posting's four items (cover letter, resume, code link, period) are missing."""

from __future__ import annotations

from collections.abc import Iterable

from hiring_bot.intake.links import is_code_link

__all__ = ["MISSING_ORDER", "missing_items"]

MISSING_ORDER = ("cover_letter", "resume", "code", "period")


# Not a missing item but a warning kept in the same JSON list (no schema change): the sender's
# display name shows an address other than the sender's own (a spoofing attempt, or a relay).
DISPLAY_NAME_FLAG = "display_name_address"
# The applicant's name and address were read from a forwarded message quoted in the body: text
# the sender wrote, so the card says to check it before trusting it.
FORWARDED_FLAG = "forwarded_identity"


def missing_items(
    *,
    has_cover_letter: bool,
    has_resume: bool,
    links: Iterable[str],
    period_text: str | None,
) -> list[str]:
    """The missing items, in MISSING_ORDER. A resume counts even when its text is unavailable."""
    present = {
        "cover_letter": has_cover_letter,
        "resume": has_resume,
        "code": any(is_code_link(link) for link in links),
        "period": bool(period_text and period_text.strip()),
    }
    return [item for item in MISSING_ORDER if not present[item]]
