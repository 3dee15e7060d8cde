"""Outbox delivery under Slack faults: what to queue, how to drive it, and what to count.

Shared by the quick exactly-once tests and the slow fault suite; every count is read back from
the Slack stand-in's stored messages (what a person in the channel would see), never from the
calls the bot believes it made.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from hiring_bot.bootstrap import Deps
from hiring_bot.db.engine import session_scope
from hiring_bot.db.models import Application, OutboxMessage
from hiring_bot.outbox import OutboxKind, OutboxStatus, enqueue_card_update, enqueue_message
from hiring_bot.slack.cards import render_card
from hiring_bot.slack.delivery import deliver_pending
from tests.conftest import ALICE, BOB, HIRING_CHANNEL
from tests.fakes.slack_api import FakeSlack
from tests.integration.intake.helpers import application_email, ingest

POSTING_METHODS = ("chat.postMessage", "chat.update", "files.completeUploadExternal")


def stored(fake: FakeSlack) -> dict[tuple[str, str], dict[str, Any]]:
    with fake.lock:
        return {key: json.loads(json.dumps(message)) for key, message in fake.messages.items()}


def copies_by_outbox_id(fake: FakeSlack) -> Counter[int]:
    """How many messages Slack holds for each outbox row (by the metadata the outbox puts on)."""
    found: Counter[int] = Counter()
    for message in stored(fake).values():
        payload = (message.get("metadata") or {}).get("event_payload") or {}
        if "outbox_id" in payload:
            found[int(payload["outbox_id"])] += 1
    return found


def copies_with_text(fake: FakeSlack, text: str) -> int:
    return sum(1 for message in stored(fake).values() if message.get("text") == text)


def new_applications(deps: Deps, count: int, *, resumes: bool = False) -> list[int]:
    refs = []
    for i in range(count):
        outcome = ingest(
            deps,
            application_email(
                name=f"Applicant {i}",
                address=f"applicant{i}@example.edu",
                resume=None if resumes else b"",
            ),
        )
        assert outcome.ref is not None
        refs.append(outcome.ref)
    return refs


def queue_messages(deps: Deps, refs: list[int]) -> list[int]:
    """For each application: a thread message, a DM and a channel reminder; their row ids."""
    ids = []
    with session_scope(deps.sessions) as session:
        for ref in refs:
            rows = [
                enqueue_message(
                    session,
                    channel=HIRING_CHANNEL,
                    text=f"Interview for #{ref} scheduled",
                    thread_of_application=ref,
                ),
                enqueue_message(session, channel=ALICE, text=f"Please rate #{ref}"),
                enqueue_message(
                    session,
                    channel=HIRING_CHANNEL,
                    text=f"Reminder: #{ref} is unclaimed",
                    dedupe_key=f"reminder:unclaimed:{ref}",
                ),
            ]
            ids.extend(row.id for row in rows)
    return ids


def change(deps: Deps, ref: int, *, claimed_by: str | None, stage: str | None = None) -> None:
    """A reviewer's change and its card update, in one transaction, as the listeners do it."""
    with session_scope(deps.sessions) as session:
        application = session.get(Application, ref)
        assert application is not None
        application.claimed_by = claimed_by
        if stage is not None:
            application.stage = stage
        enqueue_card_update(session, application_id=ref)


def inject_random_faults(fake: FakeSlack, rng: random.Random, calls: int) -> None:
    """About 20% 429, 10% 500, 5% post-then-500 and 5% post-then-drop over the next calls."""
    for _ in range(calls):
        method = rng.choice(POSTING_METHODS)
        roll = rng.random()
        if roll < 0.20:
            fake.fail_next(1, status=429, retry_after=1, method=method)
        elif roll < 0.30:
            fake.fail_next(1, status=500, method=method)
        elif roll < 0.35:
            fake.fail_after_next(1, status=500, method=method)
        elif roll < 0.40:
            fake.drop_after_next(1, method=method)


def drain(deps: Deps, *, rounds: int = 60) -> None:
    """Sweep as the clock process does, with time moving on, until nothing is pending."""
    for _ in range(rounds):
        deliver_pending(deps, limit=1000)
        if not pending(deps):
            return
        deps.clock.advance(timedelta(hours=1, seconds=1))  # type: ignore[attr-defined]
    raise AssertionError(f"still pending after {rounds} sweeps: {pending(deps)}")


def pending(deps: Deps) -> list[tuple[int, str, str | None]]:
    with deps.sessions() as session:
        rows = session.scalars(
            select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.PENDING)
        )
        return [(row.id, row.kind, row.last_error) for row in rows]


@dataclass
class Tally:
    """What went wrong, by kind; empty lists when every row is in Slack once and recorded."""

    duplicated: list[str]
    missing: list[str]
    misrecorded: list[str]
    stale_cards: list[int]

    def problems(self) -> dict[str, list[Any]]:
        return {k: v for k, v in vars(self).items() if v}


def tally(deps: Deps, fake: FakeSlack) -> Tally:
    copies = copies_by_outbox_id(fake)
    messages = stored(fake)
    duplicated, missing, misrecorded, stale = [], [], [], []
    with deps.sessions() as session:
        rows = list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        for row in rows:
            if row.kind not in (OutboxKind.CARD_POST, OutboxKind.MESSAGE):
                continue
            name = f"#{row.id} {row.kind}"
            if copies[row.id] > 1:
                duplicated.append(f"{name} x{copies[row.id]}")
            if row.status != OutboxStatus.SENT or copies[row.id] == 0:
                missing.append(name)
                continue
            message = messages.get((str(row.posted_channel), str(row.posted_ts)))
            payload = ((message or {}).get("metadata") or {}).get("event_payload") or {}
            if payload.get("outbox_id") != row.id:
                misrecorded.append(name)
        for application in session.scalars(select(Application).order_by(Application.id)):
            card = messages.get((str(application.card_channel), str(application.card_ts)))
            _text, blocks = render_card(session, application.id, settings=deps.settings)
            if card is None or card.get("blocks") != json.loads(json.dumps(blocks)):
                stale.append(application.id)
        # File shares: one shared file per attachment row in the card's thread.
        shares = Counter(
            (f.get("title"), f.get("name"), m.get("thread_ts"))
            for m in messages.values()
            for f in m.get("files") or []
        )
        for key, count in shares.items():
            if count > 1:
                duplicated.append(f"file {key[0]} in thread {key[2]} x{count}")
    return Tally(duplicated, missing, misrecorded, stale)


def reviewers() -> tuple[str, str]:
    return ALICE, BOB
