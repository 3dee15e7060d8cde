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

import io
import posixpath
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from xml.parsers import expat

from hiring_bot.intake.bounded import Budget, TooLarge, read_zip_member

__all__ = ["DocxError", "docx_lines", "looks_like_docx"]

MAX_ZIP_ENTRIES = 2000
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main "
_R_ID = "http://schemas.openxmlformats.org/officeDocument/2006/relationships id"
_W_TYPE = _W + "type"
_W_VAL = _W + "val"
_REL = "http://schemas.openxmlformats.org/package/2006/relationships Relationship"
_OFFICE_DOCUMENT = "/officeDocument"
_HYPERLINK = "/hyperlink"
_RUN_TEXT = {"tab": "\t", "ptab": "\t", "cr": "\n", "noBreakHyphen": "-"}
# python-docx's order: header, first-page header, even-page header, then the same for footers.
_STORY_REFERENCES = (
    ("headerReference", "default"),
    ("headerReference", "first"),
    ("headerReference", "even"),
    ("footerReference", "default"),
    ("footerReference", "first"),
    ("footerReference", "even"),
)
_CELL_PATH = ["tbl", "tr", "tc"]
_MAX_PATH = 9  # the longest element path the reader acts on (a nested table's vMerge)


class DocxError(Exception):
    """Not a readable Word document (broken zip, missing part, malformed XML)."""


def looks_like_docx(data: bytes) -> bool:
    """A zip holding word/document.xml (checked without reading any member)."""
    try:
        return "word/document.xml" in _open_zip(data).NameToInfo
    except (DocxError, TooLarge):
        return False


def docx_lines(data: bytes, budget: Budget) -> list[str]:
    """The document's lines (see the module docstring). Raises ``TooLarge`` or ``DocxError``."""
    archive = _open_zip(data)
    package_rels = _read_rels(archive, "", budget)
    main = next(
        (r.target for r in package_rels if r.type.endswith(_OFFICE_DOCUMENT) and not r.external),
        "word/document.xml",
    )
    body = _Story(root=("document", "body"))
    _parse(archive, main, body, budget)
    if not body.root_seen:
        raise DocxError("no Word document body")
    lines = body.lines()

    main_rels = {r.id: r for r in _read_rels(archive, main, budget)}
    seen_parts: set[str] = set()
    for section in body.sections:
        for kind, story_type in _STORY_REFERENCES:
            rel = main_rels.get(section.get((kind, story_type), ""))
            if rel is None or rel.external or rel.target in seen_parts:
                continue
            seen_parts.add(rel.target)
            story = _Story(root=("hdr",) if kind == "headerReference" else ("ftr",))
            try:
                _parse(archive, rel.target, story, budget)
            except DocxError:
                continue  # a broken header does not cost the body's text
            lines.extend(story.lines())
    lines.extend(_hyperlink_targets(archive, package_rels, budget))
    return lines


# --- zip and relationships ---------------------------------------------------------------------


def _open_zip(data: bytes) -> zipfile.ZipFile:
    # Every central-directory entry becomes a ZipInfo before anything can be checked; a file
    # of tiny entries would cost memory by the hundred megabytes, so count them first.
    if data.count(b"PK\x01\x02") > MAX_ZIP_ENTRIES:
        raise TooLarge(f"over {MAX_ZIP_ENTRIES} files in the archive")
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise DocxError(f"{type(exc).__name__}: {exc}") from exc


@dataclass(frozen=True)
class _Rel:
    id: str
    type: str
    target: str  # the part name for internal targets, the reference as written for external
    external: bool


