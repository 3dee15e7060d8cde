"""What reminders are due at an instant: planned from the database, sent by reminder_ledger.

Planning reads only; it never sends or changes anything, so `hiring-bot reminders --dry-run` and the
scheduler see the same list. Every reminder has a stable key (kind, window, offset or date,
recipient) — the ledger's unique constraint on that key is what makes sending exactly once.

Schedule (all in HIRING_TIMEZONE; REMINDER_TIME is 09:00 local, DST handled by zoneinfo):

- window approaching: at 09:00 on each of `settings.reminder_offsets_days` days before the
  application deadline and before the decision deadline, and START_OFFSET_DAYS before the start;
  a channel message with counts and the oldest unclaimed applications. Each one stays due until the
  next one for the same date is due (or the date itself passes): after downtime only the latest
  still-relevant reminder goes out; older ones are dropped and logged.
- decision nudge: at the same 09:00 instants for the offsets of DECISION_NUDGE_MAX_OFFSET days or
  fewer before the decision deadline, when shortlisted applications still wait for a decision.
- stale claims: weekdays from 09:00 until the end of that day, one DM per reviewer holding claims
  older than `settings.stale_claim_days` without their own rating.
- digest: weekdays from 09:00 until the end of that day: new since the last digest, unclaimed count,
  oldest waiting (sent only when there is something to say).
- claim release: claims older than `settings.claim_ttl_days` without the holder's rating are
  released at the next run, any day (a note goes in the card's thread and the card is updated).

Nothing is planned for a window that is closed (by an admin, or over), and every message is built
from the state at `at`: a claim rated since is not mentioned.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from hiring_bot.config import Settings
from hiring_bot.db.models import Application, BotState, Candidate, ReminderLedger, Review, Window
from hiring_bot.domain.calendar import deadline_instant, is_open, local_date, local_instant
from hiring_bot.domain.stages import Stage
from hiring_bot.slack.blocks import (
    DecisionNudge,
    Digest,
    StaleClaimsDM,
    WaitingItem,
    WindowReminder,
    build_decision_nudge,
    build_digest,
    build_stale_claims_dm,
    build_window_reminder,
    decision_nudge_text,
    digest_text,
    stale_claims_text,
    window_reminder_text,
)

REMINDER_TIME = time(9, 0)
START_OFFSET_DAYS = 7
DECISION_NUDGE_MAX_OFFSET = 7
OLDEST_ITEMS = 5
DIGEST_NEW_ITEMS = 20
LAST_DIGEST_KEY = "reminders.last_digest_at"
# Stages in which an application waits for reviewers (claim, rate).
REVIEW_STAGES: frozenset[str] = frozenset({Stage.NEW.value, Stage.IN_REVIEW.value})
WATCHED_STAGES: frozenset[str] = REVIEW_STAGES | {Stage.SHORTLISTED.value}


class Kind(StrEnum):
    APPLICATION_DEADLINE = "application_deadline"
    DECISION_DEADLINE = "decision_deadline"
    WINDOW_START = "window_start"
    DECISION_NUDGE = "decision_nudge"
    STALE_CLAIMS = "stale_claims"
    DIGEST = "digest"
    CLAIM_RELEASE = "claim_release"


WINDOW_KINDS: frozenset[Kind] = frozenset(
    {Kind.APPLICATION_DEADLINE, Kind.DECISION_DEADLINE, Kind.WINDOW_START, Kind.DECISION_NUDGE}
)
DAILY_KINDS: frozenset[Kind] = frozenset({Kind.STALE_CLAIMS, Kind.DIGEST, Kind.CLAIM_RELEASE})
ALL_KINDS: frozenset[Kind] = WINDOW_KINDS | DAILY_KINDS

_DEADLINE_LABEL = {
    Kind.APPLICATION_DEADLINE: "application deadline",
    Kind.DECISION_DEADLINE: "decision deadline",
    Kind.WINDOW_START: "start",
}


def reminder_key(kind: Kind, *, window_id: int | None, when: str, target: str) -> str:
    """`application_deadline:w3:T-7:C0HIRING`, `stale_claims:-:2018-03-12:U0ALICE`."""
    window = f"w{window_id}" if window_id is not None else "-"
    return f"{kind.value}:{window}:{when}:{target}"


@dataclass(frozen=True)
class Slot:
    """A reminder that is due from `due_at` until `expires_at` (its grace)."""

    kind: Kind
    key: str
    target: str
    window_id: int | None
    due_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class Reminder:
    """A due reminder with its message, ready to be recorded and enqueued."""

    slot: Slot
    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list, compare=False)

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


@dataclass
class Plan:
    at: datetime
    due: list[Reminder] = field(default_factory=list)
    expired: list[Slot] = field(default_factory=list)  # past their grace, never sent: drop + log
    releases: list[ClaimRelease] = field(default_factory=list)


# --- a read model of the applications the reminders talk about -----------------------------------


@dataclass(frozen=True)
class _App:
    id: int
    window_id: int | None
    stage: str
    claimed_by: str | None
    claimed_at: datetime | None
    received_at: datetime
    created_at: datetime
    stage_changed_at: datetime
    name: str
    reviewers: frozenset[str]

    @property
    def in_review(self) -> bool:
        return self.stage in REVIEW_STAGES

    @property
    def unclaimed(self) -> bool:
        return self.in_review and self.claimed_by is None and not self.reviewers

    @property
    def claimed_unrated(self) -> bool:
        return (
            self.in_review
            and self.claimed_by is not None
            and (self.claimed_by not in self.reviewers)
        )

    @property
    def rated(self) -> bool:
        return self.in_review and bool(self.reviewers) and not self.claimed_unrated


def _days(at: datetime, then: datetime) -> int:
    return max(0, (at - then).days)


def _load_apps(session: Session, open_window_ids: Collection[int]) -> list[_App]:
    """Applications still in play, in open windows (or in none), oldest first."""
    rows = session.execute(
        select(Application, Candidate.name)
        .join(Candidate, Candidate.id == Application.candidate_id)
        .where(Application.stage.in_(WATCHED_STAGES))
        .where(Application.anonymised_at.is_(None))
        .order_by(Application.received_at, Application.id)
    ).all()
    apps = [
        (app, name)
        for app, name in rows
        if app.window_id is None or app.window_id in open_window_ids
    ]
    reviewers: dict[int, set[str]] = defaultdict(set)
    ids = [app.id for app, _name in apps]
    for start in range(0, len(ids), 500):  # keep IN lists a sane size
        chunk = ids[start : start + 500]
        for application_id, reviewer_id in session.execute(
            select(Review.application_id, Review.reviewer_id).where(
                Review.application_id.in_(chunk)
            )
        ):
            reviewers[application_id].add(reviewer_id)
    return [
        _App(
            id=app.id,
            window_id=app.window_id,
            stage=app.stage,
            claimed_by=app.claimed_by,
            claimed_at=app.claimed_at,
            received_at=app.received_at,
            created_at=app.created_at,
            stage_changed_at=app.stage_changed_at,
            name=name,
            reviewers=frozenset(reviewers.get(app.id, ())),
        )
        for app, name in apps
    ]


def _waiting(apps: Iterable[_App], at: datetime, *, limit: int) -> tuple[WaitingItem, ...]:
    return tuple(
        WaitingItem(ref=a.id, name=a.name, days=_days(at, a.received_at))
        for a in list(apps)[:limit]
    )


# --- window slots --------------------------------------------------------------------------------


def _countdown_slots(
    kind: Kind,
    *,
    window: Window,
    day: date,
    offsets: Sequence[int],
    end: datetime,
    target: str,
    tz: ZoneInfo,
) -> list[Slot]:
    """One slot per offset; each lasts until the next one is due, the last until `end`."""
    dues = sorted(
        (
            (offset, local_instant(day - timedelta(days=offset), REMINDER_TIME, tz))
            for offset in set(offsets)
        ),
        key=lambda pair: pair[1],
    )
    slots: list[Slot] = []
    for index, (offset, due) in enumerate(dues):
        following = dues[index + 1][1] if index + 1 < len(dues) else end
        expires = min(following, end)
        if due >= expires:
            continue
        slots.append(
            Slot(
                kind=kind,
                key=reminder_key(kind, window_id=window.id, when=f"T-{offset}", target=target),
                target=target,
                window_id=window.id,
                due_at=due,
                expires_at=expires,
            )
        )
    return slots


def window_slots(window: Window, *, settings: Settings, target: str) -> list[Slot]:
    tz = settings.timezone
    offsets = tuple(settings.reminder_offsets_days)
    application_end = deadline_instant(window.application_deadline, tz)
    decision_end = deadline_instant(window.decision_deadline, tz)
    # The start "deadline" is the first moment of the start day; the others are end-of-day.
    start = local_instant(window.starts_on, time(0), tz)
    nudge_offsets = tuple(o for o in offsets if o <= DECISION_NUDGE_MAX_OFFSET)
    countdowns: tuple[tuple[Kind, date, tuple[int, ...], datetime], ...] = (
        (Kind.APPLICATION_DEADLINE, window.application_deadline, offsets, application_end),
        (Kind.DECISION_DEADLINE, window.decision_deadline, offsets, decision_end),
        (Kind.WINDOW_START, window.starts_on, (START_OFFSET_DAYS,), start),
        (Kind.DECISION_NUDGE, window.decision_deadline, nudge_offsets, decision_end),
    )
    slots: list[Slot] = []
    for kind, day, kind_offsets, end in countdowns:
        slots += _countdown_slots(
            kind, window=window, day=day, offsets=kind_offsets, end=end, target=target, tz=tz
        )
    return slots


def _window_reminder(
    slot: Slot, window: Window, apps: list[_App], at: datetime, tz: ZoneInfo
) -> Reminder:
    day = {
        Kind.APPLICATION_DEADLINE: window.application_deadline,
        Kind.DECISION_DEADLINE: window.decision_deadline,
        Kind.WINDOW_START: window.starts_on,
    }[slot.kind]
    mine = [a for a in apps if a.window_id == window.id]
    view = WindowReminder(
        window_name=window.name,
        deadline_kind=_DEADLINE_LABEL[slot.kind],
        deadline=day,
        days_left=(day - local_date(at, tz)).days,
        unclaimed=sum(a.unclaimed for a in mine),
        claimed_unrated=sum(a.claimed_unrated for a in mine),
        rated=sum(a.rated for a in mine),
        shortlisted=sum(a.stage == Stage.SHORTLISTED.value for a in mine),
        oldest=_waiting((a for a in mine if a.unclaimed), at, limit=OLDEST_ITEMS),
    )
    return Reminder(slot, window_reminder_text(view), build_window_reminder(view))


def _decision_nudge(
    slot: Slot, window: Window, apps: list[_App], at: datetime, tz: ZoneInfo
) -> Reminder | None:
    shortlisted = sorted(
        (a for a in apps if a.window_id == window.id and a.stage == Stage.SHORTLISTED.value),
        key=lambda a: (a.stage_changed_at, a.id),
    )
    if not shortlisted:
        return None
    view = DecisionNudge(
        window_name=window.name,
        decision_deadline=window.decision_deadline,
        days_left=(window.decision_deadline - local_date(at, tz)).days,
        items=tuple(
            WaitingItem(ref=a.id, name=a.name, days=_days(at, a.stage_changed_at))
            for a in shortlisted
        ),
    )
    return Reminder(slot, decision_nudge_text(view), build_decision_nudge(view))


# --- daily slots ---------------------------------------------------------------------------------


def daily_slot(kind: Kind, *, at: datetime, tz: ZoneInfo, target: str) -> Slot | None:
    """Today's weekday slot (09:00 until midnight local), if `at` falls inside it."""
    today = local_date(at, tz)
    if today.weekday() >= 5:
        return None
    due = local_instant(today, REMINDER_TIME, tz)
    expires = deadline_instant(today, tz)
    if not due <= at < expires:
        return None
    return Slot(
        kind=kind,
        key=reminder_key(kind, window_id=None, when=today.isoformat(), target=target),
        target=target,
        window_id=None,
        due_at=due,
        expires_at=expires,
    )


