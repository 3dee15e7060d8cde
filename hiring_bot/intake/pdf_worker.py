"""The child process that runs pypdf: ``python -m hiring_bot.intake.pdf_worker HEADROOM_BYTES``.

pypdf cannot be interrupted inside a page, and one page can inflate a 100 KB file into hundreds of
megabytes or minutes of work. So it runs here, in a process the parent (``pdf_text``) can kill at
its deadline, with an address-space limit (``HEADROOM_BYTES`` over what the process uses once
pypdf is imported, plus twice the file) and a CPU-time limit per job; pypdf's own decompression
limits are lowered too, so most bombs end in a quick ``LimitReachedError`` rather than the kill.

Protocol (stdin/stdout, binary): the parent sends ``>II`` (file length, page cap) and the file;
the worker answers with frames ``>I`` length + JSON: ``{"ready"}`` once at start, then per job
``{"open": reason}`` (cannot be opened) or ``{"pages": n}`` followed by one ``{"page", "text",
"uris"}`` or ``{"page", "failed", "limit"}`` per page and ``{"done"}``. After a limit was hit the
worker exits: the parent starts a fresh one, so memory never stays high.
"""

from __future__ import annotations

import io
import json
import logging
import math
import os
import resource
import struct
import sys
import warnings
from collections.abc import Iterator
from typing import Any, BinaryIO

MAX_TEXT_CHARS = 1_000_000
# Content streams of real resumes inflate to well under a megabyte.
MAX_STREAM_BYTES = 16_000_000
CPU_SECONDS_PER_JOB = 3
_REQUEST = struct.Struct(">II")
_FRAME = struct.Struct(">I")
_LIMIT_ERRORS = ("LimitReachedError", "MemoryError", "RecursionError")


def main(argv: list[str]) -> int:
    headroom = int(argv[1]) if len(argv) > 1 else 64_000_000
    logging.getLogger("pypdf").setLevel(logging.CRITICAL)
    warnings.simplefilter("ignore")
    import pypdf  # noqa: F401  (imported before the memory limit is measured)

    _lower_pypdf_limits()
    stdin = sys.stdin.buffer
    # Frames go to a private copy of fd 1; anything else printing to stdout lands on stderr.
    stdout = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    base = _address_space()
    _send(stdout, {"ready": True})
    while True:
        header = _read_exact(stdin, _REQUEST.size)
        if header is None:
            return 0  # the parent closed the pipe
        length, max_pages = _REQUEST.unpack(header)
        data = _read_exact(stdin, length)
        if data is None:
            return 0
        _limit_job(base=base, headroom=headroom + 2 * length)
        hit_limit = False
        for message in _extract(data, max_pages):
            hit_limit = hit_limit or bool(message.get("limit"))
            _send(stdout, message)
        if hit_limit:
            return 0


def _extract(data: bytes, max_pages: int) -> Iterator[dict[str, Any]]:
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                opened = bool(reader.decrypt(""))
            except Exception:  # unsupported algorithm, missing crypto library ...
                opened = False
            if not opened:
                yield {"open": "encrypted"}
                return
        pages = reader.pages
        page_count = len(pages)
    except FileNotDecryptedError:
        yield {"open": "encrypted"}
        return
    except Exception as exc:
        kind = type(exc).__name__
        yield {"open": f"unreadable PDF: {_short(exc)}", "limit": kind in _LIMIT_ERRORS}
        return

    yield {"pages": page_count}
    chars = 0
    for index in range(min(page_count, max_pages)):
        try:
            page = pages[index]
            text = page.extract_text() or ""
            uris = list(_page_uris(page))
        except Exception as exc:
            kind = type(exc).__name__
            yield {"page": index, "failed": kind, "limit": kind in _LIMIT_ERRORS}
            if kind in _LIMIT_ERRORS:
                return
            continue
        chars += len(text)
        yield {"page": index, "text": text[:MAX_TEXT_CHARS], "uris": uris}
        if chars > MAX_TEXT_CHARS:
            break
    yield {"done": True}


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


def _lower_pypdf_limits() -> None:
    try:
        from pypdf import overwrite_configuration
    except ImportError:  # pypdf < 7: the process limits still hold
        return
    overwrite_configuration(
        maximum_declared_stream_length=MAX_STREAM_BYTES,
        array_based_stream_maximum_output_length=MAX_STREAM_BYTES,
        jbig2_maximum_output_length=MAX_STREAM_BYTES,
        lzw_maximum_output_length=MAX_STREAM_BYTES,
        run_length_maximum_output_length=MAX_STREAM_BYTES,
        zlib_maximum_output_length=MAX_STREAM_BYTES,
        brotli_maximum_output_length=MAX_STREAM_BYTES,
        image_maximum_buffer_size=MAX_STREAM_BYTES,
        stream_decoding_work_maximum_length=4 * MAX_STREAM_BYTES,
    )


def _address_space() -> int:
    """Bytes of address space in use now (VmSize); 0 where /proc is not available."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _limit_job(*, base: int, headroom: int) -> None:
    """Address space for this job and CPU seconds from now; the hard limits stay open."""
    if base:
        resource.setrlimit(resource.RLIMIT_AS, (base + headroom, resource.RLIM_INFINITY))
    used = resource.getrusage(resource.RUSAGE_SELF)
    cpu = math.ceil(used.ru_utime + used.ru_stime) + CPU_SECONDS_PER_JOB
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, resource.RLIM_INFINITY))


def _read_exact(stream: BinaryIO, size: int) -> bytes | None:
    chunks: list[bytes] = []
    remaining = size
    while remaining:
        chunk = stream.read(remaining)
        if not chunk:
            return None
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _send(stream: BinaryIO, message: dict[str, Any]) -> None:
    payload = json.dumps(message).encode()
    stream.write(_FRAME.pack(len(payload)) + payload)
    stream.flush()


def _short(exc: BaseException) -> str:
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    message = message[:80]
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


if __name__ == "__main__":
    sys.exit(main(sys.argv))
