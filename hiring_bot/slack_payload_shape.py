"""The shape Bolt assumes a Slack payload has, checked before Bolt reads it.

Bolt indexes into payloads as Slack sends them (``body["view"]["callback_id"]``,
``payload["authorizations"][0]``, ``view.get(...)``): a signed payload whose ``view`` is a list or
whose ``team`` is a number makes it raise, and its error handler answers 500. Only the keys Bolt
(and our listeners' routing) read are checked, and only their types; ``null`` is always allowed
because Slack sends it (``"enterprise": null``). Unknown keys are left alone.
"""

from __future__ import annotations

from typing import Any

Shape = dict[str, Any]
REQUIRED = "(required)"
# Present but null breaks Bolt's ``body.get("event", {}).get(...)``.
NOT_NULL = "(not null)"
_TEXT: tuple[type, ...] = (str,)
_OBJECT: tuple[type, ...] = (dict,)
_OBJECT_OR_ID: tuple[type, ...] = (dict, str)

_ID: Shape = {"id": _TEXT, "team_id": _TEXT, "enterprise_id": _TEXT}
_STATE: Shape = {"values": ("values",)}
_VIEW: Shape = {
    REQUIRED: ("type",),  # read as body["view"]["type"] for every view_submission
    "id": _TEXT,
    "type": _TEXT,
    "callback_id": _TEXT,
    "private_metadata": _TEXT,
    "team_id": _TEXT,
    "app_installed_team_id": _TEXT,
    "hash": _TEXT,
    "external_id": _TEXT,
    "state": _STATE,
}
_MESSAGE: Shape = {
    "type": _TEXT,
    "subtype": _TEXT,
    "ts": _TEXT,
    "thread_ts": _TEXT,
    "user": _OBJECT_OR_ID,
    "text": _TEXT,
    "blocks": ("objects",),
}
_ACTION: Shape = {
    REQUIRED: ("action_id",),  # Bolt's action matcher reads action["action_id"]
    "action_id": _TEXT,
    "block_id": _TEXT,
    "type": _TEXT,
    "value": _TEXT,
    "selected_option": {"value": _TEXT},
}
_EVENT: Shape = {
    NOT_NULL: ("view", "function", "tokens"),
    "type": _TEXT,
    "subtype": _TEXT,
    "tab": _TEXT,
    "user": _OBJECT_OR_ID,
    "channel": _OBJECT_OR_ID,
    "user_team": _TEXT,
    "team": _TEXT,
    "team_id": _TEXT,
    "enterprise_id": _TEXT,
    "user_id": _TEXT,
    "channel_id": _TEXT,
    "thread_ts": _TEXT,
    "channel_type": _TEXT,
    "text": _TEXT,
    "message": _MESSAGE,
    "previous_message": _MESSAGE,
    "item": _OBJECT,
    "assistant_thread": _OBJECT,
    "view": _VIEW,
    "function": _OBJECT,
    "tokens": _OBJECT,
}
ENVELOPE: Shape = {
    NOT_NULL: ("event", "view"),
    "type": _TEXT,
    "team": _OBJECT_OR_ID,
    "enterprise": _OBJECT_OR_ID,
    "user": _OBJECT_OR_ID,
    "channel": _OBJECT_OR_ID,
    "team_id": _TEXT,
    "enterprise_id": _TEXT,
    "user_id": _TEXT,
    "channel_id": _TEXT,
    "api_app_id": _TEXT,
    "command": _TEXT,
    "text": _TEXT,
    "callback_id": _TEXT,
    "action_id": _TEXT,
    "block_id": _TEXT,
    "trigger_id": _TEXT,
    "response_url": _TEXT,
    "thread_ts": _TEXT,
    "view": _VIEW,
    "event": _EVENT,
    "message": _MESSAGE,
    "previous_message": _MESSAGE,
    "container": _OBJECT,
    "state": _STATE,
    "item": _OBJECT,
    "assistant_thread": _OBJECT,
    "function_data": _OBJECT,
    "workflow_step": _OBJECT,
    "authorizations": (
        "objects",
        {"team_id": _TEXT, "enterprise_id": _TEXT, "user_id": _TEXT},
    ),
    "actions": ("objects", _ACTION),
    "response_urls": ("objects", {"response_url": _TEXT}),
}
# Nested objects with an id: "user": {"id": ...}, "team": {...}, "channel": {...}.
_WITH_ID = {"team", "enterprise", "user", "channel"}


