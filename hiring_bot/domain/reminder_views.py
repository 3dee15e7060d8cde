"""What each reminder says, as plain values: the planner fills them, `slack.blocks` renders them.

Frozen dataclasses with no Slack and no database. Text fields hold raw candidate and window names;
the renderer escapes and truncates them. Calendar days (deadlines) are plain dates in
HIRING_TIMEZONE.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass(frozen=True)
class WaitingItem:
    """One application in a reminder; `days` = days waiting / claimed / since the last move."""

    ref: int
    name: str
    days: int


@dataclass(frozen=True)
class WindowReminder:
    window_name: str
    deadline_kind: str  # e.g. "application deadline", "decision deadline", "start"
    deadline: date
    days_left: int
    unclaimed: int
    claimed_unrated: int
    rated: int
    shortlisted: int
    oldest: tuple[WaitingItem, ...] = ()
    list_query: str = "unclaimed"  # value of the "Open list" button: `/intern list <list_query>`


@dataclass(frozen=True)
class StaleClaimsDM:
    user_id: str
    items: tuple[WaitingItem, ...]  # days = days since claimed
    release_after_days: int | None = None


@dataclass(frozen=True)
class Digest:
    new_items: tuple[WaitingItem, ...]  # new since the last digest; days = days waiting
    new_count: int  # may exceed len(new_items)
    unclaimed_count: int
    oldest_waiting: tuple[WaitingItem, ...] = ()
    list_query: str = "unclaimed"


@dataclass(frozen=True)
class DecisionNudge:
    window_name: str
    decision_deadline: date
    days_left: int
    items: tuple[WaitingItem, ...]  # shortlisted; days = days since the last stage change
    list_query: str = "shortlisted"


ReminderView = WindowReminder | StaleClaimsDM | Digest | DecisionNudge
# A view -> (fallback text, Block Kit blocks); supplied by whoever enqueues (`slack.blocks`).
RenderReminder = Callable[[ReminderView], tuple[str, list[dict[str, Any]]]]
