"""Intake fixtures (imported by this folder's conftest and tests/imap): seeded windows, background
deliveries finished before the database is reset."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hiring_bot.bootstrap import Deps
from hiring_bot.domain.windows import seed_windows
from tests.conftest import REPO


@pytest.fixture
def windows(deps: Deps) -> None:
    """The repository's windows.toml, seeded as the bot seeds it at start."""
    assert seed_windows(deps.sessions, path=REPO / "windows.toml", timezone=deps.settings.timezone)


@pytest.fixture(autouse=True)
def _background_deliveries_finish(deps: Deps) -> Iterator[None]:
    """Background deliveries end before the database is emptied for the next test."""
    yield
    assert deps.background.wait_idle(timeout=15)
