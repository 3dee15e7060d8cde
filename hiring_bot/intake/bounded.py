"""A work budget that stops a parser while it runs: bytes unpacked, elements visited, wall time.

Parsers charge the budget as they go and get ``TooLarge`` the moment any bound is passed, so a
small file that unpacks into a huge document costs at most the budget, never the whole document.
"""

from __future__ import annotations

import time
import zipfile
from collections.abc import Callable, Iterator

__all__ = ["WALL_FACTOR", "Budget", "TooLarge", "read_zip_member"]

# How much longer than its CPU budget a document may take on a machine busy with other work.
WALL_FACTOR = 1.25
_TIME_CHECK_EVERY = 2048  # elements between clock reads: a clock read costs about as much as one


class TooLarge(Exception):
    """The input needs more than its budget; the message names the bound (no input content)."""


class Budget:
    """Bytes, elements and seconds one document may use; ``TooLarge`` when one runs out.

    The seconds are this thread's CPU time, so a busy machine does not turn an ordinary resume
    into "too large"; wall time stops it too, at ``WALL_FACTOR`` times the budget.
    """

    def __init__(
        self,
        *,
        seconds: float,
        max_bytes: int,
        max_elements: int,
        cpu_clock: Callable[[], float] = time.thread_time,
        wall_clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._cpu_clock = cpu_clock
        self._wall_clock = wall_clock
        self._cpu_deadline = cpu_clock() + seconds
        self._wall_deadline = wall_clock() + WALL_FACTOR * seconds
        self.max_bytes = max_bytes
        self.max_elements = max_elements
        self.bytes_used = 0
        self.elements = 0

    def take_bytes(self, count: int) -> None:
        self.bytes_used += count
        if self.bytes_used > self.max_bytes:
            raise TooLarge(f"over {self.max_bytes} bytes unpacked")
        self.check_time()

    def take_element(self) -> None:
        self.elements += 1
        if self.elements > self.max_elements:
            raise TooLarge(f"over {self.max_elements} elements")
        if self.elements % _TIME_CHECK_EVERY == 0:
            self.check_time()

    def check_time(self) -> None:
        if self._cpu_clock() >= self._cpu_deadline or self._wall_clock() >= self._wall_deadline:
            raise TooLarge("time limit reached")


def read_zip_member(
    archive: zipfile.ZipFile, name: str, budget: Budget, *, chunk_size: int = 65536
) -> Iterator[bytes]:
    """The member's bytes in chunks, each charged to ``budget`` before it is handed on.

    ``ZipExtFile.read(n)`` inflates at most ``n`` bytes, so a bomb is never unpacked further
    than the budget allows.
    """
    with archive.open(name) as member:
        while chunk := member.read(chunk_size):
            budget.take_bytes(len(chunk))
            yield chunk
