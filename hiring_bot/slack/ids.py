"""Every action_id, callback_id and block_id the app uses, and the button/option value encodings.

Builders in `hiring_bot.slack.blocks` emit these; listeners register on them. Keep them stable:
messages already posted in Slack carry them.

Value encodings (all strings, short enough for Slack's limits):

- card buttons (CLAIM, UNCLAIM, RATE, DETAILS, HOME_*, OPEN_HOME_ITEM) and PURGE_CONFIRM: the
  reference, e.g. ``"42"`` — decode with `parse_ref`;
- STAGE_SELECT options: ``"42:shortlisted"`` — decode with `parse_stage_option`;
- LIST_ITEM_MENU overflow options: ``"claim:42"`` / ``"rate:42"`` / ``"details:42"`` — decode with
  `parse_item_menu`;
- LIST_NEXT / LIST_PREV: the opaque `ListPage.state` the handler gave the builder, unchanged;
- OPEN_LIST: the arguments of ``/intern list`` to run (e.g. ``"unclaimed"``), unchanged.
"""

from __future__ import annotations

from hiring_bot.domain.stages import Stage, parse_stage

# --- actions (block_actions listeners) -----------------------------------------------------------
# Channel card (also used by list, details and reminder messages: same meaning everywhere).
CLAIM = "card_claim"
UNCLAIM = "card_unclaim"
RATE = "card_rate"
DETAILS = "card_details"
STAGE_SELECT = "card_stage"
# `/intern list` message.
LIST_NEXT = "list_next"
LIST_PREV = "list_prev"
LIST_ITEM_MENU = "list_item_menu"
# Reminder messages: "Open list" runs `/intern list <value>` for the clicker.
OPEN_LIST = "open_list"
# App Home: separate ids so the handler knows to re-publish the Home tab afterwards.
HOME_CLAIM = "home_claim"
HOME_RATE = "home_rate"
OPEN_HOME_ITEM = "home_open_item"
# `/intern purge <ref>` confirmation (admins): value is the reference.
PURGE_CONFIRM = "retention_purge_confirm"

ALL_ACTION_IDS: tuple[str, ...] = (
    CLAIM,
    UNCLAIM,
    RATE,
    DETAILS,
    STAGE_SELECT,
    LIST_NEXT,
    LIST_PREV,
    LIST_ITEM_MENU,
    OPEN_LIST,
    HOME_CLAIM,
    HOME_RATE,
    OPEN_HOME_ITEM,
    PURGE_CONFIRM,
)

# --- views (view_submission listeners) -----------------------------------------------------------
RATING_MODAL = "rating_modal"
WINDOW_MODAL = "window_modal"
ALL_VIEW_CALLBACKS: tuple[str, ...] = (RATING_MODAL, WINDOW_MODAL)
# Read-only modal (no submit button): needs no listener, so not in ALL_VIEW_CALLBACKS.
DETAILS_MODAL = "details_modal"

# --- input blocks inside modals ------------------------------------------------------------------
# Every input element uses INPUT_ACTION as its action_id, so a value is at
# ``view["state"]["values"][<block_id>][INPUT_ACTION]``.
INPUT_ACTION = "value"

RATING_OVERALL = "rating_overall"
RATING_CRITERION_PREFIX = "rating_criterion_"
RATING_RECOMMENDATION = "rating_recommendation"
RATING_NOTES = "rating_notes"

WINDOW_NAME = "window_name"
WINDOW_ALIASES = "window_aliases"
WINDOW_APPLICATION_DEADLINE = "window_application_deadline"
WINDOW_DECISION_DEADLINE = "window_decision_deadline"
WINDOW_STARTS_ON = "window_starts_on"
WINDOW_ENDS_ON = "window_ends_on"

# --- non-input block ids (prefixes get the reference appended) -----------------------------------
CARD_ACTIONS_PREFIX = "card_actions_"
LIST_PAGER = "list_pager"

# --- overflow verbs ------------------------------------------------------------------------------
VERB_CLAIM = "claim"
VERB_RATE = "rate"
VERB_DETAILS = "details"
ITEM_VERBS: frozenset[str] = frozenset({VERB_CLAIM, VERB_RATE, VERB_DETAILS})


def rating_criterion_block_id(key: str) -> str:
    """Block id of the input for one rubric criterion (`hiring_bot.domain.rubric.CRITERIA` key)."""
    return RATING_CRITERION_PREFIX + key


def ref_value(ref: int) -> str:
    return str(ref)


def parse_ref(value: str | None) -> int | None:
    """The reference a button carries; None when the value is not a positive whole number."""
    if value is None:
        return None
    text = value.strip().lstrip("#")
    if not text.isdigit() or len(text) > 18:
        return None
    ref = int(text)
    return ref if ref > 0 else None


def stage_option_value(ref: int, stage: Stage) -> str:
    return f"{ref}:{stage.value}"


def parse_stage_option(value: str | None) -> tuple[int, Stage] | None:
    if value is None or ":" not in value:
        return None
    ref_text, _, stage_text = value.partition(":")
    ref = parse_ref(ref_text)
    stage = parse_stage(stage_text)
    if ref is None or stage is None:
        return None
    return ref, stage


def item_menu_value(verb: str, ref: int) -> str:
    return f"{verb}:{ref}"


def parse_item_menu(value: str | None) -> tuple[str, int] | None:
    if value is None or ":" not in value:
        return None
    verb, _, ref_text = value.partition(":")
    ref = parse_ref(ref_text)
    if verb not in ITEM_VERBS or ref is None:
        return None
    return verb, ref
