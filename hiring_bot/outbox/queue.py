"""Enqueueing: a Slack message written in the transaction that made it necessary.

Writers call ``enqueue_*`` inside their own transaction, so a message exists exactly when the change
that needs it was committed; ``hiring_bot.slack.delivery`` sends it afterwards. Rows with a
``dedupe_key`` are added once however often they are asked for.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hiring_bot.db.models import Application, Attachment, OutboxMessage, utcnow
from hiring_bot.outbox.kinds import OutboxKind, OutboxStatus

# New rows are due at once whatever clock the deliverer runs on (tests use a fake clock).
DUE_NOW = datetime(1970, 1, 1, tzinfo=UTC)


def card_key(application_id: int) -> str:
    """The dedupe key of an application's card post."""
    return f"card:{application_id}"


def enqueue_card(session: Session, *, application_id: int) -> OutboxMessage:
    """The application's channel card; one per application however often this is called.

    The row is written (and gets its id) at the caller's next flush, with whatever else the
    caller adds: intake stores thousands of applications, and a flush each costs.
    """
    return _add(
        session,
        OutboxMessage(
            kind=OutboxKind.CARD_POST,
            dedupe_key=card_key(application_id),
            application_id=application_id,
        ),
        flush=False,
    )


def enqueue_card_update(session: Session, *, application_id: int) -> OutboxMessage | None:
    """Refresh the posted card; coalesces with an update not yet picked up.

    Every call bumps the card's version (kept in the card post row's payload, in this same
    transaction), so an update rendered before the change is known to be stale: the deliverer
    drops it, or follows it with a fresh one, and what Slack shows converges on the database.
    Before the card is posted this returns None: the post renders the current state.
    """
    application = session.get(Application, application_id)
    if application is None:
        return None
    version = _bump_card_version(session, application_id)
    if application.card_ts is None:
        return None
    waiting = session.scalar(
        select(OutboxMessage)
        .where(
            OutboxMessage.kind == OutboxKind.CARD_UPDATE,
            OutboxMessage.application_id == application_id,
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.locked_until.is_(None),
        )
        .order_by(OutboxMessage.id)
        .limit(1)
    )
    if waiting is not None:
        waiting.next_attempt_at = DUE_NOW
        waiting.payload = {**(waiting.payload or {}), "version": version}
        return waiting
    return _add(
        session,
        OutboxMessage(
            kind=OutboxKind.CARD_UPDATE,
            application_id=application_id,
            payload={"version": version},
        ),
    )


def _card_post_row(
    session: Session, application_id: int, *, for_update: bool = False
) -> OutboxMessage | None:
    query = select(OutboxMessage).where(OutboxMessage.dedupe_key == card_key(application_id))
    if for_update:
        query = query.with_for_update()
    return session.scalar(query)


def _bump_card_version(session: Session, application_id: int) -> int:
    # Row-locked: two changes committed at once must give two versions (Postgres; SQLite's
    # write transactions are serial anyway).
    post = _card_post_row(session, application_id, for_update=True)
    if post is None:
        return 0
    version = int((post.payload or {}).get("version", 0)) + 1
    post.payload = {**(post.payload or {}), "version": version}
    return version


def card_version(session: Session, *, application_id: int) -> tuple[int, int]:
    """(the card's current version, the newest version Slack is known to show)."""
    post = _card_post_row(session, application_id)
    payload = (post.payload or {}) if post is not None else {}
    return int(payload.get("version", 0)), int(payload.get("shown", -1))


def record_card_shown(session: Session, *, application_id: int, version: int) -> bool:
    """Note that Slack now shows ``version`` of the card; True when that is stale (a newer
    version was shown or made meanwhile), so the caller must follow it with a fresh render."""
    post = _card_post_row(session, application_id, for_update=True)
    if post is None:
        return False
    payload = dict(post.payload or {})
    shown = int(payload.get("shown", -1))
    current = int(payload.get("version", 0))
    payload["shown"] = version
    post.payload = payload
    # Sent after a newer one (a deliverer that stalled past its lock): Slack now shows the older.
    return version < shown or version < current


def enqueue_message(
    session: Session,
    *,
    channel: str,
    text: str,
    blocks: list[dict[str, Any]] | None = None,
    dedupe_key: str | None = None,
    thread_of_application: int | None = None,
) -> OutboxMessage:
    """A channel message, or a DM when ``channel`` is a user id (U…/W…).

    With ``dedupe_key`` a second call returns the first row instead of adding one.
    ``thread_of_application`` posts into the thread of that application's card (waiting for the
    card if it has not been posted yet).
    """
    payload: dict[str, Any] = {"text": text}
    if blocks is not None:
        payload["blocks"] = blocks
    if thread_of_application is not None:
        payload["thread_of_application"] = thread_of_application
    return _add(
        session,
        OutboxMessage(
            kind=OutboxKind.MESSAGE,
            dedupe_key=dedupe_key,
            channel=channel,
            application_id=thread_of_application,
            payload=payload,
        ),
    )


def enqueue_file_share(session: Session, *, attachment: Attachment) -> OutboxMessage:
    """Share an attachment into its application's card thread; once per attachment."""
    return _add(
        session,
        OutboxMessage(
            kind=OutboxKind.FILE_SHARE,
            dedupe_key=f"file:{attachment.id}",
            application_id=attachment.application_id,
            payload={"attachment_id": attachment.id},
        ),
    )


def enqueue_file_delete(
    session: Session, *, file_id: str, application_id: int | None
) -> OutboxMessage:
    """Delete a file the bot shared (``files.delete``); once per file however often asked."""
    return _add(
        session,
        OutboxMessage(
            kind=OutboxKind.FILE_DELETE,
            dedupe_key=f"file_delete:{file_id}",
            application_id=application_id,
            payload={"file_id": file_id},
        ),
    )


def _add(session: Session, row: OutboxMessage, *, flush: bool = True) -> OutboxMessage:
    """Add ``row``, or return the row already holding its ``dedupe_key`` (``row`` is dropped).

    Without ``flush`` the row is pending until the caller's next flush; a second ``_add`` of the
    same key still finds it, as its look-up flushes first (autoflush).
    """
    if row.dedupe_key is not None:
        existing = session.scalar(
            select(OutboxMessage).where(OutboxMessage.dedupe_key == row.dedupe_key)
        )
        if existing is not None:
            return existing
    row.status = OutboxStatus.PENDING
    row.attempts = 0
    row.next_attempt_at = DUE_NOW
    row.created_at = utcnow()
    row.payload = dict(row.payload or {})
    session.add(row)
    if flush:
        session.flush()
    return row
