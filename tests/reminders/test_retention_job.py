"""The daily retention job: registered only with RETENTION_DAYS, anonymises what is due at the
fake clock's instant and delivers the card update to the (fake) Slack server."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from hiring_bot.bootstrap import Deps
from hiring_bot.db.engine import session_scope
from hiring_bot.db.models import Application, Attachment, OutboxMessage
from hiring_bot.domain.retention import REASON_REQUEST, anonymise_application
from hiring_bot.outbox import OutboxKind, OutboxStatus
from hiring_bot.scheduler import retention
from hiring_bot.scheduler.retention import purge
from hiring_bot.scheduler.wiring import build_scheduler
from hiring_bot.slack.delivery import deliver_pending
from tests.conftest import with_settings
from tests.fakes.clock import FakeClock
from tests.fakes.slack_api import FakeSlack
from tests.slack.review_factories import add_application, add_window

# Winter ends 30 June 2018 (local): the clock starts at 07:00 UTC on 1 July; 30 days later.
DUE = datetime(2018, 7, 31, 7, 0, tzinfo=UTC)


def test_job_is_scheduled_daily_only_when_retention_days_is_set(deps: Deps) -> None:
    assert build_scheduler(deps, blocking=False).get_job(retention.JOB_ID) is None
    assert retention.run_retention(deps) is None
    on = with_settings(deps, retention_days=30)
    job = build_scheduler(on, blocking=False).get_job(retention.JOB_ID)
    assert job is not None
    assert str(job.trigger) == "cron[hour='3', minute='30']"
    assert job.trigger.timezone == deps.settings.timezone


def test_daily_pass_anonymises_at_the_boundary_and_updates_the_card(
    deps: Deps, clock: FakeClock, fake_slack: FakeSlack
) -> None:
    on = with_settings(deps, retention_days=30)
    with session_scope(on.sessions) as session:
        add_window(session, "Winter 2017/2018", ends_on=date(2018, 6, 30))
        ref = add_application(session, "Ada Lovelace", window="Winter 2017/2018")
    assert deliver_pending(on).sent

    clock.set(DUE - timedelta(seconds=1))
    retention.retention_job(on)
    assert fake_slack.calls_to("chat.update") == []

    clock.set(DUE)
    retention.retention_job(on)
    [update] = fake_slack.calls_to("chat.update")
    assert f"Anonymised applicant #{ref}" in update.params["text"]
    with on.sessions() as session:
        application = session.get(Application, ref)
        assert application is not None
        assert application.anonymised_at == DUE
        assert application.cover_letter_text is None


def test_a_failed_file_delete_is_retried_by_the_outbox(
    deps: Deps, clock: FakeClock, fake_slack: FakeSlack
) -> None:
    with session_scope(deps.sessions) as session:
        ref = add_application(session)
        application = session.get(Application, ref)
        assert application is not None
        application.attachments.append(
            Attachment(
                filename="resume.pdf",
                content_type="application/pdf",
                role="resume",
                size=3,
                sha256="0" * 64,
                data=b"pdf",
                slack_file_id="F0SHARED01",
            )
        )
    with session_scope(deps.sessions) as session:
        result = anonymise_application(
            session, application_id=ref, actor="retention", now=clock.now(), reason=REASON_REQUEST
        )
    # Slack answers 500 to the first files.delete: one attempt, the outbox retries it later.
    fake_slack.fail_next(1, status=500, method="files.delete")
    first = deliver_pending(deps, ids=result.outbox_ids)
    assert first.retrying
    clock.advance(timedelta(hours=1))
    second = deliver_pending(deps, ids=first.retrying)
    assert second.sent == first.retrying
    calls = fake_slack.calls_to("files.delete")
    assert [c.params["file"] for c in calls][-1] == "F0SHARED01"
    assert calls[-1].status == 200
    with deps.sessions() as session:
        row = session.get(OutboxMessage, second.sent[0])
        assert row is not None
        assert (row.kind, row.status) == (OutboxKind.FILE_DELETE, OutboxStatus.SENT)


def shared_resume(deps: Deps) -> tuple[int, str]:
    """An application whose card is posted and whose resume the outbox shared into its thread."""
    with session_scope(deps.sessions) as session:
        ref = add_application(session)
        session.add(
            Attachment(
                application_id=ref,
                filename="resume.pdf",
                content_type="application/pdf",
                role="resume",
                size=8,
                sha256="0" * 64,
                data=b"%PDF-1.4",
            )
        )
    assert len(deliver_pending(deps).sent) == 2  # the card, then the resume
    with deps.sessions() as session:
        file_id = session.scalars(select(Attachment.slack_file_id)).one()
    assert file_id is not None
    return ref, file_id


def pending_rows(deps: Deps) -> list[OutboxMessage]:
    with deps.sessions() as session:
        query = select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.PENDING)
        return list(session.scalars(query))


def test_a_purge_deletes_the_shared_file_in_slack(deps: Deps, fake_slack: FakeSlack) -> None:
    ref, file_id = shared_resume(deps)

    report = purge(deps, refs=[ref], actor="test")
    delivery = deliver_pending(deps, ids=report.outbox_ids)

    assert sorted(delivery.sent) == sorted(report.outbox_ids)
    [call] = fake_slack.calls_to("files.delete")
    assert (call.params["file"], call.response) == (file_id, {"ok": True})
    assert fake_slack.files[file_id]["deleted"] is True
    assert pending_rows(deps) == []


def test_a_purge_after_the_file_was_deleted_in_slack_completes(
    deps: Deps, clock: FakeClock, fake_slack: FakeSlack
) -> None:
    ref, file_id = shared_resume(deps)
    deps.client.files_delete(file=file_id)  # someone removed it in Slack by hand

    report = purge(deps, refs=[ref], actor="test")
    delivery = deliver_pending(deps, ids=report.outbox_ids)

    # Slack's file_deleted is the outcome wanted: sent, not retried.
    assert (delivery.retrying, delivery.gave_up) == ([], [])
    assert sorted(delivery.sent) == sorted(report.outbox_ids)
    assert fake_slack.calls_to("files.delete")[-1].response == {
        "ok": False,
        "error": "file_deleted",
    }
    clock.advance(timedelta(days=1))
    assert deliver_pending(deps).sent == []
    assert pending_rows(deps) == []
    assert len(fake_slack.calls_to("files.delete")) == 2  # the hand deletion and ours, no more


def test_a_purge_of_a_file_slack_never_had_completes(
    deps: Deps, clock: FakeClock, fake_slack: FakeSlack
) -> None:
    ref, file_id = shared_resume(deps)
    fake_slack.files.pop(file_id)  # gone from the workspace (e.g. removed by retention there)

    report = purge(deps, refs=[ref], actor="test")
    delivery = deliver_pending(deps, ids=report.outbox_ids)

    assert (delivery.retrying, delivery.gave_up) == ([], [])
    [call] = fake_slack.calls_to("files.delete")
    assert call.response == {"ok": False, "error": "file_not_found"}
    clock.advance(timedelta(days=1))
    assert deliver_pending(deps).sent == []
    assert pending_rows(deps) == []
    with deps.sessions() as session:
        row = session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == OutboxKind.FILE_DELETE)
        ).one()
        assert (row.status, row.last_error) == (OutboxStatus.SENT, None)
