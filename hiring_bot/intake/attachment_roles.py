"""Attachments of an application email: their text, and which is the resume or the cover letter.

A file named like a cover letter / resume (CV) is one, else one whose text reads like one; when
nothing is named or reads like a resume, the largest PDF/DOCX is taken as the resume. Text
extraction shares one time budget (``limits.extract_seconds``) across the message's attachments,
named files and documents first.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import time

from hiring_bot.intake.draft import AttachmentDraft, IntakeLimits
from hiring_bot.intake.resume_text import extract_text

_COVER_NAME = re.compile(r"cover[\s_-]*letter|motivation|anschreiben|lettre|\bcl\b", re.I)
_RESUME_NAME = re.compile(r"r[eé]sum[eé]|cv(?![a-z])|curriculum|vitae|lebenslauf", re.I)
_RESUME_WORDS = re.compile(
    r"\b(?:education|experience|skills|publications|projects|coursework)\b", re.I
)
_DOCUMENT_TYPES = ("application/pdf", "application/vnd.openxmlformats-officedocument")


def classify_attachments(
    raw_attachments: list[tuple[str, str, bytes]], limits: IntakeLimits
) -> list[AttachmentDraft]:
    """One draft per (filename, content type, bytes), with its text and role."""
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


def named_cover_letter(filename: str) -> bool:
    """A file whose name says it is a cover letter (also when its text read as a resume)."""
    return bool(_COVER_NAME.search(filename))
