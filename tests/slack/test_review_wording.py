"""What reviewers read: dates in the team's time zone, history in plain words, claiming starts the
review, the assignee is told, and a saved rating form is confirmed — through the real app and the
fake Slack server, on SQLite and Postgres.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from hiring_bot.domain.stages import Stage
from hiring_bot.slack import ids
from tests.conftest import ADMIN, ALICE, BOB, CAROL, HIRING_CHANNEL
from tests.slack.review_harness import Harness, harness, text_of

__all__ = ["harness"]


def _texts(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("text"), str):
            yield node["text"]
        for value in node.values():
            yield from _texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from _texts(item)


def texts(blocks: Any) -> str:
    """Every text in the blocks, as Slack gets it (not JSON-escaped)."""
    return "\n".join(_texts(blocks))


def local_time(harness: Harness, at: datetime) -> str:
    """`Mon 15 Jan 2018 09:00 PST`: the instant in HIRING_TIMEZONE."""
    local = at.astimezone(harness.deps.settings.timezone)
    return f"{local:%a} {local.day} {local:%b %Y %H:%M %Z}"


def selected(value: str) -> dict[str, Any]:
    return {
        "type": "static_select",
        "selected_option": {"value": value, "text": {"type": "plain_text", "text": value}},
    }


# --- dates -------------------------------------------------------------------------------------


def test_home_names_the_deadline_day_that_intern_windows_names(harness: Harness) -> None:
    harness.window()  # applications until Wed 31 Jan 2018; it is Mon 15 Jan, 09:00 PST
    harness.app.slack.event({"type": "app_home_opened", "user": ALICE, "tab": "home"})
    home = texts(harness.fake.wait_for("views.publish")[-1].params["view"]["blocks"])
    assert "Application deadline in 16 days (Wed 31 Jan 2018)" in home
    assert "Decision deadline in 31 days (Thu 15 Feb 2018)" in home
    listed = texts(harness.command("windows")["blocks"])
    assert "Application deadline: Wed 31 Jan 2018 (in 16 days)" in listed
    assert "Decision deadline: Thu 15 Feb 2018 (in 31 days)" in listed


def test_card_dates_fall_back_to_the_teams_own_day(harness: Harness) -> None:
    # 20:30 on Wed 10 Jan in Los Angeles, which is already the 11th in UTC.
    ref = harness.application(received_at=datetime(2018, 1, 11, 4, 30, tzinfo=UTC))
    card = texts(harness.card(ref)["blocks"])
    assert "|received Wed 10 Jan 2018>" in card
    assert "11 Jan" not in card


# --- history -----------------------------------------------------------------------------------


def test_history_names_people_and_says_what_happened_in_the_teams_time(harness: Harness) -> None:
    ref = harness.application(source="email", actor="intake:imap")
    harness.command(f"claim {ref}", user=ALICE)
    harness.command(f"assign {ref} <@{BOB}>", user=ADMIN)
    harness.command(f"rate {ref} 4 solid", user=BOB)
    harness.command(f"stage {ref} shortlisted", user=ADMIN)
    harness.updates()  # the card updates and the DM are out

    shown = harness.command(f"show {ref}", user=CAROL)["blocks"]
    history = next(t for t in _texts(shown) if t.startswith("*History:*"))
    history = history.removeprefix("*History:*")
    when = {e.action: local_time(harness, e.at) for e in harness.audit() if e.application_id}
    stage_times = [local_time(harness, e.at) for e in harness.audit("stage")]
    expected = [
        f"{when['application.created']} · intake (email) received by email",
        f"{when['claim']} · <@{ALICE}> claimed",
        f"{stage_times[0]} · <@{ALICE}> moved it to In review",
        f"{when['assign']} · <@{ADMIN}> assigned it to <@{BOB}>",
        f"{when['rate']} · <@{BOB}> rated",
        f"{stage_times[1]} · <@{ADMIN}> moved it to Shortlisted",
    ]
    lines = [line.removeprefix("• ") for line in history.strip().split("\n")]
    assert lines == expected
    assert " PST · " in history  # the team's zone, said
    for internal in ("application.created", "intake:imap", "U0ALICE:", "→", "claim →"):
        assert internal not in history
    assert "solid" not in history  # never the notes or scores


# --- claiming starts the review ----------------------------------------------------------------


def test_claiming_a_new_application_moves_it_to_in_review(harness: Harness) -> None:
    ref = harness.application()
    answer = harness.click_answered(ids.CLAIM, value=str(ref), user=BOB)
    assert answer["text"] == (
        f"You claimed #{ref}. It is now in review. Rate it with `/intern rate {ref}`."
    )
    harness.wait_updates(1)
    card = texts(harness.card(ref)["blocks"])
    assert f"*In review* · claimed by <@{BOB}> · 0 ratings" in card
    assert harness.row(ref).stage == Stage.IN_REVIEW.value
    moved = harness.audit("stage")
    assert [(e.actor, e.before, e.after) for e in moved] == [
        (BOB, {"stage": "new"}, {"stage": "in_review"})
    ]
    assert f"#{ref}" in text_of(harness.command("list in_review"))
    # The stage menu now offers the next step from in review.
    menu = next(e for e in _elements(harness.card(ref)["blocks"]) if e.get("options"))
    assert [o["text"]["text"] for o in menu["options"]] == ["Shortlisted", "Rejected", "Withdrawn"]

    # Giving it back keeps it in review; claiming it again moves nothing.
    harness.command(f"unclaim {ref}", user=BOB)
    answer = harness.command(f"claim {ref}", user=CAROL)
    assert answer["text"] == f"You claimed #{ref}. Rate it with `/intern rate {ref}`."
    assert len(harness.audit("stage")) == 1
    harness.updates()


def _elements(blocks: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """The interactive elements of actions blocks."""
    for block in blocks:
        if block.get("type") == "actions":
            yield from block["elements"]


# --- assignment --------------------------------------------------------------------------------


def test_the_assignee_gets_a_dm_with_the_summary_and_a_details_button(harness: Harness) -> None:
    ref = harness.application("Ada Lovelace")
    answer = harness.command(f"assign {ref} <@{BOB}>", user=ADMIN)
    assert answer["text"] == f"Assigned #{ref} to <@{BOB}>. It is now in review."
    assert harness.fake.wait_for("conversations.open")[-1].params["users"] == BOB
    dm = harness.fake.wait_for("chat.postMessage", 2)[-1].params  # after the card's post
    assert dm["channel"] == harness.fake.dm_channel_for(BOB)
    assert dm["text"] == f"<@{ADMIN}> assigned you application #{ref}: Ada Lovelace"
    body = texts(dm["blocks"])
    assert f"<@{ADMIN}> assigned you application *#{ref}*" in body
    assert f"*Ada Lovelace* · #{ref}" in body  # the card's summary
    assert "Stanford University" in body
    assert "example.edu" not in body  # the email stays behind Details
    buttons = {e["action_id"]: e["value"] for e in _elements(dm["blocks"])}
    assert buttons == {ids.RATE: str(ref), ids.DETAILS: str(ref)}
    harness.updates()
    assert harness.row(ref).stage == Stage.IN_REVIEW.value

    # Its Details button works from the DM.
    harness.click(ids.DETAILS, value=str(ref), user=BOB, channel_id=dm["channel"])
    details = harness.fake.wait_for("views.open")[-1].params["view"]
    assert "example.edu" in texts(details["blocks"])


def test_assigning_to_yourself_sends_no_dm(harness: Harness) -> None:
    ref = harness.application()
    answer = harness.command(f"assign {ref} <@{ADMIN}>", user=ADMIN)
    assert answer["text"].startswith(f"Assigned #{ref} to <@{ADMIN}>")
    harness.wait_updates(1)
    assert [c.params["channel"] for c in harness.fake.calls_to("chat.postMessage")] == [
        HIRING_CHANNEL
    ]
    assert harness.fake.calls_to("conversations.open") == []


# --- rating form confirmation ------------------------------------------------------------------


def test_saving_the_rating_form_is_confirmed_where_it_was_opened_after_the_ack(
    harness: Harness,
) -> None:
    ref = harness.application()
    harness.click(ids.RATE, value=str(ref), user=CAROL)  # the card's button, in the channel
    form = harness.fake.wait_for("views.open")[-1].params["view"]
    # Slack is slow to take the confirmation: the modal must close at once all the same.
    harness.fake.hang_next(1, seconds=2, method="chat.postEphemeral")
    started = time.monotonic()
    response = harness.app.slack.view_submission(
        ids.RATING_MODAL,
        {ids.RATING_OVERALL: {ids.INPUT_ACTION: selected("5")}},
        user_id=CAROL,
        private_metadata=form["private_metadata"],
    )
    elapsed = time.monotonic() - started
    assert response.status == 200
    assert not response.body or "errors" not in response.json()
    assert elapsed < 1.0, f"ack took {elapsed:.2f}s"
    confirmed = harness.fake.wait_for("chat.postEphemeral", timeout=10)[-1].params
    assert (confirmed["channel"], confirmed["user"]) == (HIRING_CHANNEL, CAROL)
    assert confirmed["text"] == f"Saved your rating of #{ref}: 5/5. It has 1 rating."
    harness.wait_updates(1)
    assert harness.deps.background.wait_idle()


def test_a_form_from_a_modal_is_confirmed_by_dm(harness: Harness) -> None:
    ref = harness.application()
    # Rate pushed from the Details modal: no channel comes with it.
    details_view = {"type": "modal", "id": "V0DETAILS", "blocks": []}
    harness.click(ids.RATE, value=str(ref), user=ALICE, view=details_view)
    form = harness.fake.wait_for("views.push")[-1].params["view"]
    response = harness.app.slack.view_submission(
        ids.RATING_MODAL,
        {ids.RATING_OVERALL: {ids.INPUT_ACTION: selected("3")}},
        user_id=ALICE,
        private_metadata=form["private_metadata"],
    )
    assert response.status == 200
    dm = harness.fake.wait_for("chat.postMessage", 2)[-1].params
    assert dm["channel"] == ALICE
    assert dm["text"].startswith(f"Saved your rating of #{ref}: 3/5.")
    assert harness.fake.calls_to("chat.postEphemeral") == []
    harness.wait_updates(1)
