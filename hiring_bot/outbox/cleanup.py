"""Changing queued and sent rows after the fact: cancelling file shares, scrubbing a person out.

Anonymisation (``hiring_bot.domain.retention``) calls these; no other module updates outbox rows
by hand.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from hiring_bot.db.models import OutboxMessage
from hiring_bot.outbox.kinds import OutboxKind, OutboxStatus

Patterns = Sequence[tuple[re.Pattern[str], str]]


def cancel_file_shares(session: Session, *, application_id: int, now: datetime) -> None:
    """Attachments not shared yet never will be. A share in flight right now is left alone: when
    it lands with its attachment gone, the deliverer queues the file's deletion."""
    session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.kind == OutboxKind.FILE_SHARE,
            OutboxMessage.application_id == application_id,
            OutboxMessage.status == OutboxStatus.PENDING,
            or_(OutboxMessage.locked_until.is_(None), OutboxMessage.locked_until < now),
        )
        .values(status=OutboxStatus.FAILED, last_error="cancelled: application anonymised")
        .execution_options(synchronize_session=False)
    )


def scrub_messages(
    session: Session, *, replacements: Iterable[tuple[Collection[str], str]]
) -> None:
    """Replace words in message rows (reminders list names), sent or not.

    Each replacement is (the spellings of one value, what replaces them); a spelling matches as a
    whole word, in any case. Callers pass every spelling a payload may hold (e.g. mrkdwn-escaped).
    """
    patterns: list[tuple[re.Pattern[str], str]] = []
    for spellings, label in replacements:
        variants = set(spellings) - {""}
        if not variants:
            continue
        alternatives = "|".join(re.escape(v) for v in sorted(variants, key=len, reverse=True))
        patterns.append((re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE), label))
    if not patterns:
        return
    query = select(OutboxMessage).where(OutboxMessage.kind == OutboxKind.MESSAGE)
    for row in session.scalars(query):
        payload = row.payload or {}
        flat = json.dumps(payload, ensure_ascii=False)
        if not any(pattern.search(flat) for pattern, _label in patterns):
            continue
        row.payload = _replace_strings(payload, patterns)


def _replace_strings(value: Any, patterns: Patterns) -> Any:
    if isinstance(value, str):
        for pattern, label in patterns:
            value = pattern.sub(label, value)
        return value
    if isinstance(value, dict):
        return {key: _replace_strings(item, patterns) for key, item in value.items()}
    if isinstance(value, list):
        return [_replace_strings(item, patterns) for item in value]
    return value
