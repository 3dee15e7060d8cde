"""Drafts become rows: one candidate per email address, one application per message, one card.

Everything an arrival writes (candidate, application, attachments, the outbox card, the audit
entry) goes into the caller's transaction, so it is all there or none of it is. An application that
arrives again — same Message-ID, or same (source, source id) — is a duplicate, not a second
application. The same person applying to another window gets a new application on the same
candidate; the card lists their other applications.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.parser import BytesHeaderParser
from email.policy import compat32
from typing import Literal, TypeVar

from sqlalchemy import and_, bindparam, case, insert, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.dml import ReturningInsert

from hiring_bot.db.engine import session_scope
from hiring_bot.db.models import Application, Attachment, Candidate, Window, sort_key
from hiring_bot.domain.audit import record
from hiring_bot.domain.redaction import hashed_identity
from hiring_bot.intake.draft import (
    ApplicationDraft,
    IntakeLimits,
    ParseResult,
    Rejected,
    Skipped,
    WindowSpec,
)
from hiring_bot.intake.email_parser import parse_email
from hiring_bot.intake.mime import header_block
from hiring_bot.outbox import enqueue_card, enqueue_card_update

Outcome = Literal["stored", "duplicate", "skipped", "rejected"]
T = TypeVar("T")

SOURCE_EMAIL = "email"
SOURCE_WEBHOOK = "webhook"
SOURCE_CSV = "csv"

MAX_EMAIL = 320
MAX_SOURCE_ID = 500
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")


@dataclass(frozen=True)
class StoreResult:
    outcome: Literal["stored", "duplicate"]
    application_id: int
    outbox_id: int | None = None
    earlier_refs: tuple[int, ...] = ()


@dataclass(frozen=True)
class IngestOutcome:
    """What became of one incoming message; ``line()`` is what the CLI prints for it."""

    status: Outcome
    reason: str = ""
    ref: int | None = None
    outbox_id: int | None = None
    message_id: str | None = None

    def line(self) -> str:
        if self.status == "stored":
            return f"stored #{self.ref}"
        if self.status == "duplicate":
            return f"duplicate of #{self.ref}"
        return f"{self.status}: {self.reason}"


def normalise_email(address: str) -> str:
    return address.strip().lower()


def normalise_message_id(value: str | None) -> str | None:
    """`<abc@host>` from a Message-ID header however it is folded or padded; None when empty."""
    if not value:
        return None
    text = " ".join(value.split())
    match = _MESSAGE_ID.search(text)
    found = match.group(0) if match else text
    if not found:
        return None
    if len(found) > MAX_SOURCE_ID:  # absurd ids still identify the message, by their hash
        return "sha256:" + hashlib.sha256(found.encode("utf-8", "replace")).hexdigest()
    return _clean(found)


def header_message_id(raw: bytes) -> str | None:
    """The Message-ID from the headers alone (cheap: no body parsing, no attachments)."""
    try:
        headers = BytesHeaderParser(policy=compat32).parsebytes(header_block(raw[: 1024 * 1024]))
        value = headers.get("Message-ID")
    except Exception:  # a header block too broken to read: the full parser decides
        return None
    return normalise_message_id(str(value)) if value is not None else None


def email_source_id(raw: bytes, message_id: str | None) -> str:
    """An email's identity: its Message-ID, or the hash of its bytes when it has none."""
    return message_id or "sha256:" + hashlib.sha256(raw).hexdigest()


def find_duplicate(
    session: Session, *, source: str, source_id: str, message_id: str | None = None
) -> int | None:
    """The reference of an application that is this one arriving again, if any.

    An anonymised application keeps only hashes of its ids, so it is still recognised and an
    old message imported again never brings the purged data back.
    """
    key = source_id[:MAX_SOURCE_ID]
    keys = [key, hashed_identity(key)]
    if not message_id:
        return session.scalar(_BY_SOURCE, {"source": source, "keys": keys})
    # One round trip for both identities; the (source, source id) match wins over a Message-ID one.
    message_ids = [message_id, hashed_identity(message_id)]
    return session.scalar(
        _BY_SOURCE_OR_MESSAGE_ID, {"source": source, "keys": keys, "message_ids": message_ids}
    )


