"""A signed request is acted on once: a replay of the same signature is answered 200 and dropped.

Slack signs ``v0:{timestamp}:{body}`` and Bolt accepts a signature for five minutes, so anyone who
captures one request (a proxy log, a shared HAR file) could send it again within that window. The
per-delivery keys (`hiring_bot.domain.idempotency`: trigger_id, action_ts, view id, event_id)
already make a byte-identical replay a repeat for every state-changing listener; this guard says
it once for every request, including listeners added later: the signature of each verified
request is remembered in ``processed_events`` (kept far longer than five minutes), and a request
whose signature was seen before gets an empty 200 and reaches no listener.

Slack's own retries (``X-Slack-Retry-Num``) pass: a retry must be able to act when the first
delivery failed and rolled back, which the per-delivery keys allow and this guard would not.
Recording fails open (logged, request handled), since the per-delivery keys still hold.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_bolt.request import BoltRequest
from slack_bolt.response import BoltResponse

from hiring_bot.db.engine import session_scope
from hiring_bot.deps import Deps
from hiring_bot.domain import idempotency

__all__ = ["replay_guard"]

log = logging.getLogger(__name__)

_SIGNATURE = "x-slack-signature"
_RETRY = "x-slack-retry-num"


def _header(req: BoltRequest, name: str) -> str:
    values = req.headers.get(name) or []
    return str(values[0]) if values else ""


def replay_guard(
    deps: Deps,
) -> Callable[[BoltRequest, BoltResponse, Callable[[], BoltResponse]], BoltResponse]:
    """A Bolt middleware (runs after Bolt's signature check) that drops replayed signatures."""

    def middleware(
        req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse:
        signature = _header(req, _SIGNATURE)
        if not signature or _header(req, _RETRY):
            return next()  # Socket Mode (no signature) or Slack's own retry
        try:
            with session_scope(deps.sessions) as session:
                first = idempotency.first_time(
                    session, key=idempotency.signature_key(signature), now=deps.clock.now()
                )
        except Exception as exc:  # the per-delivery keys still guard every effect
            log.warning("request signature not recorded (%s)", type(exc).__name__)
            return next()
        if not first:
            log.info("replayed request signature ignored")
            return BoltResponse(status=200, body="")
        return next()

    return middleware
