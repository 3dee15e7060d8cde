"""A spoofed sender is stored under its own From address, apart from the person it names, and its
card warns that the display name shows another address (issue 10, point 2)."""

from __future__ import annotations

import json
from email.message import EmailMessage

import pytest

from hiring_bot.bootstrap import Deps
from hiring_bot.db.models import Application
from hiring_bot.intake.completeness import DISPLAY_NAME_FLAG
from hiring_bot.slack.blocks import build_application_card
from hiring_bot.slack.cards import card_for
from tests.integration.intake.fixtures import (  # noqa: F401  (fixtures)
    _background_deliveries_finish,
    windows,
)
from tests.integration.intake.helpers import application_email, ingest
from tests.reliability.test_sender_spoofing import ATTACKER, LETTER, REPORTED_FROM, VICTIM


@pytest.mark.usefixtures("windows")
def test_a_spoofed_application_is_stored_under_the_attacker_and_flagged_on_the_card(
    deps: Deps,
) -> None:
    genuine = ingest(deps, application_email(name="Priya Raman", address=VICTIM))
    message = EmailMessage()
    message["To"] = "internships@lab.example.org"
    message["Subject"] = "Research internship application"
    message.set_content(LETTER)
    spoofed = message.as_bytes().replace(b"To: ", f"From: {REPORTED_FROM}\r\nTo: ".encode(), 1)
    outcome = ingest(deps, spoofed)
    assert outcome.ref is not None
    assert outcome.ref != genuine.ref

    with deps.sessions() as session:
        application = session.get(Application, outcome.ref)
        assert application is not None
        priya = session.get(Application, genuine.ref)
        assert priya is not None
        assert application.candidate.email == ATTACKER
        assert application.candidate_id != priya.candidate_id
        assert DISPLAY_NAME_FLAG in application.missing
        card = card_for(application, quorum=2, viewer=None, tz=deps.settings.timezone)
    assert card.warnings == (DISPLAY_NAME_FLAG,)
    assert DISPLAY_NAME_FLAG not in card.missing
    text = json.dumps(build_application_card(card), ensure_ascii=False)
    assert ":warning: display name shows another address" in text
    assert VICTIM in text  # the name is shown as the text it is, not hidden
