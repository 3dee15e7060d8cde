"""extract_text: PDF, DOCX and plain text, and every way they can fail (never raising)."""

from __future__ import annotations

import io

import docx
import pypdf
from hypothesis import given, settings
from hypothesis import strategies as st

from hiring_bot.intake.draft import IntakeLimits
from hiring_bot.intake.resume_text import decode_text, extract_text
from tests.fakes.documents import make_pdf

LIMITS = IntakeLimits()
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def pdf_text(data: bytes, limits: IntakeLimits = LIMITS) -> tuple[str | None, str | None]:
    return extract_text(data, filename="resume.pdf", content_type=PDF, limits=limits)


def test_pdf_text() -> None:
    text, reason = pdf_text(make_pdf([["Jane Doe", "Education: PhD"], ["Page two"]]))
    assert reason is None
    assert text is not None
    assert "Jane Doe" in text
    assert "Page two" in text


def test_pdf_page_cap() -> None:
    data = make_pdf([[f"page {n}"] for n in range(5)])
    text, reason = pdf_text(data, IntakeLimits(max_pdf_pages=2))
    assert reason is None
    assert text is not None
    assert "page 1" in text
    assert "page 2" not in text


def test_pdf_time_cap() -> None:
    text, reason = pdf_text(make_pdf([["hello"]]), IntakeLimits(extract_seconds=0))
    assert (text, reason) == (None, "text unavailable: too large to read (time limit reached)")


def test_pdf_encrypted_with_user_password() -> None:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(100, 100)
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    assert pdf_text(buffer.getvalue()) == (None, "text unavailable: encrypted")


def test_pdf_encrypted_with_owner_password_only_is_read() -> None:
    reader = pypdf.PdfReader(io.BytesIO(make_pdf([["owner only"]])))
    writer = pypdf.PdfWriter(clone_from=reader)
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    text, reason = pdf_text(buffer.getvalue())
    assert reason is None
    assert text is not None
    assert "owner only" in text


def test_pdf_without_text_is_scanned() -> None:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(100, 100)
    buffer = io.BytesIO()
    writer.write(buffer)
    assert pdf_text(buffer.getvalue()) == (None, "text unavailable: scanned or image-only")


def test_broken_pdf() -> None:
    data = make_pdf([["x"]])
    for broken in (data[:40], b"%PDF-1.7\n" + b"\x00garbage" * 20):
        text, reason = pdf_text(broken)
        assert text is None
        assert reason is not None
        assert reason.startswith("text unavailable: unreadable PDF")


def test_too_large() -> None:
    text, reason = pdf_text(make_pdf([["x"]]), IntakeLimits(max_attachment_bytes=10))
    assert text is None
    assert reason is not None
    assert reason.startswith("text unavailable: too large")


def test_docx_paragraphs_tables_headers_and_hyperlinks() -> None:
    document = docx.Document()
    document.add_paragraph("Jane Doe")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "University"
    table.cell(0, 1).text = "Stanford University"
    document.sections[0].header.paragraphs[0].text = "Header: jane@example.com"
    document.sections[0].footer.paragraphs[0].text = "Footer: page 1"
    document.part.relate_to(
        "https://github.com/jane-docx",
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink",
        is_external=True,
    )
    buffer = io.BytesIO()
    document.save(buffer)
    text, reason = extract_text(
        buffer.getvalue(), filename="cv.docx", content_type=DOCX, limits=LIMITS
    )
    assert reason is None
    assert text is not None
    for expected in (
        "Jane Doe",
        "University | Stanford University",
        "Header: jane@example.com",
        "Footer: page 1",
        "https://github.com/jane-docx",
    ):
        assert expected in text


def test_docx_detected_by_content_and_broken_docx() -> None:
    document = docx.Document()
    document.add_paragraph("found by content")
    buffer = io.BytesIO()
    document.save(buffer)
    text, _ = extract_text(
        buffer.getvalue(), filename="attachment", content_type="application/octet-stream",
        limits=LIMITS,
    )  # fmt: skip
    assert text == "found by content"
    text, reason = extract_text(
        b"PK\x03\x04 not really a zip", filename="cv.docx", content_type=DOCX, limits=LIMITS
    )
    assert text is None
    assert reason is not None
    assert reason.startswith("text unavailable: unreadable DOCX")


def test_plain_text_and_charsets() -> None:
    text, reason = extract_text(
        "Résumé".encode("latin-1"),
        filename="cv.txt",
        content_type="text/plain; charset=iso-8859-1",
        limits=LIMITS,
    )
    assert (text, reason) == ("Résumé", None)
    text, _ = extract_text(
        "Résumé".encode("cp1252"), filename="cv.txt", content_type="text/plain", limits=LIMITS
    )
    assert text == "Résumé"
    assert decode_text("naïve".encode(), "no-such-charset") == "naïve"
    assert decode_text("hi".encode("utf-16")) == "hi"


def test_unsupported_types() -> None:
    cases = {
        ("cv.rtf", "application/rtf"): "text unavailable: unsupported type (RTF)",
        ("cv.doc", "application/msword"): "text unavailable: unsupported type (legacy Word .doc)",
        ("photo.jpg", "image/jpeg"): "text unavailable: unsupported type (image/jpeg)",
    }
    for (filename, content_type), expected in cases.items():
        data = b"\xd0\xcf\x11\xe0rest" if filename.endswith(".doc") else b"{\\rtf1 x}"
        if filename.endswith(".jpg"):
            data = b"\xff\xd8\xff\xe0 jpeg"
        assert extract_text(data, filename=filename, content_type=content_type, limits=LIMITS) == (
            None,
            expected,
        )


@settings(max_examples=200, deadline=None)
@given(
    st.binary(max_size=3000),
    st.sampled_from(["cv.pdf", "cv.docx", "cv.txt", "cv", "cv.html"]),
    st.sampled_from([PDF, DOCX, "text/plain", "application/octet-stream", "text/html"]),
)
def test_extract_text_never_raises(data: bytes, filename: str, content_type: str) -> None:
    for payload in (data, b"%PDF-1.4\n" + data, b"PK\x03\x04" + data):
        text, reason = extract_text(
            payload, filename=filename, content_type=content_type, limits=LIMITS
        )
        assert (text is None) != (reason is None)
