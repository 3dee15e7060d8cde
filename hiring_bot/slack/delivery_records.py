"""Recording what a delivery attempt did: the row sent (and what that makes necessary — file shares
after a card, a fresh render after an update that landed late) or scheduled for another try."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from hiring_bot.db.engine import session_scope
from hiring_bot.db.models import Application, Attachment, OutboxMessage
from hiring_bot.outbox import (
    OutboxKind,
    OutboxStatus,
    enqueue_card_update,
    enqueue_file_delete,
    enqueue_file_share,
    record_card_shown,
)
from hiring_bot.slack.delivery_calls import Claimed, Sent

if TYPE_CHECKING:
    from hiring_bot.deps import Deps

# Cards are never given up on (losing one loses an applicant); anything else stops after this many.
MAX_ATTEMPTS = 20
# Attachments shared into the card's thread after the card is posted.
SHARED_ROLES = ("resume", "cover_letter")


def record_sent(deps: Deps, claimed: Claimed, sent: Sent | None) -> list[int]:
    """Mark the row sent (only if it is still ours to mark); returns rows this made necessary.

    ``sent`` None: a card update with nothing to send (Slack already shows that version).
    """
    now = deps.clock.now()
    follow_ups: list[int] = []
    with session_scope(deps.sessions) as session:
        row = session.get(OutboxMessage, claimed.id, with_for_update=True)
        if row is None or row.status != OutboxStatus.PENDING:
            return []
        payload = {k: v for k, v in (row.payload or {}).items() if k != "uncertain"}
        row.status = OutboxStatus.SENT
        if sent is not None:
            row.posted_channel = sent.channel
            row.posted_ts = sent.ts
        row.sent_at = now
        row.locked_until = None
        row.last_error = None
        row.payload = payload
        if sent is None:
            pass
        elif claimed.kind == OutboxKind.CARD_POST and claimed.application_id is not None:
            follow_ups = _after_card_posted(session, claimed, sent)
        elif claimed.kind == OutboxKind.CARD_UPDATE and claimed.application_id is not None:
            follow_ups = _after_card_updated(session, claimed)
        elif claimed.kind == OutboxKind.FILE_SHARE and sent.file_id:
            attachment = session.get(Attachment, int(claimed.payload["attachment_id"]))
            if attachment is not None:
                attachment.slack_file_id = sent.file_id
            else:
                # Anonymised while this upload was in flight: the file must not stay in Slack.
                follow_ups.append(
                    enqueue_file_delete(
                        session, file_id=sent.file_id, application_id=claimed.application_id
                    ).id
                )
        session.flush()
    return follow_ups


def _after_card_updated(session: Session, claimed: Claimed) -> list[int]:
    """Note the version Slack now shows; updates queued behind this one go next (or a fresh
    one, when this render turned out older than what Slack showed or the database holds)."""
    assert claimed.application_id is not None
    rows: list[int] = []
    if claimed.rendered_version is not None and record_card_shown(
        session, application_id=claimed.application_id, version=claimed.rendered_version
    ):
        update_row = enqueue_card_update(session, application_id=claimed.application_id)
        if update_row is not None:
            rows.append(update_row.id)
    session.flush()
    waiting = session.scalars(
        select(OutboxMessage.id).where(
            OutboxMessage.kind == OutboxKind.CARD_UPDATE,
            OutboxMessage.application_id == claimed.application_id,
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.id != claimed.id,
        )
    )
    return sorted({*rows, *waiting})


def _after_card_posted(session: Session, claimed: Claimed, sent: Sent) -> list[int]:
    assert claimed.application_id is not None
    application = session.get(Application, claimed.application_id)
    if application is None:
        return []
    application.card_channel = sent.channel
    application.card_ts = sent.ts
    session.flush()
    rows = [
        enqueue_file_share(session, attachment=attachment)
        for attachment in sorted(application.attachments, key=lambda a: a.id)
        if attachment.role in SHARED_ROLES
    ]
    # Someone changed the application while the post was in flight: the card may be stale.
    version = claimed.rendered_version if claimed.rendered_version is not None else -1
    if record_card_shown(session, application_id=application.id, version=version):
        update_row = enqueue_card_update(session, application_id=application.id)
        if update_row is not None:
            rows.append(update_row)
    return [row.id for row in rows]


def record_failure(
    deps: Deps,
    claimed: Claimed,
    message: str,
    delay: timedelta,
    *,
    definitive: bool,
    counts: bool = True,
    give_up: bool = False,
) -> bool:
    """Unlock the row and schedule the next attempt; True when the row was given up on."""
    now = deps.clock.now()
    with session_scope(deps.sessions) as session:
        row = session.get(OutboxMessage, claimed.id, with_for_update=True)
        if row is None or row.status != OutboxStatus.PENDING:
            return False
        payload = dict(row.payload or {})
        # Still possibly posted: an earlier attempt's doubt not yet settled by a history lookup,
        # or this attempt reached Slack and got no definitive answer.
        uncertain = (claimed.maybe_posted and not claimed.history_checked) or (
            claimed.reached_send and not definitive
        )
        if uncertain:
            payload["uncertain"] = True
        else:
            payload.pop("uncertain", None)
        row.payload = payload
        row.last_error = message[:500]
        row.locked_until = None
        row.next_attempt_at = now + delay
        if not counts:
            row.attempts = max(0, row.attempts - 1)
        if give_up or (row.kind != OutboxKind.CARD_POST and row.attempts >= MAX_ATTEMPTS):
            row.status = OutboxStatus.FAILED
            return True
        return False
