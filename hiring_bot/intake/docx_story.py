"""The text of one story (body, header or footer) as python-docx reads it, collected by expat
handlers: non-blank paragraphs, then table rows (cells joined with " | ", merged cells once, one
level of nested tables), and the header/footer references of each section."""

from __future__ import annotations

from dataclasses import dataclass, field

from hiring_bot.intake.bounded import Budget, TooLarge

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main "
_R_ID = "http://schemas.openxmlformats.org/officeDocument/2006/relationships id"
_W_TYPE = _W + "type"
_W_VAL = _W + "val"
_RUN_TEXT = {"tab": "\t", "ptab": "\t", "cr": "\n", "noBreakHyphen": "-"}
_CELL_PATH = ["tbl", "tr", "tc"]
_MAX_PATH = 9  # the longest element path the reader acts on (a nested table's vMerge)


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


class Story:
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
