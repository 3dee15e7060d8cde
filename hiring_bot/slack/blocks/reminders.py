"""Scheduled reminder messages: window approaching, stale claims (DM), digest, decision nudge.

`render_reminder` is what the reminder jobs hand the domain to turn a planned view into a message.
"""

from __future__ import annotations

from hiring_bot.domain.reminder_views import (
    DecisionNudge,
    Digest,
    ReminderView,
    StaleClaimsDM,
    WaitingItem,
    WindowReminder,
)
from hiring_bot.slack import ids
from hiring_bot.slack.blocks._kit import (
    Block,
    actions,
    button,
    context,
    countdown,
    day_text,
    esc,
    fallback,
    plural,
    section,
)

MAX_ITEMS = 10  # item sections per reminder; each reminder stays well below 50 blocks


def _item_line(item: WaitingItem, days_label: str) -> str:
    return (
        f"*#{item.ref} · {esc(item.name, 150, empty='(no name)')}* — "
        f"{plural(item.days, 'day')} {days_label}"
    )


def _item_blocks(
    items: tuple[WaitingItem, ...], days_label: str, label: str, action_id: str, more_cmd: str
) -> list[Block]:
    blocks: list[Block] = [
        section(
            _item_line(item, days_label),
            accessory=button(label, action_id, ids.ref_value(item.ref)),
        )
        for item in items[:MAX_ITEMS]
    ]
    if len(items) > MAX_ITEMS:
        blocks.append(context(f"and {len(items) - MAX_ITEMS} more — `{more_cmd}`"))
    return blocks


def _open_list(query: str, label: str = "Open list") -> Block:
    # The value is the `/intern list` arguments to run; never empty (Slack refuses an empty value).
    return actions([button(label, ids.OPEN_LIST, query.strip()[:2000] or "sort:received")])


def _list_cmd(query: str) -> str:
    return esc(f"/intern list {query}".strip(), 200).replace("`", "'")


def _oldest_then_list(title: str, items: tuple[WaitingItem, ...], list_query: str) -> list[Block]:
    """The oldest applications waiting to be claimed (if any), then the button opening the list."""
    blocks: list[Block] = []
    if items:
        blocks.append(section(title))
        blocks.extend(_item_blocks(items, "waiting", "Claim", ids.CLAIM, _list_cmd(list_query)))
    blocks.append(_open_list(list_query))
    return blocks


# --- window approaching (channel) ----------------------------------------------------------------


def build_window_reminder(r: WindowReminder) -> list[Block]:
    name = esc(r.window_name, 150, empty="(unnamed)")
    kind = esc(r.deadline_kind, 60)
    return [
        section(
            f":alarm_clock: *{name}* — {kind} {countdown(r.days_left)} ({day_text(r.deadline)})",
            fields=[
                f"*Unclaimed*\n{r.unclaimed}",
                f"*Claimed, not rated*\n{r.claimed_unrated}",
                f"*Rated*\n{r.rated}",
                f"*Shortlisted*\n{r.shortlisted}",
            ],
        ),
        *_oldest_then_list("*Oldest waiting for action*", r.oldest, r.list_query),
    ]


def window_reminder_text(r: WindowReminder) -> str:
    return fallback(
        f"{esc(r.window_name, 150)}: {esc(r.deadline_kind, 60)} {countdown(r.days_left)} — "
        f"{r.unclaimed} unclaimed, {r.claimed_unrated} claimed but unrated, {r.rated} rated, "
        f"{r.shortlisted} shortlisted"
    )


# --- stale claims (DM) ---------------------------------------------------------------------------


def build_stale_claims_dm(dm: StaleClaimsDM) -> list[Block]:
    intro = (
        f":hourglass: You have {plural(len(dm.items), 'claimed application')} "
        "waiting for your rating."
    )
    if dm.release_after_days is not None:
        intro += (
            f" Claims are released after {plural(dm.release_after_days, 'day')} without a rating."
        )
    blocks: list[Block] = [section(intro)]
    blocks.extend(
        _item_blocks(
            dm.items, "since you claimed it", "Rate", ids.RATE, "/intern list mine unrated"
        )
    )
    blocks.append(_open_list("mine unrated", "Open my list"))
    return blocks


def stale_claims_text(dm: StaleClaimsDM) -> str:
    refs = ", ".join(f"#{i.ref}" for i in dm.items[:20])
    return fallback(f"{plural(len(dm.items), 'claim')} waiting for your rating: {refs}")


# --- digest (channel) ----------------------------------------------------------------------------


def build_digest(d: Digest) -> list[Block]:
    blocks: list[Block] = [
        section(
            f":sunrise: *Daily digest* — {plural(d.new_count, 'new application')} since the last "
            f"digest · {d.unclaimed_count} unclaimed"
        )
    ]
    if d.new_items:
        lines = [f"• #{i.ref} · {esc(i.name, 150, empty='(no name)')}" for i in d.new_items[:20]]
        if d.new_count > len(lines):
            lines.append(f"_and {d.new_count - len(lines)} more_")
        blocks.append(section("*New*\n" + "\n".join(lines)))
    blocks.extend(_oldest_then_list("*Oldest waiting*", d.oldest_waiting, d.list_query))
    return blocks


def digest_text(d: Digest) -> str:
    return fallback(
        f"Digest: {plural(d.new_count, 'new application')}, {d.unclaimed_count} unclaimed"
    )


# --- decision nudge (channel) --------------------------------------------------------------------


def build_decision_nudge(n: DecisionNudge) -> list[Block]:
    name = esc(n.window_name, 150, empty="(unnamed)")
    blocks: list[Block] = [
        section(
            f":scales: *{name}* — decision deadline {countdown(n.days_left)} "
            f"({day_text(n.decision_deadline)}). "
            f"{plural(len(n.items), 'shortlisted application')} still waiting for a decision."
        )
    ]
    blocks.extend(
        _item_blocks(
            n.items, "without a stage change", "Details", ids.DETAILS, _list_cmd(n.list_query)
        )
    )
    blocks.append(_open_list(n.list_query, "Open shortlist"))
    return blocks


def decision_nudge_text(n: DecisionNudge) -> str:
    return fallback(
        f"{esc(n.window_name, 150)}: decision deadline {countdown(n.days_left)}; "
        f"{plural(len(n.items), 'shortlisted application')} waiting"
    )


# --- any of them ---------------------------------------------------------------------------------


def render_reminder(view: ReminderView) -> tuple[str, list[Block]]:
    """A planned reminder's (fallback text, blocks)."""
    match view:
        case WindowReminder():
            return window_reminder_text(view), build_window_reminder(view)
        case StaleClaimsDM():
            return stale_claims_text(view), build_stale_claims_dm(view)
        case Digest():
            return digest_text(view), build_digest(view)
        case DecisionNudge():
            return decision_nudge_text(view), build_decision_nudge(view)