# Built once: a statement built per message costs more to put together than to run.
_by_source = and_(
    Application.source == bindparam("source"),
    Application.source_id.in_(bindparam("keys", expanding=True)),
)
_BY_SOURCE = select(Application.id).where(_by_source)
_BY_SOURCE_OR_MESSAGE_ID = (
    select(Application.id)
    .where(or_(_by_source, Application.message_id.in_(bindparam("message_ids", expanding=True))))
    .order_by(case((_by_source, 0), else_=1), Application.id)
    .limit(1)
)
_CANDIDATE_BY_EMAIL = select(Candidate.id, Candidate.name).where(
    Candidate.email == bindparam("email")
)
_INSERT_CANDIDATE = insert(Candidate).returning(Candidate.id)
_INSERT_APPLICATION = insert(Application).returning(Application.id)
_INSERT_ATTACHMENT = insert(Attachment)


def stored_message_ids(session: Session, message_ids: Collection[str]) -> set[str]:
    """Which of these (normalised) Message-IDs an email application already holds, in one query.

    A cheap look-ahead for a batch of messages; `find_duplicate` still decides for each one.
    """
    if not message_ids:
        return set()
    ids = {mid[:MAX_SOURCE_ID] for mid in message_ids}
    wanted = {**{mid: mid for mid in ids}, **{hashed_identity(mid): mid for mid in ids}}
    rows = session.execute(
        select(Application.source_id, Application.message_id).where(
            or_(
                and_(Application.source == SOURCE_EMAIL, Application.source_id.in_(wanted)),
                Application.message_id.in_(wanted),
            )
        )
    )
    return {wanted[value] for row in rows for value in row if value in wanted}


def store_application(
    session: Session,
    *,
    draft: ApplicationDraft,
    source: str,
    source_id: str,
    received_at: datetime,
    actor: str,
    checked_duplicate: bool = False,
) -> StoreResult:
    """Candidate + application + attachments + card + audit, in the caller's transaction.

    `checked_duplicate`: the caller has just looked for this very (source, source_id,
    message_id) in the same transaction and found nothing, so the look-up is not repeated.
    """
    message_id = normalise_message_id(draft.message_id)
    if not checked_duplicate:
        duplicate = find_duplicate(
            session, source=source, source_id=source_id, message_id=message_id
        )
        if duplicate is not None:
            return StoreResult("duplicate", duplicate)

    # Candidate, application and attachments are plain INSERTs (the caller gets ids, not
    # objects): the ORM's unit of work costs more than the statements when intake stores
    # thousands of applications in a run.
    email = normalise_email(draft.email)
    known = session.execute(_CANDIDATE_BY_EMAIL, {"email": email}).first()
    new_candidate = known is None
    if known is None:
        name = _clean(draft.name)[:200] or email.split("@")[0]
        candidate_id = _insert(
            session, _INSERT_CANDIDATE, email=email, name=name, created_at=received_at
        )
    else:
        candidate_id, name = known
    application_id = _insert(
        session,
        _INSERT_APPLICATION,
        candidate_id=candidate_id,
        window_id=_window_id(session, draft.window_name),
        source=source,
        source_id=source_id[:MAX_SOURCE_ID],
        message_id=message_id,
        subject=_clean(draft.subject),
        body_text=_clean(draft.body_text),
        cover_letter_text=_maybe(draft.cover_letter_text),
        resume_text=_maybe(draft.resume_text),
        links=[_clean(link) for link in draft.links],
        period_text=_maybe(draft.period_text),
        duration_text=_maybe(draft.duration_text, 200),
        areas=[_clean(area) for area in draft.areas],
        university=_maybe(draft.university, 300),
        program=_maybe(draft.program, 60),
        eligibility=draft.eligibility,
        eligibility_reason=_clean(draft.eligibility_reason),
        missing=list(draft.missing),
        stage="new",
        received_at=received_at,
        stage_changed_at=received_at,
        # A plain INSERT skips the model's before_insert event, which copies this otherwise.
        sort_name=sort_key(name),
    )
    if draft.attachments:
        session.connection().execute(
            _INSERT_ATTACHMENT,
            [
                {
                    "application_id": application_id,
                    "filename": _clean(item.filename)[:300] or "attachment",
                    "content_type": _clean(item.content_type)[:200] or "application/octet-stream",
                    "role": item.role,
                    "size": len(item.data),
                    "sha256": item.sha256,
                    "data": item.data,
                    "text_unavailable": _maybe(item.text_unavailable),
                }
                for item in draft.attachments
            ],
        )
    earlier: tuple[int, ...] = ()
    if not new_candidate:  # a person first seen just now has no other applications
        earlier = tuple(
            session.scalars(
                select(Application.id)
                .where(Application.candidate_id == candidate_id, Application.id != application_id)
                .order_by(Application.id)
            )
        )
    # The card and the audit entry are written together by the flush at the end.
    card = enqueue_card(session, application_id=application_id)
    for ref in earlier:  # their cards list the person's other applications too
        enqueue_card_update(session, application_id=ref)
    record(
        session,
        actor=actor,
        action="application.created",
        application_id=application_id,
        after={
            "source": source,
            "window": draft.window_name,
            "stage": "new",
            "attachments": len(draft.attachments),
            "earlier_applications": list(earlier),
        },
        detail=f"received via {source}"
        + (f"; also applied as {', '.join(f'#{r}' for r in earlier)}" if earlier else ""),
    )
    session.flush()
    return StoreResult("stored", application_id, card.id, earlier)


