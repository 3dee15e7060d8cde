"""Structured applications (careers-form webhook, CSV rows): checked fields -> an application draft.

The webhook and the CSV import share these rules so a row and a form post are judged the same way.
Field errors are keyed by field name (``resume.content_base64``) and worded for the sender.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import mimetypes
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from hiring_bot.controlchars import clean_filename, clean_line, clean_text, has_lone_surrogate
from hiring_bot.domain.areas import find_areas
from hiring_bot.intake.completeness import missing_items
from hiring_bot.intake.draft import ApplicationDraft, AttachmentDraft, IntakeLimits, WindowSpec
from hiring_bot.intake.education import find_university_and_program
from hiring_bot.intake.eligibility import assess_eligibility
from hiring_bot.intake.links import find_links, normalize_link
from hiring_bot.intake.periods import find_duration, match_window
from hiring_bot.intake.resume_text import extract_text

MAX_NAME = 200
MAX_EMAIL = 320
MAX_COVER_LETTER = 200_000
MAX_PERIOD = 500
MAX_ELIGIBILITY = 2_000
MAX_LINKS = 50
MAX_LINK = 2_048
MAX_FILENAME = 300
MAX_CLIENT_ID = 200
FORM_SUBJECT = "Application via the careers form"

_EMAIL = re.compile(r"^[^\s@<>()\[\],;:\"]+@[^\s@<>()\[\],;:\"]+\.[^\s@<>()\[\],;:\".]{2,}$")


@dataclass(frozen=True)
class FormFields:
    """A structured application whose every field has been checked."""

    name: str
    email: str  # normalised (stripped, lower-case)
    cover_letter: str | None = None
    resume_filename: str | None = None
    resume_data: bytes | None = None
    links: tuple[str, ...] = ()  # normalised
    period: str | None = None
    eligibility: str | None = None
    client_id: str | None = None
    received_at: datetime | None = None


@dataclass
class FieldErrors:
    errors: dict[str, str] = field(default_factory=dict)
    # A size limit was exceeded (the webhook answers 413 rather than 400).
    too_large: bool = False

    def add(self, name: str, message: str, *, too_large: bool = False) -> None:
        self.errors.setdefault(name, message)
        self.too_large = self.too_large or too_large

    def __bool__(self) -> bool:
        return bool(self.errors)


def check_fields(
    *,
    name: Any,
    email: Any,
    cover_letter: Any = None,
    resume: tuple[str, bytes] | None = None,
    links: Any = None,
    period: Any = None,
    eligibility: Any = None,
    client_id: Any = None,
    received_at: datetime | None = None,
    limits: IntakeLimits,
    errors: FieldErrors | None = None,
) -> tuple[FormFields | None, FieldErrors]:
    """Validate decoded values; (fields, no errors) or (None, every problem found)."""
    errors = errors if errors is not None else FieldErrors()
    clean_name = _text(errors, "name", name, MAX_NAME, required=True)
    clean_email = _text(errors, "email", email, MAX_EMAIL, required=True)
    if clean_email is not None:
        clean_email = clean_email.lower()
        if not _EMAIL.match(clean_email):
            errors.add("email", "is not an email address")
    letter = _text(errors, "cover_letter", cover_letter, MAX_COVER_LETTER, multiline=True)
    clean_period = _text(errors, "period", period, MAX_PERIOD)
    clean_eligibility = _text(errors, "eligibility", eligibility, MAX_ELIGIBILITY, multiline=True)
    if isinstance(client_id, int) and not isinstance(client_id, bool):
        client_id = str(client_id)
    clean_id = _text(errors, "id", client_id, MAX_CLIENT_ID)
    clean_links = _links(errors, links)
    if resume is not None:
        filename, data = resume
        if has_lone_surrogate(filename):
            errors.add("resume.filename", _SURROGATE_ERROR)
        # Controls and bidi overrides dropped: "resume\u202efdp.exe" must read as what it is.
        filename = clean_filename(filename)
        resume = (filename, data)
        if not data:
            errors.add("resume.content_base64", "is empty")
        elif len(data) > limits.max_attachment_bytes:
            errors.add(
                "resume.content_base64",
                f"is {len(data)} bytes; the limit is {limits.max_attachment_bytes} bytes",
                too_large=True,
            )
        if not filename.strip():
            errors.add("resume.filename", "is required")
        elif len(filename) > MAX_FILENAME:
            errors.add("resume.filename", f"is longer than {MAX_FILENAME} characters")
    if errors or clean_name is None or clean_email is None:
        return None, errors
    return (
        FormFields(
            name=clean_name,
            email=clean_email,
            cover_letter=letter,
            resume_filename=resume[0].strip() if resume else None,
            resume_data=resume[1] if resume else None,
            links=tuple(clean_links),
            period=clean_period,
            eligibility=clean_eligibility,
            client_id=clean_id,
            received_at=received_at,
        ),
        errors,
    )


def check_json(body: Any, *, limits: IntakeLimits) -> tuple[FormFields | None, FieldErrors]:
    """The webhook's JSON object (see intake/webhook.py for its shape)."""
    errors = FieldErrors()
    if not isinstance(body, dict):
        errors.add("body", "must be a JSON object")
        return None, errors
    resume: tuple[str, bytes] | None = None
    raw_resume = body.get("resume")
    if isinstance(raw_resume, dict):
        filename = raw_resume.get("filename")
        content = raw_resume.get("content_base64")
        if filename is None:
            errors.add("resume.filename", "is required (a string)")
        elif not isinstance(filename, str):
            errors.add("resume.filename", "must be a string")
        data: bytes | None = None
        if content is None or (isinstance(content, str) and not content.strip()):
            errors.add("resume.content_base64", "is required (the file, base64-encoded)")
        elif not isinstance(content, str):
            errors.add("resume.content_base64", "must be a string (the file, base64-encoded)")
        else:
            try:
                data = base64.b64decode("".join(content.split()), validate=True)
            except (binascii.Error, ValueError):
                errors.add("resume.content_base64", "is not valid base64")
        if isinstance(filename, str) and data is not None:
            resume = (filename, data)
    elif raw_resume is not None:
        errors.add("resume", "must be an object {filename, content_base64}")
    links = body.get("links")
    if isinstance(links, str) and not _all_web_addresses(links):
        # The form's shape is a list; a string is only taken when it is web addresses. Indexing
        # into a string that is not ("links[0] ...") would answer a question nobody asked.
        errors.add("links", "must be a list of URLs")
        links = None
    return check_fields(
        name=body.get("name"),
        email=body.get("email"),
        cover_letter=body.get("cover_letter"),
        resume=resume,
        links=links,
        period=body.get("period"),
        eligibility=body.get("eligibility"),
        client_id=body.get("id"),
        limits=limits,
        errors=errors,
    )


