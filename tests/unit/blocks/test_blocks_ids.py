from __future__ import annotations

import pytest

from hiring_bot.domain.rubric import CRITERIA
from hiring_bot.domain.stages import Stage
from hiring_bot.slack import ids


def test_action_and_callback_ids_are_unique_and_short() -> None:
    every = ids.ALL_ACTION_IDS + ids.ALL_VIEW_CALLBACKS + (ids.DETAILS_MODAL,)
    assert len(every) == len(set(every))
    assert all(0 < len(x) <= 255 for x in every)


def test_expected_names() -> None:
    assert ids.CLAIM == "card_claim"
    assert ids.UNCLAIM == "card_unclaim"
    assert ids.RATE == "card_rate"
    assert ids.DETAILS == "card_details"
    assert ids.STAGE_SELECT == "card_stage"
    assert ids.LIST_NEXT == "list_next"
    assert ids.LIST_PREV == "list_prev"
    assert ids.RATING_MODAL == "rating_modal"
    assert ids.WINDOW_MODAL == "window_modal"


def test_input_block_ids_are_unique() -> None:
    blocks = [
        ids.RATING_OVERALL,
        ids.RATING_RECOMMENDATION,
        ids.RATING_NOTES,
        *(ids.rating_criterion_block_id(c.key) for c in CRITERIA),
        ids.WINDOW_NAME,
        ids.WINDOW_ALIASES,
        ids.WINDOW_APPLICATION_DEADLINE,
        ids.WINDOW_DECISION_DEADLINE,
        ids.WINDOW_STARTS_ON,
        ids.WINDOW_ENDS_ON,
    ]
    assert len(blocks) == len(set(blocks))


def test_value_round_trips() -> None:
    assert ids.parse_ref(ids.ref_value(42)) == 42
    assert ids.parse_stage_option(ids.stage_option_value(7, Stage.SHORTLISTED)) == (
        7,
        Stage.SHORTLISTED,
    )
    assert ids.parse_item_menu(ids.item_menu_value(ids.VERB_CLAIM, 9)) == ("claim", 9)


@pytest.mark.parametrize("value", [None, "", "abc", "0", "-3", "4.5", "9" * 40])
def test_parse_ref_refuses_garbage(value: str | None) -> None:
    assert ids.parse_ref(value) is None


@pytest.mark.parametrize("value", [None, "", "42", "42:nope", "x:new", ":new"])
def test_parse_stage_option_refuses_garbage(value: str | None) -> None:
    assert ids.parse_stage_option(value) is None


@pytest.mark.parametrize("value", [None, "", "claim", "eat:4", "claim:x", "rate:0"])
def test_parse_item_menu_refuses_garbage(value: str | None) -> None:
    assert ids.parse_item_menu(value) is None
