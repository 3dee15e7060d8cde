"""The rating modal (posting's rubric) and the parser of its submission."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hiring_bot.domain.rubric import (
    CRITERIA,
    RECOMMENDATION_KEYS,
    RECOMMENDATIONS,
    SCORE_MAX,
    SCORE_MIN,
    parse_score,
)
from hiring_bot.slack import ids
from hiring_bot.slack.blocks._kit import (
    MODAL_TITLE,
    PRIVATE_METADATA,
    Block,
    context,
    esc,
    option,
    plain_text,
    section,
    static_select,
)
from hiring_bot.slack.blocks.views import RatingModalInput, RatingValues

NOTES_MAX = 3000
SCORE_LABELS: dict[int, str] = {
    1: "1 — poor",
    2: "2 — weak",
    3: "3 — fair",
    4: "4 — good",
    5: "5 — excellent",
}


def _score_options() -> list[dict[str, Any]]:
    return [option(SCORE_LABELS[n], str(n)) for n in range(SCORE_MIN, SCORE_MAX + 1)]


def _score_option(score: int | None) -> dict[str, Any] | None:
    if score is None or not SCORE_MIN <= score <= SCORE_MAX:
        return None
    return option(SCORE_LABELS[score], str(score))


def _input(
    block_id: str, label: str, element: dict[str, Any], *, optional: bool, hint: str | None = None
) -> Block:
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": plain_text(label, 2000),
        "element": element,
        "optional": optional,
    }
    if hint:
        block["hint"] = plain_text(hint, 2000)
    return block


def _select(placeholder: str, options: list[dict[str, Any]], initial: dict[str, Any] | None) -> Any:
    return static_select(placeholder, ids.INPUT_ACTION, options, initial=initial)


def build_rating_modal(data: RatingModalInput) -> dict[str, Any]:
    if len(data.private_metadata) > PRIVATE_METADATA:
        raise ValueError("private_metadata over 3000 chars")
    blocks: list[Block] = [
        section(
            f"*#{data.ref} · {esc(data.candidate_name, 200, empty='(no name)')}*\n"
            "Rate against the posting's rubric. Other reviewers' scores stay hidden until you "
            "submit yours."
        ),
        _input(
            ids.RATING_OVERALL,
            "Overall",
            _select("Choose 1-5", _score_options(), _score_option(data.overall)),
            optional=False,
        ),
    ]
    for criterion in CRITERIA:
        blocks.append(
            _input(
                ids.rating_criterion_block_id(criterion.key),
                criterion.label,
                _select(
                    "1-5 (optional)",
                    _score_options(),
                    _score_option(data.criteria.get(criterion.key)),
                ),
                optional=True,
            )
        )
    rec_options = [option(label, key) for key, label in RECOMMENDATIONS]
    rec_initial = next(
        (o for o in rec_options if o["value"] == data.recommendation),
        None,
    )
    blocks.append(
        _input(
            ids.RATING_RECOMMENDATION,
            "Recommendation",
            _select("Strong no … strong yes", rec_options, rec_initial),
            optional=True,
        )
    )
    notes: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": ids.INPUT_ACTION,
        "multiline": True,
        "max_length": NOTES_MAX,
        "placeholder": plain_text("Evidence for your scores (visible to admins)", 150),
    }
    if data.notes:
        notes["initial_value"] = data.notes[:NOTES_MAX]
    blocks.append(_input(ids.RATING_NOTES, "Notes", notes, optional=True))
    blocks.append(context("Rating again replaces your earlier review; every change is audited."))
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": ids.RATING_MODAL,
        "title": plain_text(f"Rate #{data.ref}", MODAL_TITLE),
        "submit": plain_text("Save rating", MODAL_TITLE),
        "close": plain_text("Cancel", MODAL_TITLE),
        "blocks": blocks,
    }
    if data.private_metadata:
        view["private_metadata"] = data.private_metadata
    return view


# --- submission ----------------------------------------------------------------------------------


def input_value(state_values: Mapping[str, Any], block_id: str) -> Any:
    """The element state of one input block (the one action in it), or None."""
    block = state_values.get(block_id)
    if not isinstance(block, Mapping) or not block:
        return None
    element = block.get(ids.INPUT_ACTION)
    if element is None:
        element = next(iter(block.values()))
    return element if isinstance(element, Mapping) else None


def selected_value(state_values: Mapping[str, Any], block_id: str) -> str | None:
    element = input_value(state_values, block_id)
    if element is None:
        return None
    selected = element.get("selected_option")
    if not isinstance(selected, Mapping):
        return None
    value = selected.get("value")
    return value if isinstance(value, str) else None


def text_value(state_values: Mapping[str, Any], block_id: str) -> str | None:
    element = input_value(state_values, block_id)
    if element is None:
        return None
    value = element.get("value")
    return value if isinstance(value, str) else None


def parse_rating_submission(
    state_values: Mapping[str, Any],
) -> tuple[RatingValues | None, dict[str, str]]:
    """`view.state.values` → (values, {}) or (None, {block_id: message}).

    The errors dict goes straight into `{"response_action": "errors", "errors": ...}`.
    """
    errors: dict[str, str] = {}
    overall_raw = selected_value(state_values, ids.RATING_OVERALL)
    overall = parse_score(overall_raw) if overall_raw is not None else None
    if overall_raw is None:
        errors[ids.RATING_OVERALL] = "Choose an overall score from 1 to 5."
    elif overall is None:
        errors[ids.RATING_OVERALL] = "The overall score must be a whole number from 1 to 5."

    criteria: dict[str, int] = {}
    for criterion in CRITERIA:
        block_id = ids.rating_criterion_block_id(criterion.key)
        raw = selected_value(state_values, block_id)
        if raw is None:
            continue
        score = parse_score(raw)
        if score is None:
            errors[block_id] = "Scores are whole numbers from 1 to 5."
        else:
            criteria[criterion.key] = score

    recommendation = selected_value(state_values, ids.RATING_RECOMMENDATION)
    if recommendation is not None and recommendation not in RECOMMENDATION_KEYS:
        errors[ids.RATING_RECOMMENDATION] = "Choose one of the listed recommendations."

    notes = (text_value(state_values, ids.RATING_NOTES) or "").strip()
    if len(notes) > NOTES_MAX:
        errors[ids.RATING_NOTES] = f"Notes are {len(notes)} characters; the limit is {NOTES_MAX}."

    if errors or overall is None:
        return None, errors
    return RatingValues(
        overall=overall, criteria=criteria, recommendation=recommendation, notes=notes
    ), {}
