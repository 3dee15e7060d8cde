"""Full details of one application, on request: an ephemeral message or a modal."""

from __future__ import annotations

from typing import Any

from hiring_bot.slack import ids
from hiring_bot.slack.blocks._kit import (
    MAX_MESSAGE_BLOCKS,
    MODAL_TITLE,
    PRIVATE_METADATA,
    Block,
    context,
    divider,
    esc,
    fallback,
    mention,
    plain_text,
    section,
    time_text,
)
from hiring_bot.slack.blocks.card import card_actions, card_info_blocks
from hiring_bot.slack.blocks.views import ApplicationDetails, AuditLine

EXCERPT_CHARS = 2500
MAX_ATTACHMENTS = 15
MAX_AUDIT_LINES = 15


def _excerpt(label: str, text: str) -> Block:
    body = esc(text, EXCERPT_CHARS, single_line=False)
    if not body:
        return section(f"*{label}*\n_none_")
    quoted = "\n".join(f">{line}" for line in body.split("\n"))
    return section(f"*{label}*\n{quoted}")


def _attachments_text(details: ApplicationDetails) -> str:
    if not details.attachments:
        return "*Attachments:* none"
    lines = []
    for att in details.attachments[:MAX_ATTACHMENTS]:
        name = esc(att.name, 120, empty="(unnamed)")
        if att.text_available:
            lines.append(f"• {name}")
        else:
            reason = esc(att.reason, 200, empty="no reason given")
            lines.append(f"• {name} — _text unavailable: {reason}_")
    more = len(details.attachments) - MAX_ATTACHMENTS
    if more > 0:
        lines.append(f"_and {more} more_")
    return "*Attachments:*\n" + "\n".join(lines)


def audit_text(line: AuditLine) -> str:
    """`Wed 10 Jan 2018 09:01 PST · <@U0ALICE> assigned it to <@U0BOB>`.

    People are mentions (Slack shows their names; an ephemeral message or a modal pings nobody);
    everything else is escaped text.
    """
    who = mention(line.actor) if line.actor_is_user else esc(line.actor, 60, empty="someone")
    what = esc(line.verb, 120, empty="changed it")
    if line.target_user:
        what = f"{what} {mention(line.target_user)}"
    return f"{time_text(line.when)} · {who} {what}"


def _audit_text(details: ApplicationDetails) -> str:
    if not details.audit:
        return "*History:* no changes yet"
    recent = details.audit[-MAX_AUDIT_LINES:]
    lines = [f"• {audit_text(line)}" for line in recent]
    earlier = len(details.audit) - len(recent)
    if earlier > 0:
        lines.insert(0, f"_{earlier} earlier entries not shown_")
    return "*History:*\n" + "\n".join(lines)


def _details_blocks(details: ApplicationDetails, *, with_actions: bool) -> list[Block]:
    card = details.card
    blocks: list[Block] = [
        *card_info_blocks(card),
        section(
            f"*Email:* {esc(details.email, 254, empty='not given')}\n"
            f"*Subject:* {esc(details.subject, 300, empty='(no subject)')}"
        ),
        _excerpt("Cover letter (excerpt)", details.cover_letter_excerpt),
        _excerpt("Resume (excerpt)", details.resume_excerpt),
        section(_attachments_text(details)),
        divider(),
        context(_audit_text(details)),
    ]
    if with_actions:
        blocks.append(card_actions(card))
    return blocks[:MAX_MESSAGE_BLOCKS]


def build_application_details(details: ApplicationDetails) -> list[Block]:
    """Blocks for an ephemeral message (with the card's buttons)."""
    return _details_blocks(details, with_actions=True)


def details_text(details: ApplicationDetails) -> str:
    return fallback(f"Application #{details.card.ref}: {esc(details.card.name, 150)}")


def build_details_modal(details: ApplicationDetails, private_metadata: str = "") -> dict[str, Any]:
    """A read-only modal (views.open); buttons inside send block_actions from a view container."""
    if len(private_metadata) > PRIVATE_METADATA:
        raise ValueError("private_metadata over 3000 chars")
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": ids.DETAILS_MODAL,
        "title": plain_text(f"Application #{details.card.ref}", MODAL_TITLE),
        "close": plain_text("Close", MODAL_TITLE),
        "blocks": _details_blocks(details, with_actions=True),
    }
    if private_metadata:
        view["private_metadata"] = private_metadata
    return view
