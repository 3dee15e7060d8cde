"""The console script: help everywhere, clean config errors, idempotent migrate."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

from tests.db import empty_database
from tests.integration.processes import REPO, run_cli

SUBCOMMANDS = ["run", "web", "socket", "clock", "migrate", "sandbox"]


def test_top_level_help_lists_the_sub_commands(tmp_path: Path) -> None:
    result = run_cli("--help", env={}, cwd=tmp_path)
    assert result.returncode == 0
    for name in SUBCOMMANDS:
        assert name in result.stdout


@pytest.mark.parametrize("name", SUBCOMMANDS)
def test_every_sub_command_has_help(name: str, tmp_path: Path) -> None:
    result = run_cli(name, "--help", env={}, cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.startswith(f"usage: hiring-bot {name}")


def test_running_with_part_of_the_slack_settings_names_what_to_set(tmp_path: Path) -> None:
    # With none of them it is the sandbox (tests/integration/test_run.py).
    result = run_cli(env={"HIRING_CHANNEL": "C0123ABC"}, cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", ".env.example"):
        assert name in result.stderr


def test_socket_mode_names_the_app_token(tmp_path: Path) -> None:
    result = run_cli(
        "socket", env={"SLACK_BOT_TOKEN": "xoxb-1", "HIRING_CHANNEL": "C0123ABC"}, cwd=tmp_path
    )
    assert result.returncode == 2
    assert "SLACK_APP_TOKEN is not set" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        ({"DATABASE_URL": "mongodb://localhost/db"}, "DATABASE_URL is not a SQLite or PostgreSQL"),
        ({"HIRING_TIMEZONE": "Pacific/Atlantis"}, "HIRING_TIMEZONE 'Pacific/Atlantis'"),
        ({"PORT": "http"}, "PORT must be a whole number"),
        ({"SLACK_BOT_TOKEN": "not-a-token"}, "SLACK_BOT_TOKEN must be a bot token"),
    ],
)
def test_bad_settings_exit_2_with_one_clear_message(
    env: dict[str, str], needle: str, tmp_path: Path
) -> None:
    result = run_cli("migrate", env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert needle in result.stderr
    assert "Traceback" not in result.stderr


def test_dotenv_is_read_but_never_overrides_the_environment(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("HIRING_TIMEZONE=Nowhere/Land\nPORT=abc\n")
    result = run_cli("migrate", env={"PORT": "8080"}, cwd=tmp_path)
    assert result.returncode == 2
    assert "HIRING_TIMEZONE 'Nowhere/Land'" in result.stderr
    assert "PORT" not in result.stderr


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_migrate_creates_the_schema_and_is_idempotent(kind: str, tmp_path: Path) -> None:
    with empty_database(kind, tmp_path) as url:
        heroku_style = url.replace("postgresql+psycopg://", "postgres://")
        env = {"DATABASE_URL": heroku_style, "WINDOWS_FILE": str(REPO / "windows.toml")}
        first = run_cli("migrate", env=env, cwd=tmp_path)
        second = run_cli("migrate", env=env, cwd=tmp_path)
        engine = create_engine(url.replace("postgres://", "postgresql+psycopg://"))
        try:
            tables = set(inspect(engine).get_table_names())
        finally:
            engine.dispose()
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    assert {"applications", "candidates", "reviews", "outbox", "audit_log"} <= tables


def test_migrate_reports_an_unreachable_database_without_a_traceback(tmp_path: Path) -> None:
    result = run_cli(
        "migrate", env={"DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"}, cwd=tmp_path
    )
    assert result.returncode == 1
    assert "could not migrate" in result.stderr
    assert "Traceback" not in result.stderr
