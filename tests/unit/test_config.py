"""Settings: defaults, Heroku URLs, and one clear message listing every problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from hiring_bot.config import ConfigError, load_settings, normalise_database_url


def test_defaults_need_nothing() -> None:
    settings = load_settings({})
    assert settings.database_url == "sqlite:///hiring_bot.db"
    assert settings.port == 3000
    assert settings.slack_api_url == "https://slack.com/api/"
    assert str(settings.timezone) == "America/Los_Angeles"
    assert settings.run_scheduler is True
    assert settings.windows_file == Path("windows.toml")
    assert settings.reminder_offsets_days == (14, 7, 3, 1)
    assert not settings.socket_mode


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@db.example:5432/app", "postgresql+psycopg://u:p@db.example:5432/app"),
        ("postgresql://u:p@h/app", "postgresql+psycopg://u:p@h/app"),
        ("postgresql+psycopg://u@h/app", "postgresql+psycopg://u@h/app"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_heroku_postgres_urls_are_rewritten_for_psycopg3(given: str, expected: str) -> None:
    assert normalise_database_url(given) == expected
    assert load_settings({"DATABASE_URL": given}).database_url == expected


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(
            {
                "DATABASE_URL": "mysql://root@localhost/db",
                "PORT": "eighty",
                "HIRING_TIMEZONE": "Mars/Olympus_Mons",
                "SLACK_BOT_TOKEN": "xoxp-user-token",
                "HIRING_CHANNEL": "#hiring",
                "ADMIN_USER_IDS": "U123ABC, alice",
                "RUN_SCHEDULER": "maybe",
                "REMINDER_OFFSETS_DAYS": "7,-1",
            }
        )
    problems = caught.value.problems
    joined = "\n".join(problems)
    assert len(problems) == 8
    for name in (
        "DATABASE_URL",
        "PORT",
        "HIRING_TIMEZONE",
        "SLACK_BOT_TOKEN",
        "HIRING_CHANNEL",
        "ADMIN_USER_IDS",
        "RUN_SCHEDULER",
        "REMINDER_OFFSETS_DAYS",
    ):
        assert name in joined
    rendered = caught.value.render()
    assert ".env.example" in rendered
    assert "Traceback" not in rendered


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        ({"DATABASE_URL": "postgres://"}, "DATABASE_URL has no host"),
        ({"DATABASE_URL": "postgres://h:5432/"}, "DATABASE_URL names no database"),
        ({"PORT": "70000"}, "between 1 and 65535"),
        ({"PORT": "0"}, "PORT must be a whole number >= 1"),
        ({"SLACK_API_URL": "ftp://slack"}, "SLACK_API_URL must be an http(s) URL"),
        ({"IMAP_URL": "pop3://x@y"}, "IMAP_URL must look like"),
        ({"SLACK_APP_TOKEN": "xoxb-wrong-kind"}, "SLACK_APP_TOKEN"),
    ],
)
def test_bad_values_are_named(env: dict[str, str], needle: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(env)
    assert needle in str(caught.value)


def test_lists_and_flags_parse() -> None:
    settings = load_settings(
        {
            "ADMIN_USER_IDS": "U01ADMIN, U02ADMIN",
            "REVIEWER_USER_IDS": "U03REV U04REV",
            "RUN_SCHEDULER": "0",
            "SLACK_API_URL": "http://127.0.0.1:9/api",
            "REMINDER_OFFSETS_DAYS": "1, 7,14",
            "RETENTION_DAYS": "90",
        }
    )
    assert settings.admin_user_ids == {"U01ADMIN", "U02ADMIN"}
    assert settings.reviewer_user_ids == {"U03REV", "U04REV"}
    assert settings.run_scheduler is False
    assert settings.slack_api_url == "http://127.0.0.1:9/api/"
    assert settings.reminder_offsets_days == (14, 7, 1)
    assert settings.retention_days == 90


def test_require_slack_names_missing_variables_for_each_mode() -> None:
    settings = load_settings({})
    with pytest.raises(ConfigError) as http_mode:
        settings.require_slack(socket_mode=False)
    assert [p.split()[0] for p in http_mode.value.problems] == [
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "HIRING_CHANNEL",
    ]
    with pytest.raises(ConfigError) as socket_mode:
        settings.require_slack(socket_mode=True)
    assert [p.split()[0] for p in socket_mode.value.problems] == [
        "SLACK_BOT_TOKEN",
        "SLACK_APP_TOKEN",
        "HIRING_CHANNEL",
    ]
    complete = load_settings(
        {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "HIRING_CHANNEL": "C0123ABC"}
    )
    complete.require_slack()
