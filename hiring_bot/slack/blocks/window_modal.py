"""`/intern window add|edit`: the internship-window modal and the parser of its submission."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from hiring_bot.domain.window_spec import NAME_MAX
from hiring_bot.slack import ids
from hiring_bot.slack.blocks._kit import (
    MODAL_TITLE,
    PRIVATE_METADATA,
    Block,
    context,
    plain_text,
)
from hiring_bot.slack.blocks.rating import input_value, text_value
from hiring_bot.slack.blocks.views import WindowSummary, WindowValues

ALIASES_MAX = 500

# (block_id, label, attribute) in the order the dates must be.
DATE_FIELDS: tuple[tuple[str, str, str], ...] = (
    (ids.WINDOW_APPLICATION_DEADLINE, "Application deadline", "application_deadline"),
    (ids.WINDOW_DECISION_DEADLINE, "Decision deadline", "decision_deadline"),
    (ids.WINDOW_STARTS_ON, "Starts on", "starts_on"),
    (ids.WINDOW_ENDS_ON, "Ends on", "ends_on"),
)


def _input(block_id: str, label: str, element: dict[str, Any], *, optional: bool = False) -> Block:
    return {
        "type": "input",
        "block_id": block_id,
        "label": plain_text(label, 2000),
        "element": element,
        "optional": optional,
    }


def _text_input(initial: str | None, max_length: int, placeholder: str) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": ids.INPUT_ACTION,
        "max_length": max_length,
        "placeholder": plain_text(placeholder, 150),
    }
    if initial:
        element["initial_value"] = initial[:max_length]
    return element


def _datepicker(initial: date | None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "datepicker",
        "action_id": ids.INPUT_ACTION,
        "placeholder": plain_text("Pick a date", 150),
    }
    if initial is not None:
        element["initial_date"] = initial.isoformat()
    return element


def build_window_modal(
    existing: WindowSummary | None, private_metadata: str = ""
) -> dict[str, Any]:
    """Add (existing=None) or edit a window. The handler encodes add/edit in `private_metadata`."""
    if len(private_metadata) > PRIVATE_METADATA:
        raise ValueError("private_metadata over 3000 chars")
    blocks: list[Block] = [
        _input(
            ids.WINDOW_NAME,
            "Name",
            _text_input(existing.name if existing else None, NAME_MAX, "Spring/Summer 2018"),
        ),
        _input(
            ids.WINDOW_ALIASES,
            "Aliases (comma-separated, for matching the period applicants write)",
            _text_input(
                ", ".join(existing.aliases) if existing else None,
                ALIASES_MAX,
                "spring 2018, summer 2018",
            ),
            optional=True,
        ),
    ]
    for block_id, label, attr in DATE_FIELDS:
        initial: date | None = getattr(existing, attr) if existing else None
        blocks.append(_input(block_id, label, _datepicker(initial)))
    blocks.append(
        context(
            "Dates are in the team's time zone and must be in order: application deadline ≤ "
            "decision deadline ≤ start ≤ end."
        )
    )
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": ids.WINDOW_MODAL,
        "title": plain_text("Edit window" if existing else "Add window", MODAL_TITLE),
        "submit": plain_text("Save", MODAL_TITLE),
        "close": plain_text("Cancel", MODAL_TITLE),
        "blocks": blocks,
    }
    if private_metadata:
        view["private_metadata"] = private_metadata
    return view


def _date_value(state_values: Mapping[str, Any], block_id: str) -> tuple[date | None, str | None]:
    element = input_value(state_values, block_id)
    raw = element.get("selected_date") if element is not None else None
    if raw is None or raw == "":
        return None, "Pick a date."
    if not isinstance(raw, str):
        return None, "Not a date."
    try:
        return date.fromisoformat(raw.strip()), None
    except ValueError:
        return None, f"{raw[:20]!r} is not a real date (YYYY-MM-DD)."


def parse_aliases(text: str) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for part in text.split(","):
        alias = " ".join(part.split())
        if alias and alias.casefold() not in seen:
            seen[alias.casefold()] = alias
    return tuple(seen.values())


def parse_window_submission(
    state_values: Mapping[str, Any],
) -> tuple[WindowValues | None, dict[str, str]]:
    """`view.state.values` → (values, {}) or (None, {block_id: message})."""
    errors: dict[str, str] = {}
    name = " ".join((text_value(state_values, ids.WINDOW_NAME) or "").split())
    if not name:
        errors[ids.WINDOW_NAME] = "Give the window a name."
    elif len(name) > NAME_MAX:
        errors[ids.WINDOW_NAME] = f"At most {NAME_MAX} characters."
    aliases_raw = text_value(state_values, ids.WINDOW_ALIASES) or ""
    if len(aliases_raw) > ALIASES_MAX:
        errors[ids.WINDOW_ALIASES] = f"At most {ALIASES_MAX} characters."
    aliases = parse_aliases(aliases_raw)

    dates: dict[str, date] = {}
    for block_id, _label, attr in DATE_FIELDS:
        value, error = _date_value(state_values, block_id)
        if error is not None:
            errors[block_id] = error
        elif value is not None:
            dates[attr] = value

    # Order: each date on or after the previous one that parsed.
    previous: tuple[str, date] | None = None
    for block_id, label, attr in DATE_FIELDS:
        if attr not in dates:
            continue
        if previous is not None and dates[attr] < previous[1]:
            errors[block_id] = (
                f"{label} must be on or after the {previous[0].lower()} "
                f"({previous[1].isoformat()})."
            )
        previous = (label, dates[attr])

    if errors or len(dates) != len(DATE_FIELDS):
        return None, errors
    return WindowValues(
        name=name,
        aliases=aliases,
        application_deadline=dates["application_deadline"],
        decision_deadline=dates["decision_deadline"],
        starts_on=dates["starts_on"],
        ends_on=dates["ends_on"],
    ), {}
