"""The validation helper itself must reject what Slack would refuse."""

from __future__ import annotations

from typing import Any

import pytest
from _validate import assert_valid_message, assert_valid_view
from slack_sdk.errors import SlackObjectFormationError


def section(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}, **extra}


def button(text: str, value: str = "1") -> dict[str, Any]:
    return {
        "type": "button",
        "text": {"type": "plain_text", "text": text},
        "action_id": "a",
        "value": value,
    }


@pytest.mark.parametrize(
    "blocks",
    [
        [],
        [section("x")] * 51,
        [section("x" * 3001)],
        [section("<script>")],
        [section("a & b")],
        [section("")],
        [section("x", block_id="b"), section("y", block_id="b")],
        [section("x", unknown_key=1)],
        [{"type": "actions", "elements": [button("x" * 76)]}],
        [{"type": "actions", "elements": [button("x", "v" * 2001)]}],
        [{"type": "actions", "elements": [button("x"), button("y")]}],  # duplicate action_id
        [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}],
    ],
)
def test_invalid_messages_are_rejected(blocks: list[dict[str, Any]]) -> None:
    with pytest.raises((AssertionError, SlackObjectFormationError)):
        assert_valid_message(blocks)


def test_valid_message_passes() -> None:
    assert_valid_message([section("<https://a.org|a> <@U123> &amp; <!date^1^{date}|x>\n>quote")])


def test_invalid_views_are_rejected() -> None:
    base = {"type": "modal", "title": {"type": "plain_text", "text": "t"}}
    with pytest.raises((AssertionError, SlackObjectFormationError)):
        assert_valid_view({**base, "blocks": [section("x")] * 101})
    title = {"type": "plain_text", "text": "t" * 25}
    with pytest.raises((AssertionError, SlackObjectFormationError)):
        assert_valid_view({**base, "title": title, "blocks": [section("x")]})
    assert_valid_view({**base, "blocks": [section("x")]})
