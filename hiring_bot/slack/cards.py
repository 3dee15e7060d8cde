"""Read models for the Block Kit builders, filled from the database.

`render_card` is the channel card the outbox posts and updates: it shows the count of ratings and,
once `settings.rating_quorum` reviewers have rated, their average — never a single score or note.
Per-viewer surfaces (`card_for`, lists, App Home) show the average only to admins and to
reviewers who have rated the application themselves.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from hiring_bot.config import Settings
from hiring_bot.db.models import Application, Attachment, AuditEntry, Claim, Window
from hiring_bot.domain import audit, queries
from hiring_bot.domain.applications import get_application, stage_of
from hiring_bot.domain.list_rows import ListRow, row_of
from hiring_bot.domain.redaction import shown_email, shown_name
from hiring_bot.domain.reviews import SAW_AVERAGE, visible_average
from hiring_bot.domain.stages import CLOSED, Stage, parse_stage
from hiring_bot.intake.completeness import DISPLAY_NAME_FLAG, FORWARDED_FLAG
from hiring_bot.slack.blocks import (
    ApplicationCard,
    ApplicationDetails,
    AttachmentInfo,
    AuditLine,
    HomeView,
    RecentRating,
    WindowDeadline,
    WindowSummary,
    assignment_dm_text,
    build_application_card,
    build_assignment_dm,
    card_text,
)
from hiring_bot.slack.blocks._kit import day_text
from hiring_bot.slack.blocks.views import Eligibility

# Entries of `Application.missing` that are warnings about the application, not missing items.
WARNING_KEYS = frozenset({DISPLAY_NAME_FLAG, FORWARDED_FLAG})

EXCERPT_CHARS = 2500
AUDIT_LINES = 15
HOME_LIMIT = 25
_ELIGIBILITY = ("eligible", "ineligible", "unknown")


def card_for(
    source: Application | ListRow,
    *,
    quorum: int,
    viewer: str | None,
    tz: ZoneInfo,
    is_admin: bool = False,
    other_refs: tuple[int, ...] = (),
    note: str | None = None,
) -> ApplicationCard:
    """The card read model as `viewer` may see it (`viewer=None`: the public channel card).

    Times are converted to `tz` (HIRING_TIMEZONE) here, so the builders write the team's dates.
    """
    row = source if isinstance(source, ListRow) else row_of(source)
    eligibility = row.eligibility if row.eligibility in _ELIGIBILITY else "unknown"
    if row.anonymised_at is not None:  # says more than any other note
        removed = row.anonymised_at.astimezone(tz).date()
        note = f"Personal data removed on {day_text(removed)}."
    return ApplicationCard(
        ref=row.id,
        name=row.name,
        window_name=row.window_name,
        period_text=row.period_text or "",
        duration_text=row.duration_text or "",
        university=row.university or "",
        program=row.program or "",
        areas=row.areas,
        links=row.links,
        missing=tuple(k for k in row.missing if k not in WARNING_KEYS),
        warnings=tuple(k for k in row.missing if k in WARNING_KEYS),
        eligibility=cast(Eligibility, eligibility),
        eligibility_reason=row.eligibility_reason or "",
        stage=parse_stage(row.stage) or Stage.NEW,
        claimed_by=row.claimed_by,
        ratings_count=len(row.reviews),
        average=visible_average(row.reviews, quorum=quorum, viewer=viewer, is_admin=is_admin),
        other_refs=other_refs,
        received_at=row.received_at.astimezone(tz),
        note=note,
        anonymised=row.anonymised_at is not None,
    )


def render_card(
    session: Session, application_id: int, *, settings: Settings
) -> tuple[str, list[dict[str, Any]]]:
    """Fallback text and blocks of the public channel card, from the database as it is now."""
    application = get_application(session, ref=application_id)
    card = card_for(
        application,
        quorum=settings.rating_quorum,
        viewer=None,
        tz=settings.timezone,
        other_refs=tuple(queries.other_application_ids(session, application=application)),
        note=_release_note(session, application),
    )
    return card_text(card), build_application_card(card)


def assignment_message(
    session: Session, application_id: int, *, settings: Settings, assigned_by: str
) -> tuple[str, list[dict[str, Any]]]:
    """Fallback text and blocks of the DM telling a reviewer an admin assigned them `#ref`."""
    application = get_application(session, ref=application_id)
    card = card_for(application, quorum=settings.rating_quorum, viewer=None, tz=settings.timezone)
    return (
        assignment_dm_text(card, assigned_by=assigned_by),
        build_assignment_dm(card, assigned_by=assigned_by),
    )


def _release_note(session: Session, application: Application) -> str | None:
    """Why an open card is unclaimed when the bot (not a person) released the last claim.

    Only the latest claim counts, so the note goes away as soon as someone claims again (or a
    person releases a later claim). The builder escapes notes, so no mention: the release message
    in the card's thread names the reviewer.
    """
    if application.claimed_by is not None or stage_of(application) in CLOSED:
        return None
    latest = session.scalars(
        select(Claim)
        .where(Claim.application_id == application.id)
        .order_by(Claim.id.desc())
        .limit(1)
    ).first()
    if latest is None or latest.released_at is None or latest.released_by != audit.SYSTEM:
        return None
    reason = latest.release_reason or "the claim expired"
    return f"Claim released automatically: {reason}. Open to claim again."


def details_for(
    session: Session, application: Application, *, settings: Settings, viewer: str, is_admin: bool
) -> ApplicationDetails:
    card = card_for(
        application,
        quorum=settings.rating_quorum,
        viewer=viewer,
        tz=settings.timezone,
        is_admin=is_admin,
        other_refs=tuple(queries.other_application_ids(session, application=application)),
    )
    attachments = session.scalars(
        select(Attachment)
        .where(Attachment.application_id == application.id)
        .order_by(Attachment.id)
    )
    entries = list(
        session.scalars(
            select(AuditEntry)
            .where(AuditEntry.application_id == application.id)
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .limit(AUDIT_LINES)
        )
    )
    return ApplicationDetails(
        card=card,
        email=shown_email(application),
        subject=application.subject,
        cover_letter_excerpt=(application.cover_letter_text or "")[:EXCERPT_CHARS],
        resume_excerpt=(application.resume_text or "")[:EXCERPT_CHARS],
        attachments=tuple(
            AttachmentInfo(
                name=a.filename,
                text_available=a.text_unavailable is None,
                reason=a.text_unavailable,
            )
            for a in attachments
        ),
        audit=tuple(audit_line(e, settings=settings) for e in reversed(entries)),
    )


_USER_ID = re.compile(r"[UW][A-Z0-9]{2,30}")
# What each kind of intake stored the application from (`after["source"]` of application.created).
_SOURCES = {
    "email": ("email", "received by email"),
    "webhook": ("web form", "received from the careers form"),
    "csv": ("CSV import", "imported from a CSV file"),
}
# Who wrote an entry when it was not a person.
_SYSTEM_ACTORS = {
    audit.SYSTEM: "scheduler",
    "retention": "retention job",
    "intake:imap": "intake (email)",
    "intake:webhook": "intake (web form)",
    "intake:csv": "intake (CSV import)",
    "intake:cli": "intake (command line)",
    "cli:purge": "admin (command line)",
}
_VERBS = {
    "claim": "claimed",
    "unclaim": "unclaimed",
    "recuse": "recused themselves",
    "rate": "rated",
    "rate_update": "updated their rating",
    "refused": "was refused",
    "application.anonymised": "removed the personal data",
}


def audit_line(entry: AuditEntry, *, settings: Settings) -> AuditLine:
    """One history entry in plain words — who and what, never the scores or notes themselves."""
    after = entry.after or {}
    before = entry.before or {}
    is_user = bool(_USER_ID.fullmatch(entry.actor))
    actor = entry.actor if is_user else _actor_label(entry.actor, after)
    verb = _VERBS.get(entry.action) or entry.action.replace("_", " ").replace(".", " ")
    target: str | None = None
    if entry.action == "application.created":
        source = _SOURCES.get(str(after.get("source") or ""))
        verb = source[1] if source else "received"
    elif entry.action == "stage":
        stage = parse_stage(str(after.get("stage") or ""))
        verb = f"moved it to {stage.label}" if stage else "moved it"
    elif entry.action == "rate_update" and after.get(SAW_AVERAGE):
        verb = "changed their rating after seeing the average"
    elif entry.action == "assign" and after.get("claimed_by"):
        verb, target = "assigned it to", str(after["claimed_by"])
    elif entry.action in {"unclaim", "claim_released"} and before.get("claimed_by"):
        holder = str(before["claimed_by"])
        if holder != entry.actor:
            verb, target = "released the claim of", holder
    return AuditLine(
        when=entry.at.astimezone(settings.timezone),
        actor=actor,
        verb=verb,
        actor_is_user=is_user,
        target_user=target if target and _USER_ID.fullmatch(target) else None,
    )


def _actor_label(actor: str, after: dict[str, Any]) -> str:
    if actor.startswith("intake:"):
        source = _SOURCES.get(str(after.get("source") or ""))
        if source is not None:
            return f"intake ({source[0]})"
    return _SYSTEM_ACTORS.get(actor) or actor.replace(":", " ") or "someone"


def home_for(
    session: Session, *, user_id: str, is_admin: bool, settings: Settings, now: datetime
) -> HomeView:
    quorum = settings.rating_quorum
    tz = settings.timezone
    awaiting = queries.awaiting_rating(session, user_id=user_id)
    queue = queries.unclaimed_queue(session, user_id=user_id, limit=HOME_LIMIT)
    today = now.astimezone(settings.timezone).date()
    deadlines = queries.upcoming_deadlines(session, today=today, now=now)
    recent = queries.recent_ratings(session, user_id=user_id, limit=HOME_LIMIT)
    return HomeView(
        user_id=user_id,
        my_claims_awaiting_rating=tuple(
            card_for(a, quorum=quorum, viewer=user_id, tz=tz, is_admin=is_admin) for a in awaiting
        ),
        unclaimed_queue=tuple(
            card_for(a, quorum=quorum, viewer=user_id, tz=tz, is_admin=is_admin) for a in queue
        ),
        upcoming_deadlines=tuple(
            WindowDeadline(
                window_name=d.window.name,
                kind_label=d.label,
                day=d.day,
                days_left=d.days_left,
            )
            for d in deadlines
        ),
        my_recent_ratings=tuple(
            RecentRating(
                ref=r.application_id,
                name=shown_name(r.application),
                overall=r.overall,
                rated_at=r.updated_at.astimezone(tz),
            )
            for r in recent
        ),
    )


def window_summary(window: Window, *, now: datetime) -> WindowSummary:
    return WindowSummary(
        name=window.name,
        application_deadline=window.application_deadline,
        decision_deadline=window.decision_deadline,
        starts_on=window.starts_on,
        ends_on=window.ends_on,
        closed=window.closed_at is not None and window.closed_at <= now,
        aliases=tuple(window.aliases or ()),
    )


def window_summaries(session: Session, *, now: datetime) -> list[WindowSummary]:
    return [window_summary(w, now=now) for w in queries.windows(session)]
