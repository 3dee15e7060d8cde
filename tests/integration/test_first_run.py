"""A new deployment's first steps: the copied .env.example, the windows file, a bad app token."""

from __future__ import annotations

import logging
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hiring_bot.bootstrap import Deps
from hiring_bot.config import ConfigError, load_settings
from hiring_bot.config_checks import INTAKE_TOKEN_MIN_CHARS
from hiring_bot.scheduler.jobs import startup_job
from tests.conftest import BOT_TOKEN, HIRING_CHANNEL
from tests.fakes.clock import FakeClock
from tests.fakes.slack_api import FakeSlack
from tests.fakes.socket_mode import FakeSocketMode
from tests.integration.processes import REPO, run_cli

PLACEHOLDERS = {
    "SLACK_BOT_TOKEN": "xoxb-replace-with-your-bot-token",
    "SLACK_SIGNING_SECRET": "replace-with-your-signing-secret",
    "HIRING_CHANNEL": "C0000000000",
}


def _env_example_values() -> dict[str, str]:
    values = {}
    for line in (REPO / ".env.example").read_text().splitlines():
        if line and not line.startswith("#") and "=" in line:
            name, _, value = line.partition("=")
            values[name] = value
    return values


def test_the_env_example_ships_its_placeholders_and_the_webhook_off() -> None:
    values = _env_example_values()
    for name, placeholder in PLACEHOLDERS.items():
        assert values[name] == placeholder
    assert values["INTAKE_TOKEN"] == ""


def test_a_copied_env_example_is_refused_naming_each_placeholder(tmp_path: Path) -> None:
    shutil.copy(REPO / ".env.example", tmp_path / ".env")  # cp .env.example .env
    result = run_cli(env={}, cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    for name, placeholder in PLACEHOLDERS.items():
        assert f"{name} still holds the placeholder {placeholder!r}" in result.stderr
    # One message: every problem in one list, not one per start attempt.
    assert result.stderr.count("configuration problems:") == 1


@pytest.mark.parametrize(
    "token",
    [
        "replace-with-a-long-random-string",  # the old .env.example value
        "secret",
        "hunter2-hunter2",  # short
        "a" * 40,  # long but guessable
    ],
)
def test_a_public_or_guessable_intake_token_is_refused_with_how_to_make_one(token: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({"INTAKE_TOKEN": token})
    (problem,) = caught.value.problems
    assert problem.startswith("INTAKE_TOKEN")
    assert "secrets.token_urlsafe(32)" in problem


def test_a_random_intake_token_is_accepted() -> None:
    token = "k3J9_xQ2-vTz8LmN4pR7sW1yB6cF0hDgE5aU"
    assert len(token) >= INTAKE_TOKEN_MIN_CHARS
    assert load_settings({"INTAKE_TOKEN": token}).intake_token == token


def test_the_webhook_refuses_a_placeholder_token_at_start(tmp_path: Path) -> None:
    env = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": "s3cr3t-from-slack",
        "HIRING_CHANNEL": HIRING_CHANNEL,
        "INTAKE_TOKEN": "replace-with-a-long-random-string",
    }
    result = run_cli("web", env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert "INTAKE_TOKEN still holds the placeholder" in result.stderr


# --- windows ---------------------------------------------------------------------------------


def _migrate(tmp_path: Path, windows: str | None) -> tuple[int, str, str]:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}"}
    if windows is not None:
        (tmp_path / "windows.toml").write_text(windows)
    result = run_cli("migrate", env=env, cwd=tmp_path)
    return result.returncode, result.stdout, result.stderr


def test_the_release_fails_without_a_windows_file(tmp_path: Path) -> None:
    code, _out, err = _migrate(tmp_path, None)
    assert code == 2
    assert "windows.toml: no such file" in err
    assert "Traceback" not in err


def test_the_release_fails_on_a_refused_windows_file(tmp_path: Path) -> None:
    code, _out, err = _migrate(tmp_path, '[[window]]\nname = "Fall 2030"\n')
    assert code == 2
    assert "was refused" in err
    assert "application_deadline" in err


def test_a_stale_windows_file_passes_the_release_with_a_warning(tmp_path: Path) -> None:
    code, out, err = _migrate(tmp_path, (REPO / "windows.toml").read_text())
    assert code == 0, err
    assert "2 added" in out
    assert "every internship window's application deadline has passed" in err
    assert "Spring/Summer 2018" in err


def test_current_windows_pass_the_release_without_a_warning(tmp_path: Path) -> None:
    windows = (
        '[[window]]\nname = "Summer 2099"\napplication_deadline = 2099-02-28\n'
        "decision_deadline = 2099-03-31\nstarts_on = 2099-05-14\nends_on = 2099-08-31\n"
    )
    code, _out, err = _migrate(tmp_path, windows)
    assert code == 0, err
    assert "warning" not in err


def test_ingest_with_stale_windows_says_so_once(tmp_path: Path) -> None:
    (tmp_path / "windows.toml").write_text((REPO / "windows.toml").read_text())
    mails = tmp_path / "mails"
    mails.mkdir()
    for index in range(3):
        (mails / f"{index}.eml").write_text(
            f"From: Applicant {index} <a{index}@example.org>\nTo: jobs@example.org\n"
            f"Subject: Research internship, fall 2031\nMessage-ID: <m{index}@example.org>\n\n"
            "I would like to apply for the fall 2031 research internship.\n"
        )
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}"}
    result = run_cli("ingest", str(mails), env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("match no window") == 1


# --- Socket Mode -----------------------------------------------------------------------------


def test_a_refused_app_token_is_one_line_and_exit_2(tmp_path: Path, fake_slack: FakeSlack) -> None:
    with FakeSocketMode(fake_slack):
        env = {
            "SLACK_APP_TOKEN": "xapp-revoked",
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "HIRING_CHANNEL": HIRING_CHANNEL,
            "SLACK_API_URL": fake_slack.url,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
            "RUN_SCHEDULER": "0",
            "WINDOWS_FILE": str(REPO / "windows.toml"),
        }
        result = run_cli("socket", env=env, cwd=tmp_path, timeout=60)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "Slack refused SLACK_APP_TOKEN (invalid_auth)" in result.stderr
    (opened,) = fake_slack.calls_to("apps.connections.open")
    assert not opened.ok


# --- the warning on every start ------------------------------------------------------------------


def test_every_start_warns_once_the_last_deadline_has_passed(
    deps: Deps, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    # The scheduler's start-up job runs on every start of `run`, `socket` and `clock`.
    clock.set(datetime(2018, 2, 20, 17, 0, tzinfo=UTC))  # Spring/Summer 2018 still open
    with caplog.at_level(logging.WARNING, logger="hiring_bot"):
        startup_job(deps)
    assert "application deadline has passed" not in caplog.text

    clock.set(datetime(2018, 3, 1, 17, 0, tzinfo=UTC))  # the day after its deadline
    with caplog.at_level(logging.WARNING, logger="hiring_bot"):
        startup_job(deps)
    (warning,) = [r for r in caplog.records if "deadline has passed" in r.getMessage()]
    assert warning.levelno == logging.WARNING
    assert "Spring/Summer 2018, 2018-02-28" in warning.getMessage()
    assert "hiring-bot windows --sync" in warning.getMessage()
