"""`hiring-bot ingest / import-csv / export` as real processes and through their functions."""

from __future__ import annotations

import csv
import io
import json
import mailbox
import re
import resource
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from hiring_bot.bootstrap import Deps
from hiring_bot.cli.intake import ingest_paths
from hiring_bot.db.engine import session_scope
from hiring_bot.db.models import Application, Review
from hiring_bot.intake.csv_import import CsvImportError, import_csv
from hiring_bot.intake.export import CONTRACT_KEYS, EXPORT_KEYS, export_records
from tests.conftest import ALICE, REPO
from tests.db import TestDatabase
from tests.integration.intake.helpers import (
    RESUME_PDF,
    application_email,
    applications,
    corpus_files,
    outbox_rows,
)
from tests.integration.processes import env_with, run_cli, run_cli_into_closed_pipe

pytestmark = pytest.mark.usefixtures("windows")

LINE = re.compile(r"^(?P<label>.+): (stored #\d+|duplicate of #\d+|skipped: .+|rejected: .+)$")


def cli_env(db: TestDatabase) -> dict[str, str]:
    return {"DATABASE_URL": db.url, "WINDOWS_FILE": str(REPO / "windows.toml")}


@pytest.fixture
def mail_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "mail"
    (folder / "nested").mkdir(parents=True)
    (folder / "ada.eml").write_bytes(application_email(message_id="<ada-1@example.edu>"))
    (folder / "nested" / "alan.eml").write_bytes(
        application_email(
            name="Alan Turing", address="alan@example.ac.uk", message_id="<alan-1@example.ac.uk>"
        )
    )
    (folder / "notes.txt").write_text("not a message")
    box = mailbox.mbox(folder / "more.mbox")
    try:
        box.add(application_email(name="Emmy Noether", address="emmy@example.de", resume=b""))
        box.add(
            b"From: MAILER-DAEMON@example.org\r\nSubject: Undelivered Mail Returned to Sender\r\n"
            b"Content-Type: text/plain\r\n\r\nThe message could not be delivered.\r\n"
        )
        box.flush()
    finally:
        box.close()
    return folder


def test_ingest_prints_a_line_per_message_and_a_summary(
    db: TestDatabase, deps: Deps, mail_folder: Path, tmp_path: Path
) -> None:
    first = run_cli("ingest", str(mail_folder), env=cli_env(db), cwd=tmp_path)

    assert first.returncode == 0, first.stderr
    lines = first.stdout.splitlines()
    assert lines[:-1] == [
        f"{mail_folder / 'ada.eml'}: stored #1",
        f"{mail_folder / 'more.mbox'}#1: stored #2",
        f"{mail_folder / 'more.mbox'}#2: skipped: bounce (from the mail system)",
        f"{mail_folder / 'nested' / 'alan.eml'}: stored #3",
    ]
    assert lines[-1] == (
        "4 messages: 3 stored, 0 duplicate, 1 skipped, 0 rejected"
        " (1 other files in folders ignored)"
    )
    assert first.stderr == ""  # not a terminal: no progress bar

    again = run_cli("ingest", str(mail_folder / "ada.eml"), env=cli_env(db), cwd=tmp_path)

    assert again.returncode == 0
    assert again.stdout.splitlines() == [
        f"{mail_folder / 'ada.eml'}: duplicate of #1",
        "1 message: 0 stored, 1 duplicate, 0 skipped, 0 rejected",
    ]
    assert len(applications(deps.sessions)) == 3
    assert len(outbox_rows(deps.sessions, "card_post")) == 3


def test_ingest_of_a_missing_path_exits_2_and_stores_nothing(
    db: TestDatabase, deps: Deps, mail_folder: Path, tmp_path: Path
) -> None:
    result = run_cli(
        "ingest", str(mail_folder), str(tmp_path / "nope.eml"), env=cli_env(db), cwd=tmp_path
    )

    assert result.returncode == 2
    assert "no such file or folder" in result.stderr
    assert "nope.eml" in result.stderr
    assert "Traceback" not in result.stderr
    assert applications(deps.sessions) == []


def test_ingest_with_bad_config_exits_2(tmp_path: Path, mail_folder: Path) -> None:
    result = run_cli("ingest", str(mail_folder), env={"DATABASE_URL": "mysql://x"}, cwd=tmp_path)
    assert result.returncode == 2
    assert "DATABASE_URL" in result.stderr


