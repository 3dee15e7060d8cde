"""The review workflow end to end: signed requests into the real app, the fake Slack server out.

Every Block Kit payload the app sends is validated by the fake (the fixture fails the test on any
violation); these tests run on SQLite and on Postgres.
"""

from __future__ import annotations

import json
import time
import urllib.parse

from hiring_bot.domain.stages import Stage
from hiring_bot.slack import ids
from tests.conftest import ADMIN, ALICE, BOB, CAROL, HIRING_CHANNEL
from tests.slack.review_harness import Harness, LogWatch, ack_answer, harness, text_of

__all__ = ["harness"]


def select_value(value: str) -> dict[str, object]:
    return {
        "type": "static_select",
        "selected_option": {"value": value, "text": {"type": "plain_text", "text": value}},
    }


def rating_values(overall: str | None, **criteria: str) -> dict[str, object]:
    values: dict[str, object] = {
        ids.RATING_OVERALL: {
            ids.INPUT_ACTION: select_value(overall)
            if overall
            else {"type": "static_select", "selected_option": None}
        },
        ids.RATING_NOTES: {
            ids.INPUT_ACTION: {"type": "plain_text_input", "value": "Strong HTM background"}
        },
    }
    for key, score in criteria.items():
        values[ids.rating_criterion_block_id(key)] = {ids.INPUT_ACTION: select_value(score)}
    return values


def test_card_claim_rate_by_command_and_modal_stage_and_home(harness: Harness) -> None:
    fake = harness.fake
    harness.window()
    ref = harness.application("Ada Lovelace", window="Winter 2017/2018")
    posted = fake.last("chat.postMessage")
    assert posted.params["channel"] == HIRING_CHANNEL
    assert "Ada Lovelace" in harness.card_text(ref)
    assert "unclaimed" in harness.card_text(ref)

    answer = harness.command(f"claim #{ref}")
    assert f"You claimed #{ref}. It is now in review." in answer["text"]
    assert answer.get("response_type") == "ephemeral"
    harness.wait_updates(1)
    card = harness.card_text(ref)
    assert "*In review*" in card
    assert f"claimed by <@{ALICE}>" in card
    assert harness.row(ref).claimed_at == harness.deps.clock.now()

    answer = harness.command(f"  RATE   {ref}  4  Great sequence-learning work  ")
    assert "Saved your rating" in answer["text"]
    harness.wait_updates(2)
    card = harness.card_text(ref)
    assert "1 rating" in card
    assert "avg" not in card  # below the quorum of 2: no average, and never a single score

    # Bob rates through the form.
    answer_count = len(fake.responses)
    harness.command_ack(f"rate {ref}", user=BOB)
    opened = fake.wait_for("views.open")[-1].params
    assert opened["view"]["callback_id"] == ids.RATING_MODAL
    assert answer_count == len(fake.responses)  # no chat answer, just the form
    metadata = opened["view"]["private_metadata"]
    response = harness.app.slack.view_submission(
        ids.RATING_MODAL, rating_values("2", coding="3"), user_id=BOB, private_metadata=metadata
    )
    assert response.status == 200
    assert response.body in (b"", b"{}") or "errors" not in response.json()
    # As after `/intern rate 1 4`, Bob is told what was saved: only he sees it, where he was.
    confirmed = fake.wait_for("chat.postEphemeral")[-1].params
    assert (confirmed["channel"], confirmed["user"]) == (HIRING_CHANNEL, BOB)
    assert confirmed["text"] == f"Saved your rating of #{ref}: 2/5. It has 2 ratings, average 3.0."
    harness.wait_updates(3)
    card = harness.card_text(ref)
    assert "2 ratings" in card
    assert "avg 3.0" in card  # quorum reached

    answer = harness.command(f"stage {ref} shortlisted")
    assert "Moved" in answer["text"]
    harness.wait_updates(4)
    assert "Shortlisted" in harness.card_text(ref)

    listing = harness.command("list shortlisted", user=CAROL)
    assert f"#{ref}" in text_of(listing)
    assert "avg" not in text_of(listing)  # Carol has not rated: the average stays hidden
    assert "avg 3.0" in text_of(harness.command("list shortlisted", user=ALICE))

    harness.app.slack.event({"type": "app_home_opened", "user": ALICE, "tab": "home"})
    home = fake.wait_for("views.publish")[-1].params
    assert home["user_id"] == ALICE
    assert home["view"]["type"] == "home"

    actions = [e.action for e in harness.audit() if e.application_id == ref]
    assert actions[-5:] == ["claim", "stage", "rate", "rate", "stage"]


