"""Text out of an attachment (PDF, DOCX, HTML, plain text) — never raises, never bombed.

``extract_text`` returns ``(text, None)`` or ``(None, "text unavailable: <reason>")``. Attachments
over ``max_attachment_bytes`` are not opened. Every format is read within ``extract_seconds``
(CPU time, with a wall-clock backstop) and bounded *while* it is read, so a small file that
unpacks into a huge document costs the budget and is marked "text unavailable: too large to read
(<bound>)":

- PDF: pypdf in a worker process (``pdf_text``) with lowered decompression limits, an address-space
  limit, and a kill at the deadline; up to ``max_pdf_pages`` pages, and pages read before a
  deadline are kept.
- DOCX: the XML parts streamed through expat (``docx_text``), charged per inflated byte and
  per element.
- HTML: html.parser fed in slices, charged per tag (``html_bounded``); plain text is decoded
  (linear) and cut to ``MAX_TEXT_CHARS``.
"""

from __future__ import annotations

import codecs
import logging
import re

from hiring_bot.intake.bounded import Budget, TooLarge
from hiring_bot.intake.docx_text import DocxError, docx_lines, looks_like_docx
from hiring_bot.intake.draft import IntakeLimits
from hiring_bot.intake.html_bounded import html_text_within
from hiring_bot.intake.pdf_text import read_pdf

__all__ = ["TOO_LARGE", "UNAVAILABLE", "decode_text", "extract_text"]

log = logging.getLogger(__name__)

UNAVAILABLE = "text unavailable"
TOO_LARGE = "too large to read"
MAX_TEXT_CHARS = 1_000_000
# A resume's XML is well under 1 MB and 20,000 elements; a DOCX past these is a bomb.
MAX_DOCX_UNPACKED_BYTES = 16_000_000
MAX_DOCX_ELEMENTS = 100_000
MAX_HTML_CHARS = 4_000_000
MAX_HTML_ELEMENTS = 50_000

_DOCX_TYPES = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-word.document.macroenabled.12",
)
_TEXT_SUFFIXES = (".txt", ".text", ".md", ".markdown", ".csv", ".tex")
# Icon-font glyphs (Private Use Area), lone surrogates and control characters PDFs can yield.
_JUNK_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ue000-\uf8ff\ufffe\uffff]")


def extract_text(
    data: bytes, *, filename: str, content_type: str, limits: IntakeLimits
) -> tuple[str | None, str | None]:
    """(text, None) when text could be read, else (None, "text unavailable: <reason>")."""
    try:
        return _extract(data, filename=filename, content_type=content_type, limits=limits)
    except Exception as exc:  # the last line of defence: intake must never fail on an attachment
        log.warning("attachment text extraction failed (%s)", type(exc).__name__)
        return None, _unavailable(f"unreadable file ({type(exc).__name__})")