def _rels_name(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{name}.rels")


def _read_rels(archive: zipfile.ZipFile, part: str, budget: Budget) -> list[_Rel]:
    name = _rels_name(part)
    if name not in archive.NameToInfo:
        return []
    folder = posixpath.dirname(part)
    rels: list[_Rel] = []

    def start(tag: str, attrs: dict[str, str]) -> None:
        budget.take_element()
        if tag != _REL:
            return
        target = attrs.get("Target", "")
        external = attrs.get("TargetMode") == "External"
        if not external:
            target = posixpath.normpath(posixpath.join("/" + folder, target)).lstrip("/")
        rels.append(_Rel(attrs.get("Id", ""), attrs.get("Type", ""), target, external))

    _run_expat(archive, name, budget, start=start)
    return rels


def _hyperlink_targets(
    archive: zipfile.ZipFile, package_rels: list[_Rel], budget: Budget
) -> list[str]:
    """External hyperlink targets of every part reachable from the package, depth first."""
    targets: list[str] = []
    visited: set[str] = set()
    pending = [[r for r in package_rels if not r.external]]
    while pending:
        if not pending[-1]:
            pending.pop()
            continue
        part = pending[-1].pop(0).target
        if part in visited or part not in archive.NameToInfo:
            continue
        visited.add(part)
        try:
            rels = _read_rels(archive, part, budget)
        except DocxError:
            continue
        targets.extend(r.target for r in rels if r.external and r.type.endswith(_HYPERLINK))
        pending.append([r for r in rels if not r.external])
    return list(dict.fromkeys(targets))


# --- XML streaming -----------------------------------------------------------------------------


def _refuse_dtd(*_: Any) -> None:
    # Word never writes a DTD; one in a DOCX is there for entity expansion.
    raise DocxError("DTD in a Word XML part")


def _run_expat(
    archive: zipfile.ZipFile,
    name: str,
    budget: Budget,
    *,
    start: Callable[[str, dict[str, str]], None],
    end: Callable[[str], None] | None = None,
    text: Callable[[str], None] | None = None,
) -> None:
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
    try:
        for chunk in read_zip_member(archive, name, budget):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise DocxError(f"ExpatError: {exc}") from exc
    except (
        zipfile.BadZipFile,
        KeyError,  # a part the relationships name is not in the archive
        ValueError,
        OSError,
        EOFError,
        RuntimeError,  # an encrypted member
        NotImplementedError,  # a compression method zipfile does not have
    ) as exc:
        raise DocxError(f"{type(exc).__name__}: {exc}") from exc


def _parse(archive: zipfile.ZipFile, name: str, story: _Story, budget: Budget) -> None:
    story.budget = budget
    _run_expat(archive, name, budget, start=story.start, end=story.end, text=story.text)


@dataclass
class _Cell:
    paragraphs: list[str] = field(default_factory=list)
    nested: list[str] = field(default_factory=list)  # texts of nested tables' cells
    span: int = 1
    continues: bool = False  # vMerge="continue": the content is the cell above's

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs).strip()


@dataclass
class _Table:
    above: dict[int, _Cell] = field(default_factory=dict)  # grid column -> cell, previous row
    row: dict[int, _Cell] = field(default_factory=dict)
    cells: list[_Cell] = field(default_factory=list)  # one per grid column, merged cells repeat
    column: int = 0
    cell: _Cell | None = None


