"""Run one piece of work in many real threads released at the same instant; collect outcomes."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from hiring_bot.domain.errors import DomainError


@dataclass(frozen=True)
class Outcome:
    kind: str  # "ok", "refused" (a DomainError: the answer a user sees) or "error"
    text: str


def race(count: int, work: Callable[[int], str], *, timeout: float = 60.0) -> list[Outcome]:
    """`work(i)` in `count` threads that start together; one Outcome per thread, in order."""
    barrier = threading.Barrier(count)
    outcomes: list[Outcome | None] = [None] * count

    def run(i: int) -> None:
        barrier.wait()
        try:
            outcomes[i] = Outcome("ok", work(i))
        except DomainError as refusal:
            outcomes[i] = Outcome("refused", refusal.message)
        except Exception as error:
            outcomes[i] = Outcome("error", f"{type(error).__name__}: {error}"[:300])

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(t.is_alive() for t in threads), "a racer never finished"
    return [o for o in outcomes if o is not None]


def kinds(outcomes: list[Outcome]) -> dict[str, int]:
    counted: dict[str, int] = {}
    for outcome in outcomes:
        counted[outcome.kind] = counted.get(outcome.kind, 0) + 1
    return counted
