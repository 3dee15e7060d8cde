"""Delivering the outbox (``hiring_bot.outbox``) to Slack, each row once.

``deliver_pending`` sends what is due:

1. *Claim* a row in a short transaction with a conditional UPDATE (``locked_until`` in the past or
   unset); two processes or threads never both win the same row.
2. *Send* outside any transaction (``hiring_bot.slack.delivery_calls``). Card posts carry
   ``metadata`` naming the outbox row.
3. *Record* ``posted_channel`` / ``posted_ts`` / ``status = sent`` (and the card's ts on the
   application) in another short transaction.

Each attempt is one Slack call (``posting_client`` has no retry handlers): the outbox records the
attempt and decides. A post whose outcome is unknown (a crash between 2 and 3, a timeout, a
dropped connection, a 5xx) leaves the row marked ``uncertain``; before posting again the retry
looks for the first post by its metadata (event type + outbox id) in ``conversations.history``,
or ``conversations.replies`` for a thread, and records that one: a card, reminder, DM or thread
message is never posted twice and never lost. File shares are looked for in the card's thread by
title and file name. 429 honours ``Retry-After``; 5xx, timeouts and dropped connections back off
exponentially up to a cap; refusals only a person can fix (``not_in_channel``, a revoked token)
park the row (``hiring_bot.slack.slack_problems``). Card updates carry the card's version and go
one at a time per card, so an older render never lands after a newer one for good.
``last_error`` holds only error codes and exception type names, never candidate data.
"""

from __future__ import annotations

import http.client
import logging
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast
from urllib.error import URLError

from slack_sdk.errors import SlackApiError
from sqlalchemy import CursorResult, or_, select, update
from sqlalchemy.orm import Session

from hiring_bot.db.engine import session_scope
from hiring_bot.db.models import Application, OutboxMessage
from hiring_bot.outbox import (
    OutboxKind,
    OutboxStatus,
)
from hiring_bot.outbox.problems import already_parked
from hiring_bot.slack.delivery_calls import Claimed, Permanent, Sent, Superseded, Wait, send
from hiring_bot.slack.delivery_records import (
    record_failure,
    record_sent,
)
from hiring_bot.slack.slack_problems import PERMANENT_RETRY, permanent_problem

if TYPE_CHECKING:
    from hiring_bot.deps import Deps

log = logging.getLogger(__name__)

LOCK = timedelta(seconds=60)
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=1)
# Waiting for the card a thread reply belongs to: not a failure, so not counted as an attempt.
THREAD_WAIT = timedelta(seconds=30)
# Kinds whose call leaves something in Slack: an attempt that may have reached Slack is looked
# for before the next one posts again.
POSTING_KINDS = frozenset({OutboxKind.CARD_POST, OutboxKind.MESSAGE, OutboxKind.FILE_SHARE})


@dataclass
class DeliveryReport:
    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    gave_up: list[int] = field(default_factory=list)
    # Not taken: locked by another deliverer, not yet due, or already sent.
    busy: list[int] = field(default_factory=list)
    # Slack refused for a reason only a person can fix (not_in_channel, invalid_auth...): the
    # rest of this run waits rather than meet the same refusal once per row.
    blocked: bool = False


def deliver_pending(
    deps: Deps, *, ids: Sequence[int] | None = None, limit: int = 50
) -> DeliveryReport:
    """Send what is due (optionally only ``ids``), oldest first; never raises for Slack errors.

    File shares that a card post creates are delivered in the same call.
    """
    report = DeliveryReport()
    queue: deque[int] = deque(_due_ids(deps, ids=ids, limit=limit))
    while queue and not report.blocked:
        outbox_id = queue.popleft()
        claimed = _claim(deps, outbox_id)
        if claimed is None:
            report.busy.append(outbox_id)
            continue
        queue.extend(_attempt(deps, claimed, report))
    return report


def deliver_soon(deps: Deps, ids: Iterable[int]) -> None:
    """Deliver ``ids`` on the process's background pool (right after the commit that queued them);
    whatever this cannot send, the sweep job retries."""
    wanted = list(ids)
    if wanted:
        deps.background.submit(_deliver_quietly, deps, wanted)


def _deliver_quietly(deps: Deps, ids: list[int]) -> None:
    try:
        deliver_pending(deps, ids=ids)
    except Exception:  # the sweep job retries whatever this could not send
        log.exception("background delivery failed")


def _due_ids(deps: Deps, *, ids: Sequence[int] | None, limit: int) -> list[int]:
    now = deps.clock.now()
    query = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.status == OutboxStatus.PENDING,
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


