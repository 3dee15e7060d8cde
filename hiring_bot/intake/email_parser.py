"""Raw RFC 5322 bytes -> an application draft, or the reason the message is not one. Pure: no I/O.

Rules, in order:

1. Over ``limits.max_message_bytes`` -> ``Rejected``.
2. Bounces and reports (``multipart/report``, ``message/delivery-status``, read receipts, abuse
   feedback reports, MAILER-DAEMON / postmaster senders, ``X-Failed-Recipients``, bounce subjects)
   -> ``Skipped``.
3. Auto-replies (``Auto-Submitted`` other than "no", ``X-Autoreply``/``X-Autorespond``,
   ``Precedence: auto_reply|bulk|junk``, "Out of office" / "Automatic reply" subjects)
   -> ``Skipped``.
4. No usable sender address -> ``Rejected``. The address comes from From; Reply-To is used instead
   when From is a no-reply style address (``no-reply@``, ``donotreply@``, ``notifications@`` ...)
   or its display name reads "<name> via <service>" (form and group relays). Addresses are
   stripped and lower-cased.
5. No body text and no attachments -> ``Skipped``.

Otherwise an ``ApplicationDraft``. The body is the text/plain parts (HTML turned into text when
there is no plain text). A message forwarded inline (Gmail's "Forwarded message" or Apple Mail's
"Begin forwarded message:" block with a From line) is the applicant's: their name, address and
text replace the forwarder's. Attachments are every other leaf part; forwarded messages
(``message/rfc822``) are kept as opaque attachments and not read. Attachment roles: a file named
like a cover letter / resume (CV), else one whose text reads like one; when nothing is named or
reads like a resume, the largest PDF/DOCX is taken as the resume. The cover letter is such an
attachment, else the body when it is substantive (at least ``COVER_LETTER_MIN_WORDS`` words once
quoted replies and the signature are removed). Text extraction shares one time budget
(``limits.extract_seconds``) across the message's attachments.

Headers that fail to parse are read raw (RFC 2047 decoded when possible); nothing here raises:
an unexpected failure becomes ``Rejected("unparseable message (...)")``.
"""

from __future__ import annotations

import dataclasses
import email.utils
import hashlib
import logging
import mimetypes
import re
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from email import policy
from email.header import decode_header, make_header
from email.message import Message
from email.parser import BytesHeaderParser, BytesParser

from hiring_bot.intake.areas import find_areas
from hiring_bot.intake.completeness import missing_items
from hiring_bot.intake.draft import (
    ApplicationDraft,
    AttachmentDraft,
    IntakeLimits,
    ParseResult,
    Rejected,
    Skipped,
    WindowSpec,
)
from hiring_bot.intake.education import find_university_and_program
from hiring_bot.intake.eligibility import assess_eligibility
from hiring_bot.intake.html_text import html_to_text
from hiring_bot.intake.links import find_links
from hiring_bot.intake.periods import find_duration, match_window
from hiring_bot.intake.resume_text import decode_text, extract_text

__all__ = ["COVER_LETTER_MIN_WORDS", "DEFAULT_LIMITS", "parse_email"]

log = logging.getLogger(__name__)

COVER_LETTER_MIN_WORDS = 40
MAX_PARTS = 200
MAX_DEPTH = 20
MAX_BODY_CHARS = 500_000
MAX_FILENAME_CHARS = 200
MAX_HEADER_CHARS = 4096  # longer headers are cut (a 200 KB Subject costs seconds and 100s of MB)

