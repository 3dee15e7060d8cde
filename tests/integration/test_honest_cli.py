"""The command line says what it did: help with examples, Ctrl-C with a summary, dry runs that
predict the real run, exports a decision meeting can use."""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from hiring_bot.bootstrap import Deps
from hiring_bot.cli import build_parser
from hiring_bot.db.engine import session_scope
from hiring_bot.db.models import OutboxMessage, Review
from tests.conftest import ALICE, BOB, BOT_TOKEN, HIRING_CHANNEL
from tests.db import TestDatabase
from tests.fakes.slack_api import FakeSlack
from tests.integration.intake.helpers import application_email
from tests.integration.processes import REPO, env_with, run_cli
from tests.slack.review_factories import add_application


def _sub_parsers() -> dict[str, argparse.ArgumentParser]:
    parser, _ = build_parser()
    (action,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(action.choices)


def test_every_sub_command_has_a_description_and_an_example() -> None:
    commands = _sub_parsers()
    assert {"run", "migrate", "ingest", "export", "doctor", "purge"} <= set(commands)
    for name, parser in commands.items():
        text = parser.format_help()
        assert parser.description, name
        assert re.search(rf"^examples?:\n  .*hiring-bot {name}\b", parser.epilog or "", re.M), name
        assert "example" in text, name


def test_version(tmp_path: Path) -> None:
    result = run_cli("--version", env={}, cwd=tmp_path)
    assert result.returncode == 0
    assert re.fullmatch(r"hiring-bot \d+\.\d+\.\d+\n", result.stdout)


# --- Ctrl-C ---------------------------------------------------------------------------------------


def test_ctrl_c_stops_a_long_ingest_with_the_summary_so_far(tmp_path: Path) -> None:
    mails = tmp_path / "mails"
    mails.mkdir()
    total = 200
    for n in range(total):
        (mails / f"{n:04d}.eml").write_bytes(
            application_email(
                name=f"Applicant {n}", address=f"a{n}@example.edu", message_id=f"<m{n}@example.edu>"
            )
        )
    env = env_with(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
            "WINDOWS_FILE": str(REPO / "windows.toml"),
        }
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "hiring_bot", "ingest", str(mails)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    seen = [proc.stdout.readline() for _ in range(5)]  # five messages stored: it is under way
    assert all(": stored #" in line for line in seen), seen
    proc.send_signal(signal.SIGINT)
    # Read on through the same reader: lines printed together may already sit in its buffer,
    # and communicate() reads the pipe beneath it, past them.
    rest = proc.stdout.read()
    _, err = proc.communicate(timeout=60)
    lines = [*seen, *rest.splitlines(keepends=True)]

    assert proc.returncode == 130
    assert "Traceback" not in err
    summary = lines[-1]
    done = len(lines) - 1
    assert done < total
    assert summary.startswith(f"{done} messages: {done} stored")
    assert f"interrupted after {done} of {total}" in summary

    # What was stored stays; running it again continues where it stopped.
    again = run_cli("ingest", str(mails), env=dict(env), cwd=tmp_path, timeout=600)
    assert again.returncode == 0, again.stderr
    match = re.match(
        r"(\d+) messages: (\d+) stored, (\d+) duplicate", again.stdout.splitlines()[-1]
    )
    assert match, again.stdout.splitlines()[-1]
    seen_total, stored, duplicate = (int(g) for g in match.groups())
    # Everything the first run said it stored was kept (a Ctrl-C landing between a commit and its
    # line may keep one more than it printed); the rest is stored now, each message once.
    assert seen_total == total
    assert done <= duplicate <= done + 1
    assert stored + duplicate == total


# --- dry run == real run --------------------------------------------------------------------------


def _csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_import_csv_dry_run_predicts_the_real_run(db: TestDatabase, tmp_path: Path) -> None:
    env = {"DATABASE_URL": db.url, "WINDOWS_FILE": str(REPO / "windows.toml")}
    ada = {"name": "Ada Lovelace", "email": "ada@example.edu", "period": "summer 2018", "id": "a"}
    earlier = _csv(tmp_path / "earlier.csv", [ada])
    assert run_cli("import-csv", str(earlier), env=env, cwd=tmp_path).returncode == 0
    rows = [
        ada,  # already stored: a duplicate of its real reference in both runs
        {"name": "Alan Turing", "email": "alan@example.ac.uk", "period": "winter", "id": "t"},
        {"name": "Alan Turing", "email": "alan@example.ac.uk", "period": "winter", "id": "t"},
        {"name": "No Email", "email": "", "id": "x"},
    ]
    sheet = _csv(tmp_path / "sheet.csv", rows)

    dry = run_cli("import-csv", str(sheet), "--dry-run", env=env, cwd=tmp_path)
    real = run_cli("import-csv", str(sheet), env=env, cwd=tmp_path)

    assert dry.returncode == real.returncode == 1  # one row refused in both
    dry_lines, real_lines = dry.stdout.splitlines(), real.stdout.splitlines()
    stored_as = {m[1]: m[2] for m in re.finditer(r"row (\d+): stored (#\d+)", real.stdout)}
    predicted = [
        re.sub(r"duplicate of row (\d+)", lambda m: f"duplicate of {stored_as[m[1]]}", line)
        for line in dry_lines[:-1]
    ]
    actual = [re.sub(r"stored #\d+", "would be stored", line) for line in real_lines[:-1]]
    assert predicted == actual
    assert "row 4: duplicate of row 3" in dry_lines  # not a reference that does not exist yet
    assert (
        dry_lines[-1]
        .replace(" would be stored", " stored")
        .replace(" (dry run: nothing was written)", "")
        == real_lines[-1]
    )


def test_purge_dry_run_predicts_the_real_run(deps: Deps, db: TestDatabase, tmp_path: Path) -> None:
    with session_scope(deps.sessions) as session:
        first = add_application(session, "Ada Lovelace", email="ada@example.edu")
        second = add_application(session, "Ada Lovelace", email="ada@example.edu")
    env = {"DATABASE_URL": db.url, "LOG_LEVEL": "WARNING"}
    refs = ["--ref", str(first), str(second)]

    dry = run_cli("purge", *refs, "--dry-run", env=env, cwd=tmp_path)
    real = run_cli("purge", *refs, env=env, cwd=tmp_path)

    assert dry.returncode == real.returncode == 0, dry.stderr + real.stderr
    as_real = [
        line.replace("would anonymise", "anonymised").replace("deleting", "deleted")
        for line in dry.stdout.splitlines()[:2]
    ]
    assert as_real == real.stdout.splitlines()[:2]
    # The first keeps the name for the second; the second removes it — in both runs.
    assert "stay until their other application(s)" in as_real[0]
    assert "stay" not in as_real[1]


# --- export ---------------------------------------------------------------------------------------


def test_export_gives_what_a_decision_meeting_needs(
    deps: Deps, db: TestDatabase, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    fake_slack.users[ALICE] = {"real_name": "Alice Reviewer"}
    with session_scope(deps.sessions) as session:
        ref = add_application(session, "Ada Lovelace", university="Stanford University")
        session.add_all(
            [
                Review(
                    application_id=ref,
                    reviewer_id=ALICE,
                    overall=5,
                    criteria={"coding": 5, "ml_research": 4},
                    recommendation="strong_yes",
                    notes="great sequence-learning project",
                ),
                Review(application_id=ref, reviewer_id=BOB, overall=3, recommendation="neutral"),
            ]
        )
    env = {
        "DATABASE_URL": db.url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_API_URL": fake_slack.url,
        "HIRING_CHANNEL": HIRING_CHANNEL,
        "WINDOWS_FILE": str(REPO / "windows.toml"),
    }

    plain = run_cli("export", "--format", "json", env=env, cwd=tmp_path)
    with_notes = run_cli("export", "--format", "json", "--with-notes", env=env, cwd=tmp_path)
    sheet = run_cli("export", "--format", "csv", env=env, cwd=tmp_path)

    assert plain.returncode == with_notes.returncode == sheet.returncode == 0, plain.stderr
    (record,) = json.loads(plain.stdout)
    assert record["university"] == "Stanford University"
    assert record["ratings"] == 2
    assert record["mean"] == 4.0
    assert record["spread"] == 1.0
    assert record["recommendations"] == ["strong_yes", "neutral"]
    assert record["reviewers"] == ["Alice Reviewer", f"User {BOB}"]
    first = record["reviews"][0]
    assert first["criteria"] == {"coding": 5, "ml_research": 4}
    assert "notes" not in first
    assert "great sequence-learning" not in plain.stdout
    (noted,) = json.loads(with_notes.stdout)
    assert noted["reviews"][0]["notes"] == "great sequence-learning project"
    (row,) = csv.DictReader(io.StringIO(sheet.stdout))
    assert row["reviews"].startswith("Alice Reviewer: 5 (coding 5, ml_research 4), strong_yes")
    # Names resolved once per reviewer per export, not once per review or application.
    assert sorted(c.params["user"] for c in fake_slack.calls_to("users.info")) == sorted(
        [ALICE, BOB] * 3
    )


# --- backfill ----------------------------------------------------------------------------------


def test_no_post_stores_without_cards_and_queues_one_summary(
    deps: Deps, db: TestDatabase, tmp_path: Path
) -> None:
    mails = tmp_path / "mails"
    mails.mkdir()
    for n in range(3):
        (mails / f"{n}.eml").write_bytes(
            application_email(
                name=f"Applicant {n}", address=f"b{n}@example.edu", message_id=f"<b{n}@example.edu>"
            )
        )
    env = {
        "DATABASE_URL": db.url,
        "WINDOWS_FILE": str(REPO / "windows.toml"),
        "HIRING_CHANNEL": HIRING_CHANNEL,
    }
    result = run_cli("ingest", "--no-post", str(mails), env=env, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "3 stored" in result.stdout
    assert "--no-post: 3 card(s) held" in result.stdout
    with deps.sessions() as session:
        pending = list(
            session.scalars(select(OutboxMessage).where(OutboxMessage.status == "pending"))
        )
        held = session.scalars(
            select(OutboxMessage.kind).where(OutboxMessage.status == "held")
        ).all()
    assert [row.kind for row in pending] == ["message"]  # the one summary, nothing else to post
    assert pending[0].channel == HIRING_CHANNEL
    assert pending[0].payload["text"].startswith("Backfill: 3 application(s) stored without cards")
    assert held.count("card_post") == 3
