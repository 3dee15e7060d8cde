"""The outbox: Slack messages written in the transaction that made them necessary, sent once.

Writers call ``enqueue_*`` inside their own transaction, so a message exists exactly when the change
that needs it was committed. ``deliver_pending`` sends what is due:

1. *Claim* a row in a short transaction with a conditional UPDATE (``locked_until`` in the past or
   unset); two processes or threads never both win the same row.
2. *Send* outside any transaction. Card posts carry ``metadata`` naming the outbox row.
3. *Record* ``posted_channel`` / ``posted_ts`` / ``status = sent`` (and the card's ts on the
   application) in another short transaction.

A crash between 2 and 3 leaves the row pending with a lock that expires; before posting a card again
the retry looks for the first post in ``conversations.history`` by that metadata, so a card is never
posted twice and never lost. 429 honours ``Retry-After`` (after slack_sdk's own retry handler gives
up); 5xx, timeouts and dropped connections back off exponentially up to a cap. ``last_error`` holds
only error codes and exception type names, never candidate data.
"""

from __future__ import annotations

import http.client
import logging
import threading
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from urllib.error import URLError

from apscheduler.schedulers.base import BaseScheduler
from slack_sdk.errors import SlackApiError
from sqlalchemy import CursorResult, or_, select, update
from sqlalchemy.orm import Session

from hiring_bot.bootstrap import Deps
from hiring_bot.db.engine import session_scope
from hiring_bot.db.models import Application, Attachment, OutboxMessage, utcnow

log = logging.getLogger(__name__)

KIND_CARD_POST = "card_post"
KIND_CARD_UPDATE = "card_update"
KIND_MESSAGE = "message"
KIND_FILE_SHARE = "file_share"
# A file shared into a card's thread, deleted from Slack when its application is anonymised.
KIND_FILE_DELETE = "file_delete"

PENDING = "pending"
SENT = "sent"
FAILED = "failed"

CARD_EVENT_TYPE = "hiring_bot_card"
LOCK = timedelta(seconds=60)
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=1)
# Waiting for the card a thread reply belongs to: not a failure, so not counted as an attempt.
THREAD_WAIT = timedelta(seconds=30)
# Cards are never given up on (losing one loses an applicant); anything else stops after this many.
MAX_ATTEMPTS = 20
HISTORY_PAGES = 10
# Slack's clock and ours may disagree a little; look a bit before the row was written.
HISTORY_SLACK = timedelta(minutes=10)
# New rows are due at once whatever clock the deliverer runs on (tests use a fake clock).
DUE_NOW = datetime(1970, 1, 1, tzinfo=UTC)
# Attachments shared into the card's thread after the card is posted.
SHARED_ROLES = ("resume", "cover_letter")
SWEEP_SECONDS = 30
MAILBOX_POLL_MINUTES = 3


# --- enqueueing (inside the caller's transaction) -------------------------------------------------


def enqueue_card(session: Session, *, application_id: int) -> OutboxMessage:
    """The application's channel card; one per application however often this is called."""
    return _add(
        session,
        OutboxMessage(
            kind=KIND_CARD_POST, dedupe_key=f"card:{application_id}", application_id=application_id
        ),
    )


def enqueue_card_update(session: Session, *, application_id: int) -> OutboxMessage | None:
    """Refresh the posted card; coalesces with an update not yet picked up.

    Before the card is posted this returns None: the post renders the current state. If the post
    is in flight right now, its row is marked so the deliverer follows it with an update.
    """
    application = session.get(Application, application_id)
    if application is None:
        return None
    if application.card_ts is None:
        post = session.scalar(
            select(OutboxMessage).where(
                OutboxMessage.dedupe_key == f"card:{application_id}",
                OutboxMessage.status == PENDING,
            )
        )
        if post is not None:
            post.payload = {**post.payload, "version": int(post.payload.get("version", 0)) + 1}
        return None
    waiting = session.scalar(
        select(OutboxMessage)
        .where(
            OutboxMessage.kind == KIND_CARD_UPDATE,
            OutboxMessage.application_id == application_id,
            OutboxMessage.status == PENDING,
            OutboxMessage.locked_until.is_(None),
        )
        .order_by(OutboxMessage.id)
        .limit(1)
    )
    if waiting is not None:
        waiting.next_attempt_at = DUE_NOW
        return waiting
    return _add(session, OutboxMessage(kind=KIND_CARD_UPDATE, application_id=application_id))


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
            kind=KIND_MESSAGE,
            dedupe_key=dedupe_key,
            channel=channel,
            application_id=thread_of_application,
            payload=payload,
        ),
    )


