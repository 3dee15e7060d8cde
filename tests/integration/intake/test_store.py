"""Storage rules: one candidate per email, duplicates by Message-ID / source id, linked refs."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from hiring_bot.bootstrap import Deps
from hiring_bot.db.models import Application, AuditEntry, Candidate, OutboxMessage
from hiring_bot.intake.store import IngestOutcome
from hiring_bot.slack.delivery import deliver_pending
from tests.fakes.slack_api import FakeSlack
from tests.integration.intake.helpers import (
    COVER_LETTER,
    application_email,
    applications,
    ingest,
    ok_posts,
)

pytestmark = pytest.mark.usefixtures("windows")


def test_a_stored_email_has_its_parsed_fields_attachments_and_audit(deps: Deps) -> None:
    outcome = ingest(deps, application_email())

    with deps.sessions() as session:
        application = session.get(Application, outcome.ref)
        assert application is not None
        assert application.source == "email"
        assert application.source_id == outcome.message_id
        assert application.candidate.email == "ada@example.edu"
        assert application.candidate.name == "Ada Lovelace"
        assert application.window is not None
        assert application.window.name == "Spring/Summer 2018"
        assert application.stage == "new"
        assert application.eligibility == "eligible"
        assert "https://github.com/ada" in application.links
        [resume] = application.attachments
        assert resume.role == "resume"
        assert len(resume.sha256) == 64
        assert resume.size == len(resume.data)
        [entry] = session.scalars(
            select(AuditEntry).where(AuditEntry.application_id.is_not(None))
        ).all()
        assert (entry.action, entry.application_id, entry.actor) == (
            "application.created",
            application.id,
            "intake:email",
        )
        assert entry.after is not None
        assert entry.after["source"] == "email"


def test_the_same_message_id_with_other_bytes_is_a_duplicate(deps: Deps) -> None:
    first = ingest(deps, application_email(message_id="<same@example.edu>"))
    resent = ingest(
        deps, application_email(message_id="<same@example.edu>", subject="Fwd: my application")
    )

    assert resent.line() == f"duplicate of #{first.ref}"


def test_one_candidate_per_normalised_email_with_linked_applications(
    deps: Deps, fake_slack: FakeSlack
) -> None:
    spring = ingest(deps, application_email(address="Ada@Example.EDU"))
    deliver_pending(deps)
    winter_letter = COVER_LETTER.replace("Spring/Summer 2018", "Winter 2017/2018").format(
        handle="ada", name="Ada Lovelace"
    )
    winter = ingest(deps, application_email(address="ada@example.edu", cover_letter=winter_letter))

    with deps.sessions() as session:
        [candidate] = session.scalars(select(Candidate)).all()
        assert candidate.email == "ada@example.edu"
        assert sorted(a.id for a in candidate.applications) == [spring.ref, winter.ref]
        second = session.get(Application, winter.ref)
        assert second is not None
        assert second.window is not None
        assert second.window.name == "Winter 2017/2018"
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.application_id == winter.ref)
        ).one()
        assert f"#{spring.ref}" in entry.detail
        # The earlier card is refreshed so it lists the new application too.
        kinds = session.scalars(select(OutboxMessage.kind).order_by(OutboxMessage.id)).all()
        assert kinds.count("card_update") == 1

    deliver_pending(deps)

    new_card = ok_posts(fake_slack)[-1]
    assert f"#{spring.ref}" in str(new_card.params["blocks"])
    [update] = fake_slack.calls_to("chat.update")
    assert f"#{winter.ref}" in str(update.params["blocks"])


def test_nul_characters_do_not_break_storage(deps: Deps) -> None:
    letter = COVER_LETTER.format(handle="nul", name="Nul Byte") + "\x00 trailing"
    outcome = ingest(deps, application_email(address="nul@example.edu", cover_letter=letter))

    assert outcome.status == "stored"
    with deps.sessions() as session:
        application = session.get(Application, outcome.ref)
        assert application is not None
        assert "\x00" not in application.body_text


def test_two_processes_storing_the_same_message_at_once_store_it_once(deps: Deps) -> None:
    raw = application_email()
    start = threading.Barrier(4)
    outcomes: list[IngestOutcome] = []
    errors: list[BaseException] = []

    def run() -> None:
        start.wait()
        try:
            outcomes.append(ingest(deps, raw))
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert sorted(o.status for o in outcomes) == ["duplicate", "duplicate", "duplicate", "stored"]
    assert len({o.ref for o in outcomes}) == 1
    assert len(applications(deps.sessions)) == 1
