"""The App Home tab (views.publish). Each list is capped so the view stays far below 100 blocks."""

from __future__ import annotations

from typing import Any

from hiring_bot.slack import ids
from hiring_bot.slack.blocks._kit import (
    MAX_VIEW_BLOCKS,
    Block,
    button,
    context,
    countdown,
    day_text,
    divider,
    esc,
    header,
    mention,
    plural,
    section,
    slack_date,
)
from hiring_bot.slack.blocks.views import ApplicationCard, HomeView

HOME_MAX_AWAITING = 20
HOME_MAX_UNCLAIMED = 20
HOME_MAX_DEADLINES = 15  # lines in one section
HOME_MAX_RECENT = 15  # one block each
# Fixed blocks: intro + 4 headers + 3 dividers + 4 "more"/empty notes + deadline section = 13.
assert 13 + HOME_MAX_AWAITING + HOME_MAX_UNCLAIMED + HOME_MAX_RECENT <= MAX_VIEW_BLOCKS


def _card_line(card: ApplicationCard) -> str:
    window = f" · _{esc(card.window_name, 100)}_" if card.window_name else ""
    detail = [
        x
        for x in (
            esc(card.university, 150),
            esc(card.period_text, 100),
            card.stage.label,
            plural(card.ratings_count, "rating"),
            slack_date(card.received_at, "received {date_short_pretty}"),
        )
        if x
    ]
    return f"*#{card.ref} · {esc(card.name, 150, empty='(no name)')}*{window}\n" + " · ".join(
        detail
    )


def _more(count: int, shown: int, command: str) -> Block | None:
    if count <= shown:
        return None
    return context(f"and {count - shown} more — `{command}`")


def _card_list(
    cards: tuple[ApplicationCard, ...],
    limit: int,
    label: str,
    action_id: str,
    command: str,
    empty: str,
) -> list[Block]:
    if not cards:
        return [context(empty)]
    blocks: list[Block] = [
        section(_card_line(c), accessory=button(label, action_id, ids.ref_value(c.ref)))
        for c in cards[:limit]
    ]
    more = _more(len(cards), limit, command)
    if more is not None:
        blocks.append(more)
    return blocks


def build_home(home: HomeView) -> dict[str, Any]:
    blocks: list[Block] = [
        context(
            f"Hi {mention(home.user_id)} — your hiring queue. `/intern help` lists every command."
        ),
        header("Awaiting your rating"),
        *_card_list(
            home.my_claims_awaiting_rating,
            HOME_MAX_AWAITING,
            "Rate",
            ids.HOME_RATE,
            "/intern list mine unrated",
            "Nothing awaiting your rating. :tada:",
        ),
        divider(),
        header("Unclaimed queue (oldest first)"),
        *_card_list(
            home.unclaimed_queue,
            HOME_MAX_UNCLAIMED,
            "Claim",
            ids.HOME_CLAIM,
            "/intern list unclaimed",
            "Every application is claimed.",
        ),
        divider(),
        header("Upcoming deadlines"),
    ]
    if home.upcoming_deadlines:
        # A deadline is a day in the team's time zone, written as `/intern windows` writes it
        # (not a `<!date>`, which would move it to each reader's own zone).
        lines = [
            f"• *{esc(d.window_name, 100)}* — {esc(d.kind_label, 60)} "
            f"{countdown(d.days_left)} ({day_text(d.day)})"
            for d in home.upcoming_deadlines[:HOME_MAX_DEADLINES]
        ]
        blocks.append(section("\n".join(lines)))
        more = _more(len(home.upcoming_deadlines), HOME_MAX_DEADLINES, "/intern windows")
        if more is not None:
            blocks.append(more)
    else:
        blocks.append(context("No upcoming deadlines."))
    blocks.extend([divider(), header("Your recent ratings")])
    if home.my_recent_ratings:
        for r in home.my_recent_ratings[:HOME_MAX_RECENT]:
            blocks.append(
                section(
                    f"*#{r.ref} · {esc(r.name, 150, empty='(no name)')}* — {r.overall}/5 · "
                    f"{slack_date(r.rated_at, 'rated {date_short_pretty}')}",
                    accessory=button("Details", ids.OPEN_HOME_ITEM, ids.ref_value(r.ref)),
                )
            )
        more = _more(len(home.my_recent_ratings), HOME_MAX_RECENT, "/intern list mine")
        if more is not None:
            blocks.append(more)
    else:
        blocks.append(context("You have not rated anything yet."))
    return {"type": "home", "blocks": blocks[:MAX_VIEW_BLOCKS]}