_REPORT_TYPES = {
    "message/delivery-status": "bounce (delivery status report)",
    "message/global-delivery-status": "bounce (delivery status report)",
    "message/disposition-notification": "read receipt (disposition notification)",
    "message/global-disposition-notification": "read receipt (disposition notification)",
    "message/feedback-report": "abuse feedback report",
}
_BOUNCE_SENDER = re.compile(r"\b(?:mailer-daemon|mail-daemon|mailerdaemon|postmaster)\b", re.I)
_BOUNCE_SUBJECT = re.compile(
    r"^\s*(?:undeliverable\b|undelivered\s+mail|delivery\s+status\s+notification"
    r"|mail\s+delivery\s+(?:failed|failure|system|subsystem)|returned\s+mail\b"
    r"|delivery\s+(?:failure|has\s+failed|notification|delayed)|failure\s+notice\b"
    r"|non[\s-]?delivery|warning:\s+could\s+not\s+send)",
    re.I,
)
_AUTO_REPLY_SUBJECT = re.compile(
    r"\bout\s+of\s+(?:the\s+)?office\b|^\s*(?:automatic\s+reply|auto(?:matic)?[\s-]?reply"
    r"|auto[\s-]?response|autoresponse|abwesenheitsnotiz|automatische\s+antwort"
    r"|r[ée]ponse\s+automatique)\b",
    re.I,
)
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
_QUOTE_HEADER = re.compile(
    r"^(?:On\s.{0,200}\swrote:|-{2,}\s*Original Message\s*-{2,}|_{10,})\s*$", re.I | re.M
)
_COVER_NAME = re.compile(r"cover[\s_-]*letter|motivation|anschreiben|lettre|\bcl\b", re.I)
_RESUME_NAME = re.compile(r"r[eé]sum[eé]|cv(?![a-z])|curriculum|vitae|lebenslauf", re.I)
_RESUME_WORDS = re.compile(
    r"\b(?:education|experience|skills|publications|projects|coursework)\b", re.I
)
_DOCUMENT_TYPES = ("application/pdf", "application/vnd.openxmlformats-officedocument")


DEFAULT_LIMITS = IntakeLimits()


def parse_email(
    raw: bytes, *, windows: Sequence[WindowSpec], limits: IntakeLimits = DEFAULT_LIMITS
) -> ParseResult:
    """Parse one raw message. Never raises; see the module docstring for the rules."""
    try:
        return _parse(bytes(raw), windows, limits)
    except Exception as exc:  # the parser must never take intake down
        log.warning("message could not be parsed (%s)", type(exc).__name__)
        return Rejected(f"unparseable message ({type(exc).__name__})")


