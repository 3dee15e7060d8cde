"""Retention: remove an applicant's personal data, keeping the numbers the team needs.

When is an application due (``due_for_retention``)?

- In a window: ``RETENTION_DAYS`` after the window ends — the end of ``ends_on`` in
  HIRING_TIMEZONE (the next local midnight), or the moment an admin closed the window if that was
  earlier. Every application of that window is then due whatever its stage: an application still
  "new" or "shortlisted" when its window has ended will never be decided for that window.
- In no window (the period matched none): there is no end date to count from, so the clock starts
  ``NO_WINDOW_SPAN`` (180 days — an application deadline, a start and a 3-4 month internship)
  after the application arrived, or at its last stage change if that is later, so an application
  someone is still moving along is never purged under the team's feet.

What ``anonymise_application`` removes and keeps:

- removed: the subject, the email body, cover letter and resume text, the applicant's own words
  about the period, links and university; every attachment row with its bytes (files the bot
  shared into the card's thread are deleted from Slack through the outbox); reviewers' notes;
  free-text details and personal values in the application's audit entries; the Message-ID and
  source id, which can name the sender, are replaced by hashes (so the same email imported again
  is still recognised as a duplicate and never brings the data back);
- kept: the reference, window, stage, dates, eligibility outcome, programme, areas, duration,
  what was missing, claims history, scores, criteria and recommendations (statistics), and who
  did what when in the audit log;
- the candidate (name and email) is kept while any of their other applications is not anonymised
  yet — those are still within retention and their cards show the person — and is anonymised
  with the last one: name "Anonymised applicant #<ref>", email ``anonymised+<id>@invalid``
  (unique, and ``.invalid`` can never receive mail). Until then this application already shows
  as "Anonymised applicant #<ref>" everywhere (`hiring_bot.domain.redaction`); when the
  candidate goes, their name and email are also replaced in queued and sent outbox messages
  (reminders list names).

An anonymised open application keeps its stage (the funnel still counts it) but its claim is
released and it can no longer be claimed or rated: there is nothing left to review.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from hiring_bot.db.models import (
    Application,
    AuditEntry,
    Claim,
    MailboxMessage,
    OutboxMessage,
    Review,
    Window,
)
from hiring_bot.domain import audit
from hiring_bot.domain.calendar import deadline_instant
from hiring_bot.domain.errors import Conflict
from hiring_bot.domain.redaction import anonymised_email, anonymised_label
from hiring_bot.domain.reviews import get_application
from hiring_bot.slack.outbox import (
    FAILED,
    KIND_FILE_SHARE,
    KIND_MESSAGE,
    PENDING,
    enqueue_card_update,
    enqueue_file_delete,
)

ACTION = "application.anonymised"
# Reasons recorded in the audit entry: fixed words, never free text (it could name the person).
REASON_RETENTION = "retention"
REASON_REQUEST = "request"
REASONS = frozenset({REASON_RETENTION, REASON_REQUEST})

NO_WINDOW_SPAN = timedelta(days=180)
REMOVED = "[removed]"
HASH_PREFIX = "anon:"

# Audit before/after keys whose values hold no personal data (reviewer ids, stages, scores,
# counts); any other key keeps its name (what changed) but loses its value.
SAFE_AUDIT_KEYS = frozenset(
    {
        "source",
        "window",
        "stage",
        "attachments",
        "earlier_applications",
        "claimed_by",
        "claimed_at",
        "released",
        "recused",
        "overall",
        "criteria",
        "recommendation",
        "notes_chars",
        "reason",
        "candidate_anonymised",
        "attachments_deleted",
        "slack_files_deleted",
    }
)
# Keys holding a nested snapshot, scrubbed the same way.
NESTED_AUDIT_KEYS = frozenset({"review"})
# Actions whose `detail` is written by the bot itself; others (e.g. a stage move's reason) may
# quote the person and are cleared.
SAFE_DETAIL_ACTIONS = frozenset(
    {"application.created", "claim_released", "refused", "recuse", "claim", "unclaim", ACTION}
)


# --- what is due ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    application_id: int
    started_at: datetime  # when the retention clock started (the window's end, ...)
    due_at: datetime  # started_at + RETENTION_DAYS
    basis: str  # why, without personal data: "window Winter 2017/2018 ended 2018-07-01 00:00"


def window_ended_at(window: Window, *, tz: ZoneInfo) -> datetime:
    """The end of `ends_on` in `tz`, or when the window was closed if that was earlier."""
    end = deadline_instant(window.ends_on, tz)
    if window.closed_at is not None and window.closed_at < end:
        return window.closed_at
    return end


def due_for_retention(
    session: Session, *, now: datetime, retention_days: int, tz: ZoneInfo
) -> list[Due]:
    """Applications not yet anonymised whose retention period is over at `now`, by reference."""
    keep = timedelta(days=retention_days)
    found: list[Due] = []
    ended: dict[int, tuple[datetime, str]] = {}
    for window in session.scalars(select(Window)):
        end = window_ended_at(window, tz=tz)
        if end + keep <= now:
            when = end.astimezone(tz).strftime("%Y-%m-%d %H:%M")
            verb = "closed" if window.closed_at is not None and window.closed_at == end else "ended"
            ended[window.id] = (end, f"window {window.name} {verb} {when}")
    if ended:
        rows = session.execute(
            select(Application.id, Application.window_id).where(
                Application.anonymised_at.is_(None), Application.window_id.in_(list(ended))
            )
        )
        for ref, window_id in rows:
            if window_id is not None:
                end, basis = ended[window_id]
                found.append(Due(ref, end, end + keep, basis))
    # Compared with bound instants, not SQL interval arithmetic (SQLite and Postgres differ).
    loose = session.execute(
        select(Application.id, Application.received_at, Application.stage_changed_at).where(
            Application.anonymised_at.is_(None),
            Application.window_id.is_(None),
            Application.received_at <= now - keep - NO_WINDOW_SPAN,
            Application.stage_changed_at <= now - keep,
        )
    )
    for ref, received_at, changed_at in loose:
        start = max(received_at + NO_WINDOW_SPAN, changed_at)
        when = received_at.astimezone(tz).strftime("%Y-%m-%d")
        found.append(Due(ref, start, start + keep, f"no window; received {when}"))
    found.sort(key=lambda d: d.application_id)
    return found


# --- anonymising ---------------------------------------------------------------------------------


@dataclass
class Anonymised:
    application_id: int
    candidate_anonymised: bool
    attachments_deleted: int
    # Other applications of the person not yet anonymised (the candidate is kept for them).
    kept_for: list[int] = field(default_factory=list)
    outbox_ids: list[int] = field(default_factory=list)

    def line(self, *, dry_run: bool = False) -> str:
        """One line for the person who asked, without personal data."""
        text = f"{'would anonymise' if dry_run else 'anonymised'} #{self.application_id}"
        if self.attachments_deleted:
            text += (
                f", {'deleting' if dry_run else 'deleted'} {self.attachments_deleted} attachment(s)"
            )
        if self.kept_for:
            refs = ", ".join(f"#{r}" for r in self.kept_for)
            text += (
                f"; the applicant's name and email stay until their other application(s) {refs} "
                "are anonymised too"
            )
        return text


def hashed_identity(value: str) -> str:
    """What an anonymised application keeps of its source id / Message-ID (duplicate checks)."""
    if value.startswith(HASH_PREFIX):
        return value
    return HASH_PREFIX + hashlib.sha256(value.encode()).hexdigest()


def scrub_audit_values(value: dict[str, Any] | None) -> dict[str, Any] | None:
    if value is None:
        return None
    scrubbed: dict[str, Any] = {}
    for key, item in value.items():
        if key in NESTED_AUDIT_KEYS and isinstance(item, dict):
            scrubbed[key] = scrub_audit_values(item)
        elif key in SAFE_AUDIT_KEYS:
            scrubbed[key] = item
        else:
            scrubbed[key] = REMOVED
    return scrubbed


def anonymise_application(
    session: Session, *, application_id: int, actor: str, now: datetime, reason: str
) -> Anonymised:
    """Remove #application_id's personal data in the caller's transaction (see the module doc).

    Raises NotFound for an unknown reference and Conflict when it is already anonymised; the
    card update and Slack file deletions are queued in the outbox, to be sent after the commit.
    """
    if reason not in REASONS:
        raise ValueError(f"reason must be one of {sorted(REASONS)}")
    application = get_application(session, ref=application_id, for_update=True)
    if application.anonymised_at is not None:
        day = application.anonymised_at.date().isoformat()
        raise Conflict(f"#{application.id} was already anonymised on {day}.")
    candidate = application.candidate
    outbox_ids: list[int] = []

    _clear_application(application)
    released = _release_claim(session, application, actor=actor, now=now)
    for review in session.scalars(select(Review).where(Review.application_id == application.id)):
        review.notes = ""
    attachments_deleted = len(application.attachments)
    files_deleted = 0
    for attachment in list(application.attachments):
        if attachment.slack_file_id:
            row = enqueue_file_delete(
                session, file_id=attachment.slack_file_id, application_id=application.id
            )
            outbox_ids.append(row.id)
            files_deleted += 1
        application.attachments.remove(attachment)  # delete-orphan: the row and its bytes go
    _cancel_file_shares(session, application.id, now=now)
    _hash_mailbox_ledger(session, application.id)
    for entry in session.scalars(
        select(AuditEntry).where(AuditEntry.application_id == application.id)
    ):
        entry.before = scrub_audit_values(entry.before)
        entry.after = scrub_audit_values(entry.after)
        if entry.action not in SAFE_DETAIL_ACTIONS:
            entry.detail = ""
    application.anonymised_at = now
    session.flush()

    others = list(
        session.scalars(
            select(Application.id)
            .where(
                Application.candidate_id == candidate.id,
                Application.id != application.id,
                Application.anonymised_at.is_(None),
            )
            .order_by(Application.id)
        )
    )
    candidate_done = not others
    if candidate_done:
        _scrub_outbox(
            session,
            replacements={
                candidate.name: anonymised_label(application.id),
                candidate.email: anonymised_email(candidate.id),
            },
        )
        candidate.name = anonymised_label(application.id)
        candidate.email = anonymised_email(candidate.id)
        candidate.anonymised_at = now
    audit.record(
        session,
        actor=actor,
        action=ACTION,
        application_id=application.id,
        before={"claimed_by": released} if released else None,
        after={
            "reason": reason,
            "candidate_anonymised": candidate_done,
            "attachments_deleted": attachments_deleted,
            "slack_files_deleted": files_deleted,
        },
        detail=reason,
    )
    card = enqueue_card_update(session, application_id=application.id)
    if card is not None:
        outbox_ids.append(card.id)
    session.flush()
    return Anonymised(
        application_id=application.id,
        candidate_anonymised=candidate_done,
        attachments_deleted=attachments_deleted,
        kept_for=others,
        outbox_ids=outbox_ids,
    )


def _clear_application(application: Application) -> None:
    application.subject = ""
    application.body_text = ""
    application.cover_letter_text = None
    application.resume_text = None
    application.period_text = None
    application.links = []
    application.university = None
    application.source_id = hashed_identity(application.source_id)
    if application.message_id:
        application.message_id = hashed_identity(application.message_id)


def _release_claim(
    session: Session, application: Application, *, actor: str, now: datetime
) -> str | None:
    """Nothing is left to review: free the claim so no stale-claim reminder nags its holder."""
    holder = application.claimed_by
    if holder is None:
        return None
    for claim in session.scalars(
        select(Claim).where(Claim.application_id == application.id, Claim.released_at.is_(None))
    ):
        claim.released_at = now
        claim.released_by = actor[:32]
        claim.release_reason = "anonymised"
    application.claimed_by = None
    application.claimed_at = None
    return holder


def _cancel_file_shares(session: Session, application_id: int, *, now: datetime) -> None:
    """Attachments not shared yet never will be. A share in flight right now is left alone: when
    it lands with its attachment gone, the outbox queues the file's deletion."""
    session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.kind == KIND_FILE_SHARE,
            OutboxMessage.application_id == application_id,
            OutboxMessage.status == PENDING,
            or_(OutboxMessage.locked_until.is_(None), OutboxMessage.locked_until < now),
        )
        .values(status=FAILED, last_error="cancelled: application anonymised")
        .execution_options(synchronize_session=False)
    )


