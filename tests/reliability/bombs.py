"""Small files that unpack into very large work: the resume bombs of issue 10, made in code."""

from __future__ import annotations

import io
import zipfile
import zlib

PARAGRAPH = b"<w:p><w:r><w:t>A</w:t></w:r></w:p>"
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels"'
    b' ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/word/document.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
_PACKAGE_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)


def docx_bomb(xml_bytes: int, *, paragraph: bytes = PARAGRAPH) -> bytes:
    """A DOCX whose word/document.xml repeats ``paragraph`` to about ``xml_bytes`` bytes."""
    head = f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{_W}"><w:body>'.encode()
    tail = b"</w:body></w:document>"
    repeats = max(1, (xml_bytes - len(head) - len(tail)) // len(paragraph))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _PACKAGE_RELS)
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            member.write(head)
            block = paragraph * 4096
            for _ in range(repeats // 4096):
                member.write(block)
            member.write(paragraph * (repeats % 4096))
            member.write(tail)
    return buffer.getvalue()


def _pdf(objects: list[bytes]) -> bytes:
    """A PDF from numbered object bodies (object 1 is the catalog), with a correct xref table."""
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return out


def _stream(content: bytes, *, extra: bytes = b"", compress: bool = True) -> bytes:
    if compress:
        packed = zlib.compress(content, 9)
        return (
            b"<< /Length %d /Filter /FlateDecode %s>>\nstream\n" % (len(packed), extra)
            + packed
            + b"\nendstream"
        )
    return b"<< /Length %d %s>>\nstream\n" % (len(content), extra) + content + b"\nendstream"


def _page_objects(contents: bytes, *, xobjects: bytes = b"") -> list[bytes]:
    return [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> " + xobjects + b">> >>",
        contents,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]


def pdf_flate_bomb(stream_bytes: int, *, operator: bytes = b"(A) Tj ") -> bytes:
    """A one-page PDF whose content stream inflates to about ``stream_bytes`` of ``operator``."""
    compressor = zlib.compressobj(9)
    block = operator * (1_048_576 // len(operator))
    parts = [compressor.compress(b"BT /F1 1 Tf ")]
    parts.extend(compressor.compress(block) for _ in range(max(1, stream_bytes // len(block))))
    parts += [compressor.compress(b" ET"), compressor.flush()]
    packed = b"".join(parts)
    contents = (
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream"
    )
    return _pdf(_page_objects(contents))


def pdf_xobject_fanout(*, levels: int = 6, fanout: int = 10) -> bytes:
    """A page drawing form XObject X1 ``fanout`` times, X1 drawing X2 ``fanout`` times, ...

    ``fanout ** levels`` text draws from a file of a few kilobytes.
    """
    first_form = 6  # objects 1-5 are catalog, pages, page, contents, font
    objects = _page_objects(
        _stream(b"q " + b"/X0 Do " * fanout + b"Q", compress=False),
        xobjects=b"/XObject << /X0 %d 0 R >> " % first_form,
    )
    for level in range(levels):
        number = first_form + level
        if level + 1 < levels:
            body = b"q " + b"/X Do " * fanout + b"Q"
            resources = b"/Resources << /XObject << /X %d 0 R >> >> " % (number + 1)
        else:
            body = b"BT /F1 9 Tf 10 10 Td (A) Tj ET"
            resources = b"/Resources << /Font << /F1 5 0 R >> >> "
        objects.append(
            _stream(
                body,
                extra=b"/Type /XObject /Subtype /Form /BBox [0 0 612 792] " + resources,
                compress=False,
            )
        )
    return _pdf(objects)
