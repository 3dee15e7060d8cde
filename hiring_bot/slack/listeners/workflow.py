"""Steps every review listener shares: authorize, apply a domain change and refresh its card, reply.

A change runs in one transaction together with its audit entry, its outbox card update and (for
Slack deliveries that may repeat) its idempotency key; the card update is handed to a background
delivery right after the commit, so the channel card changes within a second or two while the
request to Slack has long been answered.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session

from hiring_bot.db import budget
from hiring_bot.db.engine import read_scope, session_scope, should_run_again
from hiring_bot.db.models import OutboxMessage
from hiring_bot.deps import Deps
from hiring_bot.domain import idempotency, people
from hiring_bot.domain.applications import Outcome
from hiring_bot.domain.errors import DomainError, NotAllowed
from hiring_bot.domain.people import Access
from hiring_bot.outbox import enqueue_card_update
from hiring_bot.slack.delivery import deliver_soon

log = logging.getLogger(__name__)

OOPS = (
    "Something went wrong on my side and I could not finish that. "
    "Please try again in a moment; if it keeps happening, tell an admin."
)
DATABASE_BUSY = (
    "The database is busy or not answering right now, so nothing was changed. "
    "Please try again in a moment; if it keeps happening, tell an admin."
)


@dataclass(frozen=True)
class Actor:
    user_id: str
    access: Access

    @property
    def is_admin(self) -> bool:
        return self.access is Access.ADMIN


def authorize(
    deps: Deps,
    *,
    user_id: str,
    action: str,
    application_id: int | None = None,
    admin_only: bool = False,
    allow_stale: bool = False,
) -> Actor:
    """The actor, or NotAllowed — with the refusal committed to the audit log first."""
    session = deps.sessions()
    try:
        try:
            access = people.authorize(
                session,
                deps.directory,
                user_id=user_id,
                action=action,
                application_id=application_id,
                admin_only=admin_only,
                allow_stale=allow_stale,
            )
        except NotAllowed:
            session.commit()
            raise
        return Actor(user_id, access)
    finally:
        session.close()


def apply_change(
    deps: Deps,
    change: Callable[[Session], Outcome],
    *,
    once_key: str | None = None,
    notify: Callable[[Session, Outcome], Sequence[OutboxMessage]] | None = None,
) -> Outcome | None:
    """Run `change` in one transaction, queue the card update, deliver it after the commit.

    With `once_key`, a delivery seen before changes nothing and returns None. `notify` queues
    more outbox messages in the same transaction (e.g. a DM to an assignee): they are sent
    exactly when the change is committed, right after the card update.

    A unique key taken by a concurrent transaction (the same reviewer's first rating sent twice
    at once) rolls the whole change back; it then runs once more and finds the other's row, so
    the answer is "Updated" rather than an error. A transaction Postgres chose to end a deadlock
    with (a card's delivery locks the card's rows in another order) is run again too.
    """
    unique_retried = False
    for attempt in range(1, _ATTEMPTS + 1):
        try:
            return _apply_once(deps, change, once_key=once_key, notify=notify)
        except IntegrityError:
            if unique_retried:
                raise
            unique_retried = True
            log.info("concurrent change hit a unique key; running it again")
        except OperationalError as exc:
            if attempt == _ATTEMPTS or not should_run_again(exc):
                raise
            log.info("change rolled back to end a deadlock; running it again")
    raise AssertionError("unreachable")


# A change runs at most this often: once, and again after a unique-key clash or deadlock.
_ATTEMPTS = 3


def _apply_once(
    deps: Deps,
    change: Callable[[Session], Outcome],
    *,
    once_key: str | None,
    notify: Callable[[Session, Outcome], Sequence[OutboxMessage]] | None,
) -> Outcome | None:
    with session_scope(deps.sessions) as session:
        if once_key is not None and not idempotency.first_time(
            session, key=once_key, now=deps.clock.now()
        ):
            log.info("repeated delivery ignored (%s)", once_key.partition(":")[0])
            return None
        outcome = change(session)
        row = enqueue_card_update(session, application_id=outcome.application_id)
        rows = [row] if row is not None else []
        if notify is not None:
            rows.extend(notify(session, outcome))
        session.flush()
        row_ids = [r.id for r in rows]
    if row_ids:
        deliver_soon(deps, row_ids)
    return outcome


def read(deps: Deps, work: Callable[[Session], Any]) -> Any:
    """Run a read-only piece of work in its own session (never holding the write lock)."""
    with read_scope(deps.sessions) as session:
        return work(session)


def log_failure(what: str, exc: BaseException) -> None:
    """Log where it failed, never the exception text (it can quote candidate data or SQL values)."""
    frames = "".join(traceback.format_tb(exc.__traceback__))
    log.error("%s failed: %s\n%s", what, type(exc).__name__, frames)


def guarded(what: str, reply: Callable[[str], None], work: Callable[[], None]) -> None:
    """Run a listener body: domain refusals become answers, anything else a polite apology."""
    try:
        work()
    except budget.Overrun:
        raise  # the caller answers "still working" and runs it again without a budget
    except DomainError as refusal:
        _safe_reply(reply, refusal.message)
    except (OperationalError, PoolTimeout) as exc:
        if budget.ran_out(exc):
            raise budget.Overrun() from exc
        # Locked (SQLite busy timeout), timed out or unreachable: a clear answer within seconds.
        log_failure(what, exc)
        _safe_reply(reply, DATABASE_BUSY)
    except Exception as exc:
        log_failure(what, exc)
        _safe_reply(reply, OOPS)


def _safe_reply(reply: Callable[[str], None], text: str) -> None:
    try:
        reply(text)
    except Exception as exc:  # Slack unreachable: nothing more we can tell the user
        log_failure("reply", exc)


def post_private(client: Any, *, channel: str, user_id: str, text: str) -> None:
    """Tell `user_id` something only they see: ephemerally in `channel` when it is a channel the
    command or modal came from, else as a DM (the Home tab and modals have no channel)."""
    if channel.startswith(("C", "G")):
        client.chat_postEphemeral(channel=channel, user=user_id, text=text)
    else:
        client.chat_postMessage(channel=user_id, text=text)


def replier(body: dict[str, Any], respond: Any, client: Any, user_id: str) -> Callable[..., None]:
    """An ephemeral answer to whoever clicked: via response_url on messages, else a DM (modals and
    the Home tab carry no response_url)."""

    def reply(text: str, blocks: Sequence[dict[str, Any]] | None = None) -> None:
        if body.get("response_url"):
            respond(
                text=text,
                blocks=list(blocks) if blocks else None,
                response_type="ephemeral",
                replace_original=False,
            )
        else:
            client.chat_postMessage(
                channel=user_id, text=text, blocks=list(blocks) if blocks else None
            )

    return reply