def build_draft(
    fields: FormFields, *, windows: Sequence[WindowSpec], limits: IntakeLimits
) -> ApplicationDraft:
    """What the email parser would have made of the same information."""
    letter = (fields.cover_letter or "").strip()
    attachments: list[AttachmentDraft] = []
    resume_text: str | None = None
    if fields.resume_data is not None and fields.resume_filename:
        content_type = mimetypes.guess_type(fields.resume_filename)[0] or "application/octet-stream"
        resume_text, unavailable = extract_text(
            fields.resume_data,
            filename=fields.resume_filename,
            content_type=content_type,
            limits=limits,
        )
        attachments.append(
            AttachmentDraft(
                filename=fields.resume_filename,
                content_type=content_type,
                data=fields.resume_data,
                sha256=hashlib.sha256(fields.resume_data).hexdigest(),
                role="resume",
                text=resume_text,
                text_unavailable=unavailable,
            )
        )
    found = find_links("\n".join([letter, resume_text or ""]))
    links = list(dict.fromkeys([*fields.links, *found]))
    period_text, window_name = (None, None)
    if fields.period:
        period_text, window_name = match_window(fields.period, windows)
        period_text = period_text if window_name else fields.period
    elif letter:
        period_text, window_name = match_window(letter, windows)
    stated = "\n".join(t for t in (fields.period or "", letter) if t)
    university, program = find_university_and_program(letter, resume_text=resume_text)
    eligibility, reason = assess_eligibility(fields.eligibility or "")
    if eligibility == "unknown":
        eligibility, reason = assess_eligibility("\n".join([letter, resume_text or ""]))
    return ApplicationDraft(
        name=fields.name,
        email=fields.email,
        subject=FORM_SUBJECT,
        message_id=None,
        received_at=fields.received_at,
        body_text=letter,
        cover_letter_text=letter or None,
        resume_text=resume_text,
        attachments=attachments,
        links=links,
        period_text=period_text,
        window_name=window_name,
        duration_text=find_duration(stated) if stated else None,
        areas=find_areas("\n".join([letter, resume_text or ""])),
        university=university,
        program=program,
        eligibility=eligibility,
        eligibility_reason=reason,
        missing=missing_items(
            has_cover_letter=bool(letter),
            has_resume=bool(attachments),
            links=links,
            period_text=period_text,
        ),
    )


