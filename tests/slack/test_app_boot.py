"""Building the Bolt app as a Heroku dyno does: with SLACK_BOT_TOKEN in the environment."""

from __future__ import annotations

import logging

import pytest

from hiring_bot.bootstrap import Deps
from hiring_bot.slack.app import build_app
from tests.conftest import BOT_TOKEN


def test_boot_logs_no_warning_when_the_token_is_in_the_environment(
    deps: Deps, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # Bolt reads SLACK_BOT_TOKEN itself; every web worker used to warn "`token` will be unused".
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    with caplog.at_level(logging.DEBUG):
        build_app(deps)
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert warnings == []
    # The filter is gone afterwards: other Bolt warnings still reach the log.
    assert logging.getLogger("hiring_bot.slack").filters == []
