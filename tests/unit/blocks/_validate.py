"""Block Kit validation of builder output: slack_sdk.models plus limits it does not check.

`assert_valid_message(blocks)` and `assert_valid_view(view)` raise AssertionError (or slack_sdk's
SlackObjectFormationError) on anything Slack would refuse.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100

# What may appear between < and > in our mrkdwn: links, user mentions, dates.
_ANGLE_TOKEN = re.compile(
    r"<(?:https?://[^|<>\s]+\|[^<>]*|@[UW][A-Z0-9]+|!date\^\d+\^[^|<>]+\|[^<>]*)>"
)
_ENTITY = re.compile(r"&(?:amp|lt|gt);")


def assert_valid_message(blocks: list[dict[str, Any]]) -> None:
    assert isinstance(blocks, list)
    assert 1 <= len(blocks) <= MAX_MESSAGE_BLOCKS, f"{len(blocks)} blocks"
    _check_blocks(blocks)


def assert_valid_view(view: dict[str, Any], *, kind: str | None = None) -> None:
    if kind is not None:
        assert view["type"] == kind
    parsed = View(**view)
    parsed.validate_json()
    parsed.to_dict()  # validates nested objects too
    assert 1 <= len(view["blocks"]) <= MAX_VIEW_BLOCKS, f"{len(view['blocks'])} blocks"
    if view["type"] == "modal":
        assert 1 <= len(view["title"]["text"]) <= 24
        assert len(view.get("private_metadata", "")) <= 3000
    _check_blocks(view["blocks"])


def _check_blocks(blocks: list[dict[str, Any]]) -> None:
    json.dumps(blocks)  # plain JSON only
    block_ids: list[str] = []
    for block in blocks:
        parsed = Block.parse(block)
        assert parsed is not None, f"unknown block type {block.get('type')}"
        parsed.validate_json()
        # to_dict() validates every nested element; the round trip catches ignored (unknown) keys.
        assert parsed.to_dict() == block, f"round trip changed {block}"
        if "block_id" in block:
            assert 1 <= len(block["block_id"]) <= 255
            block_ids.append(block["block_id"])
        action_ids = [e["action_id"] for e in _elements(block) if "action_id" in e]
        assert len(action_ids) == len(set(action_ids)), f"duplicate action_id in {block}"
        for aid in action_ids:
            assert 1 <= len(aid) <= 255
        _check_limits(block)
    assert len(block_ids) == len(set(block_ids)), f"duplicate block_id: {block_ids}"


def _elements(block: dict[str, Any]) -> Iterator[dict[str, Any]]:
    if "accessory" in block:
        yield block["accessory"]
    if "element" in block:
        yield block["element"]
    if block.get("type") == "actions":
        yield from block["elements"]


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _check_limits(block: dict[str, Any]) -> None:
    kind = block["type"]
    if kind == "section":
        if "text" in block:
            assert len(block["text"]["text"]) <= 3000
        for f in block.get("fields", []):
            assert len(f["text"]) <= 2000
        assert len(block.get("fields", [])) <= 10
    elif kind == "header":
        assert len(block["text"]["text"]) <= 150
    elif kind == "context":
        assert 1 <= len(block["elements"]) <= 10
    elif kind == "actions":
        assert 1 <= len(block["elements"]) <= 25
    for node in _walk(block):
        t = node.get("type")
        if t in ("plain_text", "mrkdwn"):
            assert node["text"].strip(), f"empty text in {block}"
        if t == "mrkdwn":
            assert_safe_mrkdwn(node["text"])
        if t == "button":
            assert len(node["text"]["text"]) <= 75
            assert 1 <= len(node["value"]) <= 2000
        if t in ("static_select", "overflow"):
            for opt in node["options"]:
                assert 1 <= len(opt["text"]["text"]) <= 75
                assert 1 <= len(opt["value"]) <= 150
        if t == "static_select":
            assert 1 <= len(node["options"]) <= 100
        if t == "overflow":
            assert 2 <= len(node["options"]) <= 5


def assert_safe_mrkdwn(text: str) -> None:
    """Every `<` starts a link, mention or date we made; every `&` starts an entity."""
    stripped = _ANGLE_TOKEN.sub("", text)
    assert "<" not in stripped, f"unescaped < in {text!r}"
    # `>` is allowed only as a blockquote marker at the start of a line.
    for line in stripped.split("\n"):
        assert ">" not in line.lstrip(">"), f"unescaped > in {text!r}"
    for match in re.finditer("&", text):
        assert _ENTITY.match(text, match.start()), f"bare & in {text!r}"


def action_ids(blocks: list[dict[str, Any]]) -> list[str]:
    return [e["action_id"] for b in blocks for e in _elements(b) if "action_id" in e]


def find_elements(blocks: list[dict[str, Any]], action_id: str) -> list[dict[str, Any]]:
    return [e for b in blocks for e in _elements(b) if e.get("action_id") == action_id]


def all_text(blocks: list[dict[str, Any]]) -> str:
    """Every text in the blocks, joined (for `in` assertions)."""
    return "\n".join(n["text"] for n in _walk(blocks) if n.get("type") in ("plain_text", "mrkdwn"))
