"""Shared fixtures: both databases, the fake Slack server, settings, the app served over HTTP."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from hiring_bot.bootstrap import Deps, build_client, build_deps, build_directory
from hiring_bot.config import Settings
from hiring_bot.slack.app import build_app
from hiring_bot.slack.pacing import ChannelPacer
from hiring_bot.web import WebApp, build_web
from tests.db import (
    TestDatabase,
    _postgres_schema,  # noqa: F401  (session fixture used by `migrated_db`)
    postgres_database,
    postgres_unavailable,
    sqlite_database,
)
from tests.fakes.clock import FakeClock
from tests.fakes.signed import SlackRequests
from tests.fakes.slack_api import FakeSlack

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SIGNING_SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test"
HIRING_CHANNEL = "C0HIRING"
ADMIN = "U0ADMIN"
ALICE = "U0ALICE"
BOB = "U0BOB"
CAROL = "U0CAROL"
OUTSIDER = "U0OUTSIDER"


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def migrated_db(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[TestDatabase]:
    if request.param == "sqlite":
        database = sqlite_database(tmp_path_factory.mktemp("sqlite"))
    else:
        target = request.getfixturevalue("_postgres_schema")
        if target is None:
            postgres_unavailable("no TEST_DATABASE_URL and nothing on 127.0.0.1:5432")
        database = postgres_database(*target)
    yield database
    database.engine.dispose()


@pytest.fixture
def db(migrated_db: TestDatabase) -> Iterator[TestDatabase]:
    """A migrated, empty database; emptied again after the test."""
    migrated_db.reset()
    yield migrated_db
    migrated_db.reset()


@pytest.fixture
def session(db: TestDatabase) -> Iterator[Session]:
    """A session inside one transaction that is rolled back at the end."""
    connection = db.engine.connect()
    transaction = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    try:
        yield session
    finally:
        session.close()
        transaction.rollback()
        connection.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack(token=BOT_TOKEN)
    fake.channel_members[HIRING_CHANNEL] = [ADMIN, ALICE, BOB, CAROL]
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()
    fake.assert_clean()


@pytest.fixture
def settings(db: TestDatabase, fake_slack: FakeSlack, tmp_path: Path) -> Settings:
    return Settings(
        database_url=db.url,
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=fake_slack.url,
        hiring_channel=HIRING_CHANNEL,
        timezone=ZoneInfo("America/Los_Angeles"),
        admin_user_ids=frozenset({ADMIN}),
        intake_token="test-intake-token",
        run_scheduler=False,
        windows_file=REPO / "windows.toml",
    )


@pytest.fixture
def deps(settings: Settings, db: TestDatabase, clock: FakeClock) -> Iterator[Deps]:
    # Short timeouts so a test of a hanging Slack fails fast instead of waiting 10 s per call.
    client = build_client(settings, timeout=3)
    # Posts are not spaced out here (tests post bursts on purpose); tests/unit/test_pacing.py and
    # the outbox pacing test check the spacing itself.
    deps = build_deps(
        settings, engine=db.engine, client=client, clock=clock, pacer=ChannelPacer(interval=0)
    )
    yield deps
    # As a process does when it stops; nothing runs on once the database is emptied.
    deps.background.shutdown(timeout=15)


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return None


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    # Race tests open 50 connections at once; the default backlog of 5 resets most of them.
    request_queue_size = 128


@dataclass
class RunningApp:
    web: WebApp
    base_url: str
    slack: SlackRequests
    deps: Deps


def serve(web: WebApp) -> tuple[_ThreadingServer, str]:
    server = make_server(
        "127.0.0.1", 0, web, server_class=_ThreadingServer, handler_class=_QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, f"http://127.0.0.1:{server.server_port}"


@pytest.fixture
def running_app(deps: Deps) -> Iterator[RunningApp]:
    """The real WSGI app (Bolt + routes) over HTTP on 127.0.0.1."""
    web = build_web(deps, build_app(deps))
    server, base = serve(web)
    try:
        yield RunningApp(web, base, SlackRequests(base, SIGNING_SECRET), deps)
    finally:
        server.shutdown()
        server.server_close()


def with_settings(deps: Deps, **changes: object) -> Deps:
    settings = replace(deps.settings, **changes)  # type: ignore[arg-type]
    directory = build_directory(settings, client=deps.client, clock=deps.clock)
    return replace(deps, settings=settings, directory=directory)


# --- the log scan over the whole session --------------------------------------------------------
# Every record any logger emits during the run (root at DEBUG, so slack_sdk, Bolt, SQLAlchemy and
# our own debug lines all exist) is checked as it is emitted against the candidate data the tests
# use and the test secrets; nothing is stored but the first few hits, and the session fails at
# the end if there are any (issue 10, point 6). Production's log safety (install_log_safety) is
# installed first, as configure_logging does, so this checks what production would write.

LOGGED_NEVER = (
    # The sample applicants of the factories, intake helpers, parser tests and reliability tests.
    "Ada Lovelace",
    "ada@example.edu",
    "ada.lovelace.",  # add_application's generated addresses (ada.lovelace.<n>@example.edu)
    "Grace Hopper",
    "grace@example.edu",
    "Jane Doe",
    "jane.doe@example.edu",
    "Zenobia Quillfeather",
    "zenobia.quillfeather@example.edu",
    "Priya Raman",
    "priya.raman@mit.edu",
    "jose.garcia@ucb.edu",
    # What they wrote: the cover letters and the corpus resume.
    "models of cortex with spiking neurons",
    "models of dendritic computation",
    "my dendritic-gating thesis",
    "career sabbatical",
    "posquit0.bj@gmail.com",
    "brilliant but anxious",
    # Secrets.
    SIGNING_SECRET,
    BOT_TOKEN,
    "test-intake-token",
)
_LOGGED_NEVER = re.compile("|".join(re.escape(n) for n in LOGGED_NEVER), re.IGNORECASE)
MAX_LOG_HITS = 20


class _LogScan(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s: %(message)s"))
        self.test = "(collection)"
        self.hits: list[str] = []
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self.format(record)
        except Exception:  # a broken record is the logging call's problem, not a leak
            return
        found = _LOGGED_NEVER.search(text)
        if found is None:
            return
        self.count += 1
        if len(self.hits) < MAX_LOG_HITS:
            self.hits.append(f"{self.test}: {record.name} logged {found.group()!r}")


_LOG_SCAN = _LogScan()


def pytest_sessionstart(session: pytest.Session) -> None:
    from hiring_bot.logsafety import install_log_safety

    root = logging.getLogger()
    root.addHandler(_LOG_SCAN)
    install_log_safety()
    root.setLevel(logging.DEBUG)


def pytest_runtest_setup(item: pytest.Item) -> None:
    _LOG_SCAN.test = item.nodeid


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    logging.getLogger().removeHandler(_LOG_SCAN)
    if _LOG_SCAN.count:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        lines = "\n  ".join(_LOG_SCAN.hits)
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        message = (
            f"log scan: {_LOG_SCAN.count} log record(s) carried candidate data or a secret:"
            f"\n  {lines}"
        )
        if reporter is not None:
            reporter.ensure_newline()
            reporter.write_sep("=", "log scan failed", red=True)
            reporter.write_line(message, red=True)
        else:
            print(message)
