"""A DOCX as a zip package, read within a ``Budget``: the archive opened (its entries counted
first), relationship files resolved to part names, and XML parts streamed through expat chunk by
chunk as they inflate (no DTDs, so no entity expansion)."""

from __future__ import annotations

import io
import posixpath
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from xml.parsers import expat

from hiring_bot.intake.bounded import Budget, TooLarge, read_zip_member

MAX_ZIP_ENTRIES = 2000
_REL = "http://schemas.openxmlformats.org/package/2006/relationships Relationship"
_HYPERLINK = "/hyperlink"


class DocxError(Exception):
    """Not a readable Word document (broken zip, missing part, malformed XML)."""


def open_zip(data: bytes) -> zipfile.ZipFile:
    # Every central-directory entry becomes a ZipInfo before anything can be checked; a file
    # of tiny entries would cost memory by the hundred megabytes, so count them first.
    if data.count(b"PK\x01\x02") > MAX_ZIP_ENTRIES:
        raise TooLarge(f"over {MAX_ZIP_ENTRIES} files in the archive")
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise DocxError(f"{type(exc).__name__}: {exc}") from exc


@dataclass(frozen=True)
class Rel:
    id: str
    type: str
    target: str  # the part name for internal targets, the reference as written for external
    external: bool


def _rels_name(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{name}.rels")


def read_rels(archive: zipfile.ZipFile, part: str, budget: Budget) -> list[Rel]:
    name = _rels_name(part)
    if name not in archive.NameToInfo:
        return []
    folder = posixpath.dirname(part)
    rels: list[Rel] = []

    def start(tag: str, attrs: dict[str, str]) -> None:
        budget.take_element()
        if tag != _REL:
            return
        target = attrs.get("Target", "")
        external = attrs.get("TargetMode") == "External"
        if not external:
            target = posixpath.normpath(posixpath.join("/" + folder, target)).lstrip("/")
        rels.append(Rel(attrs.get("Id", ""), attrs.get("Type", ""), target, external))

    run_expat(archive, name, budget, start=start)
    return rels


def hyperlink_targets(
    archive: zipfile.ZipFile, package_rels: list[Rel], budget: Budget
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
            rels = read_rels(archive, part, budget)
        except DocxError:
            continue
        targets.extend(r.target for r in rels if r.external and r.type.endswith(_HYPERLINK))
        pending.append([r for r in rels if not r.external])
    return list(dict.fromkeys(targets))


def _refuse_dtd(*_: Any) -> None:
    # Word never writes a DTD; one in a DOCX is there for entity expansion.
    raise DocxError("DTD in a Word XML part")


def run_expat(
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