def _stale_claims(apps: list[_App], *, at: datetime, settings: Settings) -> list[Reminder]:
    tz = settings.timezone
    stale_before = at - timedelta(days=settings.stale_claim_days)
    release_before = at - timedelta(days=settings.claim_ttl_days)
    by_user: dict[str, list[_App]] = defaultdict(list)
    for a in apps:
        if (
            a.claimed_unrated
            and a.claimed_by is not None
            and a.claimed_at is not None
            and release_before < a.claimed_at <= stale_before
        ):
            by_user[a.claimed_by].append(a)
    reminders: list[Reminder] = []
    for user_id in sorted(by_user):
        slot = daily_slot(Kind.STALE_CLAIMS, at=at, tz=tz, target=user_id)
        if slot is None:
            return []
        held = sorted(by_user[user_id], key=lambda a: (a.claimed_at or at, a.id))
        view = StaleClaimsDM(
            user_id=user_id,
            items=tuple(
                WaitingItem(ref=a.id, name=a.name, days=_days(at, a.claimed_at or at)) for a in held
            ),
            release_after_days=settings.claim_ttl_days,
        )
        reminders.append(Reminder(slot, stale_claims_text(view), build_stale_claims_dm(view)))
    return reminders


def last_digest_at(session: Session) -> datetime | None:
    state = session.get(BotState, LAST_DIGEST_KEY)
    if state is None:
        return None
    try:
        return datetime.fromisoformat(state.value)
    except ValueError:
        return None