def _enqueue_file_share(session: Session, *, attachment: Attachment) -> OutboxMessage:
    return _add(
        session,
        OutboxMessage(
            kind=KIND_FILE_SHARE,
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
            kind=KIND_FILE_DELETE,
            dedupe_key=f"file_delete:{file_id}",
            application_id=application_id,
            payload={"file_id": file_id},
        ),
    )


def _add(session: Session, row: OutboxMessage) -> OutboxMessage:
    """Add ``row``, or return the row already holding its ``dedupe_key`` (``row`` is dropped)."""
    if row.dedupe_key is not None:
        existing = session.scalar(
            select(OutboxMessage).where(OutboxMessage.dedupe_key == row.dedupe_key)
        )
        if existing is not None:
            return existing
    row.status = PENDING
    row.attempts = 0
    row.next_attempt_at = DUE_NOW
    row.created_at = utcnow()
    row.payload = dict(row.payload or {})
    session.add(row)
    session.flush()
    return row


# --- delivery -------------------------------------------------------------------------------------


@dataclass
class DeliveryReport:
    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    gave_up: list[int] = field(default_factory=list)
    # Not taken: locked by another deliverer, not yet due, or already sent.
    busy: list[int] = field(default_factory=list)


@dataclass
class _Claimed:
    id: int
    kind: str
    application_id: int | None
    channel: str | None
    payload: dict[str, Any]
    created_at: datetime
    attempts: int
    # A previous attempt may have posted (it reached the send and never learnt the outcome).
    maybe_posted: bool
    reached_send: bool = False
    history_checked: bool = False


@dataclass(frozen=True)
class _Sent:
    channel: str | None
    ts: str | None
    file_id: str | None = None


class _Wait(Exception):
    """Not deliverable yet (a thread reply whose card is not posted); try again shortly."""


class _Permanent(Exception):
    """Can never be delivered (its application or attachment is gone)."""


def deliver_pending(
    deps: Deps, *, ids: Sequence[int] | None = None, limit: int = 50
) -> DeliveryReport:
    """Send what is due (optionally only ``ids``), oldest first; never raises for Slack errors.

    File shares that a card post creates are delivered in the same call.
    """
    report = DeliveryReport()
    queue: deque[int] = deque(_due_ids(deps, ids=ids, limit=limit))
    while queue:
        outbox_id = queue.popleft()
        claimed = _claim(deps, outbox_id)
        if claimed is None:
            report.busy.append(outbox_id)
            continue
        queue.extend(_attempt(deps, claimed, report))
    return report


def _due_ids(deps: Deps, *, ids: Sequence[int] | None, limit: int) -> list[int]:
    now = deps.clock.now()
    query = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.status == PENDING,
            OutboxMessage.next_attempt_at <= now,
            or_(OutboxMessage.locked_until.is_(None), OutboxMessage.locked_until < now),
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    if ids is not None:
        if not ids:
            return []
        query = query.where(OutboxMessage.id.in_(list(ids)))
    with deps.sessions() as session:
        return list(session.scalars(query))


def _claim(deps: Deps, outbox_id: int) -> _Claimed | None:
    """Lock one row for this deliverer; None when someone else holds it or it is not due."""
    now = deps.clock.now()
    with session_scope(deps.sessions) as session:
        result = cast(
            CursorResult[Any],
            session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id == outbox_id,
                    OutboxMessage.status == PENDING,
                    OutboxMessage.next_attempt_at <= now,
                    or_(OutboxMessage.locked_until.is_(None), OutboxMessage.locked_until < now),
                )
                .values(locked_until=now + LOCK, attempts=OutboxMessage.attempts + 1)
                .execution_options(synchronize_session=False)
            ),
        )
        if result.rowcount != 1:
            return None
        row = session.get(OutboxMessage, outbox_id)
        assert row is not None
        payload = dict(row.payload or {})
        claimed = _Claimed(
            id=row.id,
            kind=row.kind,
            application_id=row.application_id,
            channel=row.channel,
            payload=payload,
            created_at=row.created_at,
            attempts=row.attempts,
            maybe_posted=bool(payload.get("uncertain")),
        )
        if row.kind == KIND_CARD_POST:
            # Pessimistic until we know better: a crash from here on may leave a posted card.
            row.payload = {**payload, "uncertain": True}
        return claimed


