"""Reading a parsed message safely: decoded headers, MIME leaves and their parameters and bytes.

Every accessor answers something ("" / None / b"" / a default) instead of raising: mail in the
wild has broken headers, bad charsets and malformed parts, and intake must never stop on one.
"""

from __future__ import annotations

import email.utils
import logging
import mimetypes
import re
from datetime import UTC, datetime
from email import policy
from email.header import decode_header, make_header
from email.message import EmailMessage, Message

log = logging.getLogger(__name__)

MAX_PARTS = 200
MAX_DEPTH = 20
MAX_FILENAME_CHARS = 200
MAX_HEADER_CHARS = 4096  # longer headers are cut (a 200 KB Subject costs seconds and 100s of MB)


# The first empty line: a line break followed by another (the parser splits on \r, \n and \r\n).
_BLANK_LINE = re.compile(rb"\n\n|\n\r|\r\r")


def header_block(raw: bytes) -> bytes:
    """``raw`` up to its first empty line: all that a header-only parse reads of it.

    A header-only parse still splits the whole body into lines; this hands it the headers alone.
    The cut is at or after the line where the parser stops reading headers, so the headers it
    finds are the same.
    """
    if raw[:1] in (b"\n", b"\r"):
        return b""
    blank = _BLANK_LINE.search(raw)
    return raw[: blank.end()] if blank else raw


def default_policy_headers(msg: Message) -> EmailMessage:
    """``msg``'s top-level headers under ``policy.default`` (RFC 2047, address parsing).

    Both policies split a header's source lines the same way (``header_source_parse``), so this
    is what parsing the message again with ``policy.default`` would give, without the parse.
    """
    headers = EmailMessage(policy=policy.default)
    for name, value in msg.raw_items():
        headers.set_raw(name, value)
    return headers


def header(msg: Message, name: str) -> str:
    """A header's decoded value ("" when absent).

    Falls back to decoding the raw value when the header does not parse, and reads only the first
    MAX_HEADER_CHARS of a very long header.
    """
    raw_values = [value for key, value in _raw_items(msg) if key.lower() == name.lower()]
    if not raw_values:
        return ""
    if len(raw_values[0]) <= MAX_HEADER_CHARS:
        try:
            value = msg.get(name)
            return one_line(fix_surrogates(str(value))) if value is not None else ""
        except Exception as exc:
            log.debug("header %s did not parse (%s)", name, type(exc).__name__)
    return one_line(decode_words(raw_values[0][:MAX_HEADER_CHARS]))


def raw_header(msg: Message, name: str) -> str:
    """A header's first value as sent (encoded words left encoded), cut at MAX_HEADER_CHARS."""
    for key, value in _raw_items(msg):
        if key.lower() == name.lower():
            return fix_surrogates(value[:MAX_HEADER_CHARS])
    return ""


def _raw_items(msg: Message) -> list[tuple[str, str]]:
    try:
        return [(str(k), str(v)) for k, v in msg.raw_items()]
    except Exception:
        return []


def decode_words(value: str) -> str:
    """RFC 2047 encoded words decoded; raw 8-bit bytes read as UTF-8 (else cp1252)."""
    value = fix_surrogates(value)
    try:
        return str(make_header(decode_header(value)))
    except Exception:
        return value


def fix_surrogates(value: str) -> str:
    """The email package keeps undecodable 8-bit header bytes as surrogates; decode them."""
    if not any("\udc80" <= ch <= "\udcff" for ch in value):
        return value
    data = value.encode("utf-8", errors="surrogateescape")
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = sum(1 for ch in text if ch > "\x7f") - bad
    if good >= 2 * bad:  # UTF-8, perhaps with the odd broken byte
        return text
    return data.decode("cp1252", errors="replace")


def one_line(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip()


def received_at(msg: Message) -> datetime | None:
    raw = header(msg, "Date")
    if not raw:
        return None
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except Exception:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    try:
        return when.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def leaves(msg: Message) -> list[Message]:
    """Non-multipart parts in document order; message/* parts are leaves (not opened)."""
    leaves: list[Message] = []
    stack: list[tuple[Message, int]] = [(msg, 0)]
    while stack and len(leaves) < MAX_PARTS:
        part, depth = stack.pop()
        payload = part.get_payload()
        ctype = content_type(part)
        if isinstance(payload, list) and not ctype.startswith("message/"):
            if depth < MAX_DEPTH:
                children = [p for p in payload if isinstance(p, Message)]
                stack.extend((child, depth + 1) for child in reversed(children))
        else:
            leaves.append(part)
    return leaves


def content_type(part: Message) -> str:
    try:
        return part.get_content_type().lower()
    except Exception:
        return "application/octet-stream"


def param(part: Message, name: str) -> str | None:
    try:
        value = part.get_param(name)
    except Exception:
        return None
    if isinstance(value, tuple):
        value = email.utils.collapse_rfc2231_value(value)
    return str(value) if value is not None else None


def charset(part: Message) -> str | None:
    try:
        return part.get_content_charset()
    except Exception:
        return None


def disposition(part: Message) -> str | None:
    try:
        return part.get_content_disposition()
    except Exception:
        return None


def filename(part: Message) -> str:
    try:
        name = part.get_filename() or param(part, "name") or ""
    except Exception:
        name = param(part, "name") or ""
    name = decode_words(str(name))
    name = re.split(r"[\\/]", name)[-1]  # no paths
    name = re.sub(r"[\x00-\x1f\x7f]", "", name).strip()
    return name[:MAX_FILENAME_CHARS]


def payload(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:
        return b""
    return data if isinstance(data, bytes) else b""


def message_bytes(part: Message) -> bytes:
    content = part.get_payload()
    inner = content[0] if isinstance(content, list) and content else None
    if isinstance(inner, Message):
        try:
            return inner.as_bytes()
        except Exception:
            try:
                return inner.as_string().encode("utf-8", errors="replace")
            except Exception:
                return b""
    return payload(part)


def default_filename(index: int, ctype: str) -> str:
    extension = mimetypes.guess_extension(ctype, strict=False) or ".bin"
    return f"attachment-{index}{extension}"


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")