def _digest(
    session: Session, apps: list[_App], *, at: datetime, settings: Settings, target: str
) -> Reminder | None:
    slot = daily_slot(Kind.DIGEST, at=at, tz=settings.timezone, target=target)
    if slot is None:
        return None
    since = last_digest_at(session) or at - timedelta(days=1)
    new = sorted(
        (a for a in apps if since < a.created_at <= at), key=lambda a: (a.created_at, a.id)
    )
    unclaimed = [a for a in apps if a.unclaimed]
    if not new and not unclaimed:
        return None  # nothing to say: no message
    view = Digest(
        new_items=_waiting(new, at, limit=DIGEST_NEW_ITEMS),
        new_count=len(new),
        unclaimed_count=len(unclaimed),
        oldest_waiting=_waiting(unclaimed, at, limit=OLDEST_ITEMS),
    )
    return Reminder(slot, digest_text(view), build_digest(view))


def _releases(
    apps: list[_App], *, at: datetime, settings: Settings, target: str
) -> list[ClaimRelease]:
    cutoff = at - timedelta(days=settings.claim_ttl_days)
    releases: list[ClaimRelease] = []
    for a in apps:
        if not a.claimed_unrated or a.claimed_by is None or a.claimed_at is None:
            continue
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
            due_at=a.claimed_at + timedelta(days=settings.claim_ttl_days),
            expires_at=datetime.max.replace(tzinfo=at.tzinfo),
        )
        note = (
            f"Claim by <@{a.claimed_by}> released: no rating within "
            f"{settings.claim_ttl_days} days of claiming #{a.id}. It is open to claim again."
        )
        releases.append(
            ClaimRelease(
                slot=slot,
                application_id=a.id,
                user_id=a.claimed_by,
                claimed_at=a.claimed_at,
                note=note,
                reason=f"no rating within {settings.claim_ttl_days} days",
            )
        )
    return releases