def _attempt(deps: Deps, claimed: _Claimed, report: DeliveryReport) -> list[int]:
    try:
        sent = _send(deps, claimed)
    except _Wait as wait:
        _record_failure(deps, claimed, str(wait), THREAD_WAIT, definitive=True, counts=False)
        report.retrying.append(claimed.id)
        return []
    except _Permanent as gone:
        _record_failure(deps, claimed, str(gone), BACKOFF_CAP, definitive=True, give_up=True)
        report.gave_up.append(claimed.id)
        return []
    except SlackApiError as error:
        status = error.response.status_code
        if status == 429:
            delay = timedelta(seconds=max(1, _retry_after(error)))
            message = "rate limited (HTTP 429)"
            definitive = True  # a rate-limited call did nothing
        elif status >= 500:
            delay, message, definitive = _backoff(claimed.attempts), f"HTTP {status}", False
        else:
            code = str(error.response.get("error") or f"HTTP {status}")[:100]
            delay, message, definitive = _backoff(claimed.attempts), f"slack: {code}", True
        gave_up = _record_failure(deps, claimed, message, delay, definitive=definitive)
        (report.gave_up if gave_up else report.retrying).append(claimed.id)
        log.warning("outbox #%s (%s) not delivered: %s", claimed.id, claimed.kind, message)
        return []
    except (TimeoutError, URLError, ConnectionError, http.client.HTTPException, OSError) as error:
        message = "timeout" if isinstance(error, TimeoutError) else type(error).__name__
        gave_up = _record_failure(
            deps, claimed, message, _backoff(claimed.attempts), definitive=False
        )
        (report.gave_up if gave_up else report.retrying).append(claimed.id)
        log.warning("outbox #%s (%s) not delivered: %s", claimed.id, claimed.kind, message)
        return []
    except Exception as error:  # a bug in rendering must not stop the other rows
        message = f"error: {type(error).__name__}"
        log.exception("outbox #%s (%s) failed", claimed.id, claimed.kind)
        gave_up = _record_failure(
            deps, claimed, message, _backoff(claimed.attempts), definitive=not claimed.reached_send
        )
        (report.gave_up if gave_up else report.retrying).append(claimed.id)
        return []
    follow_ups = _record_sent(deps, claimed, sent)
    report.sent.append(claimed.id)
    return follow_ups


def _send(deps: Deps, claimed: _Claimed) -> _Sent:
    if claimed.kind == KIND_CARD_POST:
        return _post_card(deps, claimed)
    if claimed.kind == KIND_CARD_UPDATE:
        return _update_card(deps, claimed)
    if claimed.kind == KIND_MESSAGE:
        return _post_message(deps, claimed)
    if claimed.kind == KIND_FILE_SHARE:
        return _share_file(deps, claimed)
    if claimed.kind == KIND_FILE_DELETE:
        return _delete_file(deps, claimed)
    raise _Permanent(f"unknown outbox kind {claimed.kind!r}")


def _render(deps: Deps, application_id: int | None) -> tuple[str, list[dict[str, Any]]]:
    from hiring_bot.slack.cards import render_card  # the review workflow owns the card's content

    if application_id is None:
        raise _Permanent("card row without an application")
    with deps.sessions() as session:
        if session.get(Application, application_id) is None:
            raise _Permanent("application no longer exists")
        return render_card(session, application_id, settings=deps.settings)


def _post_card(deps: Deps, claimed: _Claimed) -> _Sent:
    channel = deps.settings.hiring_channel
    if not channel:
        raise _Wait("HIRING_CHANNEL is not set")
    if claimed.maybe_posted:
        ts = _find_posted_card(deps, channel, claimed)
        claimed.history_checked = True
        if ts is not None:
            return _Sent(channel, ts)
    text, blocks = _render(deps, claimed.application_id)
    deps.pacer.wait(channel)
    claimed.reached_send = True
    response = deps.client.chat_postMessage(
        channel=channel,
        text=text,
        blocks=blocks,
        unfurl_links=False,
        unfurl_media=False,
        metadata={
            "event_type": CARD_EVENT_TYPE,
            "event_payload": {"outbox_id": claimed.id, "ref": claimed.application_id},
        },
    )
    return _Sent(str(response["channel"]), str(response["ts"]))


