"""The streaming DOCX reader gives the text python-docx gives, for generated documents.

python-docx is the reference: ``_reference_lines`` is how intake read DOCX files before it
streamed them (python-docx builds the whole tree, which a bomb turns into minutes and gigabytes).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import docx
import pytest
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_BREAK
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hiring_bot.intake.bounded import Budget, TooLarge
from hiring_bot.intake.docx_text import docx_lines

HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
_HEADER_PARTS = (
    "header", "first_page_header", "even_page_header",
    "footer", "first_page_footer", "even_page_footer",
)  # fmt: skip


def _reference_lines(data: bytes) -> list[str]:
    document = docx.Document(io.BytesIO(data))
    lines: list[str] = []
    for block in _container_lines(document):
        lines.extend(block)
    for section in document.sections:
        for name in _HEADER_PARTS:
            part = getattr(section, name)
            if not part.is_linked_to_previous:
                for block in _container_lines(part):
                    lines.extend(block)
    targets = [
        str(rel.target_ref)
        for part in document.part.package.iter_parts()
        for rel in part.rels.values()
        if rel.is_external and rel.reltype.endswith("/hyperlink")
    ]
    return lines + list(dict.fromkeys(targets))


def _container_lines(container: Any) -> Iterator[list[str]]:
    yield [p.text for p in container.paragraphs if p.text.strip()]
    for table in container.tables:
        for row in table.rows:
            cells: list[str] = []
            for cell in row.cells:
                text = cell.text.strip()
                if text and text not in cells:
                    cells.append(text)
                for nested in cell.tables:
                    for nested_row in nested.rows:
                        cells.extend(c.text.strip() for c in nested_row.cells if c.text.strip())
            if cells:
                yield [" | ".join(cells)]


_WORDS = st.text(alphabet="abcXYZ é-", min_size=0, max_size=8)


@st.composite
def documents(draw: st.DrawFn) -> bytes:
    document = docx.Document()
    for _ in range(draw(st.integers(0, 4))):
        paragraph = document.add_paragraph(draw(_WORDS))
        for _ in range(draw(st.integers(0, 3))):
            run = paragraph.add_run(draw(_WORDS))
            kind = draw(st.sampled_from(["none", "line", "page", "tab"]))
            if kind == "line":
                run.add_break()
            elif kind == "page":
                run.add_break(WD_BREAK.PAGE)
            elif kind == "tab":
                run.add_tab()
            run.add_text(draw(_WORDS))
    for _ in range(draw(st.integers(0, 2))):
        rows, cols = draw(st.integers(1, 3)), draw(st.integers(1, 3))
        table = document.add_table(rows=rows, cols=cols)
        for r in range(rows):
            for c in range(cols):
                table.cell(r, c).text = draw(_WORDS)
        if draw(st.booleans()) and rows > 1:
            table.cell(0, 0).merge(table.cell(rows - 1, 0))  # vertical merge
        if draw(st.booleans()) and cols > 2:
            table.cell(0, 1).merge(table.cell(0, 2))  # horizontal merge
        if draw(st.booleans()):
            cell = table.cell(rows - 1, cols - 1)
            nested = cell.add_table(rows=2, cols=2)
            nested.cell(0, 0).text = draw(_WORDS)
            nested.cell(1, 1).text = draw(_WORDS)
            if draw(st.booleans()):
                nested.cell(1, 0).add_table(rows=1, cols=1).cell(0, 0).text = "too deep"
    section = document.sections[0]
    section.header.paragraphs[0].text = draw(_WORDS)
    if draw(st.booleans()):
        section.different_first_page_header_footer = True
        section.first_page_footer.paragraphs[0].text = draw(_WORDS)
    if draw(st.booleans()):
        second = document.add_section(WD_SECTION.NEW_PAGE)
        second.header.is_linked_to_previous = draw(st.booleans())
        second.header.add_paragraph(draw(_WORDS))
        second.footer.add_table(1, 2, docx.shared.Inches(4)).cell(0, 1).text = draw(_WORDS)
        document.add_paragraph(draw(_WORDS))
    for number in range(draw(st.integers(0, 2))):
        document.part.relate_to(f"https://example.com/{number}", HYPERLINK, is_external=True)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _lines(data: bytes) -> list[str]:
    return docx_lines(data, Budget(seconds=60, max_bytes=10**8, max_elements=10**7))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_streamed_lines_are_python_docx_lines(data: bytes) -> None:
    assert _lines(data) == _reference_lines(data)


def test_budget_stops_the_stream() -> None:
    document = docx.Document()
    for number in range(300):
        document.add_paragraph(f"paragraph {number}")
    buffer = io.BytesIO()
    document.save(buffer)
    assert len(_lines(buffer.getvalue())) == 300
    for budget, bound in (
        (Budget(seconds=60, max_bytes=10**8, max_elements=500), "over 500 elements"),
        (Budget(seconds=60, max_bytes=5000, max_elements=10**7), "over 5000 bytes unpacked"),
        (Budget(seconds=0, max_bytes=10**8, max_elements=10**7), "time limit reached"),
    ):
        with pytest.raises(TooLarge, match=f"^{bound}$"):
            docx_lines(buffer.getvalue(), budget)
