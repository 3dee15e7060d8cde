from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from _block_samples import window
from _validate import assert_valid_view

from hiring_bot.slack import ids
from hiring_bot.slack.blocks import build_window_modal, parse_window_submission

DATES = (
    ids.WINDOW_APPLICATION_DEADLINE,
    ids.WINDOW_DECISION_DEADLINE,
    ids.WINDOW_STARTS_ON,
    ids.WINDOW_ENDS_ON,
)


def state(
    name: str | None = "Spring/Summer 2018",
    aliases: str | None = "spring 2018, ",
    dates: tuple[str | None, ...] = ("2018-02-01", "2018-03-01", "2018-04-02", "2018-08-31"),
) -> dict[str, Any]:
    values: dict[str, Any] = {
        ids.WINDOW_NAME: {ids.INPUT_ACTION: {"type": "plain_text_input", "value": name}},
        ids.WINDOW_ALIASES: {ids.INPUT_ACTION: {"type": "plain_text_input", "value": aliases}},
    }
    for block_id, day in zip(DATES, dates, strict=True):
        values[block_id] = {ids.INPUT_ACTION: {"type": "datepicker", "selected_date": day}}
    return values


def test_add_modal_is_valid() -> None:
    view = build_window_modal(None, private_metadata="add")
    assert_valid_view(view, kind="modal")
    assert view["callback_id"] == ids.WINDOW_MODAL
    assert view["title"]["text"] == "Add window"
    blocks = {b["block_id"] for b in view["blocks"] if b["type"] == "input"}
    assert blocks == {ids.WINDOW_NAME, ids.WINDOW_ALIASES, *DATES}


def test_edit_modal_prefills() -> None:
    view = build_window_modal(window(), private_metadata='{"edit": 3}')
    assert_valid_view(view, kind="modal")
    inputs = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert inputs[ids.WINDOW_NAME]["initial_value"] == "Spring/Summer 2018"
    assert inputs[ids.WINDOW_ALIASES]["initial_value"] == "spring 2018, summer 2018"
    assert inputs[ids.WINDOW_STARTS_ON]["initial_date"] == "2018-04-02"
    assert view["private_metadata"] == '{"edit": 3}'


def test_parse_valid() -> None:
    values, errors = parse_window_submission(state(aliases=" spring 2018, Spring  2018 ,, x "))
    assert errors == {}
    assert values is not None
    assert values.name == "Spring/Summer 2018"
    assert values.aliases == ("spring 2018", "x")
    assert values.application_deadline == date(2018, 2, 1)
    assert values.ends_on == date(2018, 8, 31)


def test_parse_same_day_is_allowed() -> None:
    values, errors = parse_window_submission(state(dates=("2018-02-01",) * 4))
    assert errors == {}
    assert values is not None


def test_parse_missing_name_and_date() -> None:
    values, errors = parse_window_submission(
        state(name="  ", dates=("2018-02-01", None, "2018-04-02", "2018-08-31"))
    )
    assert values is None
    assert set(errors) == {ids.WINDOW_NAME, ids.WINDOW_DECISION_DEADLINE}


@pytest.mark.parametrize(
    ("dates", "bad"),
    [
        (("2018-03-02", "2018-03-01", "2018-04-02", "2018-08-31"), ids.WINDOW_DECISION_DEADLINE),
        (("2018-02-01", "2018-05-01", "2018-04-02", "2018-08-31"), ids.WINDOW_STARTS_ON),
        (("2018-02-01", "2018-03-01", "2018-04-02", "2018-04-01"), ids.WINDOW_ENDS_ON),
    ],
)
def test_parse_order_errors(dates: tuple[str, ...], bad: str) -> None:
    values, errors = parse_window_submission(state(dates=dates))
    assert values is None
    assert set(errors) == {bad}
    assert "on or after" in errors[bad]


def test_parse_impossible_date() -> None:
    values, errors = parse_window_submission(
        state(dates=("2018-02-30", "2018-03-01", "2018-04-02", "2018-08-31"))
    )
    assert values is None
    assert set(errors) == {ids.WINDOW_APPLICATION_DEADLINE}
    assert "not a real date" in errors[ids.WINDOW_APPLICATION_DEADLINE]


def test_parse_empty_state() -> None:
    values, errors = parse_window_submission({})
    assert values is None
    assert set(errors) == {ids.WINDOW_NAME, *DATES}