# Bolt reads body["actions"][0] of these payload types without looking.
_ACTION_TYPES = {"block_actions", "interactive_message"}
# Slack sends a trigger_id and the user with every click and command; listeners open modals with
# the one and answer the other.
_TRIGGERED_TYPES = {"block_actions", "view_submission", "shortcut", "message_action"}


# Keys Bolt's matchers index without looking, by payload type.
_REQUIRED_BY_TYPE = {
    "shortcut": ("callback_id",),
    "message_action": ("callback_id",),
    "interactive_message": ("callback_id",),
    "dialog_submission": ("callback_id",),
    "dialog_cancellation": ("callback_id",),
    "dialog_suggestion": ("callback_id",),
    "workflow_step_edit": ("callback_id",),
    "block_suggestion": ("action_id",),
}


def envelope_problem(payload: dict[str, Any]) -> str | None:
    """What about this payload would make Bolt (or a listener opening a modal) fail, or None."""
    kind = payload.get("type")
    kind = kind if isinstance(kind, str) else None
    for key in _REQUIRED_BY_TYPE.get(kind or "", ()):
        if not isinstance(payload.get(key), str):
            return f"{key} is required"
    if kind in _ACTION_TYPES and not payload.get("actions"):
        return "actions must not be empty"
    if (kind in _TRIGGERED_TYPES or "command" in payload) and not payload.get("trigger_id"):
        return "trigger_id is required"
    if kind in _TRIGGERED_TYPES and not _user_id(payload.get("user")):
        return "user.id is required"
    if "command" in payload and not payload.get("user_id"):
        return "user_id is required"
    return shape_problem(payload)


def _user_id(user: Any) -> Any:
    return user.get("id") if isinstance(user, dict) else None


def shape_problem(payload: dict[str, Any], shape: Shape = ENVELOPE, where: str = "") -> str | None:
    """The first key whose value has the wrong type (``"view.state"``), or None."""
    for key in shape.get(REQUIRED, ()):
        if payload.get(key) is None:
            return f"{where}{key} is required"
    for key in shape.get(NOT_NULL, ()):
        if key in payload and payload[key] is None:
            return f"{where}{key} must not be null"
    for key, expected in shape.items():
        if key in (REQUIRED, NOT_NULL):
            continue
        value = payload.get(key)
        if value is None:
            continue
        path = f"{where}{key}"
        problem = _check(value, expected, path)
        if problem is None and key in _WITH_ID and isinstance(value, dict):
            problem = shape_problem(value, _ID, f"{path}.")
        if problem is not None:
            return problem
    return None


def _check(value: Any, expected: Any, path: str) -> str | None:
    if isinstance(expected, dict):
        if not isinstance(value, dict):
            return f"{path} must be an object"
        return shape_problem(value, expected, f"{path}.")
    if expected == ("values",):
        return _values_problem(value, path)
    if isinstance(expected, tuple) and expected and expected[0] == "objects":
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            return f"{path} must be a list of objects"
        if len(expected) > 1:
            for index, item in enumerate(value):
                if problem := shape_problem(item, expected[1], f"{path}[{index}]."):
                    return problem
        return None
    if not isinstance(value, expected):
        return f"{path} has the wrong type"
    return None


def _values_problem(value: Any, path: str) -> str | None:
    # view.state.values: {block_id: {action_id: {element state}}}
    if not isinstance(value, dict):
        return f"{path} must be an object"
    for block in value.values():
        if not isinstance(block, dict) or not all(isinstance(v, dict) for v in block.values()):
            return f"{path} must map block ids to objects of objects"
    return None
