"""`hiring-bot doctor` against the fake Slack: a good set-up passes; each broken one names a fix."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import BOT_TOKEN, HIRING_CHANNEL
from tests.fakes.slack_api import FakeSlack
from tests.integration.processes import REPO, run_cli

CURRENT_WINDOWS = (
    '[[window]]\nname = "Summer 2099"\naliases = ["summer"]\napplication_deadline = 2099-02-28\n'
    "decision_deadline = 2099-03-31\nstarts_on = 2099-05-14\nends_on = 2099-08-31\n"
)
TOKEN = "k3J9_xQ2-vTz8LmN4pR7sW1yB6cF0hDgE5aU"


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    fake = FakeSlack(token=BOT_TOKEN)
    fake.channel_members[HIRING_CHANNEL] = ["U0ALICE"]
    with fake:
        yield fake
    fake.assert_clean()


def _env(tmp_path: Path, fake: FakeSlack, **extra: str) -> dict[str, str]:
    windows = tmp_path / "windows.toml"
    if not windows.exists():
        windows.write_text(CURRENT_WINDOWS)
    return {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": "signing-secret-from-slack",
        "HIRING_CHANNEL": HIRING_CHANNEL,
        "SLACK_API_URL": fake.url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
        "INTAKE_TOKEN": TOKEN,
        **extra,
    }


def _doctor(tmp_path: Path, env: dict[str, str], *, migrate: bool = True) -> tuple[int, str]:
    if migrate:
        released = run_cli("migrate", env=env, cwd=tmp_path)
        assert released.returncode == 0, released.stderr
    result = run_cli("doctor", env=env, cwd=tmp_path)
    assert "Traceback" not in result.stderr
    return result.returncode, result.stdout


def _line(output: str, name: str) -> str:
    (line,) = [ln for ln in output.splitlines() if f" {name}:" in ln[:30]]
    return line


def test_a_good_set_up_passes_every_check(tmp_path: Path, slack: FakeSlack) -> None:
    code, out = _doctor(tmp_path, _env(tmp_path, slack))
    assert code == 0, out
    assert "PROBLEM" not in out
    assert out.strip().endswith("checks passed")
    for name in ("database", "windows", "slack token", "slack scopes", "hiring channel", "webhook"):
        assert _line(out, name).startswith("ok")
    assert [c.method for c in slack.calls] == ["auth.test", "conversations.info"]


def test_a_refused_bot_token(tmp_path: Path, slack: FakeSlack) -> None:
    code, out = _doctor(tmp_path, _env(tmp_path, slack, SLACK_BOT_TOKEN="xoxb-revoked"))
    assert code == 1
    assert "PROBLEM  slack token: Slack refused SLACK_BOT_TOKEN (invalid_auth)" in out
    assert "Bot User OAuth Token" in out


def test_a_missing_scope_is_named(tmp_path: Path, slack: FakeSlack) -> None:
    slack.bot_scopes = [s for s in slack.bot_scopes if s != "im:write"]
    code, out = _doctor(tmp_path, _env(tmp_path, slack))
    assert code == 1
    assert "the token lacks im:write" in _line(out, "slack scopes")
    assert "reinstall" in out


def test_the_bot_not_in_the_channel_is_told_to_invite_it(tmp_path: Path, slack: FakeSlack) -> None:
    slack.bot_channels = set()
    code, out = _doctor(tmp_path, _env(tmp_path, slack))
    assert code == 1
    assert "not a member" in _line(out, "hiring channel")
    assert "/invite @hiring-bot" in out


def test_an_unknown_channel(tmp_path: Path, slack: FakeSlack) -> None:
    code, out = _doctor(tmp_path, _env(tmp_path, slack, HIRING_CHANNEL="C0ELSEWHERE"))
    assert code == 1
    assert "(channel_not_found)" in _line(out, "hiring channel")


def test_an_unreachable_database(tmp_path: Path, slack: FakeSlack) -> None:
    env = _env(tmp_path, slack, DATABASE_URL="postgres://nobody@127.0.0.1:1/none")
    code, out = _doctor(tmp_path, env, migrate=False)
    assert code == 1
    assert "cannot be reached" in _line(out, "database")
    assert "nobody" not in out  # credentials never printed
    assert _line(out, "slack token").startswith("ok")  # the other checks still ran


def test_a_database_not_migrated(tmp_path: Path, slack: FakeSlack) -> None:
    code, out = _doctor(tmp_path, _env(tmp_path, slack), migrate=False)
    assert code == 1
    assert "run `hiring-bot migrate`" in out


def test_stale_windows_are_a_problem_with_the_fix(tmp_path: Path, slack: FakeSlack) -> None:
    (tmp_path / "windows.toml").write_text((REPO / "windows.toml").read_text())
    code, out = _doctor(tmp_path, _env(tmp_path, slack))
    assert code == 1
    line = _line(out, "windows")
    assert line.startswith("PROBLEM")
    assert "Spring/Summer 2018" in line
    assert "hiring-bot windows --sync" in out
    assert _line(out, "windows file").startswith("ok")  # the file itself is valid


def test_a_placeholder_configuration_exits_2(tmp_path: Path, slack: FakeSlack) -> None:
    env = _env(tmp_path, slack, HIRING_CHANNEL="C0000000000")
    result = run_cli("doctor", env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert "HIRING_CHANNEL still holds the placeholder" in result.stdout
