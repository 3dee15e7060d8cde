"""Text out of a DOCX by streaming its XML parts through expat, within a ``Budget``.

Only the parts that hold text are read (the main document, the headers and footers its sections
name, and the relationship files for link targets), each inflated chunk by chunk and parsed as it
arrives: no part is ever unpacked or built into a tree whole, so a 20 KB file that inflates to
100 MB of paragraphs costs the budget, not the document.

The text is what python-docx gives for the same file: the body's paragraphs (non-blank), then its
tables row by row (cells joined with " | ", merged cells once, one level of nested tables), then
the same for each header and footer of each section, then external hyperlink targets.
"""

from __future__ import annotations

import zipfile

from hiring_bot.intake.bounded import Budget, TooLarge
from hiring_bot.intake.docx_package import (
    DocxError,
    hyperlink_targets,
    open_zip,
    read_rels,
    run_expat,
)
from hiring_bot.intake.docx_story import Story

__all__ = ["DocxError", "docx_lines", "looks_like_docx"]

_OFFICE_DOCUMENT = "/officeDocument"
# python-docx's order: header, first-page header, even-page header, then the same for footers.
_STORY_REFERENCES = (
    ("headerReference", "default"),
    ("headerReference", "first"),
    ("headerReference", "even"),
    ("footerReference", "default"),
    ("footerReference", "first"),
    ("footerReference", "even"),
)


def looks_like_docx(data: bytes) -> bool:
    """A zip holding word/document.xml (checked without reading any member)."""
    try:
        return "word/document.xml" in open_zip(data).NameToInfo
    except (DocxError, TooLarge):
        return False


def docx_lines(data: bytes, budget: Budget) -> list[str]:
    """The document's lines (see the module docstring). Raises ``TooLarge`` or ``DocxError``."""
    archive = open_zip(data)
    package_rels = read_rels(archive, "", budget)
    main = next(
        (r.target for r in package_rels if r.type.endswith(_OFFICE_DOCUMENT) and not r.external),
        "word/document.xml",
    )
    body = Story(root=("document", "body"))
    _parse(archive, main, body, budget)
    if not body.root_seen:
        raise DocxError("no Word document body")
    lines = body.lines()

    main_rels = {r.id: r for r in read_rels(archive, main, budget)}
    seen_parts: set[str] = set()
    for section in body.sections:
        for kind, story_type in _STORY_REFERENCES:
            rel = main_rels.get(section.get((kind, story_type), ""))
            if rel is None or rel.external or rel.target in seen_parts:
                continue
            seen_parts.add(rel.target)
            story = Story(root=("hdr",) if kind == "headerReference" else ("ftr",))
            try:
                _parse(archive, rel.target, story, budget)
            except DocxError:
                continue  # a broken header does not cost the body's text
            lines.extend(story.lines())
    lines.extend(hyperlink_targets(archive, package_rels, budget))
    return lines


def _parse(archive: zipfile.ZipFile, name: str, story: Story, budget: Budget) -> None:
    story.budget = budget
    run_expat(archive, name, budget, start=story.start, end=story.end, text=story.text)
