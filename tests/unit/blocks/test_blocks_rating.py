from __future__ import annotations

from typing import Any

import pytest
from _validate import assert_valid_view

from hiring_bot.domain.rubric import CRITERIA
from hiring_bot.slack import ids
from hiring_bot.slack.blocks import RatingModalInput, build_rating_modal, parse_rating_submission


def select(value: str | None) -> dict[str, Any]:
    option = (
        None if value is None else {"text": {"type": "plain_text", "text": value}, "value": value}
    )
    return {ids.INPUT_ACTION: {"type": "static_select", "selected_option": option}}


def text(value: str | None) -> dict[str, Any]:
    return {ids.INPUT_ACTION: {"type": "plain_text_input", "value": value}}


def blank_state() -> dict[str, Any]:
    state: dict[str, Any] = {
        ids.RATING_OVERALL: select(None),
        ids.RATING_RECOMMENDATION: select(None),
        ids.RATING_NOTES: text(None),
    }
    for c in CRITERIA:
        state[ids.rating_criterion_block_id(c.key)] = select(None)
    return state


def test_modal_is_valid_with_all_inputs() -> None:
    view = build_rating_modal(RatingModalInput(ref=42, candidate_name="Ada", private_metadata="m"))
    assert_valid_view(view, kind="modal")
    assert view["callback_id"] == ids.RATING_MODAL
    assert view["title"]["text"] == "Rate #42"
    assert view["private_metadata"] == "m"
    inputs = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert inputs[ids.RATING_OVERALL]["optional"] is False
    for c in CRITERIA:
        assert inputs[ids.rating_criterion_block_id(c.key)]["optional"] is True
    assert inputs[ids.RATING_RECOMMENDATION]["optional"] is True
    notes = inputs[ids.RATING_NOTES]
    assert notes["element"]["multiline"] is True
    assert notes["element"]["max_length"] == 3000
    assert [o["value"] for o in inputs[ids.RATING_OVERALL]["element"]["options"]] == [
        "1",
        "2",
        "3",
        "4",
        "5",
    ]


def test_modal_prefills_an_existing_review() -> None:
    view = build_rating_modal(
        RatingModalInput(
            ref=7,
            candidate_name="<b>Ada</b>",
            overall=4,
            criteria={"coding": 5, "publications": 2},
            recommendation="yes",
            notes="n" * 5000,
        )
    )
    assert_valid_view(view, kind="modal")
    inputs = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert inputs[ids.RATING_OVERALL]["initial_option"]["value"] == "4"
    assert inputs[ids.rating_criterion_block_id("coding")]["initial_option"]["value"] == "5"
    assert "initial_option" not in inputs[ids.rating_criterion_block_id("ml_research")]
    assert inputs[ids.RATING_RECOMMENDATION]["initial_option"]["value"] == "yes"
    assert len(inputs[ids.RATING_NOTES]["initial_value"]) == 3000
    assert "&lt;b&gt;Ada&lt;/b&gt;" in view["blocks"][0]["text"]["text"]


def test_huge_ref_title_fits() -> None:
    view = build_rating_modal(RatingModalInput(ref=10**30, candidate_name="x"))
    assert_valid_view(view, kind="modal")


def test_parse_full_valid_submission() -> None:
    state = blank_state()
    state[ids.RATING_OVERALL] = select("4")
    state[ids.rating_criterion_block_id("coding")] = select("5")
    state[ids.RATING_RECOMMENDATION] = select("strong_yes")
    state[ids.RATING_NOTES] = text("  Solid HTM work.  ")
    values, errors = parse_rating_submission(state)
    assert errors == {}
    assert values is not None
    assert values.overall == 4
    assert dict(values.criteria) == {"coding": 5}
    assert values.recommendation == "strong_yes"
    assert values.notes == "Solid HTM work."


def test_parse_minimal_submission() -> None:
    state = blank_state()
    state[ids.RATING_OVERALL] = select("1")
    values, errors = parse_rating_submission(state)
    assert errors == {}
    assert values is not None
    assert (values.overall, dict(values.criteria), values.recommendation, values.notes) == (
        1,
        {},
        None,
        "",
    )


def test_parse_missing_overall() -> None:
    values, errors = parse_rating_submission(blank_state())
    assert values is None
    assert set(errors) == {ids.RATING_OVERALL}
    values, errors = parse_rating_submission({})
    assert values is None
    assert ids.RATING_OVERALL in errors


@pytest.mark.parametrize("bad", ["0", "6", "4.5", "abc", ""])
def test_parse_out_of_range_values(bad: str) -> None:
    state = blank_state()
    state[ids.RATING_OVERALL] = select(bad)
    crit = ids.rating_criterion_block_id("comp_neuro")
    state[crit] = select(bad)
    state[ids.RATING_RECOMMENDATION] = select("maybe")
    values, errors = parse_rating_submission(state)
    assert values is None
    assert set(errors) == {ids.RATING_OVERALL, crit, ids.RATING_RECOMMENDATION}


def test_parse_notes_too_long() -> None:
    state = blank_state()
    state[ids.RATING_OVERALL] = select("3")
    state[ids.RATING_NOTES] = text("x" * 3001)
    values, errors = parse_rating_submission(state)
    assert values is None
    assert set(errors) == {ids.RATING_NOTES}
