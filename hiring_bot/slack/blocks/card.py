"""The channel card of one application (posted once, then updated in place)."""

from __future__ import annotations

from typing import Any

from hiring_bot.domain.stages import CLOSED, allowed_moves
from hiring_bot.slack import ids
from hiring_bot.slack.blocks._kit import (
    Block,
    actions,
    button,
    context,
    esc,
    fallback,
    is_github,
    link,
    mention,
    option,
    plural,
    section,
    slack_date,
    static_select,
)
from hiring_bot.slack.blocks.views import ApplicationCard

MISSING_LABELS: dict[str, str] = {
    "cover_letter": "cover letter",
    "resume": "resume",
    "code": "code link",
    "period": "period",
}
WARNING_LABELS: dict[str, str] = {
    "display_name_address": "display name shows another address",
    "forwarded_identity": "name and address taken from a forwarded message in the body: check them",
}
ELIGIBILITY_ICONS: dict[str, tuple[str, str]] = {
    "eligible": (":white_check_mark:", "Eligible"),
    "ineligible": (":warning:", "Not eligible"),
    "unknown": (":grey_question:", "Eligibility unknown"),
}
MAX_LINKS = 6
MAX_AREAS = 8
MAX_OTHER_REFS = 10


def title_line(card: ApplicationCard) -> str:
    """`*Ada Lovelace* · #42 · _Winter 2017/2018_`"""
    window = f"_{esc(card.window_name, 150)}_" if card.window_name else "_no window matched_"
    return f"*{esc(card.name, 150, empty='(no name)')}* · #{card.ref} · {window}"


def period_text(card: ApplicationCard) -> str:
    period = esc(card.period_text, 200)
    duration = esc(card.duration_text, 100)
    if period and duration:
        return f"{period} ({duration})"
    return period or duration or "not given"


def areas_text(card: ApplicationCard, limit: int = MAX_AREAS) -> str:
    areas = [esc(a, 80) for a in card.areas if a.strip()]
    if not areas:
        return "none matched"
    shown = ", ".join(areas[:limit])
    return shown + (f" and {len(areas) - limit} more" if len(areas) > limit else "")


def links_text(card: ApplicationCard, limit: int = MAX_LINKS) -> str:
    if card.anonymised:
        return "removed"
    ordered = sorted((u for u in card.links if u.strip()), key=lambda u: not is_github(u))
    if not ordered:
        return "none"
    shown = " · ".join(link(u) for u in ordered[:limit])
    return shown + (f" and {len(ordered) - limit} more" if len(ordered) > limit else "")


def missing_text(card: ApplicationCard) -> str:
    if not card.missing:
        return ":white_check_mark: Complete"
    labels = [MISSING_LABELS.get(k, esc(k.replace("_", " "), 40)) for k in card.missing]
    return ":page_facing_up: Missing: " + ", ".join(labels)


def warnings_text(card: ApplicationCard) -> str:
    """`:warning: display name shows another address` ("" when there is nothing to warn about)."""
    labels = [WARNING_LABELS.get(k, esc(k.replace("_", " "), 40)) for k in card.warnings]
    return (":warning: " + ", ".join(labels)) if labels else ""


def eligibility_text(card: ApplicationCard) -> str:
    icon, label = ELIGIBILITY_ICONS.get(card.eligibility, ELIGIBILITY_ICONS["unknown"])
    reason = esc(card.eligibility_reason, 300)
    return f"{icon} {label}" + (f" — {reason}" if reason else "")


def status_text(card: ApplicationCard) -> str:
    """Stage, claim, ratings count (+ average only when given), received date."""
    parts = [f"*{card.stage.label}*"]
    if card.claimed_by:
        parts.append(f"claimed by {mention(card.claimed_by)}")
    elif card.stage not in CLOSED and not card.anonymised:
        parts.append("unclaimed")
    parts.append(plural(card.ratings_count, "rating"))
    if card.average is not None:
        parts.append(f"avg {card.average:.1f}")
    parts.append(slack_date(card.received_at, "received {date_short_pretty}"))
    return " · ".join(parts)


