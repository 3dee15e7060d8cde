"""`make run`'s command with the example settings, pointed at the fake Slack, serves /healthz."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.fakes.slack_api import FakeSlack
from tests.integration.processes import REPO, free_port, get_json, process, wait_for_health


def _example_env(fake_url: str) -> str:
    """.env.example with its placeholders filled in, as the README asks a new deployment to."""
    filled = {
        "SLACK_API_URL": fake_url,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": "signing-secret-from-slack",
        "HIRING_CHANNEL": "C0HIRING",
    }
    lines = []
    for line in (REPO / ".env.example").read_text().splitlines():
        name = line.split("=", 1)[0]
        lines.append(f"{name}={filled[name]}" if name in filled and "=" in line else line)
    return "\n".join(lines) + "\n"


def test_run_with_example_settings_serves_healthz(tmp_path: Path) -> None:
    port = free_port()
    shutil.copy(REPO / "windows.toml", tmp_path / "windows.toml")
    with FakeSlack(token="xoxb-test") as fake:
        (tmp_path / ".env").write_text(_example_env(fake.url))
        with process("hiring-bot", env={"PORT": str(port)}, cwd=tmp_path) as bot:
            assert wait_for_health(bot, port) == 200
    # The default SQLite file was created and migrated where the bot ran.
    assert (tmp_path / "hiring_bot.db").exists()


def test_run_without_credentials_starts_the_sandbox_and_says_where(tmp_path: Path) -> None:
    port = free_port()
    with process("hiring-bot", env={"PORT": str(port)}, cwd=tmp_path) as bot:
        assert bot.stdout is not None
        first = bot.stdout.readline()
        assert wait_for_health(bot, port) == 200
        status, state = get_json(f"http://127.0.0.1:{port}/sandbox/api/state")
    assert first.startswith("hiring-bot sandbox: open "), first
    assert f"http://127.0.0.1:{port}/" in first
    assert status == 200
    assert state["channel"] == {"id": "C0HIRING01", "name": "hiring"}
    # Its own database, never the one a configured bot would use.
    assert (tmp_path / "sandbox.db").exists()
    assert not (tmp_path / "hiring_bot.db").exists()
    assert bot.returncode == 0


def test_run_with_some_credentials_still_says_what_is_missing(tmp_path: Path) -> None:
    with process("hiring-bot", env={"SLACK_BOT_TOKEN": "xoxb-real"}, cwd=tmp_path) as bot:
        bot.wait(timeout=60)
        output = bot.stdout.read() if bot.stdout else ""
    assert bot.returncode == 2
    assert "SLACK_SIGNING_SECRET is not set" in output
    assert "HIRING_CHANNEL is not set" in output
    assert "copy .env.example to .env" in output
    assert "sandbox" not in output
    assert "Traceback" not in output
