"""What a window is, as plain values: the vocabulary intake, the file parser and admins share.

No database and no I/O here, so intake (period matching) and the windows file parser can use it
without pulling in the rest of the domain.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

# In the order the dates must fall.
DATE_FIELDS: tuple[str, ...] = (
    "application_deadline",
    "decision_deadline",
    "starts_on",
    "ends_on",
)
FIELDS: tuple[str, ...] = ("name", "aliases", *DATE_FIELDS)
REQUIRED: tuple[str, ...] = ("name", *DATE_FIELDS)
NAME_MAX = 100
FILE_SOURCE = "file"
SLACK_SOURCE = "slack"


@dataclass(frozen=True)
class WindowSpec:
    """An internship window as the parser needs it (name plus the words applicants use for it)."""

    name: str
    aliases: tuple[str, ...]
    starts_on: date
    ends_on: date


@dataclass(frozen=True)
class WindowDef:
    """One window as written in the file (or the modal): plain values, validated."""

    name: str
    aliases: tuple[str, ...]
    application_deadline: date
    decision_deadline: date
    starts_on: date
    ends_on: date
    line: int = 0  # line of its `[[window]]` header in the file; 0 when not from a file

    def values(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "aliases": list(self.aliases),
            "application_deadline": self.application_deadline,
            "decision_deadline": self.decision_deadline,
            "starts_on": self.starts_on,
            "ends_on": self.ends_on,
        }
