"""Read models for the Block Kit builders, filled from the database.

`render_card` is the channel card the outbox posts and updates: it shows the count of ratings and,
once `settings.rating_quorum` reviewers have rated, their average — never a single score or note.
Per-viewer surfaces (`card_for`, lists, App Home) show the average only to admins and to
reviewers who have rated the application themselves.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from hiring_bot.config import Settings
from hiring_bot.db.models import Application, Attachment, AuditEntry, Claim, Review
from hiring_bot.domain import audit, queries
from hiring_bot.domain.redaction import shown_email, shown_name
from hiring_bot.domain.reviews import get_application, stage_of, visible_average
from hiring_bot.domain.stages import CLOSED
from hiring_bot.domain.windows import deadline_instant
from hiring_bot.slack.blocks import (
    ApplicationCard,
    ApplicationDetails,
    AttachmentInfo,
    HomeView,
    RecentRating,
    WindowDeadline,
    WindowSummary,
    build_application_card,
    card_text,
)
from hiring_bot.slack.blocks.views import Eligibility

EXCERPT_CHARS = 2500
AUDIT_LINES = 15
HOME_LIMIT = 25
_ELIGIBILITY = ("eligible", "ineligible", "unknown")


def card_for(
    application: Application,
    *,
    quorum: int,
    viewer: str | None,
    is_admin: bool = False,
    other_refs: tuple[int, ...] = (),
    note: str | None = None,
) -> ApplicationCard:
    """The card read model as `viewer` may see it (`viewer=None`: the public channel card)."""
    reviews: list[Review] = list(application.reviews)
    eligibility = application.eligibility if application.eligibility in _ELIGIBILITY else "unknown"
    if application.anonymised_at is not None:  # says more than any other note
        note = f"Personal data removed on {application.anonymised_at.date().isoformat()}."
    return ApplicationCard(
        ref=application.id,
        name=shown_name(application),
        window_name=application.window.name if application.window is not None else None,
        period_text=application.period_text or "",
        duration_text=application.duration_text or "",
        university=application.university or "",
        program=application.program or "",
        areas=tuple(application.areas or ()),
        links=tuple(application.links or ()),
        missing=tuple(application.missing or ()),
        eligibility=cast(Eligibility, eligibility),
        eligibility_reason=application.eligibility_reason or "",
        stage=stage_of(application),
        claimed_by=application.claimed_by,
        ratings_count=len(reviews),
        average=visible_average(reviews, quorum=quorum, viewer=viewer, is_admin=is_admin),
        other_refs=other_refs,
        received_at=application.received_at,
        note=note,
        anonymised=application.anonymised_at is not None,
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
        other_refs=tuple(queries.other_application_ids(session, application=application)),
        note=_release_note(session, application),
    )
    return card_text(card), build_application_card(card)


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


def audit_line(entry: AuditEntry, *, settings: Settings) -> str:
    """`2018-01-15 09:00 U0ALICE: rate` — who and what, never the scores or notes themselves."""
    when = entry.at.astimezone(settings.timezone).strftime("%Y-%m-%d %H:%M")
    detail = ""
    after = entry.after or {}
    if entry.action == "stage" and "stage" in after:
        detail = f" → {after['stage']}"
    elif entry.action in {"claim", "assign"} and after.get("claimed_by"):
        detail = f" → {after['claimed_by']}"
    return f"{when} {entry.actor}: {entry.action.replace('_', ' ')}{detail}"


def home_for(
    session: Session, *, user_id: str, is_admin: bool, settings: Settings, now: datetime
) -> HomeView:
    quorum = settings.rating_quorum
    awaiting = queries.awaiting_rating(session, user_id=user_id)
    queue = queries.unclaimed_queue(session, user_id=user_id, limit=HOME_LIMIT)
    today = now.astimezone(settings.timezone).date()
    deadlines = queries.upcoming_deadlines(session, today=today, now=now)
    recent = queries.recent_ratings(session, user_id=user_id, limit=HOME_LIMIT)
    return HomeView(
        user_id=user_id,
        my_claims_awaiting_rating=tuple(
            card_for(a, quorum=quorum, viewer=user_id, is_admin=is_admin) for a in awaiting
        ),
        unclaimed_queue=tuple(
            card_for(a, quorum=quorum, viewer=user_id, is_admin=is_admin) for a in queue
        ),
        upcoming_deadlines=tuple(
            WindowDeadline(
                window_name=d.window.name,
                kind_label=d.label,
                when=deadline_instant(d.day, settings.timezone),
                days_left=d.days_left,
            )
            for d in deadlines
        ),
        my_recent_ratings=tuple(
            RecentRating(
                ref=r.application_id,
                name=shown_name(r.application),
                overall=r.overall,
                rated_at=r.updated_at,
            )
            for r in recent
        ),
    )


def window_summaries(session: Session, *, now: datetime) -> list[WindowSummary]:
    return [
        WindowSummary(
            name=w.name,
            application_deadline=w.application_deadline,
            decision_deadline=w.decision_deadline,
            starts_on=w.starts_on,
            ends_on=w.ends_on,
            closed=w.closed_at is not None and w.closed_at <= now,
            aliases=tuple(w.aliases or ()),
        )
        for w in queries.windows(session)
    ]
