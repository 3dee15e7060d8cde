"""A signed request is acted on once: a replay of the same signature is answered 200 and dropped.

Slack signs ``v0:{timestamp}:{body}`` and Bolt accepts a signature for five minutes, so anyone who
captures one request (a proxy log, a shared HAR file) could send it again within that window. The
per-delivery keys (`hiring_bot.domain.idempotency`: trigger_id, action_ts, view id, event_id)
already make a byte-identical replay a repeat for the listeners that change applications; this
guard says it once for every request, including listeners without a key (help, the window modal)
and listeners added later: each verified signature is remembered for longer than Bolt accepts it,
and a request whose signature was seen before gets an empty 200 and reaches no listener.

The memory is in the process, not the database: a write per request before the ack would queue
every Slack request behind the database's write lock (SQLite) and stall acks when the database is
busy. With several web workers a replay that reaches another worker meets the per-delivery keys.
Slack's own retries (``X-Slack-Retry-Num``) pass: a retry must be able to act when the first
delivery failed, which the per-delivery keys allow.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from slack_bolt.request import BoltRequest
from slack_bolt.response import BoltResponse

__all__ = ["KEEP_SECONDS", "SignatureMemory", "replay_guard"]

log = logging.getLogger(__name__)

_SIGNATURE = "x-slack-signature"
_RETRY = "x-slack-retry-num"
# Bolt refuses timestamps over five minutes old, so after six a replay cannot pass it anyway.
KEEP_SECONDS = 6 * 60
# About 10 MB at most; past it the oldest are forgotten (their replays meet the per-delivery keys).
MAX_SIGNATURES = 50_000


class SignatureMemory:
    """Signatures seen in the last `keep` seconds; thread-safe."""

    def __init__(
        self,
        *,
        keep: float = KEEP_SECONDS,
        limit: int = MAX_SIGNATURES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._keep = keep
        self._limit = limit
        self._clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()  # signature -> when first seen
        self._lock = threading.Lock()

    def first_time(self, signature: str) -> bool:
        """Remember `signature`; False when it was seen within `keep` seconds."""
        now = self._clock()
        with self._lock:
            while self._seen:
                oldest, seen_at = next(iter(self._seen.items()))
                if now - seen_at < self._keep and len(self._seen) < self._limit:
                    break
                del self._seen[oldest]
            if signature in self._seen:
                return False
            self._seen[signature] = now
            return True


def _header(req: BoltRequest, name: str) -> str:
    values = req.headers.get(name) or []
    return str(values[0]) if values else ""


def replay_guard(
    memory: SignatureMemory,
) -> Callable[[BoltRequest, BoltResponse, Callable[[], BoltResponse]], BoltResponse]:
    """A Bolt middleware (runs after Bolt's signature check) that drops replayed signatures."""

    def middleware(
        req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse:
        signature = _header(req, _SIGNATURE)
        if not signature or _header(req, _RETRY):
            return next()  # Socket Mode (no signature) or Slack's own retry
        if not memory.first_time(signature):
            log.info("replayed request signature ignored")
            return BoltResponse(status=200, body="")
        return next()

    return middleware
