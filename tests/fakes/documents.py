"""Small, valid PDFs made in code: resumes for the parser tests and the benchmark."""

from __future__ import annotations


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def make_pdf(pages: list[list[str]], *, uri: str | None = None) -> bytes:
    """One page per list of lines (Helvetica text); `uri` adds a link annotation on page one."""
    objects: list[str] = ["<< /Type /Catalog /Pages 2 0 R >>", ""]
    kids: list[str] = []
    annotation: int | None = None
    for index, lines in enumerate(pages):
        body = " ".join(f"({_escape(line)}) Tj 0 -14 Td" for line in lines)
        content = f"BT /F1 11 Tf 72 720 Td {body} ET"
        page = len(objects) + 1
        kids.append(f"{page} 0 R")
        annots = ""
        if uri and index == 0:
            annotation = page + 2
            annots = f" /Annots [{annotation} 0 R]"
        objects.append(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792]"
            f" /Contents {page + 1} 0 R /Resources << /Font << /F1 FONT 0 R >> >>{annots} >>"
        )
        objects.append(f"<< /Length {len(content)} >>\nstream\n{content}\nendstream")
        if annotation == page + 2:
            objects.append(
                "<< /Type /Annot /Subtype /Link /Rect [72 700 200 712]"
                f" /A << /S /URI /URI ({_escape(uri or '')}) >> >>"
            )
    font = len(objects) + 1
    objects.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
    objects = [o.replace("FONT", str(font)) for o in objects]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{obj}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out
