"""Shared helpers for the builders: mrkdwn escaping and truncation, links, dates, blocks.

Everything user-provided goes through `esc()` (escape &, <, > and cut to a length) before it is
put in mrkdwn; composed texts go through `cap()` which never cuts inside a link or an entity.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from hiring_bot.mrkdwn import ESCAPES, escape

Block = dict[str, Any]

# Slack's limits (https://docs.slack.dev/reference/block-kit/).
MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
SECTION_TEXT = 3000
FIELD_TEXT = 2000
CONTEXT_TEXT = 2000
HEADER_TEXT = 150
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
OPTION_TEXT = 75
OPTION_VALUE = 150
MODAL_TITLE = 24
PRIVATE_METADATA = 3000
FALLBACK_TEXT = 3000

ELLIPSIS = "…"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_USER_ID = re.compile(r"[UW][A-Z0-9]{2,30}")
_BARE_DOMAIN = re.compile(r"^(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?:[/?#]\S*)?$", re.I)


def esc(text: str | None, limit: int, *, single_line: bool = True, empty: str = "") -> str:
    """Escaped user text no longer than `limit` (cut with an ellipsis); `empty` when blank."""
    if not text:
        return empty
    window = text[: limit * 4 + 8]
    cut = len(window) < len(text)
    window = _CONTROL.sub(" ", window)
    window = " ".join(window.split()) if single_line else _tidy_lines(window)
    if not window:
        return empty
    full = escape(window)
    if not cut and len(full) <= limit:
        return full
    out: list[str] = []
    size = 0
    for ch in window:
        piece = ESCAPES.get(ch, ch)
        if size + len(piece) > limit - len(ELLIPSIS):
            break
        out.append(piece)
        size += len(piece)
    return "".join(out).rstrip() + ELLIPSIS


def _tidy_lines(text: str) -> str:
    lines = [" ".join(line.split()) for line in text.replace("\r\n", "\n").split("\n")]
    tidy = "\n".join(lines).strip()
    return re.sub(r"\n{3,}", "\n\n", tidy)


def cap(text: str, limit: int) -> str:
    """Cut composed mrkdwn to `limit` chars without breaking a `<…>` link or an `&…;` entity."""
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ELLIPSIS)]
    lt, gt = cut.rfind("<"), cut.rfind(">")
    if lt > gt:
        cut = cut[:lt]
    amp, semi = cut.rfind("&"), cut.rfind(";")
    if amp > semi:
        cut = cut[:amp]
    return cut.rstrip() + ELLIPSIS


def plain(text: str, limit: int) -> str:
    """Plain text for a button, option or title: one line, at most `limit` chars, never empty."""
    one = " ".join(_CONTROL.sub(" ", text[: limit * 4 + 8]).split()) or "-"
    if len(one) <= limit:
        return one
    return one[: limit - len(ELLIPSIS)].rstrip() + ELLIPSIS


def mention(user_id: str) -> str:
    """`<@U123>` for a real-looking user id; the escaped text otherwise (never a broadcast)."""
    if _USER_ID.fullmatch(user_id):
        return f"<@{user_id}>"
    return esc(user_id, 40, empty="someone")


def link(url: str, *, label_limit: int = 60) -> str:
    """A mrkdwn link `<https://…|label>` for http(s) URLs (a bare domain gets https://); any other
    text (javascript:, mailto:, garbage) is shown escaped and not linked."""
    raw = " ".join(url.split())
    target = raw
    if not re.match(r"^https?://", target, re.I):
        if not _BARE_DOMAIN.match(target):
            return esc(raw, label_limit, empty="(empty link)")
        target = "https://" + target
    if len(target) > 1000:
        return esc(raw, label_limit)
    href = (
        target.replace("&", "&amp;")
        .replace("<", "%3C")
        .replace(">", "%3E")
        .replace("|", "%7C")
        .replace(" ", "%20")
    )
    return f"<{href}|{esc(link_label(target), label_limit, empty='link')}>"


def link_label(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    host = (parts.hostname or "").removeprefix("www.")
    path = parts.path.strip("/")
    if is_github(url) and path:
        return "GitHub: " + "/".join(path.split("/")[:2])
    return f"{host}/{path}" if path else host or url


def is_github(url: str) -> bool:
    try:
        host = (urlsplit(url if "://" in url else "https://" + url).hostname or "").lower()
    except ValueError:
        return False
    return host == "github.com" or host.endswith(".github.com") or host.endswith(".github.io")


_DATE_TOKEN = re.compile(r"\{date(?:_num|_short|_long|_pretty|_short_pretty|_long_pretty)?\}")
_TIME_TOKEN = re.compile(r"\{time(?:_secs)?\}")


def slack_date(when: datetime, fmt: str = "{date_short_pretty}") -> str:
    """`<!date^…>`, which Slack renders in the reader's own time zone.

    `when` must be aware and, like every datetime in the read models, already in HIRING_TIMEZONE:
    the fallback (notifications, clients that cannot render dates) is `fmt` with the team's own
    date in it (`received Wed 10 Jan 2018`), worded like the other dates the bot writes. A UTC
    datetime here would put an evening's date on the next day.
    """
    if when.tzinfo is None:
        raise ValueError("slack_date needs an aware datetime in HIRING_TIMEZONE")
    shown = _DATE_TOKEN.sub(day_text(when.date()), fmt)
    shown = _TIME_TOKEN.sub(f"{when:%H:%M}", shown)
    return f"<!date^{int(when.timestamp())}^{fmt}|{escape(shown)}>"


def time_text(when: datetime) -> str:
    """`Wed 10 Jan 2018 09:01 PST` — `when` in HIRING_TIMEZONE."""
    return f"{day_text(when.date())} {when:%H:%M %Z}".rstrip()


def day_text(day: date) -> str:
    """`Fri 15 Dec 2017`"""
    return f"{day:%a} {day.day} {day:%b %Y}"


def countdown(days: int) -> str:
    if days > 1:
        return f"in {days} days"
    if days == 1:
        return "tomorrow"
    if days == 0:
        return "today"
    if days == -1:
        return "yesterday"
    return f"{-days} days ago"


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word if count == 1 else (many or word + 's')}"


# --- block constructors --------------------------------------------------------------------------


def mrkdwn(text: str, limit: int = SECTION_TEXT) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": cap(text, limit) or " "}


def plain_text(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": plain(text, limit)}


def section(
    text: str,
    *,
    accessory: dict[str, Any] | None = None,
    fields: list[str] | None = None,
    block_id: str | None = None,
) -> Block:
    block: Block = {"type": "section", "text": mrkdwn(text)}
    if fields:
        block["fields"] = [mrkdwn(f, FIELD_TEXT) for f in fields[:10]]
    if accessory is not None:
        block["accessory"] = accessory
    if block_id is not None:
        block["block_id"] = block_id
    return block


def header(text: str) -> Block:
    return {"type": "header", "text": plain_text(text, HEADER_TEXT)}


def divider() -> Block:
    return {"type": "divider"}


def context(*texts: str) -> Block:
    return {"type": "context", "elements": [mrkdwn(t, CONTEXT_TEXT) for t in texts[:10]]}


def button(
    text: str, action_id: str, value: str, *, style: str | None = None, url: str | None = None
) -> dict[str, Any]:
    if len(value) > BUTTON_VALUE:
        raise ValueError(f"button value is {len(value)} chars; max {BUTTON_VALUE}")
    element: dict[str, Any] = {
        "type": "button",
        "text": plain_text(text, BUTTON_TEXT),
        "action_id": action_id,
        "value": value,
    }
    if style is not None:
        element["style"] = style
    if url is not None:
        element["url"] = url
    return element


def option(text: str, value: str) -> dict[str, Any]:
    if len(value) > OPTION_VALUE:
        raise ValueError(f"option value is {len(value)} chars; max {OPTION_VALUE}")
    return {"text": plain_text(text, OPTION_TEXT), "value": value}


def static_select(
    placeholder: str,
    action_id: str,
    options: list[dict[str, Any]],
    *,
    initial: dict[str, Any] | None = None,
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "static_select",
        "placeholder": plain_text(placeholder, 150),
        "action_id": action_id,
        "options": options[:100],
    }
    if initial is not None:
        element["initial_option"] = initial
    return element


def overflow(action_id: str, options: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "overflow", "action_id": action_id, "options": options[:5]}


def actions(elements: list[dict[str, Any]], *, block_id: str | None = None) -> Block:
    block: Block = {"type": "actions", "elements": elements[:25]}
    if block_id is not None:
        block["block_id"] = block_id
    return block


def fallback(text: str) -> str:
    """The top-level `text` of a message (notifications, screen readers)."""
    return cap(text, FALLBACK_TEXT)
