"""Text out of an attachment (PDF via pypdf, DOCX via python-docx, plain text) — never raises.

``extract_text`` returns ``(text, None)`` or ``(None, "text unavailable: <reason>")``. Limits:
attachments over ``max_attachment_bytes`` are not opened; PDFs are read up to ``max_pdf_pages``
pages and stop when ``extract_seconds`` have passed. The time cap is checked between pages, so a
single pathological page can overrun it (best effort: pypdf gives no way to interrupt a page).
Whatever text was read before a cap is hit is returned.

pypdf reports recoverable problems through ``warnings`` and the ``pypdf`` logger; both are kept
quiet here (warnings are caught per call; the ``pypdf`` logger is raised to ERROR unless the
application configured it).
"""

from __future__ import annotations

import codecs
import io
import logging
import re
import time
import warnings
import zipfile
from collections.abc import Iterator
from typing import Any

from hiring_bot.intake.draft import IntakeLimits
from hiring_bot.intake.html_text import html_to_text

__all__ = ["UNAVAILABLE", "decode_text", "extract_text"]

log = logging.getLogger(__name__)

UNAVAILABLE = "text unavailable"
MAX_TEXT_CHARS = 1_000_000
MAX_DOCX_UNPACKED_BYTES = 100 * 1024 * 1024

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
        with warnings.catch_warnings():  # pypdf / python-docx warnings are noise here
            warnings.simplefilter("ignore")
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
        ctype in _DOCX_TYPES or name.endswith((".docx", ".docm")) or _zip_has_word_document(data)
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
        text, hrefs = html_to_text(decode_text(data, _charset(content_type)))
        return _result("\n".join([text, *hrefs]), empty_reason="no text")
    if ctype.startswith("text/") or name.endswith(_TEXT_SUFFIXES):
        if b"\x00" in data[:4096] and not data.startswith(
            (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
        ):
            return None, _unavailable("binary data labelled as text")
        return _result(decode_text(data, _charset(content_type)), empty_reason="no text")
    return None, _unavailable(f"unsupported type ({ctype or 'unknown'})")


# --- PDF ---------------------------------------------------------------------------------------


def _pdf_text(data: bytes, limits: IntakeLimits) -> tuple[str | None, str | None]:
    _quiet_pypdf_logging()
    from pypdf import PdfReader  # imported here: only intake needs it
    from pypdf.errors import FileNotDecryptedError

    deadline = time.monotonic() + limits.extract_seconds
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except Exception:  # unsupported algorithm, missing crypto library ...
                return None, _unavailable("encrypted")
            if not opened:
                return None, _unavailable("encrypted")
        pages = reader.pages
        page_count = len(pages)
    except FileNotDecryptedError:
        return None, _unavailable("encrypted")
    except Exception as exc:
        return None, _unavailable(f"unreadable PDF: {_short(exc)}")

    chunks: list[str] = []
    uris: list[str] = []
    failures = 0
    timed_out = False
    for index in range(min(page_count, limits.max_pdf_pages)):
        if time.monotonic() >= deadline:
            log.info("PDF text cut at page %d of %d: time limit", index, page_count)
            timed_out = True
            break
        try:
            page = pages[index]
            chunks.append(page.extract_text() or "")
            uris.extend(_page_uris(page))
        except Exception as exc:
            failures += 1
            log.debug("PDF page %d unreadable (%s)", index, type(exc).__name__)
        if sum(len(c) for c in chunks) > MAX_TEXT_CHARS:
            break
    text = _clean("\n".join(chunks))
    if not text.strip():
        if timed_out:
            return None, _unavailable("time limit reached")
        if failures:
            return None, _unavailable("unreadable PDF: no page could be read")
        return None, _unavailable("scanned or image-only")
    if uris:  # link targets (e.g. a GitHub icon) are not in the visible text
        text += "\n" + "\n".join(dict.fromkeys(uris))
    return text[:MAX_TEXT_CHARS], None


def _page_uris(page: Any) -> Iterator[str]:
    annots = page.get("/Annots")
    if annots is None:
        return
    for ref in annots.get_object() or []:
        annot = ref.get_object()
        action = annot.get("/A") if hasattr(annot, "get") else None
        if action is None:
            continue
        uri = action.get_object().get("/URI")
        if uri:
            yield str(uri)


_pypdf_quieted = False


def _quiet_pypdf_logging() -> None:
    global _pypdf_quieted
    if not _pypdf_quieted:
        pypdf_logger = logging.getLogger("pypdf")
        if pypdf_logger.level == logging.NOTSET:
            pypdf_logger.setLevel(logging.ERROR)
        _pypdf_quieted = True


# --- DOCX --------------------------------------------------------------------------------------


def _zip_has_word_document(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except Exception:
        return False


def _docx_text(data: bytes, limits: IntakeLimits) -> tuple[str | None, str | None]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except Exception as exc:
        return None, _unavailable(f"unreadable DOCX: {_short(exc)}")
    if unpacked > MAX_DOCX_UNPACKED_BYTES:
        return None, _unavailable(f"DOCX too large when unpacked ({unpacked} bytes)")

    import docx  # imported here: only intake needs it

    deadline = time.monotonic() + limits.extract_seconds
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:
        return None, _unavailable(f"unreadable DOCX: {_short(exc)}")

    lines: list[str] = []
    for block_lines in _docx_blocks(document):
        lines.extend(block_lines)
        if time.monotonic() >= deadline:
            log.info("DOCX text cut: time limit")
            break
    lines.extend(_docx_link_targets(document))
    return _result("\n".join(lines), empty_reason="no text")


def _docx_blocks(document: Any) -> Iterator[list[str]]:
    """Lines of the body (paragraphs and tables), then of each distinct header and footer."""
    yield from _container_lines(document)
    for section in document.sections:
        for part_name in (
            "header",
            "first_page_header",
            "even_page_header",
            "footer",
            "first_page_footer",
            "even_page_footer",
        ):
            try:
                part = getattr(section, part_name)
                # Reading a header that is linked to the previous one would create it; skip those.
                if part.is_linked_to_previous:
                    continue
                yield from _container_lines(part)
            except Exception as exc:
                log.debug("DOCX %s unreadable (%s)", part_name, type(exc).__name__)


def _container_lines(container: Any, depth: int = 0) -> Iterator[list[str]]:
    yield [p.text for p in container.paragraphs if p.text.strip()]
    if depth > 5:
        return
    for table in container.tables:
        for row in table.rows:
            cells: list[str] = []
            for cell in row.cells:
                text = cell.text.strip()
                if text and text not in cells:  # merged cells repeat
                    cells.append(text)
                if cell.tables:
                    for nested in cell.tables:
                        for nested_row in nested.rows:
                            cells.extend(c.text.strip() for c in nested_row.cells if c.text.strip())
            if cells:
                yield [" | ".join(cells)]


def _docx_link_targets(document: Any) -> list[str]:
    """External hyperlink targets from every part (body, headers, footers, footnotes)."""
    targets: list[str] = []
    try:
        for part in document.part.package.iter_parts():
            for rel in part.rels.values():
                if rel.is_external and rel.reltype.endswith("/hyperlink"):
                    targets.append(str(rel.target_ref))
    except Exception as exc:
        log.debug("DOCX hyperlinks unreadable (%s)", type(exc).__name__)
    return list(dict.fromkeys(targets))


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


def _short(exc: BaseException) -> str:
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    message = message[:80]
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__
