"""Intake fixtures (imported by this folder's conftest and tests/imap): seeded windows, background
deliveries finished before the database is reset."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hiring_bot.bootstrap import Deps
from hiring_bot.domain.windows import seed_windows
from hiring_bot.slack.outbox import wait_for_background_deliveries
from tests.conftest import REPO
from tests.db import TestDatabase
from tests.fakes.slack_api import FakeSlack


@pytest.fixture
def windows(deps: Deps) -> None:
    """The repository's windows.toml, seeded as the bot seeds it at start."""
    assert seed_windows(deps.sessions, path=REPO / "windows.toml", timezone=deps.settings.timezone)


@pytest.fixture(autouse=True)
def _background_deliveries_finish(db: TestDatabase, fake_slack: FakeSlack) -> Iterator[None]:
    """deliver_soon threads end before the database is emptied for the next test."""
    yield
    assert wait_for_background_deliveries(timeout=15)
