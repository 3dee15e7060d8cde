"""Retention on both databases: what is due when, and what anonymising keeps and removes."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hiring_bot.db.models import (
    Application,
    Attachment,
    AuditEntry,
    Base,
    Candidate,
    Claim,
    MailboxMessage,
    OutboxMessage,
    Review,
)
from hiring_bot.domain import claims, reviews
from hiring_bot.domain.errors import Conflict, NotFound
from hiring_bot.domain.redaction import shown_email, shown_name
from hiring_bot.domain.retention import (
    ACTION,
    REASON_REQUEST,
    REASON_RETENTION,
    anonymise_application,
)
from hiring_bot.domain.retention_due import NO_WINDOW_SPAN, due_for_retention
from hiring_bot.domain.stages import Stage
from hiring_bot.intake.store import find_duplicate
from hiring_bot.outbox import OutboxKind, enqueue_message
from tests.conftest import ALICE, BOB
from tests.fakes.clock import FakeClock
from tests.slack.review_factories import T0, add_application, add_window

LA = ZoneInfo("America/Los_Angeles")
WINTER = "Winter 2017/2018"
DAYS = 30
# ends_on 2018-06-30 ends at the next local midnight: 07:00 UTC on 1 July (PDT), +30 days.
WINTER_DUE = datetime(2018, 7, 31, 7, 0, tzinfo=UTC)
RESUME_BYTES = b"%PDF-1.4 resume of Ada Lovelace, sequence memory research"
FILE_ID = "F0RESUME01"


def due_refs(session: Session, clock: FakeClock) -> list[int]:
    found = due_for_retention(session, now=clock.now(), retention_days=DAYS, tz=LA)
    return [d.application_id for d in found]


def test_window_applications_become_due_at_the_boundary_whatever_their_stage(
    session: Session, clock: FakeClock
) -> None:
    add_window(session, WINTER, ends_on=date(2018, 6, 30))
    decided = add_application(session, "Ada Lovelace", window=WINTER)
    still_open = add_application(session, "Grace Hopper", window=WINTER)
    reviews.move_stage(session, ref=decided, actor=ALICE, target=Stage.REJECTED, now=T0)

    clock.set(WINTER_DUE - timedelta(microseconds=1))
    assert due_refs(session, clock) == []
    clock.set(WINTER_DUE)
    assert due_refs(session, clock) == [decided, still_open]
    [due, _] = due_for_retention(session, now=clock.now(), retention_days=DAYS, tz=LA)
    assert due.started_at == datetime(2018, 7, 1, 7, 0, tzinfo=UTC)
    assert due.due_at == WINTER_DUE
    assert due.basis == f"window {WINTER} ended 2018-07-01 00:00"

    anonymise_application(
        session, application_id=decided, actor="retention", now=clock.now(), reason="retention"
    )
    assert due_refs(session, clock) == [still_open]


def test_a_window_closed_early_starts_the_clock_when_it_was_closed(
    session: Session, clock: FakeClock
) -> None:
    window = add_window(session, WINTER, ends_on=date(2018, 6, 30))
    window.closed_at = datetime(2018, 2, 1, 12, 0, tzinfo=UTC)
    ref = add_application(session, window=WINTER)
    session.flush()

    clock.set(window.closed_at + timedelta(days=DAYS) - timedelta(seconds=1))
    assert due_refs(session, clock) == []
    clock.advance(timedelta(seconds=1))
    assert due_refs(session, clock) == [ref]


def test_without_a_window_the_clock_starts_180_days_after_arrival_or_the_last_move(
    session: Session, clock: FakeClock
) -> None:
    quiet = add_application(session, "Ada Lovelace", received_at=T0)
    moving = add_application(session, "Grace Hopper", received_at=T0)
    due_at = T0 + NO_WINDOW_SPAN + timedelta(days=DAYS)
    # Moved along later than 180 days after arrival: its clock starts at that move.
    moved_at = T0 + NO_WINDOW_SPAN + timedelta(days=10)
    reviews.move_stage(session, ref=moving, actor=ALICE, target=Stage.IN_REVIEW, now=moved_at)

    clock.set(due_at - timedelta(microseconds=1))
    assert due_refs(session, clock) == []
    clock.set(due_at)
    assert due_refs(session, clock) == [quiet]
    clock.set(moved_at + timedelta(days=DAYS))
    assert due_refs(session, clock) == [quiet, moving]
    found = due_for_retention(session, now=clock.now(), retention_days=DAYS, tz=LA)
    assert found[1].started_at == moved_at
    assert found[0].basis == "no window; received 2018-01-10"


def _dump(session: Session) -> str:
    """Every value of every column of every table, as text (bytes decoded, JSON serialised)."""
    session.flush()
    parts: list[str] = []
    for table in Base.metadata.sorted_tables:
        for row in session.execute(select(table)):
            for value in row:
                parts.append(_text(value))
    return "\n".join(parts).casefold()


def _text(value: Any) -> str:
    if isinstance(value, memoryview):
        value = bytes(value)
    if isinstance(value, bytes):
        return value.decode("latin-1")
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else str(value)


def _full_application(session: Session) -> int:
    """An application with everything personal the bot can hold about someone."""
    add_window(session, WINTER, ends_on=date(2018, 6, 30))
    ref = add_application(session, "Ada Lovelace", email="ada.lovelace@example.edu", window=WINTER)
    application = session.get(Application, ref)
    assert application is not None
    application.card_channel, application.card_ts = "C0HIRING", "1700000000.000100"
    session.add(
        Attachment(
            application_id=ref,
            filename="Ada_Lovelace_resume.pdf",
            content_type="application/pdf",
            role="resume",
            size=len(RESUME_BYTES),
            sha256="0" * 64,
            data=RESUME_BYTES,
            slack_file_id=FILE_ID,
        )
    )
    session.add(
        MailboxMessage(
            mailbox="INBOX",
            uidvalidity=1,
            uid=7,
            message_id=application.message_id,
            outcome=f"stored #{ref}",
            application_id=ref,
        )
    )
    claims.claim(session, ref=ref, actor=ALICE, now=T0)
    reviews.rate(
        session,
        ref=ref,
        actor=ALICE,
        values=reviews.RatingInput(overall=4, criteria={}, notes="Ada's HTM thesis is superb"),
        now=T0,
        quorum=2,
    )
    reviews.rate(
        session,
        ref=ref,
        actor=BOB,
        values=reviews.RatingInput(overall=2, notes="Lovelace lacks coursework"),
        now=T0,
        quorum=2,
    )
    reviews.move_stage(
        session,
        ref=ref,
        actor=ALICE,
        target=Stage.SHORTLISTED,  # claiming moved it to in review
        reason="Ada Lovelace asked us to wait",
        now=T0,
    )
    # A digest naming her, already sent, and one still queued.
    for status in ("sent", "pending"):
        row = enqueue_message(
            session,
            channel="C0HIRING",
            text=f"Digest: 1 new — #{ref} Ada Lovelace ({status})",
            blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": "*Ada Lovelace*"}}],
        )
        row.status = status
    session.flush()
    return ref


PERSONAL = (
    "Ada Lovelace",
    "Lovelace",
    "ada.lovelace",  # email, Message-ID, GitHub link
    "Research internship application",  # subject
    "please find my application attached",  # body
    "sequence learning",  # cover letter
    "Coursework: machine learning",  # resume text
    "Stanford",
    "github.com",
    "Spring/Summer 2018",  # the applicant's own words about the period
    "Ada_Lovelace_resume",
    "sequence memory research",  # attachment bytes
    "HTM thesis",  # review notes
    "lacks coursework",
    "asked us to wait",  # a stage move's reason
)


def test_anonymising_removes_every_trace_and_keeps_the_statistics(
    session: Session, clock: FakeClock
) -> None:
    ref = _full_application(session)
    before = _dump(session)
    assert all(p.casefold() in before for p in PERSONAL)  # the check below can fail
    audit_before = session.scalar(select(func.count()).select_from(AuditEntry))
    received_at = session.get(Application, ref).received_at  # type: ignore[union-attr]

    result = anonymise_application(
        session, application_id=ref, actor="retention", now=clock.now(), reason=REASON_RETENTION
    )

    dump = _dump(session)
    assert [p for p in PERSONAL if p.casefold() in dump] == []
    assert result.candidate_anonymised
    assert result.attachments_deleted == 1
    assert result.kept_for == []

    application = session.get(Application, ref)
    assert application is not None
    assert application.anonymised_at == clock.now()
    assert application.candidate.anonymised_at == clock.now()
    assert application.candidate.name == f"Anonymised applicant #{ref}"
    assert application.candidate.email == f"anonymised+{application.candidate_id}@invalid"
    # Kept: what the statistics and the history need.
    assert application.stage == Stage.SHORTLISTED.value
    assert application.window is not None
    assert application.window.name == WINTER
    assert application.received_at == received_at
    assert application.areas == ["Machine learning"]
    assert (application.program, application.eligibility) == ("PhD", "eligible")
    assert application.duration_text == "4 months"
    kept_reviews = session.scalars(select(Review).where(Review.application_id == ref)).all()
    assert sorted((r.reviewer_id, r.overall, r.notes) for r in kept_reviews) == [
        (ALICE, 4, ""),
        (BOB, 2, ""),
    ]
    # The claim was released (nothing left to review), its history kept.
    assert application.claimed_by is None
    claims = session.scalars(select(Claim).where(Claim.application_id == ref)).all()
    assert [(c.user_id, c.release_reason) for c in claims] == [(ALICE, "anonymised")]
    assert session.scalars(select(Attachment)).all() == []
    # The audit log still says who did what when, and records the anonymisation.
    entries = session.scalars(
        select(AuditEntry).where(AuditEntry.application_id == ref).order_by(AuditEntry.id)
    ).all()
    assert len(entries) == (audit_before or 0) + 1
    assert [e.action for e in entries] == [
        "application.created",
        "claim",
        "stage",  # claiming moved it to in review
        "rate",
        "rate",
        "stage",
        ACTION,
    ]
    stage_entry = entries[5]
    assert (stage_entry.actor, stage_entry.after, stage_entry.detail) == (
        ALICE,
        {"stage": "shortlisted"},
        "",
    )
    assert entries[3].after == {
        "overall": 4,
        "criteria": {},
        "recommendation": None,
        "notes_chars": 26,
    }
    last = entries[-1]
    assert (last.actor, last.at is not None) == ("retention", True)
    assert last.before == {"claimed_by": ALICE}
    assert last.after == {
        "reason": "retention",
        "candidate_anonymised": True,
        "attachments_deleted": 1,
        "slack_files_deleted": 1,
    }
    # Slack: the card is refreshed and the shared file deleted, through the outbox.
    rows = session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(result.outbox_ids)))
    payloads = {r.kind: r.payload for r in rows}
    assert set(payloads) == {OutboxKind.CARD_UPDATE, OutboxKind.FILE_DELETE}
    # The update carries only the card's version (hiring_bot.outbox.card_version), no person.
    assert list(payloads[OutboxKind.CARD_UPDATE]) == ["version"]
    assert payloads[OutboxKind.FILE_DELETE] == {"file_id": FILE_ID}
    # Queued and sent messages name the anonymised applicant instead.
    texts = [
        r.payload["text"]
        for r in session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "message"))
    ]
    assert texts == [
        f"Digest: 1 new — #{ref} Anonymised applicant #{ref} (sent)",
        f"Digest: 1 new — #{ref} Anonymised applicant #{ref} (pending)",
    ]


def test_the_same_message_imported_again_is_still_a_duplicate(
    session: Session, clock: FakeClock
) -> None:
    ref = _full_application(session)
    application = session.get(Application, ref)
    assert application is not None
    source, source_id, message_id = (
        application.source,
        application.source_id,
        application.message_id,
    )
    anonymise_application(
        session, application_id=ref, actor="cli:purge", now=clock.now(), reason=REASON_REQUEST
    )
    assert application.source_id != source_id
    assert application.message_id != message_id
    assert find_duplicate(session, source=source, source_id=source_id) == ref
    assert find_duplicate(session, source="email", source_id="other", message_id=message_id) == ref


def test_a_candidate_with_another_application_still_due_later_is_kept_until_then(
    session: Session, clock: FakeClock
) -> None:
    add_window(session, WINTER, ends_on=date(2018, 6, 30))
    add_window(session, "Fall 2018", aliases=("fall",), ends_on=date(2018, 12, 14))
    first = add_application(session, "Ada Lovelace", email="ada@example.edu", window=WINTER)
    second = add_application(session, "Ada Lovelace", email="ada@example.edu", window="Fall 2018")
    clock.set(WINTER_DUE)
    assert due_refs(session, clock) == [first]

    result = anonymise_application(
        session, application_id=first, actor="retention", now=clock.now(), reason="retention"
    )
    assert (result.candidate_anonymised, result.kept_for) == (False, [second])
    assert "stay until their other application(s) #" in result.line()
    one, two = session.get(Application, first), session.get(Application, second)
    assert one is not None
    assert two is not None
    assert one.candidate is two.candidate
    assert (one.candidate.name, one.candidate.anonymised_at) == ("Ada Lovelace", None)
    assert shown_name(one) == f"Anonymised applicant #{first}"
    assert shown_email(one) == f"anonymised+{one.candidate_id}@invalid"
    assert shown_name(two) == "Ada Lovelace"
    assert two.cover_letter_text  # untouched

    result = anonymise_application(
        session, application_id=second, actor="retention", now=clock.now(), reason="retention"
    )
    assert result.candidate_anonymised
    assert two.candidate.name == f"Anonymised applicant #{second}"
    assert "ada@example.edu" not in _dump(session)
    assert session.scalar(select(func.count()).select_from(Candidate)) == 1


def test_refusals_change_nothing(session: Session, clock: FakeClock) -> None:
    ref = add_application(session)
    with pytest.raises(NotFound):
        anonymise_application(
            session, application_id=999, actor="x", now=clock.now(), reason=REASON_REQUEST
        )
    anonymise_application(
        session, application_id=ref, actor="x", now=clock.now(), reason=REASON_REQUEST
    )
    count = session.scalar(select(func.count()).select_from(AuditEntry))
    with pytest.raises(Conflict, match="already anonymised"):
        anonymise_application(
            session, application_id=ref, actor="x", now=clock.now(), reason=REASON_REQUEST
        )
    assert session.scalar(select(func.count()).select_from(AuditEntry)) == count
    # Nothing left to review: claiming or rating it is refused.
    with pytest.raises(Conflict, match="personal data was removed"):
        claims.claim(session, ref=ref, actor=ALICE, now=clock.now())
    with pytest.raises(Conflict, match="personal data was removed"):
        reviews.check_can_rate(session, ref=ref, actor=ALICE)
