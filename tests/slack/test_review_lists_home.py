"""Lists and paging, help, windows and stats, assignment, and the App Home tab."""

from __future__ import annotations

import json
from datetime import date

from hiring_bot.slack import ids
from tests.conftest import ADMIN, ALICE, BOB, CAROL
from tests.slack.review_harness import TIMEOUT, Harness, harness, text_of

__all__ = ["harness"]


def buttons(answer: dict[str, object]) -> dict[str, str]:
    """action_id -> value of the buttons in an answer's blocks."""
    found: dict[str, str] = {}
    for block in answer.get("blocks") or []:  # type: ignore[attr-defined]
        for element in [*block.get("elements", []), block.get("accessory") or {}]:
            if element.get("type") == "button":
                found[element["action_id"]] = element["value"]
    return found


def test_list_pages_with_next_and_previous(harness: Harness) -> None:
    for i in range(23):
        harness.application(f"Person {i:02d}", post=False)
    first = harness.command("list unclaimed")
    assert "showing 1-10 of 23" in text_of(first)
    assert len(first["blocks"]) <= 50
    state = buttons(first)[ids.LIST_NEXT]
    assert ids.LIST_PREV not in buttons(first)

    second = harness.click_answered(ids.LIST_NEXT, value=state)
    assert second["replace_original"] is True
    assert "showing 11-20 of 23" in text_of(second)
    third = harness.click_answered(ids.LIST_NEXT, value=buttons(second)[ids.LIST_NEXT])
    assert "showing 21-23 of 23" in text_of(third)
    assert ids.LIST_NEXT not in buttons(third)
    back = harness.click_answered(ids.LIST_PREV, value=buttons(third)[ids.LIST_PREV])
    assert "showing 11-20 of 23" in text_of(back)
    mangled = harness.click_answered(ids.LIST_NEXT, value="{not json")
    assert "out of date" in mangled["text"]


def test_empty_list_suggests_a_wider_filter(harness: Harness) -> None:
    harness.application()
    answer = harness.command("list shortlisted mine")
    assert "No applications match" in text_of(answer)
    assert "wider filter" in text_of(answer)


def test_list_item_menu_and_open_list(harness: Harness) -> None:
    ref = harness.application()
    option = {
        "text": {"type": "plain_text", "text": "Claim"},
        "value": ids.item_menu_value(ids.VERB_CLAIM, ref),
    }
    answer = harness.click_answered(ids.LIST_ITEM_MENU, selected_option=option, user=CAROL)
    assert f"You claimed #{ref}" in answer["text"]
    harness.wait_updates(1)
    opened = harness.click_answered(ids.OPEN_LIST, value="mine", user=CAROL)
    assert f"#{ref}" in text_of(opened)


def test_help_for_empty_and_unknown_sub_commands(harness: Harness) -> None:
    for text in ("", "help", "   "):
        answer = harness.command(text, user=BOB)
        assert "/intern list" in text_of(answer)
    answer = harness.command("lsit unclaimed", user=BOB)
    assert "Did you mean `/intern list`?" in text_of(answer)
    assert "`lsit` is not an `/intern` command" in text_of(answer)


def test_show_assign_unclaim_recuse(harness: Harness) -> None:
    ref = harness.application()
    shown = harness.command(f"show #{ref}", user=BOB)
    assert "ada.lovelace" in text_of(shown)  # full details on request, ephemeral
    assert shown["response_type"] == "ephemeral"

    answer = harness.command(f"assign {ref} <@{BOB}|bob>", user=ADMIN)
    assert f"Assigned #{ref} to <@{BOB}>" in answer["text"]
    harness.wait_updates(1)
    assert f"claimed by <@{BOB}>" in harness.card_text(ref)
    answer = harness.command(f"assign {ref} <@U0STRANGER>", user=ADMIN)
    assert "not a reviewer" in answer["text"]
    answer = harness.command(f"assign {ref} bob", user=ADMIN)
    assert "@-mention" in answer["text"]

    answer = harness.command(f"recuse {ref}", user=BOB)
    assert "your claim" in answer["text"]
    harness.wait_updates(2)
    assert "unclaimed" in harness.card_text(ref)
    assert "recused" in harness.command(f"claim {ref}", user=BOB)["text"]
    assert "not claimed" in harness.command(f"unclaim {ref}", user=ALICE)["text"]


def test_windows_and_stats(harness: Harness) -> None:
    harness.window()
    harness.window(
        "Spring/Summer 2018",
        aliases=("summer",),
        application_deadline=date(2018, 3, 31),
        decision_deadline=date(2018, 4, 15),
        starts_on=date(2018, 5, 1),
        ends_on=date(2018, 8, 31),
    )
    windows = harness.command("windows")
    # The fake clock stands at 2018-01-15 09:00 in Los Angeles.
    assert "Applications close in 16 days" in text_of(windows)
    assert "Spring/Summer 2018" in text_of(windows)

    a = harness.application("Ada", window="Winter 2017/2018")
    harness.command(f"rate {a} 5")
    harness.command(f"rate {a} 2", user=BOB)
    stats = harness.command("stats winter", user=ALICE)
    body = text_of(stats)
    assert "Winter 2017/2018" in body
    assert f"#{a}" in body  # Alice rated it, so she sees the 2-point disagreement
    assert "team mean 3.5, n=2" in body
    assert f"#{a}" not in text_of(harness.command("stats", user=CAROL))
    # The two ratings' card updates may coalesce into one (the second came before the first was
    # picked up); either way the card ends up showing both.
    harness.wait_updates(1)
    assert harness.deps.background.wait_idle(TIMEOUT)
    assert "2 ratings" in harness.card_text(a)