def _find_posted_card(deps: Deps, channel: str, claimed: _Claimed) -> str | None:
    """The ts of this row's card if an earlier attempt posted it, found by its metadata."""
    oldest = (claimed.created_at - HISTORY_SLACK).timestamp()
    cursor: str | None = None
    for _page in range(HISTORY_PAGES):
        args: dict[str, Any] = {
            "channel": channel,
            "oldest": f"{max(oldest, 0):.6f}",
            "limit": 200,
            "include_all_metadata": True,
        }
        if cursor:
            args["cursor"] = cursor
        response = deps.client.conversations_history(**args)
        for message in response.get("messages") or []:
            metadata = message.get("metadata") or {}
            payload = metadata.get("event_payload") or {}
            if (
                metadata.get("event_type") == CARD_EVENT_TYPE
                and payload.get("outbox_id") == claimed.id
                and payload.get("ref") in (None, claimed.application_id)
            ):
                return str(message["ts"])
        cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
        if not cursor:
            return None
    return None


def _card_location(deps: Deps, application_id: int | None) -> tuple[str, str]:
    if application_id is None:
        raise _Permanent("row without an application")
    with deps.sessions() as session:
        application = session.get(Application, application_id)
        if application is None:
            raise _Permanent("application no longer exists")
        if application.card_channel is None or application.card_ts is None:
            raise _Wait("waiting for the card to be posted")
        return application.card_channel, application.card_ts


def _update_card(deps: Deps, claimed: _Claimed) -> _Sent:
    channel, ts = _card_location(deps, claimed.application_id)
    text, blocks = _render(deps, claimed.application_id)
    claimed.reached_send = True
    deps.client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
    return _Sent(channel, ts)


def _post_message(deps: Deps, claimed: _Claimed) -> _Sent:
    payload = claimed.payload
    thread_ts: str | None = None
    channel = claimed.channel or ""
    thread_of = payload.get("thread_of_application")
    if thread_of is not None:
        card_channel, thread_ts = _card_location(deps, int(thread_of))
        channel = channel or card_channel
    if not channel:
        raise _Permanent("message without a channel")
    if channel[0] in "UW":
        opened = deps.client.conversations_open(users=channel)
        channel = str(opened["channel"]["id"])
    args: dict[str, Any] = {"channel": channel, "text": payload.get("text") or " "}
    if payload.get("blocks"):
        args["blocks"] = payload["blocks"]
    if thread_ts is not None:
        args["thread_ts"] = thread_ts
    deps.pacer.wait(channel)
    claimed.reached_send = True
    response = deps.client.chat_postMessage(**args)
    return _Sent(str(response["channel"]), str(response["ts"]))


def _share_file(deps: Deps, claimed: _Claimed) -> _Sent:
    channel, thread_ts = _card_location(deps, claimed.application_id)
    attachment_id = claimed.payload.get("attachment_id")
    with deps.sessions() as session:
        attachment = (
            session.get(Attachment, int(attachment_id)) if attachment_id is not None else None
        )
        if attachment is None:
            raise _Permanent("attachment no longer exists")
        data, filename = attachment.data, attachment.filename or "attachment"
        title = {"resume": "Resume", "cover_letter": "Cover letter"}.get(attachment.role, filename)
    claimed.reached_send = True
    response = deps.client.files_upload_v2(
        channel=channel, thread_ts=thread_ts, content=data, filename=filename, title=title
    )
    files = response.get("files") or [response.get("file") or {}]
    file_id = files[0].get("id") if files and isinstance(files[0], dict) else None
    return _Sent(channel, thread_ts, file_id=str(file_id) if file_id else None)


# files.delete answers these when the file is already gone: the wanted outcome, not a failure.
_FILE_GONE = frozenset({"file_not_found", "file_deleted"})


def _delete_file(deps: Deps, claimed: _Claimed) -> _Sent:
    file_id = str(claimed.payload.get("file_id") or "")
    if not file_id:
        raise _Permanent("file delete without a file id")
    claimed.reached_send = True
    try:
        deps.client.files_delete(file=file_id)
    except SlackApiError as error:
        if error.response.status_code != 200 or error.response.get("error") not in _FILE_GONE:
            raise
    return _Sent(None, None, file_id=file_id)


def _retry_after(error: SlackApiError) -> int:
    headers = error.response.headers or {}
    for key, value in headers.items():
        if key.lower() == "retry-after":
            raw = value[0] if isinstance(value, list) else value
            try:
                return int(float(str(raw)))
            except ValueError:
                return 1
    return 1


def _backoff(attempts: int) -> timedelta:
    """30 s, 60 s, 2 min, ... capped at an hour."""
    exponent = max(0, min(attempts - 1, 20))
    delay: timedelta = BACKOFF_BASE * (2**exponent)
    return min(delay, BACKOFF_CAP)


