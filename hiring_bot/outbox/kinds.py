"""What an outbox row is (its kind) and where it stands (its status).

The values are the strings stored in ``outbox.kind`` and ``outbox.status``; they never change.
"""

from __future__ import annotations

from enum import StrEnum


class OutboxKind(StrEnum):
    CARD_POST = "card_post"
    CARD_UPDATE = "card_update"
    MESSAGE = "message"
    FILE_SHARE = "file_share"
    # A file shared into a card's thread, deleted from Slack when its application is anonymised.
    FILE_DELETE = "file_delete"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    # A backfill's card posts (`--no-post`): kept, never picked up by a deliverer.
    HELD = "held"
