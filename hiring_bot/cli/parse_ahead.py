"""Parsing the next messages of an ingest in worker processes while this one stores the current.

Parsing is pure (bytes in, a draft out) and costs about as much as storing, so on a machine with
more than one core it runs ahead in a small process pool while the single writer (the caller)
stores, in order, what comes back. Only the writer touches the database: what is stored, and
in which order, is what a run in one process stores. A worker ignores Ctrl-C: the interrupt is
the writer's, which keeps what it committed; the workers are then stopped.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from hiring_bot.intake.draft import IntakeLimits, ParseResult, WindowSpec
from hiring_bot.intake.email_parser import parse_email

# Below this many messages the pool's start is not worth it: they are parsed in-process.
MIN_MESSAGES = 32
MAX_WORKERS = 3
# Parsed ahead of the writer at most: enough to keep the workers busy, bounded in memory.
AHEAD_MESSAGES = 16
AHEAD_BYTES = 64 * 1024 * 1024

_windows: Sequence[WindowSpec] = ()
_limits: IntakeLimits | None = None


def workers_for(messages: int) -> int:
    """How many parsing processes to start for ``messages`` messages; 0 means parse in-process.

    One core stays the writer's; the rest parse.
    """
    if messages < MIN_MESSAGES or "fork" not in multiprocessing.get_all_start_methods():
        return 0
    return max(0, min((os.cpu_count() or 1) - 1, MAX_WORKERS))


class ParseAhead:
    """A pool of parsing processes; ``submit`` a message's bytes, read its draft from the future."""

    def __init__(self, workers: int, windows: Sequence[WindowSpec], limits: IntakeLimits) -> None:
        # fork: a worker starts in milliseconds with everything imported. It never touches the
        # database connections it inherits, and ends with os._exit, so they are not closed.
        self._pool = ProcessPoolExecutor(
            workers,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_start_worker,
            initargs=(tuple(windows), limits, os.getpid()),
        )
        self.broken = False

    def submit(self, raw: bytes) -> Future[ParseResult] | None:
        """The message's parse under way, or None when the pool is gone (parse it in-process)."""
        if self.broken:
            return None
        try:
            return self._pool.submit(_parse, raw)
        except (BrokenProcessPool, RuntimeError):
            self.broken = True
            return None

    def result(self, future: Future[ParseResult] | None) -> ParseResult | None:
        """The draft, or None when it must be parsed in-process (a worker died, or the parse
        raised: in-process, the writer's own handling turns that into the message's outcome)."""
        if future is None:
            return None
        try:
            return future.result()
        except BrokenProcessPool:
            self.broken = True
            return None
        except Exception:
            return None

    def close(self) -> None:
        """Stop the workers; a parse nobody waits for any more is dropped."""
        self._pool.shutdown(wait=True, cancel_futures=True)


def _start_worker(windows: tuple[WindowSpec, ...], limits: IntakeLimits, parent: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with(parent)
    # The writer's stdout is its output; a worker must not hold the pipe open after it is gone.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)
    global _windows, _limits
    _windows, _limits = windows, limits


def _die_with(parent: int) -> None:
    """A writer killed outright (SIGKILL: no clean-up runs) takes its workers with it (Linux)."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # gone before that took effect
        os._exit(0)


_PR_SET_PDEATHSIG = 1


def _parse(raw: bytes) -> ParseResult:
    assert _limits is not None, "worker not started"
    return parse_email(raw, windows=_windows, limits=_limits)