def test_card_buttons_and_stage_menu(harness: Harness) -> None:
    ref = harness.application()
    answer = harness.click_answered(ids.CLAIM, value=str(ref), user=BOB)
    assert f"You claimed #{ref}" in answer["text"]
    harness.wait_updates(1)
    assert f"claimed by <@{BOB}>" in harness.card_text(ref)

    answer = harness.click_answered(ids.CLAIM, value=str(ref), user=CAROL)
    assert f"already claimed by <@{BOB}>" in answer["text"]

    answer = harness.click_answered(ids.UNCLAIM, value=str(ref), user=CAROL)
    assert f"Only <@{BOB}>" in answer["text"]
    answer = harness.click_answered(ids.UNCLAIM, value=str(ref), user=ADMIN)
    assert "Released" in answer["text"]
    harness.wait_updates(2)
    assert "unclaimed" in harness.card_text(ref)

    harness.click(ids.RATE, value=str(ref), user=CAROL)
    view = harness.fake.wait_for("views.open")[-1].params["view"]
    assert view["title"]["text"] == f"Rate #{ref}"

    harness.click(ids.DETAILS, value=str(ref), user=CAROL)
    details = harness.fake.wait_for("views.open", 2)[-1].params["view"]
    assert "ada.lovelace" in json.dumps(details["blocks"])  # the email, on request only

    option = {
        "text": {"type": "plain_text", "text": "Rejected"},
        "value": ids.stage_option_value(ref, Stage.REJECTED),
    }
    answer = harness.click_answered(ids.STAGE_SELECT, selected_option=option, user=CAROL)
    assert "to rejected" in answer["text"]
    harness.wait_updates(3)
    card = harness.card(ref)
    assert "Rejected" in json.dumps(card["blocks"])
    assert ids.CLAIM not in json.dumps(card["blocks"])  # closed: no more claiming


def test_same_click_delivered_twice_has_one_effect(harness: Harness) -> None:
    ref = harness.application()
    payload = {
        "type": "block_actions",
        "user": {"id": ALICE, "username": "alice", "name": "alice", "team_id": "T0LAB00001"},
        "api_app_id": "A0HIRING01",
        "token": "legacy-verification-token",
        "trigger_id": "1.1.abc",
        "team": {"id": "T0LAB00001", "domain": "research-lab"},
        "container": {
            "type": "message",
            "message_ts": "1700000000.000100",
            "channel_id": HIRING_CHANNEL,
            "is_ephemeral": False,
        },
        "channel": {"id": HIRING_CHANNEL, "name": "hiring"},
        "message": {"type": "message", "ts": "1700000000.000100", "text": "", "blocks": []},
        "state": {"values": {}},
        "response_url": harness.fake.response_url(),
        "actions": [
            {
                "action_id": ids.CLAIM,
                "block_id": "b",
                "type": "button",
                "value": str(ref),
                "action_ts": "1700000001.000001",
                "text": {"type": "plain_text", "text": "Claim"},
            },
        ],
    }
    body = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
    now = int(time.time())
    with LogWatch("hiring_bot.slack.listeners.workflow", "repeated delivery ignored") as watch:
        # Each delivery signed anew (another timestamp), as Slack signs every delivery: the
        # second passes the replay guard (same signature) and meets the action_ts key.
        for second in (now - 1, now):
            sent = harness.app.slack.raw(
                body, "application/x-www-form-urlencoded", timestamp=second
            )
            assert sent.status == 200
        harness.fake.wait_for_response(1)
        harness.wait_updates(1)
        watch.wait()
    # The second delivery was recognised: one claim, one audit entry, one card update.
    assert len(harness.audit("claim")) == 1
    assert harness.updates() == 1


def test_the_ack_never_waits_on_slack(harness: Harness) -> None:
    ref = harness.application()
    # Bolt's authorization middleware calls auth.test once per process, on the first request,
    # and the member list is cached for minutes: both are fetched before Slack turns slow.
    harness.command("list")
    # Slack is now slow to take the card update (but answers within the timeout).
    harness.fake.hang_next(1, seconds=2, method="chat.update")
    started = time.monotonic()
    response = harness.command_ack(f"claim {ref}")
    elapsed = time.monotonic() - started
    assert response.status == 200
    assert elapsed < 1.0, f"ack took {elapsed:.2f}s"
    # The confirmation is the ack itself; the card update follows from the outbox.
    confirmation = ack_answer(response)
    assert confirmation is not None
    assert "You claimed" in confirmation["text"]
    harness.wait_updates(1)
    assert harness.fake.responses == []


def test_stage_accepts_the_two_word_spelling_the_card_shows(harness: Harness) -> None:
    ref = harness.application()
    # The card says "In review"; typing that must not answer "`in` is not a stage".
    answer = harness.command(f"stage {ref} In review waiting on references")
    assert answer["text"] == f"Moved #{ref} from new to in review."
    assert harness.row(ref).stage == Stage.IN_REVIEW.value
    assert harness.audit("stage")[-1].detail == "waiting on references"
    # A one-word stage followed by a reason still reads the reason as a reason.
    harness.command(f"stage {ref} rejected in review too long")
    assert harness.row(ref).stage == Stage.REJECTED.value
    assert harness.audit("stage")[-1].detail == "in review too long"
    harness.wait_updates(2)
