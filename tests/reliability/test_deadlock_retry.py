"""A change Postgres rolls back to end a deadlock is run again, not answered "database busy".

The deadlock is made on purpose: another connection holds the card's outbox row (as a delivery
recording what Slack shows does) and then wants the application row the change holds, while the
change, holding the application, wants the card's row.
"""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, select

from hiring_bot.bootstrap import Deps
from hiring_bot.db.engine import session_scope
from hiring_bot.db.models import Application, AuditEntry, OutboxMessage
from hiring_bot.domain import claims
from hiring_bot.domain.applications import Outcome
from hiring_bot.outbox import card_key, enqueue_card
from hiring_bot.slack.listeners.workflow import apply_change
from tests.conftest import ALICE
from tests.db import TestDatabase
from tests.slack.review_factories import add_application


def test_a_change_chosen_to_end_a_deadlock_runs_again(deps: Deps, db: TestDatabase) -> None:
    if db.kind != "postgres":
        pytest.skip("SQLite's write transactions are serial: no deadlock to end")
    with session_scope(deps.sessions) as session:
        ref = add_application(session, "Ada Lovelace")
        enqueue_card(session, application_id=ref)
    holds_card = threading.Event()
    errors: list[BaseException] = []

    def delivery_like() -> None:
        try:
            with session_scope(deps.sessions) as session:
                session.scalar(
                    select(OutboxMessage)
                    .where(OutboxMessage.dedupe_key == card_key(ref))
                    .with_for_update()
                )
                holds_card.set()
                time.sleep(0.3)  # the change now holds the application and waits for the card
                session.get(Application, ref, with_for_update=True)
        except BaseException as exc:
            errors.append(exc)

    other = threading.Thread(target=delivery_like)
    other.start()
    assert holds_card.wait(5)
    runs: list[int] = []

    def change(session: object) -> Outcome:
        runs.append(1)
        return claims.claim(session, ref=ref, actor=ALICE, now=deps.clock.now())  # type: ignore[arg-type]

    outcome = apply_change(deps, change)
    other.join(10)

    assert not errors, errors  # Postgres ended the deadlock by rolling back the change
    assert outcome is not None
    assert outcome.application_id == ref
    assert len(runs) == 2  # rolled back once, then run again
    with deps.sessions() as session:
        assert session.scalar(select(Application.claimed_by).where(Application.id == ref)) == ALICE
        audits = session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.application_id == ref, AuditEntry.action == "claim")
        )
    assert audits == 1
