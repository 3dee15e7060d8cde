"""`/intern list`: one page of applications with Next / Previous buttons; never over 50 blocks."""

from __future__ import annotations

from typing import Any

from hiring_bot.domain.stages import CLOSED
from hiring_bot.slack import ids
from hiring_bot.slack.blocks._kit import (
    MAX_MESSAGE_BLOCKS,
    Block,
    actions,
    button,
    context,
    esc,
    fallback,
    mention,
    option,
    overflow,
    plural,
    section,
)
from hiring_bot.slack.blocks.card import eligibility_text, missing_text, warnings_text
from hiring_bot.slack.blocks.views import ApplicationCard, ListPage

# header + "items cut" note + pager leave this many blocks for items.
MAX_LIST_ITEMS = MAX_MESSAGE_BLOCKS - 3


def _filters(page: ListPage) -> str:
    return esc(page.filters_text, 500) or "all applications"


def _item_text(card: ApplicationCard) -> str:
    window = f" · _{esc(card.window_name, 100)}_" if card.window_name else ""
    status = [card.stage.label]
    status.append(f"claimed by {mention(card.claimed_by)}" if card.claimed_by else "unclaimed")
    status.append(plural(card.ratings_count, "rating"))
    if card.average is not None:
        status.append(f"avg {card.average:.1f}")
    who = " · ".join(x for x in (esc(card.university, 150), esc(", ".join(card.areas), 200)) if x)
    lines = [
        f"*#{card.ref} · {esc(card.name, 150, empty='(no name)')}*{window}",
        " · ".join(status),
    ]
    if who:
        lines.append(who)
    flags = []
    if card.missing:
        flags.append(missing_text(card))
    if card.warnings:
        flags.append(warnings_text(card))
    if card.eligibility != "eligible":
        flags.append(eligibility_text(card))
    if flags:
        lines.append(" · ".join(flags))
    return "\n".join(lines)


def _item_accessory(card: ApplicationCard) -> dict[str, Any]:
    if card.stage in CLOSED:
        return button("Details", ids.DETAILS, ids.ref_value(card.ref))
    opts = [option("Details", ids.item_menu_value(ids.VERB_DETAILS, card.ref))]
    if not card.claimed_by:
        opts.append(option("Claim", ids.item_menu_value(ids.VERB_CLAIM, card.ref)))
    opts.append(option("Rate", ids.item_menu_value(ids.VERB_RATE, card.ref)))
    return overflow(ids.LIST_ITEM_MENU, opts)


def has_next(page: ListPage) -> bool:
    return page.total_capped or (page.page + 1) * page.page_size < page.total


def _of(page: ListPage) -> str:
    """The total as shown: "500+" when counting stopped there, as mail clients say it."""
    return f"{page.total:,}+" if page.total_capped else str(page.total)


def has_prev(page: ListPage) -> bool:
    return page.page > 0


def build_list_message(page: ListPage) -> list[Block]:
    if not page.items:
        return _empty(page)
    shown = page.items[:MAX_LIST_ITEMS]
    first = page.page * page.page_size + 1
    last = first + len(shown) - 1
    blocks: list[Block] = [
        section(
            f"*Applications* — {_filters(page)} · showing {first}-{last} of {_of(page)}",
        )
    ]
    blocks.extend(section(_item_text(c), accessory=_item_accessory(c)) for c in shown)
    if len(shown) < len(page.items):
        blocks.append(
            context(
                f"{len(page.items) - len(shown)} more on this page not shown —"
                " narrow the filter (e.g. add a window or `unclaimed`)."
            )
        )
    pager: list[dict[str, Any]] = []
    if has_prev(page):
        pager.append(button("◀ Previous", ids.LIST_PREV, page.state))
    if has_next(page):
        pager.append(button("Next ▶", ids.LIST_NEXT, page.state))
    if pager:
        blocks.append(actions(pager, block_id=ids.LIST_PAGER))
    return blocks


def _empty(page: ListPage) -> list[Block]:
    filters = page.filters_text.strip()
    if filters:
        hint = (
            "Try a wider filter: drop one of the filters, or run `/intern list` to see everything."
        )
        text = f"No applications match *{esc(filters, 500)}*."
    else:
        hint = "New applications show up here as they arrive."
        text = "No applications yet."
    blocks: list[Block] = [section(f"{text}\n{hint}")]
    if has_prev(page):
        blocks.append(
            actions([button("◀ Previous", ids.LIST_PREV, page.state)], block_id=ids.LIST_PAGER)
        )
    return blocks


def list_text(page: ListPage) -> str:
    if not page.items:
        return fallback(f"No applications match {_filters(page)}.")
    first = page.page * page.page_size + 1
    last = first + min(len(page.items), MAX_LIST_ITEMS) - 1
    return fallback(f"Applications — {_filters(page)}: {first}-{last} of {_of(page)}")
