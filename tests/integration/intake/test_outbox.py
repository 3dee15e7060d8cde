"""Exactly-once delivery through the fake Slack over HTTP: rate limits, 5xx, hangs, races."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import timedelta

import pytest
from slack_sdk import WebClient

from hiring_bot.bootstrap import Deps
from hiring_bot.db.engine import session_scope
from hiring_bot.db.models import Application, Attachment, OutboxMessage
from hiring_bot.outbox import enqueue_card, enqueue_card_update, enqueue_message
from hiring_bot.slack.delivery import DeliveryReport, deliver_pending
from hiring_bot.slack.delivery_calls import CARD_EVENT_TYPE
from tests.conftest import ALICE, HIRING_CHANNEL
from tests.fakes.clock import FakeClock
from tests.fakes.slack_api import FakeSlack
from tests.integration.intake.helpers import (
    application_email,
    applications,
    ingest,
    ok_posts,
    outbox_rows,
)

pytestmark = pytest.mark.usefixtures("windows")


def card_row(deps: Deps) -> OutboxMessage:
    rows = outbox_rows(deps.sessions, "card_post")
    assert len(rows) == 1
    return rows[0]


def without_sdk_retries(deps: Deps) -> Deps:
    """The same deps, with a client that reports a 429 at once instead of sleeping through it."""
    client = WebClient(
        token=deps.settings.slack_bot_token,
        base_url=deps.settings.slack_api_url,
        timeout=3,
        retry_handlers=[],
    )
    return replace(deps, client=client)


def test_card_is_posted_once_recorded_and_files_shared_in_its_thread(
    deps: Deps, fake_slack: FakeSlack
) -> None:
    outcome = ingest(deps, application_email())
    assert outcome.status == "stored"

    report = deliver_pending(deps)

    [post] = ok_posts(fake_slack)
    assert post.params["channel"] == HIRING_CHANNEL
    assert post.params["metadata"] == {
        "event_type": CARD_EVENT_TYPE,
        "event_payload": {"outbox_id": outcome.outbox_id, "ref": outcome.ref},
    }
    assert f"#{outcome.ref}" in str(post.params["blocks"])
    row = card_row(deps)
    assert post.response is not None
    assert (row.status, row.posted_channel, row.posted_ts) == (
        "sent",
        HIRING_CHANNEL,
        post.response["ts"],
    )
    [app] = applications(deps.sessions)
    assert (app.card_channel, app.card_ts) == (HIRING_CHANNEL, row.posted_ts)
    # The resume went into the card's thread, as its own outbox row.
    [share] = fake_slack.calls_to("files.completeUploadExternal")
    assert share.params["channel_id"] == HIRING_CHANNEL
    assert share.params["thread_ts"] == row.posted_ts
    [file_row] = outbox_rows(deps.sessions, "file_share")
    assert file_row.status == "sent"
    assert len(report.sent) == 2
    with deps.sessions() as session:
        [attachment] = session.query(Attachment).all()
        assert attachment.slack_file_id == share.response["files"][0]["id"]  # type: ignore[index]

    # Nothing is due any more: a second sweep sends nothing.
    again = deliver_pending(deps)
    assert again == DeliveryReport()
    assert len(ok_posts(fake_slack)) == 1


def test_the_same_eml_ingested_twice_is_one_application_and_one_card(
    deps: Deps, fake_slack: FakeSlack
) -> None:
    raw = application_email()
    first = ingest(deps, raw)
    deliver_pending(deps)
    second = ingest(deps, raw)
    deliver_pending(deps)

    assert (first.status, second.status) == ("stored", "duplicate")
    assert second.ref == first.ref
    assert len(applications(deps.sessions)) == 1
    assert len(outbox_rows(deps.sessions, "card_post")) == 1
    assert len(ok_posts(fake_slack)) == 1


def test_a_429_is_one_attempt_the_outbox_retries_not_the_client(
    deps: Deps, fake_slack: FakeSlack, clock: FakeClock
) -> None:
    ingest(deps, application_email(resume=b""))
    fake_slack.fail_next(1, status=429, retry_after=1, method="chat.postMessage")

    report = deliver_pending(deps)

    # The client did not sleep through it and post again unseen: the outbox decides.
    assert report.retrying == [card_row(deps).id]
    assert len(fake_slack.calls_to("chat.postMessage")) == 1
    clock.advance(timedelta(seconds=1))
    assert deliver_pending(deps).sent == [card_row(deps).id]
    assert len(fake_slack.calls_to("chat.postMessage")) == 2
    assert len(ok_posts(fake_slack)) == 1


def test_429_beyond_the_client_retries_waits_for_retry_after(
    deps: Deps, fake_slack: FakeSlack, clock: FakeClock
) -> None:
    impatient = without_sdk_retries(deps)
    ingest(deps, application_email(resume=b""))
    fake_slack.fail_next(1, status=429, retry_after=7, method="chat.postMessage")

    report = deliver_pending(impatient)

    assert report.retrying == [card_row(deps).id]
    row = card_row(deps)
    assert row.status == "pending"
    assert row.next_attempt_at == clock.now() + timedelta(seconds=7)
    assert row.last_error == "rate limited (HTTP 429)"
    clock.advance(timedelta(seconds=6))
    assert deliver_pending(impatient).sent == []
    clock.advance(timedelta(seconds=1))
    assert deliver_pending(impatient).sent == [row.id]
    assert len(ok_posts(fake_slack)) == 1
    # A 429 means nothing was posted: no history lookup was needed.
    assert fake_slack.calls_to("conversations.history") == []


def test_server_errors_back_off_then_post_once(
    deps: Deps, fake_slack: FakeSlack, clock: FakeClock
) -> None:
    ingest(deps, application_email(resume=b""))
    # 502 is not retried by the client: each delivery attempt meets one.
    fake_slack.fail_next(3, status=502, method="chat.postMessage")

    delays = []
    for _ in range(3):
        before = clock.now()
        assert deliver_pending(deps).retrying
        row = card_row(deps)
        assert row.last_error == "HTTP 502"
        delays.append(row.next_attempt_at - before)
        assert deliver_pending(deps).sent == []  # not due yet
        clock.set(row.next_attempt_at)
    assert delays == [timedelta(seconds=30), timedelta(seconds=60), timedelta(seconds=120)]

    assert deliver_pending(deps).sent == [card_row(deps).id]
    assert len(ok_posts(fake_slack)) == 1
    row = card_row(deps)
    assert (row.status, row.attempts, row.last_error) == ("sent", 4, None)
    # A 5xx leaves doubt, so the retry looked for an earlier post before posting.
    assert fake_slack.calls_to("conversations.history")


def test_each_500_is_one_attempt_recorded_by_the_outbox(
    deps: Deps, fake_slack: FakeSlack, clock: FakeClock
) -> None:
    ingest(deps, application_email(resume=b""))
    fake_slack.fail_next(1, status=500, method="chat.postMessage")

    assert deliver_pending(deps).retrying
    assert len(fake_slack.calls_to("chat.postMessage")) == 1  # no hidden retry in the client
    assert card_row(deps).attempts == 1
    clock.advance(timedelta(seconds=30))
    assert deliver_pending(deps).sent

    assert len(fake_slack.calls_to("chat.postMessage")) == 2
    assert len(ok_posts(fake_slack)) == 1


def test_a_hung_post_that_landed_is_found_in_history_not_posted_again(
    deps: Deps, fake_slack: FakeSlack, clock: FakeClock
) -> None:
    ingest(deps, application_email(resume=b""))
    # The client gives up after 3 s; Slack finishes the post at 4 s: the card is in the channel
    # but the deliverer never learnt its ts.
    fake_slack.hang_next(1, seconds=4, method="chat.postMessage")

    report = deliver_pending(deps)

    assert report.retrying
    assert card_row(deps).last_error == "timeout"
    [landed] = fake_slack.wait_for("chat.postMessage", 1, timeout=10)
    clock.advance(timedelta(seconds=30))

    assert deliver_pending(deps).sent == [card_row(deps).id]

    assert len(fake_slack.calls_to("chat.postMessage")) == 1
    assert fake_slack.calls_to("conversations.history")
    row = card_row(deps)
    assert row.posted_ts == landed.response["ts"]  # type: ignore[index]
    [app] = applications(deps.sessions)
    assert app.card_ts == row.posted_ts


def test_two_deliverers_at_once_post_the_card_once(deps: Deps, fake_slack: FakeSlack) -> None:
    ingest(deps, application_email(resume=b""))
    fake_slack.hang_next(1, seconds=0.5, method="chat.postMessage")  # keep the first in flight
    start = threading.Barrier(2)
    reports: list[DeliveryReport] = []

    def run() -> None:
        start.wait()
        reports.append(deliver_pending(deps))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)

    assert len(ok_posts(fake_slack)) == 1
    assert sorted(len(r.sent) for r in reports) == [0, 1]
    assert card_row(deps).status == "sent"


def test_an_expired_lock_is_taken_over_and_a_live_one_is_not(
    deps: Deps, fake_slack: FakeSlack, clock: FakeClock
) -> None:
    ingest(deps, application_email(resume=b""))
    row = card_row(deps)
    # Another deliverer claimed the row a moment ago (its lock runs 60 s) and then died.
    with session_scope(deps.sessions) as session:
        held = session.get(OutboxMessage, row.id)
        assert held is not None
        held.locked_until = clock.now() + timedelta(seconds=60)
        held.attempts = 1
        held.payload = {"uncertain": True}

    assert deliver_pending(deps) == DeliveryReport()  # locked: not touched
    assert ok_posts(fake_slack) == []
    clock.advance(timedelta(seconds=61))
    assert deliver_pending(deps).sent == [row.id]
    # It may have posted before dying: the history was searched first.
    assert fake_slack.calls_to("conversations.history")
    assert len(ok_posts(fake_slack)) == 1


def test_card_updates_wait_for_the_post_then_coalesce(deps: Deps, fake_slack: FakeSlack) -> None:
    outcome = ingest(deps, application_email(resume=b""))
    assert outcome.ref is not None
    with session_scope(deps.sessions) as session:
        assert enqueue_card_update(session, application_id=outcome.ref) is None
    deliver_pending(deps)

    with session_scope(deps.sessions) as session:
        application = session.get(Application, outcome.ref)
        assert application is not None
        application.stage = "in_review"
        first = enqueue_card_update(session, application_id=outcome.ref)
        second = enqueue_card_update(session, application_id=outcome.ref)
        assert first is not None
        assert second is not None
        assert first.id == second.id
    deliver_pending(deps)

    [update] = fake_slack.calls_to("chat.update")
    assert update.ok
    assert update.params["ts"] == card_row(deps).posted_ts
    assert "In review" in str(update.params["blocks"])


def test_an_update_requested_while_the_post_is_in_flight_follows_it(
    deps: Deps, fake_slack: FakeSlack
) -> None:
    outcome = ingest(deps, application_email(resume=b""))
    assert outcome.ref is not None
    fake_slack.hang_next(1, seconds=0.5, method="chat.postMessage")
    worker = threading.Thread(target=deliver_pending, args=(deps,))
    worker.start()
    claimed = threading.Event()
    ref = outcome.ref

    def claim_when_locked() -> None:
        # Wait (bounded) for the deliverer to take the row: the post is then in flight.
        deadline = time.monotonic() + 5
        while card_row(deps).locked_until is None and time.monotonic() < deadline:
            threading.Event().wait(0.01)
        # While the post is in flight, a reviewer claims the application.
        with session_scope(deps.sessions) as session:
            application = session.get(Application, ref)
            assert application is not None
            application.claimed_by = ALICE
            assert enqueue_card_update(session, application_id=ref) is None
        claimed.set()

    claim_when_locked()
    worker.join(timeout=10)
    assert claimed.is_set()
    deliver_pending(deps)

    assert len(ok_posts(fake_slack)) == 1
    [update] = fake_slack.calls_to("chat.update")
    assert ALICE in str(update.params["blocks"])


def test_dm_and_thread_messages(deps: Deps, fake_slack: FakeSlack, clock: FakeClock) -> None:
    outcome = ingest(deps, application_email(resume=b""))
    assert outcome.ref is not None
    with session_scope(deps.sessions) as session:
        dm = enqueue_message(
            session, channel=ALICE, text="You have 2 stale claims", dedupe_key="k1"
        )
        again = enqueue_message(
            session, channel=ALICE, text="You have 2 stale claims", dedupe_key="k1"
        )
        assert dm.id == again.id
        reply = enqueue_message(
            session,
            channel=HIRING_CHANNEL,
            text="Interview scheduled",
            thread_of_application=outcome.ref,
        )
        reply_id, dm_id = reply.id, dm.id
    # The thread reply waits for its card; the DM goes out.
    report = deliver_pending(deps, ids=[reply_id, dm_id])
    assert report.sent == [dm_id]
    assert report.retrying == [reply_id]
    [opened] = fake_slack.calls_to("conversations.open")
    assert opened.params["users"] == ALICE
    [dm_post] = ok_posts(fake_slack)
    assert dm_post.params["channel"] == fake_slack.dm_channel_for(ALICE)
    with deps.sessions() as session:
        waiting = session.get(OutboxMessage, reply_id)
        assert waiting is not None
        assert waiting.attempts == 0  # waiting is not failing

    deliver_pending(deps)  # the card now
    clock.advance(timedelta(seconds=30))
    assert deliver_pending(deps).sent == [reply_id]
    thread_post = ok_posts(fake_slack)[-1]
    assert thread_post.params["thread_ts"] == card_row(deps).posted_ts


def test_a_failed_file_share_is_retried_alone(
    deps: Deps, fake_slack: FakeSlack, clock: FakeClock
) -> None:
    ingest(deps, application_email())
    fake_slack.fail_next(1, status=502, method="files.completeUploadExternal")

    report = deliver_pending(deps)

    assert len(report.sent) == 1
    assert len(report.retrying) == 1
    [share_row] = outbox_rows(deps.sessions, "file_share")
    assert share_row.status == "pending"
    assert share_row.last_error == "HTTP 502"
    clock.advance(timedelta(seconds=30))
    assert deliver_pending(deps).sent == [share_row.id]
    assert len(ok_posts(fake_slack)) == 1  # the card was not posted again
    assert len([c for c in fake_slack.calls_to("files.completeUploadExternal") if c.ok]) == 1


def test_enqueue_card_is_idempotent(deps: Deps) -> None:
    outcome = ingest(deps, application_email(resume=b""))
    assert outcome.ref is not None
    with session_scope(deps.sessions) as session:
        assert enqueue_card(session, application_id=outcome.ref).id == outcome.outbox_id
    assert len(outbox_rows(deps.sessions, "card_post")) == 1


def test_the_scheduler_sweeps_the_outbox_and_polls_the_mailbox_only_when_configured(
    deps: Deps,
) -> None:
    from hiring_bot.scheduler.wiring import build_scheduler

    without = build_scheduler(deps, blocking=False)
    with_imap = build_scheduler(
        replace(
            deps, settings=replace(deps.settings, imap_url="imaps://u:p@imap.example.org/INBOX")
        ),
        blocking=False,
    )

    sweep = without.get_job("outbox.sweep")
    assert sweep is not None
    assert sweep.trigger.interval == timedelta(seconds=30)
    assert without.get_job("intake.poll_mailbox") is None
    poll = with_imap.get_job("intake.poll_mailbox")
    assert poll is not None
    assert poll.trigger.interval == timedelta(minutes=3)


def test_a_burst_of_cards_is_spaced_a_second_apart_per_channel(
    deps: Deps, fake_slack: FakeSlack
) -> None:
    from hiring_bot.slack.pacing import ChannelPacer
    from tests.fakes.clock import FakeTime

    time_source = FakeTime()
    paced = replace(
        deps, pacer=ChannelPacer(1.0, monotonic=time_source.monotonic, sleep=time_source.sleep)
    )
    for n in range(3):
        raw = application_email(name=f"Applicant {n}", address=f"applicant{n}@example.edu")
        assert ingest(paced, raw).status == "stored"
    deliver_pending(paced)
    assert len(ok_posts(fake_slack)) == 3
    # The first card goes at once; each later one waits for its own slot in the channel.
    assert time_source.slept == [1.0, 2.0]
