"""Progress for long CLI runs: count, rate and ETA.

On a terminal, one line on stderr redrawn in place (`[#####.....] 120/2000 14.2/s ETA 2m12s`),
cleared before each printed result line. Otherwise (a pipe, a Heroku one-off dyno's log) a plain
line every PLAIN_EVERY_SECONDS, so a long run shows it is alive without flooding the log.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

PLAIN_EVERY_SECONDS = 10.0
WIDTH = 30


def isatty(stream: TextIO | None) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (AttributeError, ValueError):
        return False


def duration(seconds: float) -> str:
    whole = int(seconds + 0.5)
    if whole < 60:
        return f"{whole}s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


class Progress:
    def __init__(
        self,
        stream: TextIO | None,
        total: int,
        *,
        what: str = "items",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream
        self.terminal = isatty(stream)
        self.total = total
        self.what = what
        self.done = 0
        self.clock = clock
        self.started = clock()
        self.last_plain = self.started
        self.drawn = False

    def status(self) -> str:
        elapsed = max(self.clock() - self.started, 1e-9)
        rate = self.done / elapsed
        text = f"{self.done}/{self.total} {self.what}"
        if self.done and rate > 0:
            text += f", {rate:.1f}/s"
            left = self.total - self.done
            if left > 0:
                text += f", ETA {duration(left / rate)}"
        return text

    def advance(self, count: int = 1) -> None:
        self.done += count
        if self.stream is None or self.total < 2:
            return
        if self.terminal:
            filled = WIDTH * self.done // max(self.total, 1)
            bar = "#" * filled + "." * (WIDTH - filled)
            self.stream.write(f"\r\x1b[K[{bar}] {self.status()}")
            self.stream.flush()
            self.drawn = True
            return
        now = self.clock()
        if now - self.last_plain >= PLAIN_EVERY_SECONDS and self.done < self.total:
            self.last_plain = now
            print(f"progress: {self.status()}", file=self.stream, flush=True)

    def clear(self) -> None:
        """Before printing a result line: take the bar off the terminal line."""
        if self.terminal and self.drawn and self.stream is not None:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.drawn = False