def _parse(raw: bytes, windows: Sequence[WindowSpec], limits: IntakeLimits) -> ParseResult:
    if len(raw) > limits.max_message_bytes:
        return Rejected(
            f"message too large ({len(raw)} bytes, limit {limits.max_message_bytes} bytes)"
        )
    # Top-level headers are read with policy.default (RFC 2047, address parsing); the MIME
    # structure with compat32, whose parser is ten times faster on deeply nested messages.
    headers = BytesHeaderParser(policy=policy.default).parsebytes(raw)
    msg = BytesParser(policy=policy.compat32).parsebytes(raw)
    subject = _header(headers, "Subject")
    leaves = _leaves(msg)

    reason = _not_an_application(headers, msg, subject, leaves)
    if reason is not None:
        return Skipped(reason)

    name, address = _sender(headers)
    if address is None:
        return Rejected("no usable sender address")

    plain: list[str] = []
    html: list[str] = []
    hrefs: list[str] = []
    raw_attachments: list[tuple[str, str, bytes]] = []
    for part in leaves:
        ctype = _content_type(part)
        filename = _filename(part)
        disposition = _disposition(part)
        if ctype in ("text/plain", "text/html") and disposition != "attachment" and not filename:
            text = decode_text(_payload(part), _charset(part))
            if ctype == "text/plain":
                plain.append(text)
            else:
                html_body, html_links = html_to_text(text)
                html.append(html_body)
                hrefs.extend(html_links)
        elif ctype == "message/external-body" or ctype in _REPORT_TYPES:
            continue
        elif ctype.startswith("message/"):
            data = _message_bytes(part)
            name_ = filename or f"forwarded-{len(raw_attachments) + 1}.eml"
            raw_attachments.append((name_, ctype, data))
        else:
            data = _payload(part)
            if not data and not filename:
                continue
            name_ = filename or _default_filename(len(raw_attachments) + 1, ctype)
            raw_attachments.append((name_, ctype, data))

    body = "\n".join(t for t in plain if t.strip())
    if not body.strip():
        body = "\n".join(t for t in html if t.strip())
    body = _normalise_newlines(body)[:MAX_BODY_CHARS].strip()
    forwarded = _forwarded(body)
    if forwarded is not None and forwarded[1] != address:
        # Someone on the team forwarded the applicant's email: the applicant is its sender, and
        # the letter is what they wrote, not the forwarder's note above it.
        name, address, body = forwarded

    if not body and not raw_attachments:
        return Skipped("empty message: no text and no attachments")

    attachments = _attachments(raw_attachments, limits)
    resumes = [a for a in attachments if a.role == "resume"]
    covers = [a for a in attachments if a.role == "cover_letter"] + [
        a for a in resumes if _COVER_NAME.search(a.filename)
    ]
    resume_text = next((a.text for a in resumes if a.text), None)
    cover_letter_text = next((a.text for a in covers if a.text), None)
    if cover_letter_text is None:
        letter = _substantive_body(body)
        if letter is not None:
            cover_letter_text = letter

    primary = "\n".join(dict.fromkeys(t for t in (subject, body, cover_letter_text) if t))
    attachment_text = "\n".join(a.text for a in attachments if a.text)
    links = find_links("\n".join([body, *hrefs, cover_letter_text or "", attachment_text]))
    period_text, window_name = match_window(primary, windows)
    university, program = find_university_and_program(primary, resume_text=resume_text)
    eligibility, eligibility_reason = assess_eligibility("\n".join([primary, attachment_text]))

    return ApplicationDraft(
        name=name,
        email=address,
        subject=subject,
        message_id=_header(headers, "Message-ID") or None,
        received_at=_received_at(headers),
        body_text=body,
        cover_letter_text=cover_letter_text,
        resume_text=resume_text,
        attachments=attachments,
        links=links,
        period_text=period_text,
        window_name=window_name,
        duration_text=find_duration(primary),
        areas=find_areas("\n".join([primary, resume_text or ""])),
        university=university,
        program=program,
        eligibility=eligibility,
        eligibility_reason=eligibility_reason,
        missing=missing_items(
            has_cover_letter=bool(covers) or cover_letter_text is not None,
            has_resume=bool(resumes),
            links=links,
            period_text=period_text,
        ),
    )


# --- not an application ------------------------------------------------------------------------


def _not_an_application(
    headers: Message, msg: Message, subject: str, leaves: list[Message]
) -> str | None:
    top = _content_type(msg)
    if top == "multipart/report":
        report_type = (_param(msg, "report-type") or "").lower()
        if "disposition" in report_type:
            return "read receipt (disposition notification)"
        if "feedback" in report_type:
            return "abuse feedback report"
        return "bounce (delivery status report)"
    for part in [msg, *leaves]:
        ctype = _content_type(part)
        if ctype in _REPORT_TYPES:
            return _REPORT_TYPES[ctype]
    sender = _header(headers, "From")
    if _BOUNCE_SENDER.search(sender):
        return "bounce (from the mail system)"
    if _header(headers, "X-Failed-Recipients"):
        return "bounce (X-Failed-Recipients)"
    if _BOUNCE_SUBJECT.search(subject):
        return "bounce (delivery failure subject)"

    auto_submitted = _header(headers, "Auto-Submitted").lower()
    if auto_submitted and not auto_submitted.startswith("no"):
        return f"auto-reply (Auto-Submitted: {auto_submitted[:40]})"
    for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Reply", "X-Autoresponder"):
        if _header(headers, name):
            return f"auto-reply ({name})"
    precedence = _header(headers, "Precedence").lower().strip()
    if precedence in ("auto_reply", "auto-reply", "bulk", "junk"):
        return f"automated message (Precedence: {precedence})"
    if _AUTO_REPLY_SUBJECT.search(subject):
        return "auto-reply (subject)"
    return None


