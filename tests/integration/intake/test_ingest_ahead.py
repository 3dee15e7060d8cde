"""`hiring-bot ingest` parsing ahead in worker processes prints and stores exactly what one
process parsing each message itself does: same lines in the same order, same rows."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from hiring_bot.bootstrap import Deps
from hiring_bot.cli import ingest_files
from hiring_bot.cli.ingest_files import ingest_paths
from hiring_bot.db.models import Application, Attachment, Candidate
from tests.db import TestDatabase
from tests.integration.intake.helpers import RESUME_PDF, application_email, corpus_files

NO_MESSAGE_ID = (
    b"From: Grace Hopper <grace@example.edu>\r\nTo: internships@lab.example.org\r\n"
    b"Subject: Internship\r\nContent-Type: text/plain\r\n\r\n"
    b"I would like to apply for the summer 2018 internship. https://github.com/grace\r\n"
)
BOUNCE = (
    b"From: MAILER-DAEMON@example.org\r\nSubject: Undelivered Mail Returned to Sender\r\n"
    b"Message-ID: <bounce-1@example.org>\r\nContent-Type: text/plain\r\n\r\nNot delivered.\r\n"
)
NO_SENDER = b"Subject: who?\r\nMessage-ID: <nobody-1@example.org>\r\n\r\nHello\r\n"


def _folder(tmp_path: Path) -> Path:
    """Enough messages for the pool, with every outcome and both kinds of repeat among them."""
    folder = tmp_path / "mail"
    folder.mkdir()
    for n in range(40):
        (folder / f"{n:03d}.eml").write_bytes(
            application_email(
                name=f"Applicant {n % 30}",  # some people apply twice
                address=f"a{n % 30}@example.edu",
                message_id=f"<ahead-{n}@example.edu>",
                resume=RESUME_PDF.read_bytes() if n % 10 == 0 else b"",
            )
        )
    (folder / "040-again.eml").write_bytes((folder / "005.eml").read_bytes())
    (folder / "041-no-id.eml").write_bytes(NO_MESSAGE_ID)
    (folder / "042-no-id-again.eml").write_bytes(NO_MESSAGE_ID)
    (folder / "043-bounce.eml").write_bytes(BOUNCE)
    (folder / "044-no-sender.eml").write_bytes(NO_SENDER)
    return folder


def _run(deps: Deps, paths: list[Path]) -> list[str]:
    out = io.StringIO()
    ingest_paths(deps, paths, out=out)
    return out.getvalue().splitlines()


def _rows(deps: Deps) -> list[tuple[Any, ...]]:
    with deps.sessions() as session:
        rows = session.execute(
            select(
                Candidate.email,
                Application.source_id,
                Application.message_id,
                Application.subject,
                Application.body_text,
                Application.resume_text,
                Application.links,
                Application.areas,
                Application.period_text,
                Application.eligibility,
                Application.missing,
            )
            .join(Candidate, Application.candidate_id == Candidate.id)
            .order_by(Application.id)
        )
        found = [tuple(row) for row in rows]
        files = session.execute(
            select(Attachment.filename, Attachment.role, Attachment.sha256).order_by(Attachment.id)
        )
        return found + [tuple(row) for row in files]


def _numbered(lines: list[str]) -> list[str]:
    """References renumbered by first appearance: a database's ids need not start at 1."""
    refs: dict[str, str] = {}
    return [
        re.sub(r"#(\d+)", lambda m: "#" + refs.setdefault(m[1], str(len(refs))), line)
        for line in lines
    ]


def test_parsing_ahead_prints_and_stores_what_one_process_does(
    db: TestDatabase, deps: Deps, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = [_folder(tmp_path), *corpus_files()]
    runs = []
    for workers in (0, 2):
        db.reset()
        monkeypatch.setattr(ingest_files, "workers_for", lambda _count, w=workers: w)
        first = _run(deps, paths)
        again = _run(deps, paths)  # all known now: nothing is stored twice
        runs.append((_numbered(first), _numbered(again), _rows(deps)))

    in_process, ahead = runs
    assert ahead == in_process
    first, again, rows = ahead
    statuses = [line.split(": ", 1)[1].split(" ")[0].rstrip(":") for line in first]
    assert {"stored", "duplicate", "skipped", "rejected"} <= set(statuses)
    assert not any(line.split(": ", 1)[1].startswith("stored") for line in again)
    assert len(rows) > 40
