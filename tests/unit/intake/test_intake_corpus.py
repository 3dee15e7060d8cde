"""Every file of the shared real-world corpus through intake: no exception, a result with a
reason, within 2 seconds per message and bounded memory (the intake issue's behavioural bounds)."""

from __future__ import annotations

import tracemalloc
from datetime import date
from pathlib import Path

import pytest

from hiring_bot.intake.draft import ApplicationDraft, IntakeLimits, Rejected, Skipped, WindowSpec
from hiring_bot.intake.email_parser import parse_email
from hiring_bot.intake.resume_text import extract_text


def _repo_root() -> Path:
    for parent in Path(__file__).resolve().parents:
        if (parent / "pyproject.toml").is_file():
            return parent
    raise RuntimeError("pyproject.toml not found above the tests")


CORPUS = _repo_root().parent / "shared" / "corpus"
pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"corpus folder absent: {CORPUS}")

PEAK_BYTES = 200 * 1024 * 1024
WINDOWS = (
    WindowSpec("Winter 2017/2018", ("winter 2017", "winter 2018", "winter"),
               date(2017, 12, 1), date(2018, 3, 31)),
    WindowSpec("Spring/Summer 2018", ("spring 2018", "summer 2018", "spring/summer 2018"),
               date(2018, 4, 1), date(2018, 9, 30)),
)  # fmt: skip


def _files(folder: str) -> list[Path]:
    path = CORPUS / folder
    if not path.is_dir():
        return []
    return sorted(p for p in path.iterdir() if p.is_file() and p.name != "SOURCES.md")


EMAILS = _files("emails")
DOCUMENTS = _files("pdfs") + _files("docx")


def _check(result: object) -> None:
    assert isinstance(result, ApplicationDraft | Skipped | Rejected)
    if isinstance(result, Skipped | Rejected):
        assert result.reason.strip()
    else:
        assert result.email
        assert result.eligibility in ("eligible", "ineligible", "unknown")
        assert result.eligibility_reason
        for attachment in result.attachments:
            assert (attachment.text is None) != (attachment.text_unavailable is None)
            assert len(attachment.sha256) == 64


def test_corpus_is_present() -> None:
    assert len(EMAILS) > 100
    assert len(DOCUMENTS) > 30


@pytest.mark.parametrize("path", EMAILS, ids=lambda p: p.name)
def test_corpus_email_parses_within_bounds(path: Path) -> None:
    raw = path.read_bytes()
    _check(parse_email(raw, windows=WINDOWS))

    # Memory is measured on a second run: tracemalloc slows Python down several times.
    tracemalloc.start()
    try:
        _check(parse_email(raw, windows=WINDOWS))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < PEAK_BYTES, f"{path.name} peaked at {peak / 1e6:.0f} MB"


@pytest.mark.parametrize(
    "path", [p for p in EMAILS if p.name.startswith("flanker__bounce_")], ids=lambda p: p.name
)
def test_corpus_bounces_are_skipped(path: Path) -> None:
    result = parse_email(path.read_bytes(), windows=WINDOWS)
    assert isinstance(result, Skipped)
    assert "bounce" in result.reason


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_corpus_document_text_or_reason(path: Path) -> None:
    text, reason = extract_text(
        path.read_bytes(),
        filename=path.name,
        content_type="application/octet-stream",
        limits=IntakeLimits(),
    )
    assert (text is None) != (reason is None)
    if reason is not None:
        assert reason.startswith("text unavailable: ")


def test_corpus_documents_known_outcomes() -> None:
    """Spot checks: encrypted, scanned and broken PDFs get the right reason; resumes give text."""
    expected = {
        "other__pdfminer__rc4-40.pdf": "text unavailable: encrypted",
        "other__sample-files__libreoffice-writer-password.pdf": "text unavailable: encrypted",
        "other__sample-files__imagemagick-CCITTFaxDecode.pdf": (
            "text unavailable: scanned or image-only"
        ),
    }
    for name, reason in expected.items():
        data = (CORPUS / "pdfs" / name).read_bytes()
        assert extract_text(data, filename=name, content_type="", limits=IntakeLimits()) == (
            None,
            reason,
        )
    data = (CORPUS / "pdfs" / "other__rubymail__broken-truncated.pdf").read_bytes()
    _, reason = extract_text(data, filename="x.pdf", content_type="", limits=IntakeLimits())
    assert (reason or "").startswith("text unavailable: unreadable PDF")
    data = (CORPUS / "pdfs" / "other__pypdf__r2-owner-password.pdf").read_bytes()
    text, _ = extract_text(data, filename="x.pdf", content_type="", limits=IntakeLimits())
    assert text  # owner-password-only PDFs open with the empty user password
    data = (CORPUS / "pdfs" / "resume__awesome-cv__resume.pdf").read_bytes()
    text, _ = extract_text(data, filename="x.pdf", content_type="", limits=IntakeLimits())
    assert text is not None
    assert "https://github.com/posquit0" in text  # link annotation targets are kept
    data = (CORPUS / "docx" / "generic__python-docx__par-hyperlinks.docx").read_bytes()
    text, _ = extract_text(data, filename="x.docx", content_type="", limits=IntakeLimits())
    assert text is not None
    assert "http://python.org/" in text
