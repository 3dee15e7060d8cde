"""A locked, vanished or silent database: clear answers within seconds, /healthz says so.

Before issue 9: a command waited 30 s for a SQLite lock (forever for a Postgres one), /healthz ran
`SELECT 1` (200 while the SQLite file was locked or gone), and a Postgres host that accepted
connections but never answered hung /healthz and every command.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hiring_bot.bootstrap import Deps, build_client, build_deps
from hiring_bot.db.engine import make_engine
from hiring_bot.db.migrate import upgrade
from hiring_bot.slack.app import build_app
from hiring_bot.web import build_web
from tests.conftest import ALICE, HIRING_CHANNEL, SIGNING_SECRET, RunningApp, serve
from tests.db import TestDatabase
from tests.fakes.signed import SlackRequests
from tests.fakes.slack_api import FakeSlack
from tests.integration.processes import get_json
from tests.reliability.faults import BlackHole, database_locked, settings_for, writes_blocked
from tests.slack.review_harness import Harness, answer_to, harness

__all__ = ["harness"]

# Slack's limit for an ack; the answers below must come well within it plus a little slack for
# a loaded test machine.
SLACK_ACK = 3.0
LOADED_MACHINE = 1.0


def timed_get(url: str) -> tuple[int, dict[str, object], float]:
    start = time.monotonic()
    status, body = get_json(url)
    return status, body, time.monotonic() - start


def test_healthz_reads_and_with_deep_writes_the_database(
    running_app: RunningApp, db: TestDatabase
) -> None:
    base = running_app.base_url
    assert get_json(f"{base}/healthz") == (200, {"ok": True, "database": "ok"})
    assert get_json(f"{base}/healthz?deep=1") == (200, {"ok": True, "database": "ok"})
    with writes_blocked(db):
        deep, deep_body, took = timed_get(f"{base}/healthz?deep=1")
        shallow = get_json(f"{base}/healthz")[0]
    assert deep == 503, deep_body
    assert deep_body["database"] == "locked"
    assert took < SLACK_ACK
    # Postgres reads still work; every SQLite command needs the write lock, so even the plain
    # check takes it for a moment.
    assert shallow == (503 if db.kind == "sqlite" else 200)


def test_locked_database_commands_answer_within_seconds_and_healthz_is_503(
    harness: Harness, db: TestDatabase
) -> None:
    ref = harness.application("Ada Lovelace")
    before = len(harness.fake.responses)
    with database_locked(db):
        start = time.monotonic()
        ack = harness.command_ack(f"claim {ref}")
        answer = answer_to(ack, harness.fake, before=before, timeout=10)
        elapsed = time.monotonic() - start
        status, body, health_took = timed_get(f"{harness.app.base_url}/healthz")
    assert "database is busy or not answering" in answer["text"], answer
    assert elapsed < SLACK_ACK + LOADED_MACHINE, f"answered after {elapsed:.1f} s"
    assert status == 503, body
    assert body["database"] == "locked", body
    assert health_took < SLACK_ACK, f"/healthz took {health_took:.1f} s"
    # Lock released: the same command now works.
    assert f"You claimed #{ref}" in harness.command(f"claim {ref}", user=ALICE)["text"]
    assert get_json(f"{harness.app.base_url}/healthz")[0] == 200


@pytest.fixture
def sqlite_in_folder(tmp_path: Path, fake_slack: FakeSlack) -> Iterator[tuple[Path, str]]:
    """The real app on a SQLite file of its own in `folder`; yields (folder, base URL)."""
    folder = tmp_path / "data"
    folder.mkdir()
    settings = settings_for(f"sqlite:///{folder / 'hiring.db'}", fake_slack.url)
    engine = make_engine(settings.database_url)
    upgrade(engine)
    deps = build_deps(settings, engine=engine, client=build_client(settings, timeout=3))
    server, base = serve(build_web(deps, build_app(deps)))
    try:
        yield folder, base
    finally:
        server.shutdown()
        server.server_close()
        engine.dispose()


def test_healthz_is_503_when_the_sqlite_folder_is_gone(
    sqlite_in_folder: tuple[Path, str],
) -> None:
    folder, base = sqlite_in_folder
    assert get_json(f"{base}/healthz")[0] == 200
    shutil.rmtree(folder)
    status, body, took = timed_get(f"{base}/healthz")
    assert status == 503, body
    assert body["database"] == "missing"
    assert took < SLACK_ACK
    assert get_json(f"{base}/healthz?deep=1")[0] == 503
    assert not folder.exists(), "the health check must not create the database again"


@pytest.fixture
def silent_postgres(fake_slack: FakeSlack) -> Iterator[tuple[Deps, str]]:
    """The real app with DATABASE_URL on a host that accepts connections and never answers."""
    hole = BlackHole()
    settings = settings_for(hole.database_url, fake_slack.url)
    deps = build_deps(settings, client=build_client(settings, timeout=3))
    server, base = serve(build_web(deps, build_app(deps)))
    try:
        yield deps, base
    finally:
        server.shutdown()
        server.server_close()
        hole.close()
        deps.engine.dispose()


def test_silent_postgres_healthz_is_503_in_time_and_commands_still_answered(
    silent_postgres: tuple[Deps, str], fake_slack: FakeSlack
) -> None:
    _deps, base = silent_postgres
    status, body, took = timed_get(f"{base}/healthz")
    assert status == 503, body
    assert took < SLACK_ACK, f"/healthz took {took:.1f} s"

    # 16 probes pending at once, as a load balancer retrying would send them.
    probes: list[tuple[int, dict[str, object], float]] = []
    threads = [
        threading.Thread(target=lambda: probes.append(timed_get(f"{base}/healthz")))
        for _ in range(16)
    ]
    for thread in threads:
        thread.start()
    slack = SlackRequests(base, SIGNING_SECRET)
    start = time.monotonic()
    ack = slack.slash_command(
        "help", user_id=ALICE, channel_id=HIRING_CHANNEL, response_url=fake_slack.response_url()
    )
    acked = time.monotonic() - start
    help_answer = answer_to(ack, fake_slack, before=0)
    for thread in threads:
        thread.join(10)
    assert ack.status == 200
    assert acked < SLACK_ACK, f"/intern help acked after {acked:.1f} s"
    assert "/intern" in help_answer["text"]
    assert len(probes) == 16
    assert all(status == 503 for status, _body, _took in probes), probes
    assert max(took for _s, _b, took in probes) < SLACK_ACK + LOADED_MACHINE
    # At most two probes wait on the database at a time; the rest are told so at once.
    assert sum(1 for _s, b, _t in probes if b["database"] == "busy") >= 12, probes

    start = time.monotonic()
    before = len(fake_slack.responses)
    listed = slack.slash_command(
        "list", user_id=ALICE, channel_id=HIRING_CHANNEL, response_url=fake_slack.response_url()
    )
    answer = answer_to(listed, fake_slack, before=before, timeout=10)
    took = time.monotonic() - start
    assert "database is busy or not answering" in answer["text"]
    assert took < SLACK_ACK + LOADED_MACHINE, f"/intern list answered after {took:.1f} s"
