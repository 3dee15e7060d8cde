"""What each due reminder says: its view (`reminder_views`), built from the state at `at`.

- window approaching: a channel message with counts and the oldest unclaimed applications.
- decision nudge: when shortlisted applications still wait for a decision.
- stale claims: one DM per reviewer holding claims older than `settings.stale_claim_days` without
  their own rating.
- digest: new since the last digest, unclaimed count, oldest waiting (only when there is something
  to say).
- claim release: claims older than `settings.claim_ttl_days` without the holder's rating; the
  note goes in the card's thread when it is released.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hiring_bot.config import Settings
from hiring_bot.db.models import Window
from hiring_bot.domain.calendar import local_date
from hiring_bot.domain.reminder_schedule import Kind, Slot, daily_slot, reminder_key
from hiring_bot.domain.reminder_state import (
    HeldClaim,
    ReminderState,
    days_since,
    waiting_items,
)
from hiring_bot.domain.reminder_views import (
    DecisionNudge,
    Digest,
    ReminderView,
    StaleClaimsDM,
    WaitingItem,
    WindowReminder,
)

OLDEST_ITEMS = 5
DIGEST_NEW_ITEMS = 20

_DEADLINE_LABEL = {
    Kind.APPLICATION_DEADLINE: "application deadline",
    Kind.DECISION_DEADLINE: "decision deadline",
    Kind.WINDOW_START: "start",
}


@dataclass(frozen=True)
class Reminder:
    """A due reminder and what it says, ready to be recorded, rendered and enqueued."""

    slot: Slot
    view: ReminderView

    @property
    def kind(self) -> Kind:
        return self.slot.kind

    @property
    def key(self) -> str:
        return self.slot.key

    @property
    def target(self) -> str:
        return self.slot.target


@dataclass(frozen=True)
class ClaimRelease:
    """A claim past its time-to-live; `note` goes in the card's thread when it is released."""

    slot: Slot
    application_id: int
    user_id: str
    claimed_at: datetime
    note: str  # posted in the card's thread
    reason: str  # Claim.release_reason and the audit detail

    @property
    def key(self) -> str:
        return self.slot.key


def window_reminder(
    slot: Slot, window: Window, state: ReminderState, at: datetime, tz: ZoneInfo
) -> Reminder:
    day = {
        Kind.APPLICATION_DEADLINE: window.application_deadline,
        Kind.DECISION_DEADLINE: window.decision_deadline,
        Kind.WINDOW_START: window.starts_on,
    }[slot.kind]
    counts = state.counts(window.id)
    oldest = state.oldest_unclaimed(window_id=window.id, limit=OLDEST_ITEMS)
    view = WindowReminder(
        window_name=window.name,
        deadline_kind=_DEADLINE_LABEL[slot.kind],
        deadline=day,
        days_left=(day - local_date(at, tz)).days,
        unclaimed=counts.unclaimed,
        claimed_unrated=counts.claimed_unrated,
        rated=counts.rated,
        shortlisted=counts.shortlisted,
        oldest=waiting_items(oldest, at),
    )
    return Reminder(slot, view)


def decision_nudge(
    slot: Slot, window: Window, state: ReminderState, at: datetime, tz: ZoneInfo
) -> Reminder | None:
    shortlisted = state.shortlisted(window_id=window.id)
    if not shortlisted:
        return None
    view = DecisionNudge(
        window_name=window.name,
        decision_deadline=window.decision_deadline,
        days_left=(window.decision_deadline - local_date(at, tz)).days,
        items=waiting_items(shortlisted, at),
    )
    return Reminder(slot, view)


def claims_to_chase(state: ReminderState, *, at: datetime, settings: Settings) -> list[HeldClaim]:
    """Every claim old enough for a stale-claims DM or a release, read once for both."""
    stale_before = at - timedelta(days=settings.stale_claim_days)
    release_before = at - timedelta(days=settings.claim_ttl_days)
    return state.held_claims(claimed_before=max(stale_before, release_before))


def stale_claims(claims: list[HeldClaim], *, at: datetime, settings: Settings) -> list[Reminder]:
    tz = settings.timezone
    stale_before = at - timedelta(days=settings.stale_claim_days)
    release_before = at - timedelta(days=settings.claim_ttl_days)
    by_user: dict[str, list[HeldClaim]] = defaultdict(list)
    for c in claims:
        if release_before < c.claimed_at <= stale_before:
            by_user[c.claimed_by].append(c)
    reminders: list[Reminder] = []
    for user_id in sorted(by_user):
        slot = daily_slot(Kind.STALE_CLAIMS, at=at, tz=tz, target=user_id)
        if slot is None:
            return []
        held = sorted(by_user[user_id], key=lambda c: (c.claimed_at, c.id))
        view = StaleClaimsDM(
            user_id=user_id,
            items=tuple(
                WaitingItem(ref=c.id, name=c.name, days=days_since(at, c.claimed_at)) for c in held
            ),
            release_after_days=settings.claim_ttl_days,
        )
        reminders.append(Reminder(slot, view))
    return reminders


def digest(
    state: ReminderState, *, at: datetime, settings: Settings, target: str
) -> Reminder | None:
    slot = daily_slot(Kind.DIGEST, at=at, tz=settings.timezone, target=target)
    if slot is None:
        return None
    total = state.total()
    if not total.new and not total.unclaimed:
        return None  # nothing to say: no message
    new = state.new(limit=DIGEST_NEW_ITEMS) if total.new else []
    oldest = state.oldest_unclaimed(window_id=None, limit=OLDEST_ITEMS) if total.unclaimed else []
    view = Digest(
        new_items=waiting_items(new, at),
        new_count=total.new,
        unclaimed_count=total.unclaimed,
        oldest_waiting=waiting_items(oldest, at),
    )
    return Reminder(slot, view)


def claim_releases(
    claims: list[HeldClaim], *, at: datetime, settings: Settings, target: str
) -> list[ClaimRelease]:
    days = settings.claim_ttl_days
    ttl = timedelta(days=days)
    cutoff = at - ttl
    # The same for every release (there may be thousands): worked out once.
    never = datetime.max.replace(tzinfo=at.tzinfo)
    reason = f"no rating within {days} days"
    releases: list[ClaimRelease] = []
    for a in claims:
        if a.claimed_at > cutoff:
            continue
        # One release per claim instance: the same person claiming again later is a new claim.
        when = f"a{a.id}-{int(a.claimed_at.timestamp())}"
        slot = Slot(
            kind=Kind.CLAIM_RELEASE,
            key=reminder_key(
                Kind.CLAIM_RELEASE, window_id=a.window_id, when=when, target=a.claimed_by
            ),
            target=target,
            window_id=a.window_id,
            due_at=a.claimed_at + ttl,
            expires_at=never,
        )
        note = (
            f"Claim by <@{a.claimed_by}> released: no rating within "
            f"{days} days of claiming #{a.id}. It is open to claim again."
        )
        releases.append(
            ClaimRelease(
                slot=slot,
                application_id=a.id,
                user_id=a.claimed_by,
                claimed_at=a.claimed_at,
                note=note,
                reason=reason,
            )
        )
    return releases
