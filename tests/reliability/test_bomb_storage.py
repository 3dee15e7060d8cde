"""A resume bomb does not lose the application: it is stored, the attachment kept byte for byte,
its text marked "too large to read" (issue 10)."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest

from hiring_bot.bootstrap import Deps
from hiring_bot.db.models import Application
from tests.integration.intake.fixtures import (  # noqa: F401  (fixtures)
    _background_deliveries_finish,
    windows,
)
from tests.integration.intake.helpers import application_email, ingest
from tests.reliability.bombs import docx_bomb, pdf_flate_bomb

pytestmark = pytest.mark.usefixtures("windows")


def test_an_application_with_bombs_attached_is_stored_with_them(deps: Deps) -> None:
    pdf = pdf_flate_bomb(70_000_000)
    document = docx_bomb(5_200_000)
    message = message_from_bytes(application_email(resume=pdf), policy=policy.default)
    assert isinstance(message, EmailMessage)
    message.add_attachment(
        document,
        maintype="application",
        subtype="vnd.openxmlformats-officedocument.wordprocessingml.document",
        filename="cover-letter.docx",
    )
    outcome = ingest(deps, message.as_bytes())

    with deps.sessions() as session:
        application = session.get(Application, outcome.ref)
        assert application is not None
        assert application.candidate.email == "ada@example.edu"
        stored = {a.filename: a for a in application.attachments}
        assert set(stored) == {"ada-resume.pdf", "cover-letter.docx"}
        assert stored["ada-resume.pdf"].data == pdf
        assert stored["cover-letter.docx"].data == document
        for attachment in stored.values():
            assert attachment.text_unavailable is not None
            assert attachment.text_unavailable.startswith("text unavailable: too large to read")
        assert application.resume_text is None