def test_every_corpus_message_ends_with_a_reason_in_bounded_memory(deps: Deps) -> None:
    files = corpus_files()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    outputs = []
    for file in files:
        out = io.StringIO()
        summary = ingest_paths(deps, [file], out=out)
        assert sum(summary.counts.values()) == 1, file
        outputs.append(out.getvalue())
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024

    lines = [line for text in outputs for line in text.splitlines()]
    assert len(lines) == len(files)
    for file, line in zip(files, lines, strict=True):
        match = LINE.match(line)
        assert match, line
        assert match.group("label") == str(file)
    assert grown_mb < 300
    statuses = {line.split(": ", 1)[1].split(" ")[0].rstrip(":") for line in lines}
    assert {"stored", "skipped"} <= statuses


def test_the_corpus_folder_through_the_real_command(db: TestDatabase, tmp_path: Path) -> None:
    folder = corpus_files()[0].parent
    result = run_cli("ingest", str(folder), env=cli_env(db), cwd=tmp_path, timeout=300)

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert all(LINE.match(line) for line in lines[:-1])
    assert re.match(
        r"^\d+ messages: \d+ stored, \d+ duplicate, \d+ skipped, \d+ rejected", lines[-1]
    )
    assert "Traceback" not in result.stderr


# --- import-csv ---------------------------------------------------------------------------------


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def sheet(tmp_path: Path) -> Path:
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "ada.pdf").write_bytes(RESUME_PDF.read_bytes())
    base = {
        "Name": "Ada Lovelace",
        "Email": "ada@example.edu",
        "Cover Letter": "I would love to work on sequence learning. I am a US citizen.",
        "Resume": "files/ada.pdf",
        "Links": "https://github.com/ada; https://ada.example.org",
        "Period": "Spring/Summer 2018",
        "Eligibility": "",
        "ID": "row-ada",
        "Received At": "2018-01-05",
        "Notes": "ignored",
    }
    return write_csv(
        tmp_path / "applicants.csv",
        [
            base,
            {**base, "Name": "Bad Email", "Email": "nope", "ID": "row-bad"},
            {
                **base,
                "Name": "No File",
                "Email": "nofile@example.edu",
                "Resume": "x.pdf",
                "ID": "3",
            },
            {
                **base,
                "Name": "Alan Turing",
                "Email": "alan@example.ac.uk",
                "ID": "row-alan",
                "Period": "winter",
                "Received At": "2017-12-01T10:00",
            },
        ],
    )


def test_import_csv_reports_row_errors_and_a_dry_run_writes_nothing(
    db: TestDatabase, deps: Deps, sheet: Path, tmp_path: Path
) -> None:
    dry = run_cli("import-csv", str(sheet), "--dry-run", env=cli_env(db), cwd=tmp_path)

    assert dry.returncode == 1, dry.stderr  # rows refused: partial work, as the real run
    assert dry.stdout.splitlines() == [
        "row 2: would be stored",
        "row 3: error: email: is not an email address",
        "row 4: error: resume: no such file: x.pdf",
        "row 5: would be stored",
        "4 rows: 2 would be stored, 0 duplicate, 2 with errors (dry run: nothing was written)",
    ]
    assert "ignored columns: notes" in dry.stderr
    assert applications(deps.sessions) == []

    real = run_cli("import-csv", str(sheet), env=cli_env(db), cwd=tmp_path)
    assert real.returncode == 1, real.stderr  # two rows refused
    [ada, alan] = applications(deps.sessions)
    # (PostgreSQL sequences do not roll back, so the dry run used up some numbers there.)
    assert real.stdout.splitlines()[0] == f"row 2: stored #{ada.id}"
    assert real.stdout.splitlines()[3] == f"row 5: stored #{alan.id}"

    again = import_csv(deps, path=sheet)
    assert [r.line() for r in again.rows if r.status != "error"] == [
        f"row 2: duplicate of #{ada.id}",
        f"row 5: duplicate of #{alan.id}",
    ]
    assert (ada.source, ada.source_id) == ("csv", "id:row-ada")
    assert ada.received_at.isoformat() == "2018-01-05T08:00:00+00:00"  # local midnight, PST
    assert ada.links[:2] == ["https://github.com/ada", "https://ada.example.org"]
    assert ada.eligibility == "eligible"
    assert alan.period_text == "winter"


