"""Intake fixtures (imported by this folder's conftest and tests/imap): the fake Slack with a
searchable history, seeded windows, background deliveries finished before the database is reset."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hiring_bot.bootstrap import Deps
from hiring_bot.domain.windows import seed_windows
from hiring_bot.slack.outbox import wait_for_background_deliveries
from tests.conftest import ADMIN, ALICE, BOB, BOT_TOKEN, CAROL, HIRING_CHANNEL, REPO
from tests.db import TestDatabase
from tests.integration.intake.helpers import HistoryFakeSlack


@pytest.fixture
def fake_slack() -> Iterator[HistoryFakeSlack]:
    fake = HistoryFakeSlack(token=BOT_TOKEN)
    fake.channel_members[HIRING_CHANNEL] = [ADMIN, ALICE, BOB, CAROL]
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()
    fake.assert_clean()


@pytest.fixture
def windows(deps: Deps) -> None:
    """The repository's windows.toml, seeded as the bot seeds it at start."""
    assert seed_windows(deps.sessions, path=REPO / "windows.toml", timezone=deps.settings.timezone)


@pytest.fixture(autouse=True)
def _background_deliveries_finish(db: TestDatabase, fake_slack: HistoryFakeSlack) -> Iterator[None]:
    """deliver_soon threads end before the database is emptied for the next test."""
    yield
    assert wait_for_background_deliveries(timeout=15)
