"""`hiring-bot purge [--dry-run] [--ref N ...]`, run as a real process against both databases."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select

from hiring_bot.bootstrap import Deps
from hiring_bot.db.engine import session_scope
from hiring_bot.db.models import Application, AuditEntry
from hiring_bot.slack.delivery import deliver_pending
from tests.conftest import BOT_TOKEN, HIRING_CHANNEL
from tests.db import TestDatabase
from tests.fakes.slack_api import FakeSlack
from tests.integration.processes import run_cli, run_cli_into_closed_pipe
from tests.slack.review_factories import add_application, add_window

WINTER = "Winter 2017/2018"
FUTURE = "Summer 2099"


def env(db: TestDatabase, fake: FakeSlack | None = None, **extra: str) -> dict[str, str]:
    values = {
        "DATABASE_URL": db.url,
        "HIRING_TIMEZONE": "America/Los_Angeles",
        "LOG_LEVEL": "WARNING",
        **extra,
    }
    if fake is not None:
        values.update(
            SLACK_API_URL=fake.url, SLACK_BOT_TOKEN=BOT_TOKEN, HIRING_CHANNEL=HIRING_CHANNEL
        )
    return values


def seed(deps: Deps) -> tuple[int, int]:
    """One application in a window that ended in 2018, one in a window that ends in 2099."""
    with session_scope(deps.sessions) as session:
        add_window(session, WINTER, ends_on=date(2018, 6, 30))
        add_window(
            session,
            FUTURE,
            aliases=("summer 2099",),
            application_deadline=date(2099, 3, 1),
            decision_deadline=date(2099, 4, 1),
            starts_on=date(2099, 6, 1),
            ends_on=date(2099, 9, 30),
        )
        old = add_application(session, "Ada Lovelace", window=WINTER)
        new = add_application(session, "Grace Hopper", window=FUTURE)
    return old, new


def state(deps: Deps, ref: int) -> tuple[str, bool]:
    with deps.sessions() as session:
        application = session.get(Application, ref)
        assert application is not None
        return application.candidate.name, application.anonymised_at is not None


def test_without_retention_days_it_refuses_and_changes_nothing(
    deps: Deps, db: TestDatabase, tmp_path: Path
) -> None:
    old, _ = seed(deps)
    result = run_cli("purge", env=env(db), cwd=tmp_path)
    assert result.returncode == 2
    assert "RETENTION_DAYS is not set" in result.stderr
    assert "--ref N" in result.stderr
    assert "Traceback" not in result.stderr
    assert state(deps, old) == ("Ada Lovelace", False)


def test_dry_run_shows_what_is_due_and_changes_nothing(
    deps: Deps, db: TestDatabase, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    old, new = seed(deps)
    result = run_cli(
        "purge", "--dry-run", env=env(db, fake_slack, RETENTION_DAYS="30"), cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"would anonymise #{old} (window {WINTER} ended 2018-07-01 00:00)",
        "1 would be anonymised (dry run: nothing changed)",
    ]
    assert "Ada" not in result.stdout + result.stderr
    assert state(deps, old) == ("Ada Lovelace", False)
    assert state(deps, new) == ("Grace Hopper", False)
    with deps.sessions() as session:
        assert session.scalars(select(AuditEntry.action)).all() == ["application.created"] * 2
    assert fake_slack.calls == []


def test_retention_pass_anonymises_what_is_due_and_updates_the_card_before_exit(
    deps: Deps, db: TestDatabase, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    old, new = seed(deps)
    assert len(deliver_pending(deps).sent) == 2  # both cards posted
    result = run_cli("purge", env=env(db, fake_slack, RETENTION_DAYS="30"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"anonymised #{old} (window {WINTER} ended 2018-07-01 00:00)",
        "1 anonymised",
        "Slack: 1 card update(s) / file deletion(s) delivered",
    ]
    assert state(deps, old) == (f"Anonymised applicant #{old}", True)
    assert state(deps, new) == ("Grace Hopper", False)
    [update] = fake_slack.calls_to("chat.update")
    assert f"Anonymised applicant #{old}" in update.params["text"]
    with deps.sessions() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "application.anonymised")
        ).one()
        assert (entry.actor, entry.application_id, entry.detail) == ("cli:purge", old, "retention")

    again = run_cli("purge", env=env(db, fake_slack, RETENTION_DAYS="30"), cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines() == ["nothing is due (RETENTION_DAYS=30)", "0 anonymised"]


def test_ref_anonymises_now_without_retention_days_and_names_unknown_refs(
    deps: Deps, db: TestDatabase, tmp_path: Path
) -> None:
    old, new = seed(deps)
    with session_scope(deps.sessions) as session:
        # A card already in the channel; without Slack settings its update waits in the outbox.
        application = session.get(Application, new)
        assert application is not None
        application.card_channel, application.card_ts = HIRING_CHANNEL, "1700000000.000100"

    dry = run_cli("purge", "--ref", str(new), "--dry-run", env=env(db), cwd=tmp_path)
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.splitlines() == [
        f"would anonymise #{new}",
        "1 would be anonymised (dry run: nothing changed)",
    ]
    assert state(deps, new) == ("Grace Hopper", False)

    result = run_cli("purge", "--ref", f"#{new}", "999", env=env(db), cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines() == [
        f"anonymised #{new}",
        "#999: no such application",
        "1 anonymised, 1 not found",
        "Slack: 1 card update(s) / file deletion(s) queued; the running bot sends them",
    ]
    assert state(deps, new) == (f"Anonymised applicant #{new}", True)
    assert state(deps, old) == ("Ada Lovelace", False)

    again = run_cli("purge", "--ref", str(new), env=env(db), cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert f"#{new}: #{new} was already anonymised on" in again.stdout

    bad = run_cli("purge", "--ref", "twelve", env=env(db), cwd=tmp_path)
    assert bad.returncode == 2
    assert "'twelve' is not an application reference" in bad.stderr


def test_purge_into_a_closed_pipe_exits_quietly(
    db: TestDatabase, deps: Deps, tmp_path: Path
) -> None:
    seed(deps)

    result = run_cli_into_closed_pipe(
        "purge", "--dry-run", env=env(db, RETENTION_DAYS="30"), cwd=tmp_path
    )

    assert result.stderr == ""
    assert result.returncode == 141
