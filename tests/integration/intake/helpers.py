"""Realistic application emails and small readers of what intake stored and posted."""

from __future__ import annotations

import base64
import itertools
import time
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hiring_bot.bootstrap import Deps
from hiring_bot.db.models import Application, OutboxMessage
from hiring_bot.domain.windows import window_specs
from hiring_bot.intake.draft import IntakeLimits
from hiring_bot.intake.store import IngestOutcome, in_transaction, ingest_email
from tests.conftest import SHARED
from tests.fakes.slack_api import Call, FakeSlack

CORPUS = SHARED / "corpus"
RESUME_PDF = CORPUS / "pdfs" / "resume__awesome-cv__resume.pdf"

COVER_LETTER = (
    "Dear hiring team,\n\n"
    "I am writing to apply for the research internship for Spring/Summer 2018, for 3-4 months "
    "full time. I am a PhD student in Computational Neuroscience at Stanford University, where "
    "I work on sequence learning and models of cortex with spiking neurons and dendrite models. "
    "My code is on GitHub at https://github.com/{handle} and my resume with relevant "
    "coursework is attached. I am a US citizen.\n\n"
    "Best regards,\n{name}\n"
)

_counter = itertools.count(1)


def application_email(
    *,
    name: str = "Ada Lovelace",
    address: str = "ada@example.edu",
    message_id: str | None = None,
    cover_letter: str | None = None,
    resume: bytes | None = None,
    subject: str = "Research internship application",
) -> bytes:
    """An application as an applicant would send it: letter in the body, resume attached."""
    message = EmailMessage()
    message["From"] = f"{name} <{address}>"
    message["To"] = "internships@lab.example.org"
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime(2018, 1, 10, 9, 30, tzinfo=UTC))
    message["Message-ID"] = message_id or f"<app-{next(_counter)}-{time.time_ns()}@example.edu>"
    handle = address.split("@")[0]
    message.set_content(cover_letter or COVER_LETTER.format(handle=handle, name=name))
    data = RESUME_PDF.read_bytes() if resume is None else resume
    if data:
        message.add_attachment(
            data, maintype="application", subtype="pdf", filename=f"{handle}-resume.pdf"
        )
    return message.as_bytes()


def form_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Grace Hopper",
        "email": "Grace@Example.edu",
        "cover_letter": COVER_LETTER.format(handle="grace", name="Grace Hopper"),
        "resume": {
            "filename": "grace-resume.pdf",
            "content_base64": base64.b64encode(RESUME_PDF.read_bytes()).decode(),
        },
        "links": ["https://github.com/grace", "scholar.google.com/citations?user=abc"],
        "period": "Spring/Summer 2018",
        "eligibility": "I am a US citizen",
    }
    body.update(overrides)
    return body


def ok_posts(fake: FakeSlack) -> list[Call]:
    return [c for c in fake.calls_to("chat.postMessage") if c.ok]


def outbox_rows(sessions: sessionmaker[Session], kind: str | None = None) -> list[OutboxMessage]:
    with sessions() as session:
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        if kind is not None:
            query = query.where(OutboxMessage.kind == kind)
        return list(session.scalars(query))


def applications(sessions: sessionmaker[Session]) -> list[Application]:
    with sessions() as session:
        return list(session.scalars(select(Application).order_by(Application.id)))


def corpus_files() -> list[Path]:
    return sorted(
        p for p in (CORPUS / "emails").iterdir() if p.is_file() and p.suffix.lower() != ".md"
    )


def ingest(deps: Deps, raw: bytes) -> IngestOutcome:
    """Ingest one email in its own transaction, matched against the windows in the database."""
    with deps.sessions() as session:
        specs = window_specs(session)
    return in_transaction(
        deps.sessions,
        lambda s: ingest_email(
            s, raw=raw, windows=specs, limits=IntakeLimits(), now=deps.clock.now()
        ),
    )