def _claim(deps: Deps, outbox_id: int) -> Claimed | None:
    """Lock one row for this deliverer; None when someone else holds it or it is not due."""
    now = deps.clock.now()
    with session_scope(deps.sessions) as session:
        if _card_update_in_flight(session, outbox_id, now):
            return None
        result = cast(
            CursorResult[Any],
            session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id == outbox_id,
                    OutboxMessage.status == OutboxStatus.PENDING,
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
        claimed = Claimed(
            id=row.id,
            kind=row.kind,
            application_id=row.application_id,
            channel=row.channel,
            payload=payload,
            created_at=row.created_at,
            attempts=row.attempts,
            maybe_posted=bool(payload.get("uncertain")),
        )
        if row.kind in POSTING_KINDS:
            # Pessimistic until we know better: a crash from here on may leave a posted message.
            marked = {**payload, "uncertain": True}
            if row.kind == OutboxKind.CARD_POST:
                # Every attempt renders at least the version current when the first was claimed:
                # the version of a card an earlier attempt posted and this one finds.
                marked.setdefault("floor", int(payload.get("version", 0)))
                claimed.payload = {**claimed.payload, "floor": marked["floor"]}
            row.payload = marked
        return claimed


def _card_update_in_flight(session: Session, outbox_id: int, now: datetime) -> bool:
    """One card update per application at a time, so two renders never race to Slack.

    The application row is locked first (Postgres; SQLite's write transaction is serial), so
    two deliverers claiming updates of one card see each other's claim.
    """
    # Columns, not the entity: the claim's UPDATE below must not meet a stale identity-map copy.
    found = session.execute(
        select(OutboxMessage.kind, OutboxMessage.application_id).where(
            OutboxMessage.id == outbox_id
        )
    ).first()
    if found is None or found.kind != OutboxKind.CARD_UPDATE or found.application_id is None:
        return False
    session.get(Application, found.application_id, with_for_update=True)
    other = session.scalar(
        select(OutboxMessage.id).where(
            OutboxMessage.kind == OutboxKind.CARD_UPDATE,
            OutboxMessage.application_id == found.application_id,
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.id != outbox_id,
            OutboxMessage.locked_until >= now,
        )
    )
    return other is not None


def _attempt(deps: Deps, claimed: Claimed, report: DeliveryReport) -> list[int]:
    sent: Sent | None
    try:
        sent = send(deps, claimed)
    except Wait as wait:
        record_failure(deps, claimed, str(wait), THREAD_WAIT, definitive=True, counts=False)
        report.retrying.append(claimed.id)
        return []
    except Permanent as gone:
        record_failure(deps, claimed, str(gone), BACKOFF_CAP, definitive=True, give_up=True)
        report.gave_up.append(claimed.id)
        return []
    except Superseded:
        sent = None
    except SlackApiError as error:
        status = error.response.status_code
        problem = permanent_problem(error, deps.settings, claimed.channel)
        if problem is not None:
            # Retrying cannot help until a person acts: parked (not counted), checked again
            # now and then; said once per process, and shown by /healthz meanwhile.
            with deps.sessions() as session:
                known = already_parked(session, last_error=problem.last_error)
            record_failure(
                deps, claimed, problem.last_error, PERMANENT_RETRY, definitive=True, counts=False
            )
            if known:
                log.debug(
                    "outbox #%s (%s) parked: slack %s", claimed.id, claimed.kind, problem.code
                )
            else:
                log.error(problem.message)
            report.retrying.append(claimed.id)
            report.blocked = True
            return []
        if status == 429:
            delay = timedelta(seconds=max(1, _retry_after(error)))
            message = "rate limited (HTTP 429)"
            definitive = True  # a rate-limited call did nothing
        elif status >= 500:
            delay, message, definitive = _backoff(claimed.attempts), f"HTTP {status}", False
        else:
            code = str(error.response.get("error") or f"HTTP {status}")[:100]
            delay, message, definitive = _backoff(claimed.attempts), f"slack: {code}", True
        gave_up = record_failure(deps, claimed, message, delay, definitive=definitive)
        (report.gave_up if gave_up else report.retrying).append(claimed.id)
        log.warning("outbox #%s (%s) not delivered: %s", claimed.id, claimed.kind, message)
        return []
    except (TimeoutError, URLError, ConnectionError, http.client.HTTPException, OSError) as error:
        message = "timeout" if isinstance(error, TimeoutError) else type(error).__name__
        gave_up = record_failure(
            deps, claimed, message, _backoff(claimed.attempts), definitive=False
        )
        (report.gave_up if gave_up else report.retrying).append(claimed.id)
        log.warning("outbox #%s (%s) not delivered: %s", claimed.id, claimed.kind, message)
        return []
    except Exception as error:  # a bug in rendering must not stop the other rows
        message = f"error: {type(error).__name__}"
        log.exception("outbox #%s (%s) failed", claimed.id, claimed.kind)
        gave_up = record_failure(
            deps, claimed, message, _backoff(claimed.attempts), definitive=not claimed.reached_send
        )
        (report.gave_up if gave_up else report.retrying).append(claimed.id)
        return []
    follow_ups = record_sent(deps, claimed, sent)
    report.sent.append(claimed.id)
    return follow_ups


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
