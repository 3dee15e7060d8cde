"""Who sent an application: the address and name behind relays, no-reply senders and forwards.

From is the sender, unless it is a no-reply style address (``no-reply@``, ``donotreply@``,
``notifications@`` ...) or its display name reads "<name> via <service>" (form and group relays):
then Reply-To is. A message forwarded inline (Gmail's "Forwarded message" or Apple Mail's "Begin
forwarded message:" block with a From line) names the applicant in that block. Addresses are
stripped and lower-cased.
"""

from __future__ import annotations

import email.utils
import logging
import re
from email.message import Message

from hiring_bot.intake import mime

log = logging.getLogger(__name__)

_NO_REPLY_LOCAL = re.compile(
    r"^(?:no[-_.]?reply|do[-_.]?not[-_.]?reply|notifications?|mailer|bounces?|forms?)(?:[-+_.].*)?$",
    re.I,
)
_ADDRESS = re.compile(r"^[^\s@<>()\[\],;:\"]+@[^\s@<>()\[\],;:\"]+\.[^\s@<>()\[\],;:\".]{2,}$")
_VIA = re.compile(r"\s+(?:via|through)\s+\S.*$", re.I)
# Gmail / Outlook.com ("---------- Forwarded message ---------") and Apple Mail forwards.
_FORWARD_MARKER = re.compile(
    r"^[ \t]*(?:-{2,}[ \t]*Forwarded message[ \t]*-{2,}|Begin forwarded message:)[ \t]*$",
    re.I | re.M,
)
_FORWARD_HEADER = re.compile(r"^[ \t]*([A-Za-z-]{2,20}):[ \t]*(.*)$")


def sender_of(msg: Message) -> tuple[str, str | None]:
    """(display name, normalised address); the address is None when there is no usable one."""
    from_name, from_address = _first_address(msg, "From")
    reply_name, reply_address = _first_address(msg, "Reply-To")
    relayed = bool(from_name and _VIA.search(from_name))
    no_reply = from_address is not None and bool(_NO_REPLY_LOCAL.match(from_address.split("@")[0]))
    if reply_address and (from_address is None or no_reply or relayed):
        name = reply_name or _VIA.sub("", from_name)
        address: str | None = reply_address
    else:
        name, address = _VIA.sub("", from_name) if relayed else from_name, from_address
    if address is None:
        return name, None
    return (name.strip() or _name_from_address(address)), address


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
    pairs: list[tuple[str, str]] = []
    try:
        value = msg.get(header)
        for addr in getattr(value, "addresses", ()):
            pairs.append(
                (
                    mime.fix_surrogates(str(addr.display_name or "")),
                    mime.fix_surrogates(addr.addr_spec),
                )
            )
    except Exception as exc:
        log.debug("%s header did not parse (%s)", header, type(exc).__name__)
    if not any(_valid_address(a) for _, a in pairs):
        raw = mime.header(msg, header)
        try:
            pairs = [(n, a) for n, a in email.utils.getaddresses([raw]) if a]
        except Exception:
            pairs = []
    for display, addr in pairs:
        normalised = addr.strip().strip("<>").lower()
        if _valid_address(normalised):
            return mime.one_line(mime.decode_words(display)).strip("\"' "), normalised
    return "", None


def _valid_address(address: str) -> bool:
    address = address.strip().strip("<>")
    return len(address) <= 254 and bool(_ADDRESS.match(address))


def _name_from_address(address: str) -> str:
    local = address.split("@")[0]
    words = [w for w in re.split(r"[._-]+", local) if w.isalpha()]
    return " ".join(w.capitalize() for w in words) if len(words) > 1 else local
