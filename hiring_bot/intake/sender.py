"""Who sent an application: the address and name behind relays, no-reply senders and forwards.

From is the sender, unless its address is a no-reply style one (``no-reply@``, ``donotreply@``,
``notifications@`` ...): then Reply-To is (form relays). A message forwarded inline (Gmail's
"Forwarded message" or Apple Mail's "Begin forwarded message:" block with a From line) names the
applicant in that block. Addresses are stripped and lower-cased.

Identity comes from the address part (the addr-spec) of the raw header only, never from decoded
display text: ``=?utf-8?q?x=0D=0AReply-To:_victim@x.org?= <attacker@evil.example>`` is
attacker@evil.example, whose display name happens to read like a header. Display text decides
nothing (a display name "Ana via Forms" does not hand identity to Reply-To, and a Reply-To beside
a personal From is ignored); it is kept as text with control characters removed, and
`display_shows_other_address` tells the card to warn when it reads like a different address.
"""

from __future__ import annotations

import email.utils
import logging
import re
from email.message import Message

from hiring_bot.controlchars import clean_line
from hiring_bot.intake import mime

log = logging.getLogger(__name__)

_NO_REPLY_LOCAL = re.compile(
    r"^(?:no[-_.]?reply|do[-_.]?not[-_.]?reply|notifications?|mailer|bounces?|forms?)(?:[-+_.].*)?$",
    re.I,
)
_ADDRESS = re.compile(r"^[^\s@<>()\[\],;:\"]+@[^\s@<>()\[\],;:\"]+\.[^\s@<>()\[\],;:\".]{2,}$")
_VIA = re.compile(r"\s+(?:via|through)\s+\S.*$", re.I)
# Anything shaped like an address inside display text (no anchors: it may sit among other words).
_ADDRESS_IN_TEXT = re.compile(r"[^\s@<>()\[\],;:\"']+@[^\s@<>()\[\],;:\"']+\.[A-Za-z]{2,}")
# Gmail / Outlook.com ("---------- Forwarded message ---------") and Apple Mail forwards.
_FORWARD_MARKER = re.compile(
    r"^[ \t]*(?:-{2,}[ \t]*Forwarded message[ \t]*-{2,}|Begin forwarded message:)[ \t]*$",
    re.I | re.M,
)
# An RFC 2047 encoded word, also a malformed one (":" or "@" where only letters should be).
_ENCODED_WORD = re.compile(r"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=")
_MASK = "ZqEncodedWordQz"
_MASKED_WORD = re.compile(rf"\s?{_MASK}(\d+){_MASK}\s?")
_FORWARD_HEADER = re.compile(r"^[ \t]*([A-Za-z-]{2,20}):[ \t]*(.*)$")


def sender_of(msg: Message) -> tuple[str, str | None]:
    """(display name, normalised address); the address is None when there is no usable one."""
    from_name, from_address = _first_address(msg, "From")
    reply_name, reply_address = _first_address(msg, "Reply-To")
    no_reply = from_address is not None and bool(_NO_REPLY_LOCAL.match(from_address.split("@")[0]))
    if reply_address and no_reply:
        # Only a From address that cannot be answered hands identity to Reply-To; text never.
        name = reply_name or _VIA.sub("", from_name)
        address: str | None = reply_address
    else:  # no From address is no sender, whatever Reply-To says
        name, address = _VIA.sub("", from_name), from_address
    if address is None:
        return name, None
    return (name.strip() or _name_from_address(address)), address


def display_shows_other_address(name: str, address: str) -> bool:
    """True when the display name contains an address that is not the sender's own."""
    return any(found.lower().strip(".") != address for found in _ADDRESS_IN_TEXT.findall(name))


def inline_forward(body: str) -> tuple[str, str, str] | None:
    """(name, address, text) of an email forwarded inline in `body`, None when there is none.

    Only the first forward counts, and only when its header block names a usable From address.
    """
    marker = _FORWARD_MARKER.search(body)
    if marker is None:
        return None
    lines = body[marker.end() :].lstrip("\n").split("\n")
    sender = ""
    header_lines = 0
    for line in lines[:12]:
        header = _FORWARD_HEADER.match(line)
        if header is None:
            break
        header_lines += 1
        if header.group(1).lower() == "from":
            sender = header.group(2)
    display, addr = email.utils.parseaddr(sender)
    address = addr.strip().lower()
    if not _valid_address(address):
        return None
    name = mime.one_line(display).strip("\"'* ") or _name_from_address(address)
    return name, address, "\n".join(lines[header_lines:]).strip()


def _first_address(msg: Message, header: str) -> tuple[str, str | None]:
    """The first usable (display name, address) of `header`.

    The address is parsed from the raw header with every RFC 2047 encoded word masked out, so no
    decoded text can become (or hide) an address: the email package decodes encoded words inside
    atoms too (``=?utf-8?q?priya?=@mit.edu`` reads as priya@mit.edu), and a malformed word may
    carry ``:`` or ``<`` that would regroup the header. The display name is decoded afterwards,
    on its own, and never decides the address.
    """
    raw = mime.raw_header(msg, header)
    words: list[str] = []

    def mask(match: re.Match[str]) -> str:
        words.append(match.group())
        return f" {_MASK}{len(words) - 1}{_MASK} "

    masked = _ENCODED_WORD.sub(mask, raw.replace(_MASK, ""))
    try:
        pairs = email.utils.getaddresses([masked])
    except Exception as exc:
        log.debug("%s header did not parse (%s)", header, type(exc).__name__)
        return "", None
    for display, addr in pairs:
        normalised = addr.strip().strip("<>").lower()
        if _MASK.lower() in normalised or not _valid_address(normalised):
            continue
        shown = _MASKED_WORD.sub(lambda m: words[int(m.group(1))], display)
        return clean_line(mime.decode_words(shown)).strip("\"' "), normalised
    return "", None


def _valid_address(address: str) -> bool:
    address = address.strip().strip("<>")
    return len(address) <= 254 and bool(_ADDRESS.match(address))


def _name_from_address(address: str) -> str:
    local = address.split("@")[0]
    words = [w for w in re.split(r"[._-]+", local) if w.isalpha()]
    return " ".join(w.capitalize() for w in words) if len(words) > 1 else local
