"""PDF text from a pool of ``pdf_worker`` child processes; each job ends at a wall-clock deadline.

A worker is started once and reused (a job costs one pipe round trip, not a process start); the
caller waits for pages until its deadline and then kills the worker, so a bomb costs the budget
and the worker's memory, and the calling process never holds more than the text. Pages read
before the deadline are kept. Workers killed or exited after a limit are replaced at once, in the
background, so the next PDF does not wait for the start-up.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import logging
import os
import select
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from hiring_bot.intake.bounded import WALL_FACTOR

__all__ = ["PdfPages", "read_pdf"]

log = logging.getLogger(__name__)

WORKER_HEADROOM_BYTES = 64_000_000
WORKER_START_SECONDS = 15.0  # a cold interpreter on a busy machine; not charged to the document
JOBS_PER_WORKER = 500  # then a fresh process, so fragmentation cannot build up
IDLE_WORKERS = 2
MAX_WORKERS = 2
_REQUEST = struct.Struct(">II")
_FRAME = struct.Struct(">I")


@dataclass
class PdfPages:
    """What the worker read before it finished, failed or ran out of budget."""

    texts: list[str] = field(default_factory=list)
    uris: list[str] = field(default_factory=list)
    open_failure: str | None = None  # "encrypted" / "unreadable PDF: ..." when it did not open
    failures: int = 0
    too_large: str | None = None  # the bound that stopped it ("time limit reached", ...)


class _WorkerGone(Exception):
    pass


class _Worker:
    def __init__(self) -> None:
        self.owner = os.getpid()
        self.jobs = 0
        self.ready = False
        self._buffer = bytearray()
        # Our own module under the running interpreter: no untrusted input reaches the command.
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "hiring_bot.intake.pdf_worker", str(WORKER_HEADROOM_BYTES)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            close_fds=True,
        )

    def wait_ready(self) -> None:
        if not self.ready:
            message = self.receive(time.monotonic() + WORKER_START_SECONDS)
            if not message.get("ready"):
                raise _WorkerGone("no ready message")
            self.ready = True

    def send(self, data: bytes, max_pages: int) -> None:
        stdin = self.process.stdin
        assert stdin is not None
        try:
            stdin.write(_REQUEST.pack(len(data), max_pages))
            stdin.write(data)
            stdin.flush()
        except (BrokenPipeError, OSError) as exc:
            raise _WorkerGone(type(exc).__name__) from exc
        self.jobs += 1

    def receive(self, deadline: float) -> dict[str, Any]:
        """The next message; ``TimeoutError`` at the deadline, ``_WorkerGone`` if it exits."""
        stdout = self.process.stdout
        assert stdout is not None
        fd = stdout.fileno()
        while True:
            if len(self._buffer) >= _FRAME.size:
                (length,) = _FRAME.unpack_from(self._buffer)
                if len(self._buffer) >= _FRAME.size + length:
                    payload = bytes(self._buffer[_FRAME.size : _FRAME.size + length])
                    del self._buffer[: _FRAME.size + length]
                    try:
                        message: dict[str, Any] = json.loads(payload)
                    except ValueError as exc:
                        raise _WorkerGone("garbled message") from exc
                    return message
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            readable, _, _ = select.select([fd], [], [], remaining)
            if not readable:
                raise TimeoutError
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                raise _WorkerGone("exited")
            self._buffer += chunk

    def stop(self) -> None:
        """Kill and reap (a worker past its deadline may be deep in a page: no polite exit)."""
        with contextlib.suppress(OSError):
            self.process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()


_idle: list[_Worker] = []
_idle_lock = threading.Lock()
# Each running worker may use its headroom; at most this many run at once in one process.
_running = threading.BoundedSemaphore(MAX_WORKERS)


def _take_worker() -> _Worker:
    with _idle_lock:
        while _idle:
            worker = _idle.pop()
            if worker.owner == os.getpid() and worker.process.poll() is None:
                return worker
            if worker.owner == os.getpid():
                worker.stop()
    return _Worker()


def _give_back(worker: _Worker) -> None:
    if worker.jobs < JOBS_PER_WORKER and worker.process.poll() is None:
        with _idle_lock:
            if len(_idle) < IDLE_WORKERS:
                _idle.append(worker)
                return
    worker.stop()


def _replace(worker: _Worker) -> None:
    """Stop a spent worker and start its successor now, while nobody waits for it."""
    worker.stop()
    try:
        _give_back(_Worker())
    except OSError as exc:
        log.warning("PDF worker could not be started (%s)", type(exc).__name__)


def _forget_inherited_workers() -> None:
    # A forked child shares the parent's pipes (it must start its own workers) and may have
    # been forked while another thread held the locks.
    global _idle_lock, _running
    _idle.clear()
    _idle_lock = threading.Lock()
    _running = threading.BoundedSemaphore(MAX_WORKERS)


def _stop_all() -> None:
    with _idle_lock:
        workers, _idle[:] = list(_idle), []
    for worker in workers:
        if worker.owner == os.getpid():
            worker.stop()


os.register_at_fork(after_in_child=_forget_inherited_workers)
atexit.register(_stop_all)


def read_pdf(data: bytes, *, max_pages: int, seconds: float) -> PdfPages:
    """The PDF's pages as text, read in a worker process and cut off after ``seconds``.

    Raises ``OSError`` when no worker process can be started at all.
    """
    with _running:
        return _read_pdf(data, max_pages=max_pages, seconds=seconds)


def _read_pdf(data: bytes, *, max_pages: int, seconds: float) -> PdfPages:
    result = PdfPages()
    worker = _take_worker()
    try:
        clock = _start_job(worker, data, max_pages, seconds)
    except (_WorkerGone, TimeoutError):
        # A dead idle worker (killed from outside, say): one fresh attempt.
        worker.stop()
        worker = _Worker()
        try:
            clock = _start_job(worker, data, max_pages, seconds)
        except (_WorkerGone, TimeoutError) as exc:
            worker.stop()
            raise OSError("PDF worker did not start") from exc
    spent = False
    try:
        while True:
            try:
                message = worker.receive(clock.next_check())
            except TimeoutError:
                if clock.out_of_time():
                    raise
                continue
            if "open" in message:
                result.open_failure = str(message["open"])
                if message.get("limit"):
                    result.too_large = "over the memory limit"
                    spent = True
                break
            if "failed" in message:
                result.failures += 1
                if message.get("limit"):
                    result.too_large = _limit_reason(str(message["failed"]))
                    spent = True
                    break
            elif "text" in message:
                result.texts.append(str(message["text"]))
                result.uris.extend(str(u) for u in message.get("uris", []))
            elif message.get("done"):
                break
    except TimeoutError:
        result.too_large = "time limit reached"
        spent = True
    except _WorkerGone:
        result.too_large = "over the CPU or memory limit"
        spent = True
    if spent:
        _replace(worker)
    else:
        _give_back(worker)
    return result


def _start_job(worker: _Worker, data: bytes, max_pages: int, seconds: float) -> _JobClock:
    worker.wait_ready()  # a cold start is not the document's cost
    clock = _JobClock(worker.process.pid, seconds)
    worker.send(data, max_pages)
    return clock


class _JobClock:
    """The worker's CPU seconds for this job (from /proc), with a wall-clock backstop.

    CPU time is what a document costs; on a machine busy with other work the wall clock runs
    faster, and an ordinary resume must not become "too large" for that.
    """

    POLL_SECONDS = 0.05

    def __init__(self, pid: int, seconds: float) -> None:
        self._pid = pid
        self._seconds = seconds
        self._cpu_start = _cpu_seconds(pid)
        self._wall_deadline = time.monotonic() + WALL_FACTOR * seconds

    def next_check(self) -> float:
        return min(self._wall_deadline, time.monotonic() + self.POLL_SECONDS)

    def out_of_time(self) -> bool:
        if time.monotonic() >= self._wall_deadline:
            return True
        cpu = _cpu_seconds(self._pid)
        if cpu is None or self._cpu_start is None:
            return False  # no /proc: the wall clock alone decides
        return cpu - self._cpu_start >= self._seconds


_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu_seconds(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()
    except (OSError, IndexError):
        return None
    # After the command name: state is field 3, utime 14 and stime 15 (man 5 proc).
    return (int(fields[11]) + int(fields[12])) / _TICKS


def _limit_reason(error: str) -> str:
    if error == "LimitReachedError":
        return "over a decompression or parsing limit"
    if error == "RecursionError":
        return "nested too deeply"
    return "over the memory limit"
