"""Raw RFC 5322 bytes -> an application draft, or the reason the message is not one. Pure: no I/O.

Rules, in order:

1. Over ``limits.max_message_bytes`` -> ``Rejected``.
2. Bounces and reports (``multipart/report``, ``message/delivery-status``, read receipts, abuse
   feedback reports, MAILER-DAEMON / postmaster senders, ``X-Failed-Recipients``, bounce subjects)
   -> ``Skipped``.
3. Auto-replies (``Auto-Submitted`` other than "no", ``X-Autoreply``/``X-Autorespond``,
   ``Precedence: auto_reply|bulk|junk``, "Out of office" / "Automatic reply" subjects)
   -> ``Skipped``.
4. No usable sender address -> ``Rejected``. The address comes from From's addr-spec, read from
   the raw header (never from decoded display text, see `sender`); Reply-To is used instead only
   when From's address is a no-reply style one (``no-reply@``, ``donotreply@``,
   ``notifications@`` ...; form relays). Addresses are stripped and lower-cased. A display name
   that shows another address is kept as text and flagged (``DISPLAY_NAME_FLAG`` in ``missing``).
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

The pieces: `hiring_bot.intake.mime` reads headers and parts, `autoreply` holds rules 2-3,
`sender` rule 4 and inline forwards, `attachment_roles` the attachments' text and roles; this
module assembles the draft.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from email import policy
from email.parser import BytesParser

from hiring_bot.domain.areas import find_areas
from hiring_bot.intake import mime
from hiring_bot.intake.attachment_roles import classify_attachments, named_cover_letter
from hiring_bot.intake.autoreply import REPORT_TYPES, not_an_application
from hiring_bot.intake.bounded import Budget
from hiring_bot.intake.completeness import DISPLAY_NAME_FLAG, FORWARDED_FLAG, missing_items
from hiring_bot.intake.draft import (
    ApplicationDraft,
    IntakeLimits,
    ParseResult,
    Rejected,
    Skipped,
    WindowSpec,
)
from hiring_bot.intake.education import find_university_and_program
from hiring_bot.intake.eligibility import assess_eligibility
from hiring_bot.intake.html_bounded import html_text_prefix
from hiring_bot.intake.links import find_links
from hiring_bot.intake.periods import find_duration, match_window
from hiring_bot.intake.resume_text import decode_text
from hiring_bot.intake.sender import display_shows_other_address, inline_forward, sender_of

__all__ = ["COVER_LETTER_MIN_WORDS", "DEFAULT_LIMITS", "DISPLAY_NAME_FLAG", "parse_email"]

log = logging.getLogger(__name__)

COVER_LETTER_MIN_WORDS = 40
MAX_BODY_CHARS = 500_000
# An HTML body is read within a budget (html.parser takes ~15 s on 8 MB of tag soup): what fits
# in it is the body text, the rest is dropped. Generous for any real letter or newsletter.
MAX_HTML_BODY_CHARS = 4_000_000
MAX_HTML_BODY_ELEMENTS = 100_000

_QUOTE_HEADER = re.compile(
    r"^(?:On\s.{0,200}\swrote:|-{2,}\s*Original Message\s*-{2,}|_{10,})\s*$", re.I | re.M
)


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
    # The MIME structure is parsed with compat32, ten times faster on deeply nested messages; its
    # top-level headers are then read with policy.default (RFC 2047, address parsing), one parse.
    msg = BytesParser(policy=policy.compat32).parsebytes(raw)
    headers = mime.default_policy_headers(msg)
    subject = mime.header(headers, "Subject")
    leaves = mime.leaves(msg)

    reason = not_an_application(headers, msg, subject, leaves)
    if reason is not None:
        return Skipped(reason)

    name, address = sender_of(headers)
    if address is None:
        return Rejected("no usable sender address")

    plain: list[str] = []
    html: list[str] = []
    hrefs: list[str] = []
    raw_attachments: list[tuple[str, str, bytes]] = []
    for part in leaves:
        ctype = mime.content_type(part)
        filename = mime.filename(part)
        disposition = mime.disposition(part)
        if ctype in ("text/plain", "text/html") and disposition != "attachment" and not filename:
            text = decode_text(mime.payload(part), mime.charset(part))
            if ctype == "text/plain":
                plain.append(text)
            else:
                html_body, html_links = _html_body(text, limits)
                html.append(html_body)
                hrefs.extend(html_links)
        elif ctype == "message/external-body" or ctype in REPORT_TYPES:
            continue
        elif ctype.startswith("message/"):
            data = mime.message_bytes(part)
            name_ = filename or f"forwarded-{len(raw_attachments) + 1}.eml"
            raw_attachments.append((name_, ctype, data))
        else:
            data = mime.payload(part)
            if not data and not filename:
                continue
            name_ = filename or mime.default_filename(len(raw_attachments) + 1, ctype)
            raw_attachments.append((name_, ctype, data))

    body = "\n".join(t for t in plain if t.strip())
    if not body.strip():
        body = "\n".join(t for t in html if t.strip())
    body = mime.normalise_newlines(body)[:MAX_BODY_CHARS].strip()
    forwarded = inline_forward(body)
    spoof_flag: list[str] = []
    if forwarded is not None and forwarded[1] != address:
        # Someone on the team forwarded the applicant's email: the applicant is its sender, and
        # the letter is what they wrote, not the forwarder's note above it. That block is text
        # anyone can type, so the card says the identity came from it.
        name, address, body = forwarded
        spoof_flag.append(FORWARDED_FLAG)

    if display_shows_other_address(name, address):
        spoof_flag.append(DISPLAY_NAME_FLAG)

    if not body and not raw_attachments:
        return Skipped("empty message: no text and no attachments")

    attachments = classify_attachments(raw_attachments, limits)
    resumes = [a for a in attachments if a.role == "resume"]
    covers = [a for a in attachments if a.role == "cover_letter"] + [
        a for a in resumes if named_cover_letter(a.filename)
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
        message_id=mime.header(headers, "Message-ID") or None,
        received_at=mime.received_at(headers),
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
        )
        + spoof_flag,
    )


def _html_body(html: str, limits: IntakeLimits) -> tuple[str, list[str]]:
    budget = Budget(
        seconds=limits.extract_seconds,
        max_bytes=MAX_HTML_BODY_CHARS,
        max_elements=MAX_HTML_BODY_ELEMENTS,
    )
    text, hrefs, stopped = html_text_prefix(html[:MAX_HTML_BODY_CHARS], budget)
    if stopped is not None or len(html) > MAX_HTML_BODY_CHARS:
        log.info("HTML body read only in part: %s", stopped or "over the size limit")
    return text, hrefs


# --- the cover letter in the body -----------------------------------------------------------


def _substantive_body(body: str) -> str | None:
    """The body without quoted replies and signature, when long enough to be a cover letter."""
    marker = _QUOTE_HEADER.search(body)
    text = body[: marker.start()] if marker else body
    text = re.split(r"^-- ?$", text, maxsplit=1, flags=re.M)[0]
    lines = [line for line in text.split("\n") if not line.lstrip().startswith(">")]
    text = "\n".join(lines).strip()
    return text if len(text.split()) >= COVER_LETTER_MIN_WORDS else None