def _insert(session: Session, statement: ReturningInsert[int], **values: object) -> int:
    """One row by a plain INSERT (column defaults apply as with the ORM); its id."""
    new_id: int = session.connection().execute(statement, values).scalar_one()
    return new_id


_WINDOW_IDS = "hiring_bot.intake.window_ids"


def _window_id(session: Session, name: str | None) -> int | None:
    """The id of the window named `name`, looked up once per session (a batch of messages)."""
    if not name:
        return None
    known: dict[str, int | None] = session.info.setdefault(_WINDOW_IDS, {})
    if name not in known:
        known[name] = session.scalar(select(Window.id).where(Window.name == name))
    return known[name]


def ingest_email(
    session: Session,
    *,
    raw: bytes,
    windows: Sequence[WindowSpec],
    limits: IntakeLimits,
    now: datetime,
    actor: str = "intake:email",
    parsed: ParseResult | None = None,
) -> IngestOutcome:
    """One raw message, in the caller's transaction: stored, duplicate, skipped or rejected.

    ``parsed``: ``parse_email`` of these bytes with these windows and limits, done beforehand
    (in a worker process); when None the message is parsed here, and only if it is not a
    duplicate.
    """
    message_id = header_message_id(raw)
    if message_id is not None:
        known = find_duplicate(
            session,
            source=SOURCE_EMAIL,
            source_id=email_source_id(raw, message_id),
            message_id=message_id,
        )
        if known is not None:  # seen before: not worth parsing again
            return IngestOutcome("duplicate", ref=known, message_id=message_id)
    if parsed is None:
        parsed = parse_email(raw, windows=windows, limits=limits)
    if isinstance(parsed, Skipped):
        return IngestOutcome("skipped", parsed.reason, message_id=message_id)
    if isinstance(parsed, Rejected):
        return IngestOutcome("rejected", parsed.reason, message_id=message_id)
    if len(normalise_email(parsed.email)) > MAX_EMAIL:
        return IngestOutcome("rejected", "sender address too long", message_id=message_id)
    header_id = message_id
    message_id = normalise_message_id(parsed.message_id) or message_id
    parsed.message_id = message_id
    result = store_application(
        session,
        draft=parsed,
        source=SOURCE_EMAIL,
        source_id=email_source_id(raw, message_id),
        received_at=parsed.received_at or now,
        actor=actor,
        # Looked up above under the same ids, in this transaction: nothing to find again.
        checked_duplicate=header_id is not None and header_id == message_id,
    )
    return IngestOutcome(
        result.outcome,
        ref=result.application_id,
        outbox_id=result.outbox_id,
        message_id=message_id,
    )


def in_transaction(sessions: sessionmaker[Session], work: Callable[[Session], T]) -> T:
    """Run ``work`` in one transaction; once more if a concurrent writer took a unique key first.

    Two processes storing the same message (or the same new candidate) at once: the loser's
    commit fails on the unique constraint, and its second run finds the winner's rows.
    """
    try:
        with session_scope(sessions) as session:
            return work(session)
    except IntegrityError:
        with session_scope(sessions) as session:
            return work(session)


def _clean(text: str | None) -> str:
    """PostgreSQL text cannot hold NUL characters; mail and PDFs sometimes carry them."""
    return (text or "").replace("\x00", "")


def _maybe(text: str | None, limit: int | None = None) -> str | None:
    if text is None:
        return None
    cleaned = _clean(text)
    return cleaned[:limit] if limit is not None else cleaned