def form_source_id(fields: FormFields, draft: ApplicationDraft) -> str:
    """A form post's identity: the sender's own ``id`` when given, else a hash of who applied,
    for which window (or the stated period when none matched) and with which cover letter — so
    a form that is submitted twice is one application."""
    if fields.client_id:
        return f"id:{fields.client_id}"
    window = draft.window_name or " ".join((fields.period or "").split()).casefold()
    letter = " ".join((fields.cover_letter or "").split())
    digest = hashlib.sha256(f"{fields.email}\n{window}\n{letter}".encode()).hexdigest()
    return f"sha256:{digest}"


_SURROGATE_ERROR = "contains an invalid character (a lone UTF-16 surrogate)"


def _text(
    errors: FieldErrors,
    name: str,
    value: Any,
    limit: int,
    *,
    required: bool = False,
    multiline: bool = False,
) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors.add(name, "is required")
        return None
    if not isinstance(value, str):
        errors.add(name, "must be a string")
        return None
    if len(value) > limit:
        errors.add(name, f"is longer than {limit} characters", too_large=limit >= MAX_COVER_LETTER)
        return None
    if "\x00" in value:
        errors.add(name, "contains a NUL character")
        return None
    if has_lone_surrogate(value):
        errors.add(name, _SURROGATE_ERROR)
        return None
    # Line breaks, terminal controls and bidi overrides would let a name pose as other text on a
    # card or in a log; a cover letter keeps its line breaks.
    cleaned = clean_text(value).strip() if multiline else clean_line(value)
    if not cleaned:
        if required:
            errors.add(name, "is required")
        return None
    return cleaned


def _link_parts(text: str) -> list[str]:
    return [part for part in re.split(r"[\s,;]+", text) if part]


def _all_web_addresses(text: str) -> bool:
    parts = _link_parts(text)
    return all(len(part) <= MAX_LINK and normalize_link(part) is not None for part in parts)


def _links(errors: FieldErrors, value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        # A CSV cell (or a form's single string): one error on the field, naming the bad part.
        parts = _link_parts(value)
        if len(parts) > MAX_LINKS:
            errors.add("links", f"has more than {MAX_LINKS} entries")
            return []
        for part in parts:
            if len(part) > MAX_LINK or normalize_link(part) is None:
                errors.add("links", f"{part[:80]!r} is not a usable web address")
                return []
        return list(dict.fromkeys(link for part in parts if (link := normalize_link(part))))
    if not isinstance(value, list):
        errors.add("links", "must be a list of URLs")
        return []
    if len(value) > MAX_LINKS:
        errors.add("links", f"has more than {MAX_LINKS} entries")
        return []
    links: list[str] = []
    for index, item in enumerate(value):
        if not isinstance(item, str):
            errors.add(f"links[{index}]", "must be a string (a URL)")
            continue
        if not item.strip():
            errors.add(f"links[{index}]", "is empty")
            continue
        link = normalize_link(item) if len(item) <= MAX_LINK else None
        if link is None:
            errors.add(f"links[{index}]", "is not a usable web address")
            continue
        links.append(link)
    return list(dict.fromkeys(links))