class _Story:
    """Expat handlers collecting one story (body, header or footer) as python-docx reads it."""

    def __init__(self, *, root: tuple[str, ...]) -> None:
        self.root = root
        self.root_seen = False
        self.budget: Budget | None = None
        self.paragraphs: list[str] = []
        self.rows: list[str] = []
        self.sections: list[dict[tuple[str, str], str]] = []
        self._path: list[str] = []  # local names under the w: namespace ("" for others)
        self._actions: list[str | None] = []
        self._tables: list[_Table] = []  # depth 1 and 2 only, as python-docx reads them
        self._paragraph: list[str] | None = None
        self._paragraph_at = 0  # path length where the open paragraph starts
        self._paragraph_depth = 0  # 0 body, 1 cell, 2 nested cell
        self._in_text = False
        self._chars = 0

    def lines(self) -> list[str]:
        return [*self.paragraphs, *self.rows]

    # expat handlers

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        assert self.budget is not None
        self.budget.take_element()
        local = tag[len(_W) :] if tag.startswith(_W) else ""
        self._path.append(local)
        action = self._classify(local, attrs)
        self._actions.append(action)

    def end(self, _tag: str) -> None:
        self._path.pop()
        action = self._actions.pop()
        if action is None:
            return
        if action == "t":
            self._in_text = False
        elif action == "p":
            self._end_paragraph()
        elif action == "tc":
            self._end_cell()
        elif action == "tr":
            self._end_row()
        elif action == "tbl":
            self._tables.pop()

    def text(self, data: str) -> None:
        if self._in_text and self._paragraph is not None:
            self._chars += len(data)
            if self._chars > 1_000_000:
                raise TooLarge("over 1000000 characters of text")
            self._paragraph.append(data)

    # what an element means

    def _classify(self, local: str, attrs: dict[str, str]) -> str | None:
        depth = len(self._path)
        base = len(self.root)
        if depth <= base:
            if depth == base and tuple(self._path) == self.root:
                self.root_seen = True
            return None
        if not self.root_seen or not local:
            return None
        if self._paragraph is not None:
            inner = self._path[self._paragraph_at :]
            if self._paragraph_depth == 0 and inner[:2] == ["pPr", "sectPr"]:
                self._section_element(inner[1:], attrs)
                return None
            return self._run_content(local, attrs)
        rel = self._path[base:]
        if len(rel) > _MAX_PATH:
            return None
        if rel[-1] == "p":
            return self._start_paragraph(rel)
        if rel[0] == "sectPr":
            self._section_element(rel, attrs)
            return None
        return self._table_element(rel, attrs)

    def _section_element(self, rel: list[str], attrs: dict[str, str]) -> None:
        """sectPr (in the body or a paragraph's pPr) and its header and footer references."""
        if self.root[0] != "document":
            return
        if rel == ["sectPr"]:
            self.sections.append({})
        elif len(rel) == 2 and rel[1] in ("headerReference", "footerReference") and self.sections:
            self.sections[-1][(rel[1], attrs.get(_W_TYPE, ""))] = attrs.get(_R_ID, "")

    def _run_content(self, local: str, attrs: dict[str, str]) -> str | None:
        inner = self._path[self._paragraph_at :]
        if not (len(inner) == 2 and inner[0] == "r") and not (
            len(inner) == 3 and inner[0] == "hyperlink" and inner[1] == "r"
        ):
            return None
        assert self._paragraph is not None
        if local == "t":
            self._in_text = True
            return "t"
        if local == "br":
            if attrs.get(_W_TYPE, "textWrapping") == "textWrapping":
                self._paragraph.append("\n")
        elif local in _RUN_TEXT:
            self._paragraph.append(_RUN_TEXT[local])
        return None

    def _start_paragraph(self, rel: list[str]) -> str | None:
        depth = (len(rel) - 1) // 3
        if depth > 2 or rel != _CELL_PATH * depth + ["p"] or len(self._tables) < depth:
            return None
        if depth and self._tables[depth - 1].cell is None:
            return None
        self._paragraph = []
        self._paragraph_at = len(self._path)
        self._paragraph_depth = depth
        return "p"

    def _end_paragraph(self) -> None:
        text = "".join(self._paragraph or [])
        self._paragraph = None
        self._in_text = False
        if self._paragraph_depth == 0:
            if text.strip():
                self.paragraphs.append(text)
        else:
            cell = self._tables[self._paragraph_depth - 1].cell
            if cell is not None:
                cell.paragraphs.append(text)

    def _table_element(self, rel: list[str], attrs: dict[str, str]) -> str | None:
        # Paths: tbl | tbl tr | tbl tr trPr gridBefore | tbl tr tc | tbl tr tc tcPr gridSpan|vMerge,
        # each either in the story itself or in a cell of one of its tables.
        depth = 1 if rel[:3] == _CELL_PATH and rel[3:4] == ["tbl"] else 0
        tail = rel[3 * depth :]
        table_depth = depth + 1
        if tail[:1] != ["tbl"]:
            return None
        if len(self._tables) < depth:
            return None
        if tail == ["tbl"]:
            if len(self._tables) != depth:
                return None
            if depth and self._tables[depth - 1].cell is None:
                return None
            self._tables.append(_Table())
            return "tbl"
        if len(self._tables) != table_depth:
            return None
        table = self._tables[-1]
        if tail == ["tbl", "tr"]:
            table.cells = []
            table.row = {}
            table.column = 0
            return "tr"
        if tail == ["tbl", "tr", "trPr", "gridBefore"]:
            table.column = _int(attrs.get(_W_VAL), 0)
        elif tail == ["tbl", "tr", "tc"]:
            table.cell = _Cell()
            return "tc"
        elif table.cell is not None and tail == ["tbl", "tr", "tc", "tcPr", "gridSpan"]:
            table.cell.span = max(1, _int(attrs.get(_W_VAL), 1))
        elif table.cell is not None and tail == ["tbl", "tr", "tc", "tcPr", "vMerge"]:
            table.cell.continues = attrs.get(_W_VAL, "continue") == "continue"
        return None

    def _end_cell(self) -> None:
        table = self._tables[-1]
        cell = table.cell
        table.cell = None
        if cell is None:
            return
        shown = table.above.get(table.column, _Cell()) if cell.continues else cell
        for _ in range(cell.span):
            table.row[table.column] = shown
            table.cells.append(shown)
            table.column += 1

    def _end_row(self) -> None:
        table = self._tables[-1]
        table.above = table.row
        if len(self._tables) == 2:
            outer = self._tables[0].cell
            if outer is not None:
                outer.nested.extend(c.text for c in table.cells if c.text)
            return
        cells: list[str] = []
        for cell in table.cells:
            text = cell.text
            if text and text not in cells:  # merged cells repeat
                cells.append(text)
            cells.extend(cell.nested)
        if cells:
            self.rows.append(" | ".join(cells))


def _int(value: str | None, default: int) -> int:
    try:
        return int(value or default)
    except ValueError:
        return default
