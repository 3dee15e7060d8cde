"""Issue 9 (2, 3) and issue 11 (5): every outbox post reaches Slack once, cards converge on the
database, and refusals only a person can fix stop the retries and say what to do.

Against the Slack stand-in over HTTP, on SQLite and Postgres. The full-size storm is marked slow
(`make faults`); the quick tests run on every `make test`.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select

from hiring_bot.bootstrap import Deps
from hiring_bot.db.engine import session_scope
from hiring_bot.db.models import OutboxMessage
from hiring_bot.outbox import enqueue_message
from hiring_bot.slack.delivery import deliver_pending
from tests.conftest import ALICE, BOB, CAROL, HIRING_CHANNEL, RunningApp
from tests.fakes.clock import FakeClock
from tests.fakes.slack_api import FakeSlack
from tests.integration.intake.fixtures import (  # noqa: F401  (fixtures)
    _background_deliveries_finish,
    windows,
)
from tests.integration.processes import get_json
from tests.reliability.delivery_faults import (
    change,
    copies_by_outbox_id,
    copies_with_text,
    drain,
    inject_random_faults,
    new_applications,
    queue_messages,
    tally,
)

pytestmark = pytest.mark.usefixtures("windows")


def wait_until_locked(deps: Deps, kind: str) -> None:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        with deps.sessions() as session:
            held = session.scalar(
                select(OutboxMessage.id).where(
                    OutboxMessage.kind == kind, OutboxMessage.locked_until.is_not(None)
                )
            )
        if held is not None:
            return
        time.sleep(0.01)
    raise AssertionError(f"no {kind} row was claimed within 5 s")


def _fail_after(fake: FakeSlack, method: str) -> None:
    fake.fail_after_next(1, status=500, method=method)


def _drop_after(fake: FakeSlack, method: str) -> None:
    fake.drop_after_next(1, method=method)


AMBIGUOUS: dict[str, Callable[[FakeSlack, str], None]] = {
    "post-then-500": _fail_after,
    "post-then-drop": _drop_after,
}


def _queue(deps: Deps, what: str, ref: int) -> tuple[int, str]:
    """One outbox row of kind ``what`` (the card is already posted); its id and text."""
    if what == "card":
        raise AssertionError("cards are queued by intake")
    channel, thread = {
        "reminder": (HIRING_CHANNEL, None),
        "dm": (ALICE, None),
        "thread": (HIRING_CHANNEL, ref),
    }[what]
    text = f"{what} about #{ref}"
    with session_scope(deps.sessions) as session:
        row = enqueue_message(session, channel=channel, text=text, thread_of_application=thread)
        return row.id, text


@pytest.mark.parametrize("fault", sorted(AMBIGUOUS))
@pytest.mark.parametrize("what", ["card", "reminder", "dm", "thread"])
def test_a_post_slack_stored_but_never_confirmed_is_found_not_posted_again(
    deps: Deps, fake_slack: FakeSlack, clock: FakeClock, fault: str, what: str
) -> None:
    [ref] = new_applications(deps, 1)
    if what == "card":
        with deps.sessions() as session:
            row_id = session.scalar(
                select(OutboxMessage.id).where(OutboxMessage.kind == "card_post")
            )
        assert row_id is not None
    else:
        deliver_pending(deps)  # the card, so a thread message has its thread
        row_id, text = _queue(deps, what, ref)
    AMBIGUOUS[fault](fake_slack, "chat.postMessage")

    first = deliver_pending(deps, ids=[row_id])
    assert first.retrying == [row_id]
    clock.advance(timedelta(minutes=5))
    assert deliver_pending(deps, ids=[row_id]).sent == [row_id]

    # Slack holds one copy (counted by text too: a copy without metadata counts), and the
    # database points at it.
    if what != "card":
        assert copies_with_text(fake_slack, text) == 1
    assert copies_by_outbox_id(fake_slack)[row_id] == 1
    assert tally(deps, fake_slack).problems() == {}
    lookup = "conversations.replies" if what == "thread" else "conversations.history"
    assert fake_slack.calls_to(lookup)


@pytest.mark.parametrize("fault", sorted(AMBIGUOUS))
def test_a_file_share_slack_completed_but_never_confirmed_is_not_shared_twice(
    deps: Deps, fake_slack: FakeSlack, clock: FakeClock, fault: str
) -> None:
    new_applications(deps, 1, resumes=True)
    AMBIGUOUS[fault](fake_slack, "files.completeUploadExternal")

    deliver_pending(deps)
    clock.advance(timedelta(minutes=5))
    drain(deps)

    shared = [f for f in fake_slack.files.values() if f.get("shared")]
    assert len(shared) == 1
    assert tally(deps, fake_slack).problems() == {}


def test_a_rate_limited_update_never_lands_after_a_newer_one(
    deps: Deps, fake_slack: FakeSlack, clock: FakeClock
) -> None:
    """Issue 9 defect 5: "1 rating" arrived, then "0 ratings" 1 s later; the database held 1."""
    [ref] = new_applications(deps, 1)
    deliver_pending(deps)
    change(deps, ref, claimed_by=ALICE)
    fake_slack.fail_next(1, status=429, retry_after=1, method="chat.update")
    worker = threading.Thread(target=deliver_pending, args=(deps,))
    worker.start()
    fake_slack.wait_for("chat.update", 1)  # the first update met its 429
    change(deps, ref, claimed_by=BOB, stage="in_review")  # a newer change meanwhile
    deliver_pending(deps)
    worker.join(timeout=20)
    clock.advance(timedelta(seconds=2))
    drain(deps)

    assert tally(deps, fake_slack).stale_cards == []
    final = fake_slack.calls_to("chat.update")[-1]
    assert BOB in str(final.params["blocks"])


def test_updates_of_one_card_go_one_at_a_time_and_skip_what_slack_already_shows(
    deps: Deps, fake_slack: FakeSlack
) -> None:
    [ref] = new_applications(deps, 1)
    deliver_pending(deps)
    fake_slack.hang_next(1, seconds=0.5, method="chat.update")
    change(deps, ref, claimed_by=ALICE)
    worker = threading.Thread(target=deliver_pending, args=(deps,))
    worker.start()
    wait_until_locked(deps, "card_update")
    # While that update is in flight, two more changes: each queues behind it.
    change(deps, ref, claimed_by=BOB)
    change(deps, ref, claimed_by=CAROL)
    deliver_pending(deps)
    worker.join(timeout=20)
    drain(deps)

    assert tally(deps, fake_slack).stale_cards == []
    updates = [c for c in fake_slack.calls_to("chat.update") if c.ok]
    assert CAROL in str(updates[-1].params["blocks"])
    assert len(updates) <= 3


@pytest.mark.parametrize(
    ("error", "hint"),
    [
        ("not_in_channel", f"/invite @hiring-bot in <#{HIRING_CHANNEL}>"),
        ("channel_not_found", "check HIRING_CHANNEL"),
        ("invalid_auth", "reinstall the app"),
        ("missing_scope", "lacks chat:write"),
    ],
)
def test_a_refusal_only_a_person_can_fix_stops_retries_says_how_and_shows_in_healthz(
    running_app: RunningApp,
    fake_slack: FakeSlack,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
    error: str,
    hint: str,
) -> None:
    deps = running_app.deps
    new_applications(deps, 4)
    fake_slack.refuse_next(1, error=error, method="chat.postMessage")
    fake_slack.refuse_next(3, error=error, method="chat.postMessage")

    with caplog.at_level(logging.DEBUG, logger="hiring_bot.slack.delivery"):
        for _ in range(10):
            deliver_pending(deps)
            clock.advance(timedelta(minutes=5))
    refused = [c for c in fake_slack.calls_to("chat.postMessage") if not c.ok]
    # No storm: each card asked once (the run stops at the first refusal), then parked.
    assert len(refused) == 4
    said = [r for r in caplog.records if r.levelno >= logging.ERROR and hint in r.getMessage()]
    assert len(said) == 1, [r.getMessage() for r in caplog.records]
    status, body = get_json(f"{running_app.base_url}/healthz")
    assert status == 200
    assert body["database"] == "ok"
    assert error in str(body["slack"])
    assert hint in str(body["slack"])

    # Fixed (the bot invited, the token replaced): the parked cards go out within the hour.
    clock.advance(timedelta(hours=1))
    drain(deps)
    assert tally(deps, fake_slack).problems() == {}
    status, body = get_json(f"{running_app.base_url}/healthz")
    assert (status, "slack" in body) == (200, False)


def _storm(deps: Deps, fake: FakeSlack, *, count: int, seed: int) -> None:
    rng = random.Random(seed)
    # A few with resumes: their file shares meet the same faults.
    refs = new_applications(deps, count - count // 4) + new_applications(
        deps, count // 4, resumes=True
    )
    inject_random_faults(fake, rng, count * 3)
    deliver_pending(deps, limit=1000)
    queue_messages(deps, refs)
    for ref in rng.sample(refs, k=max(1, count // 2)):
        change(deps, ref, claimed_by=rng.choice([ALICE, BOB, None]))
    inject_random_faults(fake, rng, count * 6)
    deliver_pending(deps, limit=1000)
    for ref in rng.sample(refs, k=max(1, count // 3)):
        change(deps, ref, claimed_by=rng.choice([ALICE, BOB, CAROL]), stage="in_review")
    inject_random_faults(fake, rng, count * 3)
    drain(deps)


def test_a_failing_rate_limited_slack_gets_every_post_once_and_cards_equal_the_database(
    deps: Deps, fake_slack: FakeSlack
) -> None:
    _storm(deps, fake_slack, count=8, seed=9)

    assert tally(deps, fake_slack).problems() == {}


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2])
def test_storm_of_faults_over_80_applications(deps: Deps, fake_slack: FakeSlack, seed: int) -> None:
    _storm(deps, fake_slack, count=80, seed=seed)

    assert tally(deps, fake_slack).problems() == {}


def test_slack_down_for_a_while_then_back_delivers_everything_once(
    deps: Deps, fake_slack: FakeSlack, clock: FakeClock
) -> None:
    refs = new_applications(deps, 5)
    fake_slack.fail_next(40, status=503)
    for _ in range(4):
        deliver_pending(deps)
        clock.advance(timedelta(minutes=10))
    assert tally(deps, fake_slack).missing  # nothing could go while Slack was down
    fake_slack.clear_faults()
    queue_messages(deps, refs)
    drain(deps)

    assert tally(deps, fake_slack).problems() == {}