def other_refs_text(card: ApplicationCard) -> str:
    refs = [f"#{r}" for r in card.other_refs[:MAX_OTHER_REFS]]
    more = len(card.other_refs) - MAX_OTHER_REFS
    return "Also applied: " + ", ".join(refs) + (f" and {more} more" if more > 0 else "")


def _not_given(card: ApplicationCard) -> str:
    return "removed" if card.anonymised else "not given"


def card_info_blocks(card: ApplicationCard) -> list[Block]:
    """Everything but the buttons (reused by the details surfaces)."""
    checks = [f"*Links:* {links_text(card)}", missing_text(card)]
    if card.warnings:
        checks.append(warnings_text(card))
    checks.append(eligibility_text(card))
    blocks: list[Block] = [
        section(
            title_line(card),
            fields=[
                f"*University*\n{esc(card.university, 300, empty=_not_given(card))}",
                f"*Program*\n{esc(card.program, 300, empty='not given')}",
                f"*Period*\n{period_text(card)}",
                f"*Research areas*\n{areas_text(card)}",
            ],
        ),
        section("\n".join(checks)),
    ]
    lines = [status_text(card)]
    if card.other_refs:
        lines.append(other_refs_text(card))
    if card.note:
        lines.append(f":information_source: {esc(card.note, 300)}")
    blocks.append(context(*lines))
    return blocks


def card_actions(card: ApplicationCard) -> Block:
    value = ids.ref_value(card.ref)
    elements: list[dict[str, Any]] = []
    # Anonymised: nothing left to claim or rate; Details (history) and the stage menu remain.
    if card.stage not in CLOSED and not card.anonymised:
        if card.claimed_by:
            elements.append(button("Unclaim", ids.UNCLAIM, value))
        else:
            elements.append(button("Claim", ids.CLAIM, value, style="primary"))
        elements.append(button("Rate", ids.RATE, value))
    elements.append(button("Details", ids.DETAILS, value))
    moves = allowed_moves(card.stage)
    if moves:
        elements.append(
            static_select(
                "Move to…",
                ids.STAGE_SELECT,
                [option(s.label, ids.stage_option_value(card.ref, s)) for s in moves],
            )
        )
    # The stage is in the block_id so Slack clients drop a stale menu selection after a move.
    return actions(elements, block_id=f"{ids.CARD_ACTIONS_PREFIX}{card.ref}_{card.stage.value}")


def build_application_card(card: ApplicationCard) -> list[Block]:
    """The compact channel card: no email, no cover letter, no scores but the (quorum) average."""
    return [*card_info_blocks(card), card_actions(card)]


def card_text(card: ApplicationCard) -> str:
    """Fallback `text` for chat.postMessage / chat.update."""
    window = f" ({esc(card.window_name, 150)})" if card.window_name else ""
    return fallback(
        f"Application #{card.ref}: {esc(card.name, 150, empty='(no name)')}{window}"
        f" — {card.stage.label}"
    )


def assignment_dm_text(card: ApplicationCard, *, assigned_by: str) -> str:
    return fallback(
        f"{mention(assigned_by)} assigned you application #{card.ref}: "
        f"{esc(card.name, 150, empty='(no name)')}"
    )


def build_assignment_dm(card: ApplicationCard, *, assigned_by: str) -> list[Block]:
    """The DM an assignee gets: who handed it over, the card's summary, Rate and Details."""
    value = ids.ref_value(card.ref)
    return [
        section(
            f":inbox_tray: {mention(assigned_by)} assigned you application *#{card.ref}* to "
            f"review. Rate it with `/intern rate {card.ref}` or the button below."
        ),
        *card_info_blocks(card),
        actions(
            [
                button("Rate", ids.RATE, value, style="primary"),
                button("Details", ids.DETAILS, value),
            ]
        ),
    ]