# --- headers -----------------------------------------------------------------------------------


def _header(msg: Message, name: str) -> str:
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
            return _one_line(_fix_surrogates(str(value))) if value is not None else ""
        except Exception as exc:
            log.debug("header %s did not parse (%s)", name, type(exc).__name__)
    return _one_line(_decode_words(raw_values[0][:MAX_HEADER_CHARS]))


def _raw_items(msg: Message) -> list[tuple[str, str]]:
    try:
        return [(str(k), str(v)) for k, v in msg.raw_items()]
    except Exception:
        return []


def _decode_words(value: str) -> str:
    """RFC 2047 encoded words decoded; raw 8-bit bytes read as UTF-8 (else cp1252)."""
    value = _fix_surrogates(value)
    try:
        return str(make_header(decode_header(value)))
    except Exception:
        return value


def _fix_surrogates(value: str) -> str:
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


def _one_line(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip()


def _sender(msg: Message) -> tuple[str, str | None]:
    """(display name, normalised address) — see rule 4 in the module docstring."""
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


def _forwarded(body: str) -> tuple[str, str, str] | None:
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
    name = _one_line(display).strip("\"'* ") or _name_from_address(address)
    return name, address, "\n".join(lines[header_lines:]).strip()


def _first_address(msg: Message, header: str) -> tuple[str, str | None]:
    pairs: list[tuple[str, str]] = []
    try:
        value = msg.get(header)
        for addr in getattr(value, "addresses", ()):
            pairs.append(
                (_fix_surrogates(str(addr.display_name or "")), _fix_surrogates(addr.addr_spec))
            )
    except Exception as exc:
        log.debug("%s header did not parse (%s)", header, type(exc).__name__)
    if not any(_valid_address(a) for _, a in pairs):
        raw = _header(msg, header)
        try:
            pairs = [(n, a) for n, a in email.utils.getaddresses([raw]) if a]
        except Exception:
            pairs = []
    for display, addr in pairs:
        normalised = addr.strip().strip("<>").lower()
        if _valid_address(normalised):
            return _one_line(_decode_words(display)).strip("\"' "), normalised
    return "", None


def _valid_address(address: str) -> bool:
    address = address.strip().strip("<>")
    return len(address) <= 254 and bool(_ADDRESS.match(address))


def _name_from_address(address: str) -> str:
    local = address.split("@")[0]
    words = [w for w in re.split(r"[._-]+", local) if w.isalpha()]
    return " ".join(w.capitalize() for w in words) if len(words) > 1 else local


def _received_at(msg: Message) -> datetime | None:
    raw = _header(msg, "Date")
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


# --- parts -------------------------------------------------------------------------------------


def _leaves(msg: Message) -> list[Message]:
    """Non-multipart parts in document order; message/* parts are leaves (not opened)."""
    leaves: list[Message] = []
    stack: list[tuple[Message, int]] = [(msg, 0)]
    while stack and len(leaves) < MAX_PARTS:
        part, depth = stack.pop()
        payload = part.get_payload()
        ctype = _content_type(part)
        if isinstance(payload, list) and not ctype.startswith("message/"):
            if depth < MAX_DEPTH:
                children = [p for p in payload if isinstance(p, Message)]
                stack.extend((child, depth + 1) for child in reversed(children))
        else:
            leaves.append(part)
    return leaves


def _content_type(part: Message) -> str:
    try:
        return part.get_content_type().lower()
    except Exception:
        return "application/octet-stream"


def _param(part: Message, name: str) -> str | None:
    try:
        value = part.get_param(name)
    except Exception:
        return None
    if isinstance(value, tuple):
        value = email.utils.collapse_rfc2231_value(value)
    return str(value) if value is not None else None


def _charset(part: Message) -> str | None:
    try:
        return part.get_content_charset()
    except Exception:
        return None


def _disposition(part: Message) -> str | None:
    try:
        return part.get_content_disposition()
    except Exception:
        return None


def _filename(part: Message) -> str:
    try:
        name = part.get_filename() or _param(part, "name") or ""
    except Exception:
        name = _param(part, "name") or ""
    name = _decode_words(str(name))
    name = re.split(r"[\\/]", name)[-1]  # no paths
    name = re.sub(r"[\x00-\x1f\x7f]", "", name).strip()
    return name[:MAX_FILENAME_CHARS]


def _payload(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:
        return b""
    return data if isinstance(data, bytes) else b""


def _message_bytes(part: Message) -> bytes:
    payload = part.get_payload()
    inner = payload[0] if isinstance(payload, list) and payload else None
    if isinstance(inner, Message):
        try:
            return inner.as_bytes()
        except Exception:
            try:
                return inner.as_string().encode("utf-8", errors="replace")
            except Exception:
                return b""
    return _payload(part)


def _default_filename(index: int, ctype: str) -> str:
    extension = mimetypes.guess_extension(ctype, strict=False) or ".bin"
    return f"attachment-{index}{extension}"


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


# --- attachments -------------------------------------------------------------------------------


def _attachments(
    raw_attachments: list[tuple[str, str, bytes]], limits: IntakeLimits
) -> list[AttachmentDraft]:
    drafts = [
        AttachmentDraft(
            filename=filename,
            content_type=ctype,
            data=data,
            sha256=hashlib.sha256(data).hexdigest(),
            role=_role_from_name(filename) or "other",
            text=None,
            text_unavailable=None,
        )
        for filename, ctype, data in raw_attachments
    ]
    # Named resumes and cover letters first, then documents (largest first), then the rest.
    order = sorted(
        drafts,
        key=lambda a: (a.role == "other", not _is_document(a), -len(a.data)),
    )
    deadline = time.monotonic() + limits.extract_seconds
    for draft in order:
        remaining = max(0.0, deadline - time.monotonic())
        draft.text, draft.text_unavailable = extract_text(
            draft.data,
            filename=draft.filename,
            content_type=draft.content_type,
            limits=dataclasses.replace(limits, extract_seconds=remaining),
        )
    for draft in drafts:
        if draft.role == "other" and draft.text:
            draft.role = _role_from_text(draft.text) or "other"
    if not any(d.role == "resume" for d in drafts):
        documents = [d for d in drafts if d.role == "other" and _is_document(d)]
        if documents:
            max(documents, key=lambda d: len(d.data)).role = "resume"
    return drafts


def _role_from_name(filename: str) -> str | None:
    words = re.sub(r"[_\-.]+", " ", filename)
    if _RESUME_NAME.search(words):
        return "resume"
    if _COVER_NAME.search(words):
        return "cover_letter"
    return None


def _role_from_text(text: str) -> str | None:
    head = text[:3000]
    if re.search(r"^\s*dear\b", head, re.I | re.M) and re.search(
        r"\b(?:sincerely|regards|best|thank you)\b", text[-3000:], re.I
    ):
        return "cover_letter"
    if len({m.lower() for m in _RESUME_WORDS.findall(head)}) >= 2:
        return "resume"
    return None


def _is_document(draft: AttachmentDraft) -> bool:
    name = draft.filename.lower()
    return (
        draft.content_type.startswith(_DOCUMENT_TYPES)
        or name.endswith((".pdf", ".docx"))
        or draft.data[:5] == b"%PDF-"
    )


def _substantive_body(body: str) -> str | None:
    """The body without quoted replies and signature, when long enough to be a cover letter."""
    marker = _QUOTE_HEADER.search(body)
    text = body[: marker.start()] if marker else body
    text = re.split(r"^-- ?$", text, maxsplit=1, flags=re.M)[0]
    lines = [line for line in text.split("\n") if not line.lstrip().startswith(">")]
    text = "\n".join(lines).strip()
    return text if len(text.split()) >= COVER_LETTER_MIN_WORDS else None
