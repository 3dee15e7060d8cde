"""Nothing a candidate wrote, and no secret, reaches the log at INFO or DEBUG; no input can start
a log line of its own.

The scenarios run the real app over HTTP (webhook intake, card and file upload to the fake Slack
server, slash commands, rejected Slack requests) with every logger captured at DEBUG through the
same filters `configure_logging` installs in production.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.parse

import pytest
from slack_bolt.middleware.request_verification import RequestVerification
from slack_bolt.request import BoltRequest
from slack_bolt.response import BoltResponse

from hiring_bot.logsafety import install_log_safety
from hiring_bot.slack import ids
from tests.conftest import ALICE, BOT_TOKEN, HIRING_CHANNEL, SIGNING_SECRET, RunningApp
from tests.fakes.signed import sign
from tests.fakes.slack_api import FakeSlack
from tests.integration.intake.fixtures import (  # noqa: F401  (fixtures used by name)
    _background_deliveries_finish,
    windows,
)
from tests.integration.intake.helpers import form_body
from tests.reliability.hostile import captured_logs, raw_request

INTAKE_TOKEN = "test-intake-token"
NAME = "Zenobia Quillfeather"
EMAIL = "zenobia.quillfeather@example.edu"
LETTER_PHRASE = "my dendritic-gating thesis on grid cells"
RESUME_PHRASES = ("career sabbatical", "posquit0.bj@gmail.com")
NOTES = "NOTES: brilliant but anxious in interviews"
SECRETS = (SIGNING_SECRET, BOT_TOKEN, INTAKE_TOKEN)


def assert_clean(log: str) -> None:
    assert log, "nothing was captured: the scenario did not run"
    for secret in (NAME, EMAIL, LETTER_PHRASE, *RESUME_PHRASES, NOTES, *SECRETS):
        assert secret.lower() not in log.lower(), f"{secret!r} is in the log"


def _apply(app: RunningApp, fake: FakeSlack) -> int:
    body = form_body(
        name=NAME,
        email=EMAIL,
        cover_letter=f"Dear team, I would like to present {LETTER_PHRASE}. Spring/Summer 2018.",
    )
    data = json.dumps(body).encode()
    status, answer = raw_request(
        app.base_url,
        "/intake/applications",
        headers={
            "Content-Type": "application/json",
            "Content-Length": str(len(data)),
            "Authorization": f"Bearer {INTAKE_TOKEN}",
        },
        body=data,
        timeout=30,
    )
    assert status == 201, answer
    fake.wait_for("chat.postMessage", 1)
    fake.wait_for("files.completeUploadExternal", 1)
    assert app.deps.background.wait_idle(timeout=10)
    return int(json.loads(answer)["ref"])


def _stale_rating(app: RunningApp, ref: int) -> int:
    """A genuine rating submission that arrives after Slack's 5 minutes: refused, not logged."""
    payload = {
        "type": "view_submission",
        "user": {"id": ALICE},
        "trigger_id": "1.2.3",
        "view": {
            "callback_id": ids.RATING_MODAL,
            "private_metadata": json.dumps({"ref": ref}),
            "state": {
                "values": {
                    ids.RATING_NOTES: {
                        ids.INPUT_ACTION: {"type": "plain_text_input", "value": NOTES}
                    }
                }
            },
        },
    }
    body = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
    stale = str(int(time.time()) - 3600)
    status, _ = raw_request(
        app.base_url,
        "/slack/events",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Content-Length": str(len(body)),
            "X-Slack-Request-Timestamp": stale,
            "X-Slack-Signature": sign(SIGNING_SECRET, stale, body),
        },
        body=body,
    )
    return status


