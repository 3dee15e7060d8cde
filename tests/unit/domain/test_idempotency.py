from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hiring_bot.bootstrap import Deps
from hiring_bot.db.engine import session_scope
from hiring_bot.db.models import ProcessedEvent
from hiring_bot.domain import idempotency
from hiring_bot.scheduler import processed_events
from hiring_bot.scheduler.wiring import build_scheduler
from tests.fakes.clock import FakeClock

NOW = datetime(2018, 1, 15, 17, 0, tzinfo=UTC)


def test_a_key_counts_once(session: Session) -> None:
    key = idempotency.event_key("Ev0001")
    assert idempotency.first_time(session, key=key, now=NOW)
    assert not idempotency.first_time(session, key=key, now=NOW)
    assert idempotency.first_time(session, key=idempotency.event_key("Ev0002"), now=NOW)
    assert session.scalar(select(func.count()).select_from(ProcessedEvent)) == 2


def test_keys_are_distinct_per_kind_and_bounded() -> None:
    a = idempotency.action_key(action_ts="1.2", user_id="U1", action_id="card_claim")
    b = idempotency.action_key(action_ts="1.2", user_id="U2", action_id="card_claim")
    assert a != b
    assert idempotency.view_key("V1") != idempotency.view_key("V1", "h")
    assert len(idempotency.event_key("x" * 1000)) <= idempotency.MAX_KEY


def test_prune_forgets_old_keys(session: Session) -> None:
    idempotency.first_time(session, key="old", now=NOW - timedelta(days=2))
    idempotency.first_time(session, key="new", now=NOW)
    assert idempotency.prune(session, before=NOW - timedelta(days=1)) == 1
    assert idempotency.first_time(session, key="old", now=NOW)


def test_the_daily_job_prunes_week_old_keys(deps: Deps, clock: FakeClock) -> None:
    with session_scope(deps.sessions) as session:
        idempotency.first_time(session, key="ancient", now=clock.now() - timedelta(days=8))
        idempotency.first_time(session, key="recent", now=clock.now() - timedelta(days=1))
    assert processed_events.prune_job(deps) == 1
    scheduler = build_scheduler(deps, blocking=False)
    assert scheduler.get_job("slack.prune_processed_events") is not None