def _record_sent(deps: Deps, claimed: _Claimed, sent: _Sent) -> list[int]:
    """Mark the row sent (only if it is still ours to mark); returns rows this made necessary."""
    now = deps.clock.now()
    follow_ups: list[int] = []
    with session_scope(deps.sessions) as session:
        row = session.get(OutboxMessage, claimed.id, with_for_update=True)
        if row is None or row.status != PENDING:
            return []
        payload = {k: v for k, v in (row.payload or {}).items() if k != "uncertain"}
        row.status = SENT
        row.posted_channel = sent.channel
        row.posted_ts = sent.ts
        row.sent_at = now
        row.locked_until = None
        row.last_error = None
        row.payload = payload
        if claimed.kind == KIND_CARD_POST and claimed.application_id is not None:
            follow_ups = _after_card_posted(session, claimed, sent, payload)
        elif claimed.kind == KIND_FILE_SHARE and sent.file_id:
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


def _after_card_posted(
    session: Session, claimed: _Claimed, sent: _Sent, payload: dict[str, Any]
) -> list[int]:
    assert claimed.application_id is not None
    application = session.get(Application, claimed.application_id)
    if application is None:
        return []
    application.card_channel = sent.channel
    application.card_ts = sent.ts
    session.flush()
    rows = [
        _enqueue_file_share(session, attachment=attachment)
        for attachment in sorted(application.attachments, key=lambda a: a.id)
        if attachment.role in SHARED_ROLES
    ]
    # Someone changed the application while the post was in flight: the card may be stale.
    if int(payload.get("version", 0)) != int(claimed.payload.get("version", 0)):
        update_row = enqueue_card_update(session, application_id=application.id)
        if update_row is not None:
            rows.append(update_row)
    return [row.id for row in rows]


def _record_failure(
    deps: Deps,
    claimed: _Claimed,
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
        if row is None or row.status != PENDING:
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
        if give_up or (row.kind != KIND_CARD_POST and row.attempts >= MAX_ATTEMPTS):
            row.status = FAILED
            return True
        return False


# --- background delivery and the scheduler ------------------------------------------------------

_inflight: set[threading.Thread] = set()
_inflight_lock = threading.Lock()


def deliver_soon(deps: Deps, ids: Iterable[int]) -> threading.Thread:
    """Deliver ``ids`` on a background thread (the web process, right after its commit)."""
    wanted = list(ids)

    def run() -> None:
        try:
            deliver_pending(deps, ids=wanted)
        except Exception:  # the sweep job retries whatever this could not send
            log.exception("background delivery failed")
        finally:
            with _inflight_lock:
                _inflight.discard(thread)

    thread = threading.Thread(target=run, name="outbox-deliver-soon", daemon=True)
    with _inflight_lock:
        _inflight.add(thread)
    thread.start()
    return thread


def wait_for_background_deliveries(timeout: float = 10.0) -> bool:
    """Join the threads deliver_soon started (shutdown and tests); False if some still run."""
    with _inflight_lock:
        threads = list(_inflight)
    for thread in threads:
        thread.join(timeout)
    return not any(thread.is_alive() for thread in threads)


def sweep(deps: Deps) -> None:
    """The scheduler job: deliver everything due."""
    try:
        report = deliver_pending(deps)
    except Exception:
        log.exception("outbox sweep failed")
        return
    if report.sent or report.retrying or report.gave_up:
        log.info(
            "outbox sweep: %d sent, %d to retry, %d given up",
            len(report.sent),
            len(report.retrying),
            len(report.gave_up),
        )


def poll_mailbox_job(deps: Deps) -> None:
    from hiring_bot.intake.mailbox import poll_mailbox

    try:
        report = poll_mailbox(deps)
    except Exception as error:  # never a traceback with mailbox contents; the next pass retries
        log.warning("mailbox poll failed: %s", type(error).__name__)
        return
    if report.stored:
        deliver_soon(deps, report.outbox_ids)


def register_jobs(scheduler: BaseScheduler, deps: Deps) -> None:
    """Outbox sweep every 30 s; mailbox poll every few minutes when IMAP_URL is set."""
    scheduler.add_job(
        sweep,
        "interval",
        seconds=SWEEP_SECONDS,
        args=[deps],
        id="outbox.sweep",
        replace_existing=True,
    )
    if deps.settings.imap_url:
        scheduler.add_job(
            poll_mailbox_job,
            "interval",
            minutes=MAILBOX_POLL_MINUTES,
            args=[deps],
            id="intake.poll_mailbox",
            replace_existing=True,
        )
