"""Read models the domain fills and the Block Kit builders render; values parsed from modals.

Plain frozen dataclasses: no Slack, no database. Text fields hold raw user-provided text; the
builders escape and truncate it. Builders show exactly what they are given (e.g.
`ApplicationCard.average` is only set by the domain once the rating quorum is reached).
Datetimes are aware and already in HIRING_TIMEZONE, so the dates the builders write are the
team's; calendar days (deadlines) are plain dates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType
from typing import Literal

from hiring_bot.domain.stages import Stage

Eligibility = Literal["eligible", "ineligible", "unknown"]
# Keys of `ApplicationCard.missing`, in the order the posting asks for them.
MISSING_KEYS: tuple[str, ...] = ("cover_letter", "resume", "code", "period")
MAX_STATE_CHARS = 2000

_EMPTY: Mapping[str, int] = MappingProxyType({})


@dataclass(frozen=True)
class ApplicationCard:
    ref: int
    name: str
    window_name: str | None
    period_text: str
    duration_text: str
    university: str
    program: str
    areas: tuple[str, ...]
    links: tuple[str, ...]
    missing: tuple[str, ...]
    eligibility: Eligibility
    eligibility_reason: str
    stage: Stage
    claimed_by: str | None
    ratings_count: int
    average: float | None
    other_refs: tuple[int, ...]
    received_at: datetime  # in HIRING_TIMEZONE
    note: str | None = None
    # Personal data removed (data retention): no links or university, nothing left to review.
    anonymised: bool = False
    # Keys of WARNING_LABELS (slack/blocks/card.py), e.g. the display name shows another address.
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class AttachmentInfo:
    name: str
    text_available: bool = True
    reason: str | None = None  # why text is unavailable, e.g. "scanned PDF, no text layer"


@dataclass(frozen=True)
class AuditLine:
    """One entry of an application's history, in plain words: `<@U…> moved it to Shortlisted`."""

    when: datetime  # in HIRING_TIMEZONE
    actor: str  # a Slack user id when `actor_is_user`, else a label: "intake (email)", "scheduler"
    verb: str  # plain words: "claimed", "rated", "moved to Shortlisted", "received by email"
    actor_is_user: bool = False
    # A user the verb is about, shown as a mention after it ("assigned to" <@U…>).
    target_user: str | None = None


@dataclass(frozen=True)
class ApplicationDetails:
    card: ApplicationCard
    email: str
    subject: str
    cover_letter_excerpt: str
    resume_excerpt: str
    attachments: tuple[AttachmentInfo, ...] = ()
    audit: tuple[AuditLine, ...] = ()  # oldest first


@dataclass(frozen=True)
class ListPage:
    items: tuple[ApplicationCard, ...]
    page: int  # 0-based
    page_size: int
    total: int
    filters_text: str
    state: str  # opaque; round-tripped unchanged as the value of the Next / Previous buttons
    total_capped: bool = False  # more than `total` match (counting stopped there)

    def __post_init__(self) -> None:
        if len(self.state) > MAX_STATE_CHARS:
            raise ValueError(f"ListPage.state is {len(self.state)} chars; max {MAX_STATE_CHARS}")
        if self.page < 0 or self.page_size < 1 or self.total < 0:
            raise ValueError("ListPage needs page >= 0, page_size >= 1, total >= 0")


@dataclass(frozen=True)
class RatingModalInput:
    ref: int
    candidate_name: str
    private_metadata: str = ""
    overall: int | None = None
    criteria: Mapping[str, int] = field(default_factory=lambda: _EMPTY)
    recommendation: str | None = None
    notes: str | None = None


@dataclass(frozen=True)
class RatingValues:
    overall: int
    criteria: Mapping[str, int]  # only the criteria that were scored
    recommendation: str | None
    notes: str  # "" when none


@dataclass(frozen=True)
class WindowDeadline:
    window_name: str
    kind_label: str  # e.g. "Application deadline"
    day: date  # the deadline day in HIRING_TIMEZONE (as `/intern windows` shows it)
    days_left: int


@dataclass(frozen=True)
class RecentRating:
    ref: int
    name: str
    overall: int
    rated_at: datetime  # in HIRING_TIMEZONE


@dataclass(frozen=True)
class HomeView:
    user_id: str
    my_claims_awaiting_rating: tuple[ApplicationCard, ...] = ()
    unclaimed_queue: tuple[ApplicationCard, ...] = ()  # oldest first
    upcoming_deadlines: tuple[WindowDeadline, ...] = ()
    my_recent_ratings: tuple[RecentRating, ...] = ()


@dataclass(frozen=True)
class WindowSummary:
    name: str
    application_deadline: date
    decision_deadline: date
    starts_on: date
    ends_on: date
    closed: bool = False
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class WindowValues:
    name: str
    aliases: tuple[str, ...]
    application_deadline: date
    decision_deadline: date
    starts_on: date
    ends_on: date
