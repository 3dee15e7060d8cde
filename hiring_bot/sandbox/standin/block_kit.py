"""Block Kit validation, usable on its own (validate_blocks / validate_view): each block goes
through ``slack_sdk.models`` (and must come back unchanged), plus Slack's caps on counts and ids."""

from __future__ import annotations

import copy
import warnings
from collections.abc import Iterator
from typing import Any

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from hiring_bot.sandbox.standin.params import is_empty

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_MODAL_TITLE = 24
MAX_PRIVATE_METADATA = 3000
MAX_ID_LENGTH = 255


def _roundtrip_diff(given: Any, parsed: Any, where: str) -> list[str]:
    """Keys/elements present in ``given`` that slack_sdk dropped (unknown attributes/types)."""
    problems: list[str] = []
    if isinstance(given, dict) and isinstance(parsed, dict):
        for key, value in given.items():
            if key not in parsed:
                if not is_empty(value):
                    problems.append(f"{where}: unknown or unsupported attribute {key!r}")
            else:
                problems.extend(_roundtrip_diff(value, parsed[key], f"{where}.{key}"))
    elif isinstance(given, list) and isinstance(parsed, list):
        for i, (g, p) in enumerate(zip(given, parsed, strict=False)):
            if p is None and g is not None:
                problems.append(f"{where}[{i}]: unknown element {g!r:.120}")
            else:
                problems.extend(_roundtrip_diff(g, p, f"{where}[{i}]"))
    return problems


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _empty_texts(node: Any, where: str) -> list[str]:
    problems = []
    for obj in _walk(node):
        if obj.get("type") in ("plain_text", "mrkdwn") and obj.get("text") == "":
            problems.append(f"{where}: empty {obj['type']} text (must be at least 1 character)")
    return problems


def validate_block(block: Any, where: str) -> list[str]:
    """Problems with one block, via ``Block.parse(...).to_dict()`` (runs every validator)."""
    if not isinstance(block, dict):
        return [f"{where}: block must be an object, got {type(block).__name__}"]
    if "type" not in block:
        return [f"{where}: block has no 'type'"]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parsed = Block.parse(copy.deepcopy(block))
            if parsed is None:
                return [f"{where}: unknown block type {block.get('type')!r}"]
            as_dict = parsed.to_dict()
    except Exception as exc:  # SlackObjectFormationError, TypeError on bad kwargs, ...
        return [f"{where} ({block.get('type')}): {type(exc).__name__}: {exc}"]
    return _roundtrip_diff(block, as_dict, where) + _empty_texts(block, where)


def _id_problems(blocks: list[Any], where: str, action_id_scope: str) -> list[str]:
    problems: list[str] = []
    block_ids: set[str] = set()
    message_action_ids: set[str] = set()
    for i, block in enumerate(blocks):
        if not isinstance(block, dict):
            continue
        block_id = block.get("block_id")
        if isinstance(block_id, str):
            if len(block_id) > MAX_ID_LENGTH:
                problems.append(f"{where}[{i}]: block_id longer than {MAX_ID_LENGTH} characters")
            if block_id in block_ids:
                problems.append(f"{where}[{i}]: duplicate block_id {block_id!r}")
            block_ids.add(block_id)
        block_action_ids: set[str] = set()
        for obj in _walk({k: v for k, v in block.items() if k != "block_id"}):
            action_id = obj.get("action_id")
            if not isinstance(action_id, str):
                continue
            if len(action_id) > MAX_ID_LENGTH:
                problems.append(f"{where}[{i}]: action_id longer than {MAX_ID_LENGTH} characters")
            seen = message_action_ids if action_id_scope == "message" else block_action_ids
            if action_id in seen:
                problems.append(f"{where}[{i}]: duplicate action_id {action_id!r}")
            seen.add(action_id)
    return problems


def validate_blocks(
    blocks: Any,
    *,
    where: str = "blocks",
    max_blocks: int = MAX_MESSAGE_BLOCKS,
    action_id_scope: str = "block",
) -> list[str]:
    """Problems with a list of blocks (a message or a view); ``[]`` when valid."""
    if not isinstance(blocks, list):
        return [f"{where}: must be an array, got {type(blocks).__name__}"]
    problems = []
    if len(blocks) > max_blocks:
        problems.append(f"{where}: {len(blocks)} blocks, more than the maximum of {max_blocks}")
    for i, block in enumerate(blocks):
        problems.extend(validate_block(block, f"{where}[{i}]"))
    problems.extend(_id_problems(blocks, where, action_id_scope))
    return problems


def validate_view(view: Any, *, where: str = "view", action_id_scope: str = "block") -> list[str]:
    """Problems with a modal / Home tab view; ``[]`` when valid."""
    if not isinstance(view, dict):
        return [f"{where}: must be an object, got {type(view).__name__}"]
    problems: list[str] = []
    view_type = view.get("type")
    if view_type not in ("modal", "home"):
        problems.append(f"{where}: type must be 'modal' or 'home', got {view_type!r}")
    blocks = view.get("blocks")
    if blocks is None:
        problems.append(f"{where}: blocks is required")
    else:
        if isinstance(blocks, list) and not blocks:
            problems.append(f"{where}: must contain at least 1 block")
        problems.extend(
            validate_blocks(
                blocks,
                where=f"{where}.blocks",
                max_blocks=MAX_VIEW_BLOCKS,
                action_id_scope=action_id_scope,
            )
        )
    title = view.get("title")
    if view_type == "modal":
        if not isinstance(title, dict) or not title.get("text"):
            problems.append(f"{where}: a modal needs a plain_text title")
        elif len(title["text"]) > MAX_MODAL_TITLE:
            problems.append(f"{where}: modal title longer than {MAX_MODAL_TITLE} characters")
    metadata = view.get("private_metadata")
    if metadata is not None:
        if not isinstance(metadata, str):
            problems.append(f"{where}: private_metadata must be a string")
        elif len(metadata) > MAX_PRIVATE_METADATA:
            problems.append(
                f"{where}: private_metadata longer than {MAX_PRIVATE_METADATA} characters"
            )
    rest = {k: v for k, v in view.items() if k != "blocks"}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # blocks were checked one by one above; give View a placeholder so it checks the rest
            as_dict = View(**copy.deepcopy(rest), blocks=[{"type": "divider"}]).to_dict()
            as_dict.pop("blocks", None)
    except Exception as exc:
        problems.append(f"{where}: {type(exc).__name__}: {exc}")
    else:
        problems.extend(_roundtrip_diff(rest, as_dict, where))
        problems.extend(_empty_texts(rest, where))
    return list(dict.fromkeys(problems))