def test_import_csv_without_an_email_column_cannot_run(deps: Deps, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "bad.csv", [{"name": "Ada"}])
    with pytest.raises(CsvImportError, match="no email column"):
        import_csv(deps, path=path)


# --- export ---------------------------------------------------------------------------------------


def test_export_json_is_one_array_with_exactly_the_issue_keys(
    db: TestDatabase, deps: Deps, mail_folder: Path, tmp_path: Path
) -> None:
    ingest_paths(deps, [mail_folder], out=io.StringIO())
    with session_scope(deps.sessions) as session:
        first = session.scalars(select(Application).order_by(Application.id)).first()
        assert first is not None
        first.claimed_by = ALICE
        session.add(Review(application_id=first.id, reviewer_id=ALICE, overall=4))

    result = run_cli("export", "--format", "json", env=cli_env(db), cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    records = json.loads(result.stdout)
    assert isinstance(records, list)
    assert len(records) == 3
    assert all(tuple(r) == EXPORT_KEYS for r in records)
    assert EXPORT_KEYS[: len(CONTRACT_KEYS)] == CONTRACT_KEYS  # new keys only ever appended
    ada = records[0]
    assert ada["ref"] == 1
    assert ada["name"] == "Ada Lovelace"
    assert ada["email"] == "ada@example.edu"
    assert ada["window"] == "Spring/Summer 2018"
    assert ada["claimed_by"] == ALICE
    assert ada["ratings"] == 1
    assert ada["eligibility"] == "eligible"
    assert "https://github.com/ada" in ada["links"]
    assert ada["missing"] == []
    assert ada["received_at"].startswith("2018-01-10T09:30:00")


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_into_a_closed_pipe_exits_quietly(
    db: TestDatabase, deps: Deps, mail_folder: Path, tmp_path: Path, fmt: str
) -> None:
    ingest_paths(deps, [mail_folder], out=io.StringIO())

    result = run_cli_into_closed_pipe("export", "--format", fmt, env=cli_env(db), cwd=tmp_path)

    # `hiring-bot export | head`: no BrokenPipeError traceback; 141 like `cat` under pipefail.
    assert result.stderr == ""
    assert result.returncode == 141


def test_ingest_into_a_closed_pipe_exits_quietly(
    db: TestDatabase, mail_folder: Path, tmp_path: Path
) -> None:
    result = run_cli_into_closed_pipe("ingest", str(mail_folder), env=cli_env(db), cwd=tmp_path)

    assert result.stderr == ""
    assert result.returncode == 141


def test_export_csv_and_window_filter(
    db: TestDatabase, deps: Deps, mail_folder: Path, tmp_path: Path
) -> None:
    ingest_paths(deps, [mail_folder], out=io.StringIO())

    result = run_cli("export", "--window", "spring/summer 2018", env=cli_env(db), cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert tuple(rows[0]) == EXPORT_KEYS
    assert {r["window"] for r in rows} == {"Spring/Summer 2018"}
    with deps.sessions() as session:
        assert len(rows) == len(export_records(session, window_id=None)) - sum(
            1 for r in export_records(session) if r["window"] != "Spring/Summer 2018"
        )

    unknown = run_cli("export", "--window", "Autumn 1999", env=cli_env(db), cwd=tmp_path)
    assert unknown.returncode == 2
    assert "no window named 'Autumn 1999'" in unknown.stderr
    assert "Winter 2017/2018" in unknown.stderr


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_progress_bar_is_drawn_only_on_a_terminal(deps: Deps, mail_folder: Path) -> None:
    out, terminal, pipe = io.StringIO(), Terminal(), io.StringIO()
    ingest_paths(deps, [mail_folder], out=out, progress=terminal)
    ingest_paths(deps, [mail_folder], out=io.StringIO(), progress=pipe)

    assert "[" + "#" * 30 + "] 4/4" in terminal.getvalue()
    assert terminal.getvalue().endswith("\r\x1b[K")  # the bar is cleared at the end
    assert pipe.getvalue() == ""
    assert "\r" not in out.getvalue()


def test_operator_size_limits_apply_to_ingest(db: TestDatabase, deps: Deps, tmp_path: Path) -> None:
    big = application_email(
        name="Big Attachment", address="big@example.edu", resume=b"%PDF-1.4\n" + b"0" * 1_500_000
    )
    (tmp_path / "big.eml").write_bytes(big)
    limited = {**cli_env(db), "MAX_MESSAGE_MB": "1"}
    result = run_cli("ingest", str(tmp_path / "big.eml"), env=limited, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "big.eml: rejected: message too large" in result.stdout
    assert applications(deps.sessions) == []

    roomy = {**cli_env(db), "MAX_MESSAGE_MB": "5", "MAX_ATTACHMENT_MB": "1"}
    result = run_cli("ingest", str(tmp_path / "big.eml"), env=roomy, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert re.search(r"big\.eml: stored #\d+", result.stdout)
    with deps.sessions() as session:
        (application,) = session.scalars(select(Application)).all()
        reasons = [a.text_unavailable or "" for a in application.attachments]
    assert any("too large" in reason for reason in reasons)


def test_size_limit_settings_are_validated(tmp_path: Path) -> None:
    result = run_cli("migrate", env={"MAX_ATTACHMENT_MB": "lots"}, cwd=tmp_path)
    assert result.returncode == 2
    assert "MAX_ATTACHMENT_MB must be a whole number >= 1" in result.stderr


def test_a_killed_ingest_loses_nothing_it_reported_and_duplicates_nothing(
    tmp_path: Path, db: TestDatabase, deps: Deps
) -> None:
    """SIGKILL mid-run (no handler runs): every line printed was committed, and the same command
    run again stores each message exactly once."""
    total = 600
    mails = tmp_path / "mails"
    mails.mkdir()
    for n in range(total):
        (mails / f"{n:04d}.eml").write_bytes(
            application_email(
                name=f"Applicant {n}",
                address=f"a{n}@example.edu",
                message_id=f"<kill-{n}@example.edu>",
                resume=b"",
            )
        )
    proc = subprocess.Popen(
        [sys.executable, "-m", "hiring_bot", "ingest", str(mails)],
        env=env_with(cli_env(db)),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    first = proc.stdout.readline()  # one batch committed: it is under way
    proc.send_signal(signal.SIGKILL)
    rest, _ = proc.communicate(timeout=60)
    reported = [line for line in [first, *rest.splitlines()] if ": stored #" in line]
    assert reported, first
    refs = {int(line.rsplit("#", 1)[1]) for line in reported}
    assert refs <= {a.id for a in applications(deps.sessions)}

    again = run_cli("ingest", str(mails), env=cli_env(db), cwd=tmp_path, timeout=600)
    assert again.returncode == 0, again.stderr
    stored = applications(deps.sessions)
    assert len(stored) == total
    assert len({a.message_id for a in stored}) == total
    counts = re.match(
        r"(\d+) messages: (\d+) stored, (\d+) duplicate", again.stdout.splitlines()[-1]
    )
    assert counts, again.stdout.splitlines()[-1]
    seen, stored_now, duplicates = map(int, counts.groups())
    assert seen == total
    assert stored_now + duplicates == total
    assert duplicates >= len(refs)  # what the killed run reported is found, not stored again


def test_a_message_that_fails_to_store_is_rolled_back_alone(
    deps: Deps, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Messages share a transaction; one failing mid-write takes only its own rows with it."""
    from hiring_bot.intake import store

    for n in range(3):
        (tmp_path / f"{n}.eml").write_bytes(
            application_email(
                name=f"Applicant {n}", address=f"b{n}@example.edu", message_id=f"<b{n}@x.edu>"
            )
        )
    real = store.enqueue_card

    def failing_for_the_second(session: Any, *, application_id: int) -> Any:
        if (
            session.scalar(select(Application.message_id).where(Application.id == application_id))
            == "<b1@x.edu>"
        ):
            raise RuntimeError("card could not be queued")
        return real(session, application_id=application_id)

    monkeypatch.setattr(store, "enqueue_card", failing_for_the_second)
    out = io.StringIO()
    summary = ingest_paths(deps, [tmp_path], out=out)

    assert summary.counts["stored"] == 2
    assert summary.counts["rejected"] == 1
    assert "1.eml: rejected: could not be stored (RuntimeError)" in out.getvalue()
    stored = applications(deps.sessions)
    assert sorted(a.message_id or "" for a in stored) == ["<b0@x.edu>", "<b2@x.edu>"]
    assert len(outbox_rows(deps.sessions, "card_post")) == 2