def test_stats_show_no_colleague_scores_before_you_rate(harness: Harness) -> None:
    harness.window()
    a = harness.application("Ada", window="Winter 2017/2018")
    harness.command(f"rate {a} 5")
    harness.command(f"rate {a} 1", user=BOB)
    before = text_of(harness.command("stats", user=CAROL))
    # A mean over one rating is that rating: Carol must not learn Alice's 5 or Bob's 1.
    assert "mean 5.0" not in before
    assert "mean 1.0" not in before
    assert "team mean" not in before
    assert "1 rated" in before  # counts are fine
    assert "only the applications you have rated" in before

    harness.command(f"rate {a} 3", user=CAROL)
    after = text_of(harness.command("stats", user=CAROL))
    assert "team mean 3.0, n=3" in after
    # One rating each: a mean with its n, but no "+2.0" that would call Alice lenient.
    assert "mean 5.0 (n=1, too few ratings to compare)" in after
    assert "scores 1 to 5" in after
    admin = text_of(harness.command("stats", user=ADMIN))
    assert "team mean 3.0, n=3" in admin
    assert "only the applications you have rated" not in admin
    # Three ratings in a row may coalesce into fewer card updates; the card ends on all three.
    harness.wait_updates(1)
    harness.updates()  # waits for the background work to finish
    assert "3 ratings" in harness.card_text(a)


def test_app_home_published_once_per_event_and_after_home_actions(harness: Harness) -> None:
    harness.window()
    ref = harness.application(window="Winter 2017/2018")
    slack = harness.app.slack
    event = {"type": "app_home_opened", "user": BOB, "channel": "D0BOB", "tab": "home"}
    assert slack.event(event, event_id="Ev0HOME1").status == 200
    assert slack.event(event, event_id="Ev0HOME1", retry_num=1).status == 200
    assert slack.event(event, event_id="Ev0HOME2").status == 200
    calls = harness.fake.wait_for("views.publish", 2)
    home = json.dumps(calls[0].params["view"])
    assert "Unclaimed queue" in home
    assert "Ada Lovelace" in home
    assert "Application deadline" in home

    home_view = {"type": "home", "id": "V0HOME", "blocks": []}
    harness.click(ids.HOME_CLAIM, value=str(ref), user=BOB, view=home_view)
    calls = harness.fake.wait_for("views.publish", 3)
    assert "Awaiting your rating" in json.dumps(calls[-1].params["view"])
    harness.wait_updates(1)
    assert f"claimed by <@{BOB}>" in harness.card_text(ref)

    harness.click(ids.HOME_RATE, value=str(ref), user=BOB, view=home_view)
    form = harness.fake.wait_for("views.open")[-1].params["view"]
    assert form["callback_id"] == ids.RATING_MODAL
    # The retried event was recognised: exactly one publish per distinct event (+1 for the claim).
    assert len(harness.fake.calls_to("views.publish")) == 3
    # Saving the form opened from Home refreshes the Home tab: nothing awaits Bob's rating now.
    score = {
        "type": "static_select",
        "selected_option": {"value": "4", "text": {"type": "plain_text", "text": "4"}},
    }
    response = slack.view_submission(
        ids.RATING_MODAL,
        {ids.RATING_OVERALL: {ids.INPUT_ACTION: score}},
        user_id=BOB,
        private_metadata=form["private_metadata"],
    )
    assert response.status == 200
    refreshed = harness.fake.wait_for("views.publish", 4)[-1].params["view"]
    assert "Nothing awaiting your rating" in json.dumps(refreshed)
    harness.wait_updates(2)
    # The Home tab has no channel to answer in: the saved rating is confirmed by DM.
    confirmed = harness.fake.wait_for("chat.postMessage", 2)[-1].params
    assert confirmed["channel"] == BOB
    assert confirmed["text"].startswith(f"Saved your rating of #{ref}: 4/5.")

    # A stranger's Home tab has no candidate data.
    slack.event({"type": "app_home_opened", "user": "U0STRANGER", "tab": "home"})
    stranger = harness.fake.wait_for("views.publish", 5)[-1].params
    assert stranger["user_id"] == "U0STRANGER"
    assert "Ada" not in json.dumps(stranger["view"])

    # Errors from the Home tab (no response_url) arrive as a DM.
    harness.click(ids.HOME_CLAIM, value=str(ref), user=CAROL, view=home_view)
    dm = harness.fake.wait_for("chat.postMessage", 3)[-1].params
    assert dm["channel"] == CAROL
    assert "already claimed" in dm["text"]
