"""`--no-post` for `ingest` and `import-csv`: a backfill stores applications without a card each.

Posting a thousand archived applications would flood the hiring channel at one card a second.
Their card posts (and resume shares into the cards' threads) are held in the outbox instead —
status `held`, which no deliverer picks up — and one summary message is queued for the channel.
The applications are complete otherwise: `/intern list`, `show`, `claim` and `rate` work as usual.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from hiring_bot.bootstrap import Deps
from hiring_bot.db.engine import session_scope
from hiring_bot.db.models import OutboxMessage
from hiring_bot.outbox import OutboxKind, OutboxStatus, enqueue_message


def hold_cards(deps: Deps, *, refs: Sequence[int], command: str) -> int:
    """Hold the card rows of ``refs`` and queue one summary; returns how many cards were held."""
    if not refs:
        return 0
    with session_scope(deps.sessions) as session:
        rows = list(
            session.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.application_id.in_(list(refs)),
                    OutboxMessage.kind.in_((OutboxKind.CARD_POST, OutboxKind.FILE_SHARE)),
                    OutboxMessage.status == OutboxStatus.PENDING,
                )
            )
        )
        for row in rows:
            row.status = OutboxStatus.HELD
        cards = sum(1 for row in rows if row.kind == OutboxKind.CARD_POST)
        if cards and deps.settings.hiring_channel:
            first, last = min(refs), max(refs)
            span = f"#{first}" if first == last else f"#{first}-#{last}"
            enqueue_message(
                session,
                channel=deps.settings.hiring_channel,
                text=(
                    f"Backfill: {cards} application(s) stored without cards ({span}, by "
                    f"`hiring-bot {command} --no-post`). `/intern list` shows them."
                ),
            )
    return cards
