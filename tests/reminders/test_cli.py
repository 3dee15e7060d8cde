"""`hiring-bot reminders --at ... [--dry-run] [--json]` and `hiring-bot windows`, run for real."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hiring_bot.bootstrap import Deps
from hiring_bot.db.engine import session_scope
from hiring_bot.db.models import ReminderLedger, Window
from hiring_bot.domain.windows import find_window
from tests.conftest import BOB, BOT_TOKEN, HIRING_CHANNEL, REPO
from tests.db import TestDatabase
from tests.fakes.slack_api import FakeSlack
from tests.integration.processes import run_cli
from tests.reminders.factories import add_application, claim, local
from tests.reminders.test_window_walk import COUNTS, SPRING, seed_spring

T14 = "2018-02-14T09:00:00-08:00"


def cli_env(db: TestDatabase, fake_slack: FakeSlack, **extra: str) -> dict[str, str]:
    return {
        "DATABASE_URL": db.url,
        "SLACK_API_URL": fake_slack.url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "HIRING_CHANNEL": HIRING_CHANNEL,
        "HIRING_TIMEZONE": "America/Los_Angeles",
        "WINDOWS_FILE": str(REPO / "windows.toml"),
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def json_lines(stdout: str) -> list[dict[str, str]]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def ledger_size(deps: Deps) -> int:
    with deps.sessions() as session:
        return session.scalar(select(func.count()).select_from(ReminderLedger)) or 0


def spring_id(deps: Deps) -> int:
    with deps.sessions() as session:
        return session.scalars(select(Window.id).where(Window.name == SPRING)).one()


def test_dry_run_json_shows_what_is_due_and_sends_nothing(
    deps: Deps, db: TestDatabase, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    seed_spring(deps)
    result = run_cli(
        "reminders", "--at", T14, "--dry-run", "--json", env=cli_env(db, fake_slack), cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert json_lines(result.stdout) == [
        {
            "kind": "application_deadline",
            "key": f"application_deadline:w{spring_id(deps)}:T-14:{HIRING_CHANNEL}",
            "target": HIRING_CHANNEL,
            "text": f"{SPRING}: application deadline in 14 days — {COUNTS}",
        },
        {
            "kind": "digest",
            "key": f"digest:-:2018-02-14:{HIRING_CHANNEL}",
            "target": HIRING_CHANNEL,
            "text": "Digest: 0 new applications, 1 unclaimed",
        },
    ]
    assert fake_slack.calls == []
    assert ledger_size(deps) == 0


def test_sending_delivers_before_exit_and_never_twice(
    deps: Deps, db: TestDatabase, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    seed_spring(deps)
    env = cli_env(db, fake_slack)
    # No offset: local time in HIRING_TIMEZONE (09:00 PST on 14 Feb).
    first = run_cli("reminders", "--at", "2018-02-14T09:00", "--json", env=env, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    sent = json_lines(first.stdout)
    assert [(r["kind"], r["target"]) for r in sent] == [
        ("application_deadline", HIRING_CHANNEL),
        ("digest", HIRING_CHANNEL),
    ]
    posts = fake_slack.calls_to("chat.postMessage")
    assert [c.params["text"] for c in posts] == [r["text"] for r in sent]

    again = run_cli("reminders", "--at", T14, env=env, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "0 queued" in again.stdout
    assert "Slack: 0 message(s) delivered" in again.stdout
    assert len(fake_slack.calls_to("chat.postMessage")) == 2
    # The dry run now has nothing left to show either.
    dry = run_cli("reminders", "--at", T14, "--dry-run", "--json", env=env, cwd=tmp_path)
    assert dry.stdout.strip() == ""


def test_human_output_names_each_reminder(
    deps: Deps, db: TestDatabase, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    seed_spring(deps)
    result = run_cli(
        "reminders", "--at", T14, "--dry-run", env=cli_env(db, fake_slack), cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert (
        f"would send application_deadline to {HIRING_CHANNEL}: {SPRING}: application deadline "
        "in 14 days" in result.stdout
    )
    assert "dry run: nothing sent or recorded" in result.stdout


def test_summary_line_counts_one_claim_in_the_singular(
    deps: Deps, db: TestDatabase, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    seed_spring(deps)
    with session_scope(deps.sessions) as session:
        window = find_window(session, SPRING)
        stale = add_application(
            session, window=window, name="Eve Stale", received_at=local(2018, 2, 1)
        )
        claim(session, stale, BOB, local(2018, 2, 5))  # 9 days unrated: released at T14
    result = run_cli(
        "reminders", "--at", T14, "--dry-run", env=cli_env(db, fake_slack), cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "1 claim to release," in result.stdout
    assert "1 claims" not in result.stdout


def test_bad_instant_is_a_clear_error(
    db: TestDatabase, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    result = run_cli(
        "reminders", "--at", "next tuesday", "--dry-run", env=cli_env(db, fake_slack), cwd=tmp_path
    )
    assert result.returncode == 2
    assert "--at 'next tuesday' is not an ISO-8601 date-time" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_time_zone_is_refused(
    db: TestDatabase, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    env = cli_env(db, fake_slack, HIRING_TIMEZONE="Mars/Olympus_Mons")
    result = run_cli("reminders", "--at", T14, "--dry-run", env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert "HIRING_TIMEZONE 'Mars/Olympus_Mons' is not an IANA time zone name" in result.stderr


def test_windows_command_validates_and_syncs(
    deps: Deps, db: TestDatabase, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    env = cli_env(db, fake_slack)
    shown = run_cli("windows", "--sync", env=env, cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "2 window(s), valid" in shown.stdout
    assert "windows: 2 added" in shown.stdout

    bad = tmp_path / "windows.toml"
    bad.write_text(
        (REPO / "windows.toml")
        .read_text(encoding="utf-8")
        .replace("application_deadline = 2018-02-28", "application_deadline = 2018-02-30")
        .replace("decision_deadline = 2017-11-30", "decision_deadline = 2017-10-01"),
        encoding="utf-8",
    )
    refused = run_cli("windows", "--sync", "--file", str(bad), env=env, cwd=tmp_path)
    assert refused.returncode == 1
    assert "refused; the windows in force are kept" in refused.stderr
    assert "windows.toml line 16, field 'application_deadline': '2018-02-30'" in refused.stderr
    assert "Traceback" not in refused.stderr
    with deps.sessions() as session:
        deadlines = sorted(str(d) for d in session.scalars(select(Window.application_deadline)))
    assert deadlines == ["2017-10-31", "2018-02-28"]


@pytest.mark.parametrize(
    ("old", "new", "needle"),
    [
        (
            "decision_deadline = 2017-11-30",
            "decision_deadline = 2017-10-01",
            "windows.toml line 9, field 'decision_deadline': window 'Winter 2017/2018': "
            "decision_deadline 2017-10-01 is before application_deadline 2017-10-31",
        ),
        (
            "ends_on = 2018-08-31",
            "ends_on = 2018-02-30",
            "windows.toml line 19, field 'ends_on': '2018-02-30' is not a real calendar date",
        ),
        (
            'name = "Spring/Summer 2018"',
            'name = "Spring/Summer 2018',
            "windows.toml line 14, field 'name': TOML syntax error:",
        ),
        (
            "[[window]]",
            'timezone = "Pacific/Atlantis"\n\n[[window]]',
            "windows.toml line 5, field 'timezone': 'Pacific/Atlantis' is not a known IANA",
        ),
    ],
    ids=["out-of-order", "2018-02-30", "toml-syntax", "unknown-time-zone"],
)
def test_bad_windows_file_is_refused_naming_line_and_field(
    deps: Deps,
    db: TestDatabase,
    fake_slack: FakeSlack,
    tmp_path: Path,
    old: str,
    new: str,
    needle: str,
) -> None:
    seed_spring(deps)  # the windows in force
    bad = tmp_path / "windows.toml"
    bad.write_text(
        (REPO / "windows.toml").read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8"
    )
    env = cli_env(db, fake_slack, WINDOWS_FILE=str(bad))
    refused = run_cli("windows", "--sync", env=env, cwd=tmp_path)
    assert refused.returncode == 1
    assert needle in refused.stderr
    assert "Traceback" not in refused.stderr
    with deps.sessions() as session:
        rows = session.scalars(select(Window).order_by(Window.id)).all()
        assert [(w.name, str(w.ends_on)) for w in rows] == [
            ("Winter 2017/2018", "2018-04-27"),
            ("Spring/Summer 2018", "2018-08-31"),
        ]
    # Reminders still run on the windows in force.
    due = run_cli("reminders", "--at", T14, "--dry-run", "--json", env=env, cwd=tmp_path)
    assert due.returncode == 0, due.stderr
    assert json_lines(due.stdout)[0]["kind"] == "application_deadline"
