"""Deliverers that die mid-call: Postgres backends terminated mid-sweep, and the Procfile's `web`
and `clock` processes SIGKILLed while a post is in flight (the post lands in Slack after the
process is gone). Every outbox row ends in Slack once, with the database pointing at it.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import threading
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.orm import Session, sessionmaker

from hiring_bot.bootstrap import Deps
from hiring_bot.db.engine import make_engine, make_session_factory, session_scope
from hiring_bot.db.models import OutboxMessage
from hiring_bot.outbox import OutboxStatus, enqueue_message
from hiring_bot.slack.delivery import deliver_pending
from tests.conftest import REPO
from tests.db import TestDatabase, empty_database
from tests.fakes.slack_api import FakeSlack
from tests.integration.intake.fixtures import (  # noqa: F401  (fixtures)
    _background_deliveries_finish,
    windows,
)
from tests.integration.intake.helpers import form_body
from tests.integration.processes import free_port, process, procfile, wait_for_health
from tests.reliability.delivery_faults import (
    copies_by_outbox_id,
    drain,
    new_applications,
    queue_messages,
    tally,
)


@pytest.mark.usefixtures("windows")
def test_postgres_backends_terminated_mid_sweep_deliver_everything_once(
    db: TestDatabase, deps: Deps, fake_slack: FakeSlack
) -> None:
    if db.kind != "postgres":
        pytest.skip("pg_terminate_backend is PostgreSQL's")
    refs = new_applications(deps, 12)
    queue_messages(deps, refs[:4])
    # Only this test's own connections are terminated (others share the server).
    ours: set[int] = set()
    deps.engine.dispose()
    event.listen(deps.engine, "connect", lambda conn, _rec: ours.add(conn.info.backend_pid))
    stop = threading.Event()
    killed = 0

    def killer() -> None:
        nonlocal killed
        admin = make_engine(db.url)
        try:
            while not stop.wait(0.03):
                with admin.connect() as connection:
                    for pid in list(ours):
                        if connection.execute(
                            text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}
                        ).scalar():
                            killed += 1
                        ours.discard(pid)
                    connection.commit()
        finally:
            admin.dispose()

    thread = threading.Thread(target=killer)
    thread.start()
    try:
        for _ in range(40):
            # What the sweep job survives (it logs and waits for the next run).
            with contextlib.suppress(Exception):
                deliver_pending(deps, limit=1000)
            deps.clock.advance(timedelta(minutes=2))  # type: ignore[attr-defined]
    finally:
        stop.set()
        thread.join(timeout=30)
    assert killed > 0
    drain(deps)

    assert tally(deps, fake_slack).problems() == {}


def _wait_locked(sessions: sessionmaker[Session], outbox_id: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with sessions() as session:
            row = session.get(OutboxMessage, outbox_id)
            if row is not None and row.locked_until is not None:
                return
        time.sleep(0.05)
    raise AssertionError(f"outbox #{outbox_id} was never claimed")


def _wait_all_sent(sessions: sessionmaker[Session], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with sessions() as session:
            left = session.scalars(
                select(OutboxMessage.id).where(OutboxMessage.status != OutboxStatus.SENT)
            ).all()
        if not left:
            return
        time.sleep(0.5)
    raise AssertionError(f"not delivered within {timeout} s: {left}")


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_web_and_clock_sigkilled_mid_post_leave_one_copy_of_each(kind: str, tmp_path: Path) -> None:
    lines = procfile()
    port = free_port()
    intake_token = secrets.token_urlsafe(32)
    with FakeSlack(token="xoxb-test") as fake, empty_database(kind, tmp_path) as url:
        env = {
            "SLACK_BOT_TOKEN": "xoxb-test",
            "SLACK_SIGNING_SECRET": "kill-secret",
            "HIRING_CHANNEL": "C0HIRING",
            "DATABASE_URL": url,
            "PORT": str(port),
            "WEB_CONCURRENCY": "2",
            "SLACK_API_URL": fake.url,
            "RUN_SCHEDULER": "0",
            "INTAKE_TOKEN": intake_token,
            "WINDOWS_FILE": str(REPO / "windows.toml"),
        }
        with process(lines["release"], env=env, cwd=tmp_path) as release:
            assert release.wait(timeout=120) == 0
        engine = make_engine(url)
        sessions = make_session_factory(engine)
        try:
            # 1. The web process posts a card right after intake; killed while Slack holds it.
            fake.hang_next(1, seconds=3, method="chat.postMessage")
            with process(lines["web"], env=env, cwd=tmp_path) as web:
                assert wait_for_health(web, port) == 200
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}/intake/applications",
                    data=json.dumps(form_body()).encode(),
                    headers={
                        "Authorization": f"Bearer {intake_token}",
                        "Content-Type": "application/json",
                    },
                    method="POST",
                )
                with urllib.request.urlopen(request, timeout=10) as response:
                    assert response.status == 201
                with sessions() as session:
                    card_id = session.scalar(
                        select(OutboxMessage.id).where(OutboxMessage.kind == "card_post")
                    )
                assert card_id is not None
                _wait_locked(sessions, card_id)
                time.sleep(0.5)
                os.killpg(web.pid, signal.SIGKILL)
                web.wait(timeout=10)
            # 2. The clock process sends a reminder; killed while Slack holds that one.
            with session_scope(sessions) as session:
                reminder_id = enqueue_message(
                    session, channel="C0HIRING", text="Reminder: 1 unclaimed", dedupe_key="r:1"
                ).id
            fake.wait_for("chat.postMessage", 1, timeout=10)  # the card landed meanwhile
            fake.hang_next(1, seconds=3, method="chat.postMessage")
            with process(lines["clock"], env=env, cwd=tmp_path) as clock:
                _wait_locked(sessions, reminder_id, timeout=90)
                time.sleep(0.5)
                os.killpg(clock.pid, signal.SIGKILL)
                clock.wait(timeout=10)
            fake.wait_for("chat.postMessage", 2, timeout=10)
            # 3. A new clock takes over once the dead ones' locks expire (60 s).
            with process(lines["clock"], env=env, cwd=tmp_path):
                _wait_all_sent(sessions, timeout=180)
            copies = copies_by_outbox_id(fake)
            assert (copies[card_id], copies[reminder_id]) == (1, 1)
            with sessions() as session:
                for outbox_id in (card_id, reminder_id):
                    row = session.get(OutboxMessage, outbox_id)
                    assert row is not None
                    message = fake.messages[(str(row.posted_channel), str(row.posted_ts))]
                    assert message["metadata"]["event_payload"]["outbox_id"] == outbox_id
        finally:
            engine.dispose()