def _hash_mailbox_ledger(session: Session, application_id: int) -> None:
    for row in session.scalars(
        select(MailboxMessage).where(MailboxMessage.application_id == application_id)
    ):
        if row.message_id:
            row.message_id = hashed_identity(row.message_id)


def _scrub_outbox(session: Session, *, replacements: dict[str, str]) -> None:
    """Replace the person's name and email in messages (reminders list names), sent or not."""
    patterns: list[tuple[re.Pattern[str], str]] = []
    for needle, label in replacements.items():
        variants = {needle.strip(), escape(needle.strip())} - {""}
        if not variants:
            continue
        alternatives = "|".join(re.escape(v) for v in sorted(variants, key=len, reverse=True))
        patterns.append((re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE), label))
    if not patterns:
        return
    for row in session.scalars(select(OutboxMessage).where(OutboxMessage.kind == KIND_MESSAGE)):
        payload = row.payload or {}
        flat = json.dumps(payload, ensure_ascii=False)
        if not any(pattern.search(flat) for pattern, _label in patterns):
            continue
        row.payload = _replace_strings(payload, patterns)


def _replace_strings(value: Any, patterns: Sequence[tuple[re.Pattern[str], str]]) -> Any:
    if isinstance(value, str):
        for pattern, label in patterns:
            value = pattern.sub(label, value)
        return value
    if isinstance(value, dict):
        return {key: _replace_strings(item, patterns) for key, item in value.items()}
    if isinstance(value, list):
        return [_replace_strings(item, patterns) for item in value]
    return value


def escape(text: str) -> str:
    """As Slack mrkdwn stores it in blocks (the builders escape &, < and >)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
