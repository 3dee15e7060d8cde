"""Space out chat.postMessage calls per channel: Slack allows about one a second in a channel.

Bursts (an ingest of fifty emails, a morning of reminders) would otherwise be answered with 429s
and retried; reserving slots keeps every post inside the limit, across threads.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

POST_INTERVAL_SECONDS = 1.0


class ChannelPacer:
    def __init__(
        self,
        interval: float = POST_INTERVAL_SECONDS,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = interval
        self._monotonic = monotonic
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next_slot: dict[str, float] = {}

    def wait(self, channel: str) -> float:
        """Block until this channel may take another post; returns how long it waited."""
        if self.interval <= 0:
            return 0.0
        with self._lock:
            now = self._monotonic()
            slot = max(now, self._next_slot.get(channel, now))
            self._next_slot[channel] = slot + self.interval
        delay = slot - now
        if delay > 0:
            self._sleep(delay)
        return delay