@pytest.mark.parametrize("level", [logging.DEBUG, logging.INFO])
def test_a_whole_application_leaves_no_candidate_data_or_secret_in_the_log(
    running_app: RunningApp, fake_slack: FakeSlack, level: int
) -> None:
    with captured_logs(level) as stream:
        ref = _apply(running_app, fake_slack)
        for text in (f"details {ref}", f"claim {ref}", "list"):
            response = running_app.slack.slash_command(
                text,
                user_id=ALICE,
                channel_id=HIRING_CHANNEL,
                response_url=fake_slack.response_url(),
            )
            assert response.status == 200
        fake_slack.wait_for_response(3)
        assert running_app.deps.background.wait_idle(timeout=10)
        assert _stale_rating(running_app, ref) == 401
    log = stream.getvalue()
    if level == logging.DEBUG:
        # The scenario did reach slack_sdk's debug logging (so the check below means something).
        assert "Sending a request: " in log
        assert "chat.postMessage" in log
    assert_clean(log)


def test_bolts_invalid_signature_record_never_carries_the_body() -> None:
    # Bolt's own middleware, as it would run if a request got past the gate with a bad signature.
    body = json.dumps({"type": "event_callback", "event": {"text": NOTES}})
    request = BoltRequest(
        body=body,
        headers={
            "content-type": "application/json",
            "x-slack-request-timestamp": str(int(time.time())),
            "x-slack-signature": "v0=" + "0" * 64,
        },
    )
    verification = RequestVerification(SIGNING_SECRET, base_logger=logging.getLogger("x"))
    with captured_logs(logging.DEBUG) as stream:
        response = verification.process(
            req=request, resp=BoltResponse(status=404), next=lambda: BoltResponse(status=200)
        )
    assert response.status == 401
    log = stream.getvalue()
    assert "Invalid request signature detected" in log
    assert NOTES not in log
    assert "v0=0000" not in log


def test_an_unsigned_request_with_raw_newlines_forges_no_log_line(
    running_app: RunningApp,
) -> None:
    body = (
        b'{"type": "event_callback", "event": {"text": "x\n'
        b"2026-01-01 00:00:00,000 INFO hiring_bot: admin granted to U0EVIL\r\n"
        + NAME.encode()
        + b'"}}'
    )
    with captured_logs(logging.DEBUG) as stream:
        status, _ = raw_request(
            running_app.base_url,
            "/slack/events",
            headers={
                "Content-Type": "application/json",
                "Content-Length": str(len(body)),
                "X-Slack-Request-Timestamp": str(int(time.time())),
                "X-Slack-Signature": "v0=" + "1" * 64,
            },
            body=body,
        )
    assert status == 401
    log = stream.getvalue()
    assert "admin granted" not in log
    assert NAME not in log


@pytest.mark.parametrize(
    "hostile",
    ["a\nFORGED b", "a\rFORGED", "a\x1b[2KFORGED", "a\u2028FORGED", "a\u202eFORGED", "a\x85FORGED"],
)
def test_every_formatted_message_is_one_line_with_controls_escaped(hostile: str) -> None:
    with captured_logs(logging.INFO) as stream:
        logging.getLogger("hiring_bot.test").info("window %s saved by %s", hostile, "U1")
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1, lines
    [line] = lines
    assert "FORGED" in line
    assert not any(char in line for char in "\r\x1b\u2028\u202e\x85")
    assert line.endswith(" saved by U1")


def test_install_is_idempotent() -> None:
    root = logging.getLogger()
    handler = logging.StreamHandler()
    root.addHandler(handler)
    try:
        install_log_safety()
        install_log_safety()
        assert len(handler.filters) == 1
    finally:
        root.removeHandler(handler)


def test_an_exception_message_in_a_traceback_cannot_forge_a_line() -> None:
    with captured_logs(logging.INFO) as stream:
        try:
            try:
                raise KeyError("x\n2026-01-01 INFO hiring_bot: FORGED-CONTEXT")
            except KeyError as inner:
                raise ValueError("y\r\nFORGED-TOP") from inner
        except ValueError:
            logging.getLogger("hiring_bot.test").exception("listener failed")
    text = stream.getvalue()
    lines = text.splitlines()
    assert "Traceback (most recent call last):" in lines
    assert any("FORGED-TOP" in line and line.startswith("ValueError: y") for line in lines)
    assert not any(line.startswith(("2026-01-01", "FORGED")) for line in lines), text