def decode_text(data: bytes, charset: str | None = None) -> str:
    """Bytes to str: BOM, declared charset, UTF-8, then cp1252 with replacements. Never raises."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    declared = charset.strip().strip("\"'").lower() if charset else None
    for candidate in (declared, "utf-8"):
        if candidate:
            try:
                return data.decode(candidate)
            except (LookupError, UnicodeDecodeError, ValueError):
                continue
    if declared:
        try:
            return data.decode(declared, errors="replace")
        except (LookupError, ValueError):
            log.debug("unknown charset %r", declared[:40])
    return data.decode("cp1252", errors="replace")


def _extract(
    data: bytes, *, filename: str, content_type: str, limits: IntakeLimits
) -> tuple[str | None, str | None]:
    if len(data) > limits.max_attachment_bytes:
        return None, _unavailable(
            f"too large ({len(data)} bytes, limit {limits.max_attachment_bytes})"
        )
    if not data:
        return None, _unavailable("empty file")
    name = filename.lower()
    ctype = content_type.lower().split(";")[0].strip()
    head = data[:1024]
    if b"%PDF" in head or ctype == "application/pdf" or name.endswith(".pdf"):
        return _pdf_text(data, limits)
    if data.startswith(b"PK\x03\x04") and (
        ctype in _DOCX_TYPES or name.endswith((".docx", ".docm")) or looks_like_docx(data)
    ):
        return _docx_text(data, limits)
    if (
        data.startswith(b"{\\rtf")
        or name.endswith(".rtf")
        or ctype in ("application/rtf", "text/rtf")
    ):
        return None, _unavailable("unsupported type (RTF)")
    if data.startswith(b"\xd0\xcf\x11\xe0") or name.endswith(".doc"):
        return None, _unavailable("unsupported type (legacy Word .doc)")
    if ctype == "text/html" or name.endswith((".html", ".htm")):
        return _html_text(decode_text(data, _charset(content_type)), limits)
    if ctype.startswith("text/") or name.endswith(_TEXT_SUFFIXES):
        if b"\x00" in data[:4096] and not data.startswith(
            (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
        ):
            return None, _unavailable("binary data labelled as text")
        # Decoding is linear and bounded by the attachment limit; the cleaning need not see
        # more than the text that is kept.
        text = decode_text(data, _charset(content_type))[: 2 * MAX_TEXT_CHARS]
        return _result(text, empty_reason="no text")
    return None, _unavailable(f"unsupported type ({ctype or 'unknown'})")


# --- PDF ---------------------------------------------------------------------------------------


def _pdf_text(data: bytes, limits: IntakeLimits) -> tuple[str | None, str | None]:
    try:
        pages = read_pdf(data, max_pages=limits.max_pdf_pages, seconds=limits.extract_seconds)
    except OSError as exc:
        log.warning("PDF text not read: no worker process (%s)", type(exc).__name__)
        return None, _unavailable("PDF reader unavailable")
    if pages.too_large is not None:
        log.info("PDF text cut after %d pages: %s", len(pages.texts), pages.too_large)
    if pages.open_failure is not None:
        if pages.too_large is not None:
            return None, _too_large(pages.too_large)
        return None, _unavailable(pages.open_failure)
    text = _clean("\n".join(pages.texts))
    if not text.strip():
        if pages.too_large is not None:
            return None, _too_large(pages.too_large)
        if pages.failures:
            return None, _unavailable("unreadable PDF: no page could be read")
        return None, _unavailable("scanned or image-only")
    if pages.uris:  # link targets (e.g. a GitHub icon) are not in the visible text
        text += "\n" + "\n".join(dict.fromkeys(pages.uris))
    return text[:MAX_TEXT_CHARS], None


# --- DOCX --------------------------------------------------------------------------------------


def _docx_text(data: bytes, limits: IntakeLimits) -> tuple[str | None, str | None]:
    budget = Budget(
        seconds=limits.extract_seconds,
        max_bytes=MAX_DOCX_UNPACKED_BYTES,
        max_elements=MAX_DOCX_ELEMENTS,
    )
    try:
        lines = docx_lines(data, budget)
    except TooLarge as exc:
        log.info("DOCX text not read: %s", exc)
        return None, _too_large(str(exc))
    except DocxError as exc:
        return None, _unavailable(f"unreadable DOCX: {_short_message(str(exc))}")
    return _result("\n".join(lines), empty_reason="no text")


# --- HTML --------------------------------------------------------------------------------------


def _html_text(html: str, limits: IntakeLimits) -> tuple[str | None, str | None]:
    budget = Budget(
        seconds=limits.extract_seconds, max_bytes=MAX_HTML_CHARS, max_elements=MAX_HTML_ELEMENTS
    )
    try:
        text, hrefs = html_text_within(html, budget, max_chars=MAX_HTML_CHARS)
    except TooLarge as exc:
        log.info("HTML text not read: %s", exc)
        return None, _too_large(str(exc))
    return _result("\n".join([text, *hrefs]), empty_reason="no text")


# --- helpers -----------------------------------------------------------------------------------


def _charset(content_type: str) -> str | None:
    match = re.search(r"charset\s*=\s*\"?([\w.:-]+)", content_type, re.IGNORECASE)
    return match.group(1) if match else None


def _clean(text: str) -> str:
    text = _JUNK_CHARS.sub(" ", text)
    return re.sub(r"[ \t]{2,}", " ", text)


def _result(text: str, *, empty_reason: str) -> tuple[str | None, str | None]:
    text = _clean(text).strip()
    if not text:
        return None, _unavailable(empty_reason)
    return text[:MAX_TEXT_CHARS], None


def _unavailable(reason: str) -> str:
    return f"{UNAVAILABLE}: {reason}"


def _too_large(bound: str) -> str:
    """The reason for a document that would need more than its budget to read (a bomb)."""
    return _unavailable(f"{TOO_LARGE} ({bound})")


def _short_message(message: str) -> str:
    first = message.strip().splitlines()[0] if message.strip() else "broken file"
    return first[:80]


def _short(exc: BaseException) -> str:
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    message = message[:80]
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__