# --- the plan ------------------------------------------------------------------------------------


def _recorded(session: Session, keys: Iterable[str]) -> set[str]:
    wanted = list(dict.fromkeys(keys))
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        found.update(
            session.scalars(select(ReminderLedger.key).where(ReminderLedger.key.in_(chunk)))
        )
    return found


def plan_reminders(
    session: Session,
    *,
    settings: Settings,
    at: datetime,
    kinds: Collection[Kind] = ALL_KINDS,
) -> Plan:
    """Everything due at `at` and not yet in the ledger; read-only."""
    if at.tzinfo is None:
        raise ValueError("plan_reminders needs an aware datetime")
    tz = settings.timezone
    channel = settings.hiring_channel
    plan = Plan(at=at)
    windows = [
        w
        for w in session.scalars(select(Window).order_by(Window.starts_on, Window.id))
        if is_open(w, at=at, tz=tz)
    ]
    apps = _load_apps(session, {w.id for w in windows})

    due: list[Reminder] = []
    expired: list[Slot] = []
    if channel is not None:
        for window in windows:
            for slot in window_slots(window, settings=settings, target=channel):
                if slot.kind not in kinds or at < slot.due_at:
                    continue
                if at >= slot.expires_at:
                    expired.append(slot)
                elif slot.kind is Kind.DECISION_NUDGE:
                    if (nudge := _decision_nudge(slot, window, apps, at, tz)) is not None:
                        due.append(nudge)
                else:
                    due.append(_window_reminder(slot, window, apps, at, tz))
        if Kind.DIGEST in kinds and (
            digest := _digest(session, apps, at=at, settings=settings, target=channel)
        ):
            due.append(digest)
    if Kind.CLAIM_RELEASE in kinds:
        plan.releases = _releases(apps, at=at, settings=settings, target=channel or "-")
    if Kind.STALE_CLAIMS in kinds:
        due.extend(_stale_claims(apps, at=at, settings=settings))

    recorded = _recorded(
        session,
        [r.key for r in due] + [s.key for s in expired] + [c.key for c in plan.releases],
    )
    plan.due = [r for r in due if r.key not in recorded]
    plan.expired = [s for s in expired if s.key not in recorded]
    plan.releases = [c for c in plan.releases if c.key not in recorded]
    return plan
