"""Retention: remove an applicant's personal data, keeping the numbers the team needs.

When an application becomes due is `hiring_bot.domain.retention_due`.

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

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hiring_bot.db.models import (
    Application,
    AuditEntry,
    MailboxMessage,
    Review,
)
from hiring_bot.domain import audit
from hiring_bot.domain.applications import get_application
from hiring_bot.domain.claims import free_claim
from hiring_bot.domain.errors import Conflict
from hiring_bot.domain.redaction import anonymised_email, anonymised_label, hashed_identity
from hiring_bot.mrkdwn import escape
from hiring_bot.outbox import (
    cancel_file_shares,
    enqueue_card_update,
    enqueue_file_delete,
    scrub_messages,
)

ACTION = "application.anonymised"
# Reasons recorded in the audit entry: fixed words, never free text (it could name the person).
REASON_RETENTION = "retention"
REASON_REQUEST = "request"
REASONS = frozenset({REASON_RETENTION, REASON_REQUEST})

REMOVED = "[removed]"

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
    # Nothing is left to review: free the claim so no stale-claim reminder nags its holder.
    released = free_claim(session, application=application, by=actor, reason="anonymised", now=now)
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
    cancel_file_shares(session, application_id=application.id, now=now)
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
        # Reminders list names; sent or not, they must not keep this person's.
        scrub_messages(
            session,
            replacements=[
                (_spellings(candidate.name), anonymised_label(application.id)),
                (_spellings(candidate.email), anonymised_email(candidate.id)),
            ],
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


def _hash_mailbox_ledger(session: Session, application_id: int) -> None:
    for row in session.scalars(
        select(MailboxMessage).where(MailboxMessage.application_id == application_id)
    ):
        if row.message_id:
            row.message_id = hashed_identity(row.message_id)


def _spellings(value: str) -> set[str]:
    """How a name or email may appear in a message payload: as given and as mrkdwn stores it."""
    return {value.strip(), escape(value.strip())} - {""}
