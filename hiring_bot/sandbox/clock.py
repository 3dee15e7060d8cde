"""The sandbox's clock: the real time plus an offset the page moves forward.

It implements `hiring_bot.clock.Clock`, the port every job and listener already reads time from,
so jumping ahead shows what the bot does on a later day without the app knowing it was asked to.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta


class AdjustableClock:
    def __init__(self, real_now: Callable[[], datetime] | None = None) -> None:
        self._real_now = real_now or (lambda: datetime.now(UTC))
        self._offset = timedelta(0)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._real_now() + self._offset

    @property
    def offset(self) -> timedelta:
        with self._lock:
            return self._offset

    def advance(self, delta: timedelta) -> datetime:
        """Move forward by ``delta`` (time never runs backwards: reminders are sent once)."""
        if delta < timedelta(0):
            raise ValueError("the sandbox clock only moves forward")
        with self._lock:
            self._offset += delta
            return self._real_now() + self._offset

    def jump_to(self, instant: datetime) -> datetime:
        """Move forward to ``instant`` (aware); refused when it lies in the clock's past."""
        if instant.tzinfo is None:
            raise ValueError("give an aware datetime")
        return self.advance(instant - self.now())
