"""The outbox: Slack messages queued in the transaction that needs them, delivered once afterwards.

This package holds the queue and the rows' vocabulary and depends only on ``hiring_bot.db``;
delivery to Slack lives in ``hiring_bot.slack.delivery``, the sweep job in ``hiring_bot.scheduler``.
"""

from hiring_bot.outbox.cleanup import cancel_file_shares, scrub_messages
from hiring_bot.outbox.kinds import OutboxKind, OutboxStatus
from hiring_bot.outbox.queue import (
    DUE_NOW,
    card_key,
    card_version,
    enqueue_card,
    enqueue_card_update,
    enqueue_file_delete,
    enqueue_file_share,
    enqueue_message,
    record_card_shown,
)

__all__ = [
    "DUE_NOW",
    "OutboxKind",
    "OutboxStatus",
    "cancel_file_shares",
    "card_key",
    "card_version",
    "enqueue_card",
    "enqueue_card_update",
    "enqueue_file_delete",
    "enqueue_file_share",
    "enqueue_message",
    "record_card_shown",
    "scrub_messages",
]
