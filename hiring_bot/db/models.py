"""The schema: one module so the whole data model reads in one sitting."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
    select,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.orm.attributes import set_committed_value

from hiring_bot.db.types import UTCDateTime


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON,
        list[str]: JSON,
    }


class Window(Base):
    """An internship window; dates are calendar dates in HIRING_TIMEZONE."""

    __tablename__ = "windows"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    aliases: Mapped[list[str]] = mapped_column(default=list)
    application_deadline: Mapped[date] = mapped_column(Date)
    decision_deadline: Mapped[date] = mapped_column(Date)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    closed_at: Mapped[datetime | None]
    # "file" windows follow windows.toml; once edited in Slack a window is "slack" and the file
    # no longer overwrites it.
    source: Mapped[str] = mapped_column(String(16), default="file")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Candidate(Base):
    """One person, keyed by normalised email."""

    __tablename__ = "candidates"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    anonymised_at: Mapped[datetime | None]

    applications: Mapped[list[Application]] = relationship(back_populates="candidate")


class Application(Base):
    """One application by a candidate for a window; `id` is the human reference (#42)."""

    __tablename__ = "applications"
    __table_args__ = (
        UniqueConstraint("source", "source_id", name="uq_applications_source"),
        Index("ix_applications_stage", "stage"),
        Index("ix_applications_window_id", "window_id"),
        Index("ix_applications_claimed_by", "claimed_by"),
        Index("ix_applications_received_at", "received_at"),
        Index("ix_applications_message_id", "message_id"),
        Index("ix_applications_candidate_id", "candidate_id"),
        # `/intern list` pages walk these in received order (migration 0002).
        Index("ix_applications_stage_received", "stage", "received_at", "id"),
        Index("ix_applications_stage_claimed_received", "stage", "claimed_by", "received_at", "id"),
        # ... and these in name order (`sort:name`, migration 0003).
        Index("ix_applications_stage_sort_name", "stage", "sort_name", "received_at", "id"),
        Index(
            "ix_applications_stage_claimed_sort_name",
            "stage",
            "claimed_by",
            "sort_name",
            "received_at",
            "id",
        ),
        # A window's page: its rows come last in received order (windows follow each other),
        # so walking every stage's rows from the oldest would read all earlier windows' first.
        Index("ix_applications_window_stage_received", "window_id", "stage", "received_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"))
    window_id: Mapped[int | None] = mapped_column(ForeignKey("windows.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(16))
    source_id: Mapped[str] = mapped_column(String(500))
    message_id: Mapped[str | None] = mapped_column(String(500))
    subject: Mapped[str] = mapped_column(Text, default="")
    body_text: Mapped[str] = mapped_column(Text, default="")
    cover_letter_text: Mapped[str | None] = mapped_column(Text)
    resume_text: Mapped[str | None] = mapped_column(Text)
    links: Mapped[list[str]] = mapped_column(default=list)
    period_text: Mapped[str | None] = mapped_column(Text)
    duration_text: Mapped[str | None] = mapped_column(String(200))
    areas: Mapped[list[str]] = mapped_column(default=list)
    university: Mapped[str | None] = mapped_column(String(300))
    program: Mapped[str | None] = mapped_column(String(60))
    eligibility: Mapped[str] = mapped_column(String(16), default="unknown")
    eligibility_reason: Mapped[str] = mapped_column(Text, default="")
    missing: Mapped[list[str]] = mapped_column(default=list)
    stage: Mapped[str] = mapped_column(String(20), default="new")
    claimed_by: Mapped[str | None] = mapped_column(String(32))
    claimed_at: Mapped[datetime | None]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    stage_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    card_channel: Mapped[str | None] = mapped_column(String(32))
    card_ts: Mapped[str | None] = mapped_column(String(32))
    anonymised_at: Mapped[datetime | None]
    # sort_key(candidate.name), copied here so `sort:name` can walk an index of this table in
    # order instead of sorting every match; the events below keep it right.
    sort_name: Mapped[str] = mapped_column(String(200), default="", server_default="")

    candidate: Mapped[Candidate] = relationship(back_populates="applications")
    window: Mapped[Window | None] = relationship()
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="application", cascade="all, delete-orphan"
    )
    reviews: Mapped[list[Review]] = relationship(
        back_populates="application", cascade="all, delete-orphan"
    )


def sort_key(name: str) -> str:
    """What `sort:name` orders by: the name without case."""
    return name.lower()


@event.listens_for(Application, "before_insert")
def _copy_sort_name(_mapper: Any, connection: Connection, target: Application) -> None:
    candidate = target.__dict__.get("candidate")  # never a lazy load inside a flush
    if candidate is not None:
        name = candidate.name
    else:
        name = connection.scalar(select(Candidate.name).where(Candidate.id == target.candidate_id))
    target.sort_name = sort_key(name or "")


@event.listens_for(Candidate, "after_update")
def _follow_rename(_mapper: Any, connection: Connection, target: Candidate) -> None:
    # A rename (anonymising the last application) reorders every application of the person.
    state = inspect(target)
    if not state.attrs.name.history.has_changes():
        return
    key = sort_key(target.name)
    connection.execute(
        update(Application.__table__)  # type: ignore[arg-type]
        .where(Application.__table__.c.candidate_id == target.id)
        .values(sort_name=key)
    )
    if state.session is not None:  # the loaded copies too, without marking them changed
        for loaded in list(state.session.identity_map.values()):
            if isinstance(loaded, Application) and loaded.candidate_id == target.id:
                set_committed_value(loaded, "sort_name", key)


class Attachment(Base):
    __tablename__ = "attachments"
    __table_args__ = (Index("ix_attachments_application_id", "application_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(300))
    content_type: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), default="other")
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    text_unavailable: Mapped[str | None] = mapped_column(Text)
    slack_file_id: Mapped[str | None] = mapped_column(String(32))

    application: Mapped[Application] = relationship(back_populates="attachments")


class Review(Base):
    """One reviewer's rating of one application; rating again updates it."""

    __tablename__ = "reviews"
    __table_args__ = (
        UniqueConstraint("application_id", "reviewer_id", name="uq_reviews_application_reviewer"),
        Index("ix_reviews_reviewer_id", "reviewer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))
    reviewer_id: Mapped[str] = mapped_column(String(32))
    overall: Mapped[int] = mapped_column(Integer)
    criteria: Mapped[dict[str, Any]] = mapped_column(default=dict)
    recommendation: Mapped[str | None] = mapped_column(String(20))
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    application: Mapped[Application] = relationship(back_populates="reviews")


class Claim(Base):
    """Claim history; the current holder is mirrored on the application for fast filtering."""

    __tablename__ = "claims"
    __table_args__ = (Index("ix_claims_application_id", "application_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32))
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow)
    released_at: Mapped[datetime | None]
    released_by: Mapped[str | None] = mapped_column(String(32))
    release_reason: Mapped[str | None] = mapped_column(String(200))


class Recusal(Base):
    __tablename__ = "recusals"
    __table_args__ = (
        UniqueConstraint("application_id", "user_id", name="uq_recusals_application_user"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEntry(Base):
    """Who changed what, when, from what to what. Kept when an application is purged."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_application_id", "application_id"),
        Index("ix_audit_log_at", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    application_id: Mapped[int | None] = mapped_column(Integer)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    detail: Mapped[str] = mapped_column(Text, default="")


class OutboxMessage(Base):
    """A Slack message to deliver; written in the transaction that made it necessary."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_status_next", "status", "next_attempt_at"),
        Index("ix_outbox_application_id", "application_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    dedupe_key: Mapped[str | None] = mapped_column(String(300), unique=True)
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE")
    )
    channel: Mapped[str | None] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    locked_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    posted_channel: Mapped[str | None] = mapped_column(String(32))
    posted_ts: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]


class ReminderLedger(Base):
    """A reminder's stable key is written here before it is sent: the unique key is the guard."""

    __tablename__ = "reminder_ledger"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    window_id: Mapped[int | None] = mapped_column(ForeignKey("windows.id", ondelete="SET NULL"))
    target: Mapped[str] = mapped_column(String(32))
    due_at: Mapped[datetime]
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default="queued")


class ProcessedEvent(Base):
    """Slack retries and double clicks: an interaction key seen before is not acted on twice."""

    __tablename__ = "processed_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MailboxMessage(Base):
    """An IMAP message already handled, by UIDVALIDITY + UID, so a pass can be repeated safely."""

    __tablename__ = "mailbox_messages"
    __table_args__ = (
        UniqueConstraint("mailbox", "uidvalidity", "uid", name="uq_mailbox_messages_uid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mailbox: Mapped[str] = mapped_column(String(300))
    uidvalidity: Mapped[int] = mapped_column(Integer)
    uid: Mapped[int] = mapped_column(Integer)
    message_id: Mapped[str | None] = mapped_column(String(500))
    outcome: Mapped[str] = mapped_column(String(200))
    application_id: Mapped[int | None] = mapped_column(Integer)
    processed_at: Mapped[datetime] = mapped_column(default=utcnow)


class BotState(Base):
    """Small named values the bot keeps between runs (e.g. when the last digest went out)."""

    __tablename__ = "bot_state"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


__all__ = [
    "Application",
    "Attachment",
    "AuditEntry",
    "Base",
    "BotState",
    "Candidate",
    "Claim",
    "MailboxMessage",
    "OutboxMessage",
    "ProcessedEvent",
    "Recusal",
    "ReminderLedger",
    "Review",
    "Window",
    "utcnow",
]
