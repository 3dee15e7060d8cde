"""Bad input and strangers: a clear ephemeral answer or inline error, nothing changes, no 500."""

from __future__ import annotations

import pytest
from sqlalchemy import delete

from hiring_bot.db.engine import session_scope
from hiring_bot.db.models import Application, Review
from hiring_bot.slack import ids
from tests.conftest import ALICE, BOB, OUTSIDER
from tests.slack.review_harness import Harness, LogWatch, harness

__all__ = ["harness"]


def selected(value: str) -> dict[str, object]:
    return {
        "type": "static_select",
        "selected_option": {"value": value, "text": {"type": "plain_text", "text": value}},
    }


def reviews_count(harness: Harness) -> int:
    with session_scope(harness.deps.sessions) as session:
        return len(session.query(Review).all())


@pytest.mark.parametrize("score", ["0", "6", "4.5", "abc", "-1"])
def test_bad_scores_are_refused(harness: Harness, score: str) -> None:
    ref = harness.application()
    answer = harness.command(f"rate {ref} {score} lovely")
    assert "whole numbers from 1 to 5" in answer["text"]
    assert reviews_count(harness) == 0
    assert harness.updates() == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("claim 999", "There is no application #999"),
        ("claim", "Which application?"),
        ("claim forty-two", "is not an application reference"),
        ("show #999", "There is no application #999"),
        ("stage 1 limbo", "is not a stage"),
        ("stage 1 offer", "Allowed: `in_review`, `rejected`, `withdrawn`"),
        ("list unclaimd", "Did you mean `unclaimed`"),
        ("stats autumn", "There is no window called `autumn`"),
        ("assign 1 @bob", "Only an admin"),
    ],
)
def test_unknown_references_and_words(harness: Harness, text: str, expected: str) -> None:
    harness.application()
    answer = harness.command(text)
    assert expected in answer["text"]
    assert harness.row(1).claimed_by is None
    assert harness.row(1).stage == "new"


def test_ten_kilobytes_of_text_is_refused_in_the_ack(harness: Harness) -> None:
    ref = harness.application()
    response = harness.command_ack(f"rate {ref} 4 " + "x" * 10_240)
    assert response.status == 200
    body = response.json()
    assert body["response_type"] == "ephemeral"
    assert "the limit is 3,200" in body["text"]
    assert reviews_count(harness) == 0


def test_withdrawn_application(harness: Harness) -> None:
    ref = harness.application()
    harness.command(f"stage {ref} withdrawn")
    harness.wait_updates(1)
    for text in (f"claim {ref}", f"rate {ref} 4"):
        assert "is withdrawn" in harness.command(text)["text"]
    # `rate <ref>` alone gets the refusal instead of the form.
    assert "is withdrawn" in harness.command(f"rate {ref}")["text"]
    assert harness.fake.calls_to("views.open") == []
    assert reviews_count(harness) == 0


def test_button_from_a_deleted_application(harness: Harness) -> None:
    ref = harness.application()
    with session_scope(harness.deps.sessions) as session:
        session.execute(delete(Application).where(Application.id == ref))
    for action_id in (ids.CLAIM, ids.UNCLAIM):
        answer = harness.click_answered(action_id, value=str(ref))
        assert f"There is no application #{ref}" in answer["text"]
    answer = harness.click_answered(ids.RATE, value=str(ref))
    assert "There is no application" in answer["text"]
    answer = harness.click_answered(ids.CLAIM, value="not-a-ref")
    assert "out of date" in answer["text"]
    assert harness.fake.calls_to("views.open") == []


def test_strangers_are_refused_audited_and_change_nothing(harness: Harness) -> None:
    ref = harness.application()
    for text in ("list", f"show {ref}", f"claim {ref}", f"rate {ref} 5", "windows", "stats"):
        answer = harness.command(text, user=OUTSIDER)
        assert "Only the hiring team" in answer["text"], text
    answer = harness.click_answered(ids.CLAIM, value=str(ref), user=OUTSIDER)
    assert "Only the hiring team" in answer["text"]
    refusals = harness.audit("refused")
    assert len(refusals) == 7
    assert {e.actor for e in refusals} == {OUTSIDER}
    assert harness.row(ref).claimed_by is None
    assert reviews_count(harness) == 0
    assert harness.updates() == 0
    # The hiring channel's members were looked up once and then cached.
    assert len(harness.fake.calls_to("conversations.members")) == 1
    # help is for everyone
    assert "/intern" in harness.command("help", user=OUTSIDER)["text"]


def test_modal_errors_are_inline_and_a_double_submission_saves_once(harness: Harness) -> None:
    ref = harness.application()
    harness.command_ack(f"rate {ref}")
    view = harness.fake.wait_for("views.open")[-1].params["view"]
    metadata = view["private_metadata"]
    slack = harness.app.slack

    missing = slack.view_submission(ids.RATING_MODAL, {}, user_id=ALICE, private_metadata=metadata)
    assert missing.json() == {
        "response_action": "errors",
        "errors": {ids.RATING_OVERALL: "Choose an overall score from 1 to 5."},
    }
    bad = {
        ids.RATING_OVERALL: {ids.INPUT_ACTION: selected("6")},
        ids.rating_criterion_block_id("coding"): {ids.INPUT_ACTION: selected("abc")},
    }
    errors = slack.view_submission(
        ids.RATING_MODAL, bad, user_id=ALICE, private_metadata=metadata
    ).json()["errors"]
    assert set(errors) == {ids.RATING_OVERALL, ids.rating_criterion_block_id("coding")}
    stale = slack.view_submission(
        ids.RATING_MODAL,
        {ids.RATING_OVERALL: {ids.INPUT_ACTION: selected("4")}},
        user_id=ALICE,
        private_metadata="garbage",
    ).json()
    assert "out of date" in stale["errors"][ids.RATING_OVERALL]
    assert reviews_count(harness) == 0

    good = {ids.RATING_OVERALL: {ids.INPUT_ACTION: selected("4")}}
    with LogWatch("hiring_bot.slack.listeners.workflow", "repeated delivery ignored") as watch:
        for _ in range(2):
            response = slack.view_submission(
                ids.RATING_MODAL, good, user_id=ALICE, private_metadata=metadata, view_id="V0SAME"
            )
            assert response.status == 200
            assert not response.body or "errors" not in response.json()
        watch.wait()
    assert reviews_count(harness) == 1
    assert len(harness.audit("rate")) == 1
    assert harness.audit("rate_update") == []
    harness.wait_updates(1)
    assert harness.updates() == 1
    # One confirmation: the repeated submission saved nothing, so it confirms nothing.
    harness.fake.wait_for("chat.postEphemeral", 1)
    assert len(harness.fake.calls_to("chat.postEphemeral")) == 1

    stranger = slack.view_submission(
        ids.RATING_MODAL, good, user_id=BOB + "X", private_metadata=metadata
    ).json()
    assert "Only the hiring team" in stranger["errors"][ids.RATING_OVERALL]
