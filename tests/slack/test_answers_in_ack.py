"""`/intern` answers in the HTTP ack itself: reads within the database budget, changes once they
have committed; a read the budget cannot cover says so and answers through response_url."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext

import pytest

from hiring_bot.db import budget
from hiring_bot.slack import ids
from hiring_bot.slack.listeners.commands import STILL_WORKING
from tests.conftest import ALICE, BOB, HIRING_CHANNEL, TestDatabase
from tests.reliability.faults import database_locked
from tests.slack.review_harness import TIMEOUT, Harness, ack_answer, harness, text_of

__all__ = ["harness"]

TRIGGER = "13345224609.738474920.8088930838d88f008e1"


def acked(harness: Harness, text: str, *, user: str = ALICE) -> dict[str, object]:
    """The answer the ack carries; nothing may go to the response_url."""
    before = len(harness.fake.responses)
    response = harness.command_ack(text, user=user)
    assert response.status == 200, response.text
    answer = ack_answer(response)
    assert answer is not None, f"/intern {text}: empty ack"
    assert answer["response_type"] == "ephemeral"
    harness.deps.background.wait_idle(TIMEOUT)
    assert harness.fake.responses[before:] == []
    return answer


def test_reads_and_help_are_answered_in_the_ack(harness: Harness) -> None:
    harness.window()
    ref = harness.application("Ada Lovelace", window="Winter 2017/2018")

    listed = acked(harness, "list")
    assert "Ada Lovelace" in text_of(listed)
    assert listed["blocks"]
    assert "Ada Lovelace" in text_of(acked(harness, f"show {ref}"))
    assert "Winter 2017/2018" in text_of(acked(harness, "windows"))
    assert "Winter 2017/2018" in text_of(acked(harness, "stats Winter 2017/2018"))
    assert "/intern list" in text_of(acked(harness, "help"))
    assert "/intern list" in text_of(acked(harness, "lsit"))  # unknown: the usage, in the ack
    # A refusal by the domain is an answer like any other.
    assert "#999" in text_of(acked(harness, "show 999"))


def test_a_claim_is_confirmed_in_the_ack_and_its_card_updated_after(harness: Harness) -> None:
    ref = harness.application("Ada Lovelace")
    answer = acked(harness, f"claim {ref}")
    assert f"You claimed #{ref}" in str(answer["text"])
    # The confirmation came after the commit; the card follows from the outbox.
    assert harness.row(ref).claimed_by == ALICE
    harness.wait_updates(1)
    assert f"claimed by <@{ALICE}>" in harness.card_text(ref)


def test_rate_without_a_score_opens_the_form_before_an_empty_ack(harness: Harness) -> None:
    ref = harness.application("Ada Lovelace")
    response = harness.command_ack(f"rate {ref}", user=BOB)
    assert response.status == 200
    # views.open was called from the request thread, before the ack went back.
    (opened,) = harness.fake.calls_to("views.open")
    assert opened.params["view"]["callback_id"] == ids.RATING_MODAL
    assert ack_answer(response) is None
    harness.deps.background.wait_idle(TIMEOUT)
    assert harness.fake.responses == []


def test_a_retried_read_is_answered_again_without_a_second_effect(harness: Harness) -> None:
    ref = harness.application("Ada Lovelace")
    answers = []
    for retry_num in (None, 1):
        response = harness.app.slack.slash_command(
            f"show {ref}",
            user_id=ALICE,
            channel_id=HIRING_CHANNEL,
            response_url=harness.fake.response_url(),
            trigger_id=TRIGGER,
            retry_num=retry_num,
        )
        answers.append(ack_answer(response))
    # The first ack may never have reached Slack (that is why it retried): the same answer again.
    assert answers[0] is not None
    assert answers[0] == answers[1]


@pytest.fixture
def small_budget(monkeypatch: pytest.MonkeyPatch) -> float:
    seconds = 0.3
    monkeypatch.setattr(budget, "READ_BUDGET_SECONDS", seconds)
    return seconds


def test_a_read_past_its_budget_says_so_and_answers_on_the_response_url(
    harness: Harness, db: TestDatabase, small_budget: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    ref = harness.application("Ada Lovelace")
    harness.command("list")  # the member list is cached before the database is locked
    before = len(harness.fake.responses)
    slow_read: AbstractContextManager[None] = database_locked(db)
    if db.kind == "sqlite":
        # SQLite in WAL mode never makes a reader wait for a writer, so no lock can outlast the
        # budget: the read is given no budget instead, and the progress handler looks at the
        # clock every few instructions, so the list's first statement is stopped (a list page
        # is now far too quick to run past a millisecond's worth of instructions).
        monkeypatch.setattr(budget, "READ_BUDGET_SECONDS", 0.0)
        monkeypatch.setattr(budget, "_SQLITE_CHECK_EVERY", 20)
        slow_read = nullcontext()
    with slow_read:
        response = harness.command_ack("list")
        assert response.status == 200
        still = ack_answer(response)
    # The statement ran past its budget (a lock held by another connection) and was stopped.
    assert still is not None, response.text
    assert still["text"] == STILL_WORKING
    answer = harness.fake.wait_for_response(before + 1, timeout=TIMEOUT)[before]
    assert answer["response_type"] == "ephemeral"
    assert "Ada Lovelace" in text_of(answer)
    assert f"#{ref}" in text_of(answer)
    harness.deps.background.wait_idle(TIMEOUT)
    assert len(harness.fake.responses) == before + 1


def test_without_a_lock_the_same_small_budget_answers_in_the_ack(
    harness: Harness, small_budget: float
) -> None:
    """The budget is what a slow read runs into, not a cap every read hits."""
    harness.application("Ada Lovelace")
    assert "Ada Lovelace" in text_of(acked(harness, "list"))
