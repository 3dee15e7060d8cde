"""Progress: count, rate and ETA; a redrawn line on a terminal, a periodic plain line otherwise."""

from __future__ import annotations

import io

from hiring_bot.cli.progress import PLAIN_EVERY_SECONDS, Progress, duration


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Ticks:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_status_has_count_rate_and_eta() -> None:
    clock = Ticks()
    bar = Progress(Terminal(), 100, what="messages", clock=clock)
    clock.now += 10
    bar.advance(20)
    assert bar.status() == "20/100 messages, 2.0/s, ETA 40s"


def test_a_terminal_gets_one_redrawn_line_that_clear_removes() -> None:
    out, clock = Terminal(), Ticks()
    bar = Progress(out, 3, clock=clock)
    clock.now += 1
    bar.advance()
    bar.clear()
    assert out.getvalue().startswith("\r\x1b[K[")
    assert "1/3 items" in out.getvalue()
    assert out.getvalue().endswith("\r\x1b[K")


def test_a_pipe_gets_a_plain_line_only_every_few_seconds() -> None:
    out, clock = io.StringIO(), Ticks()
    bar = Progress(out, 1000, clock=clock)
    for _ in range(5):
        clock.now += 1
        bar.advance()
    assert out.getvalue() == ""
    clock.now += PLAIN_EVERY_SECONDS
    bar.advance()
    assert out.getvalue().startswith("progress: 6/1000 items")
    assert "\r" not in out.getvalue()


def test_durations_read_naturally() -> None:
    assert [duration(s) for s in (5, 75, 3725)] == ["5s", "1m15s", "1h02m"]
