"""POST /intake/applications over real HTTP against the running app."""

from __future__ import annotations

import base64
import http.client
import json
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from hiring_bot.db.models import Application, Attachment, AuditEntry, Candidate, OutboxMessage
from tests.conftest import HIRING_CHANNEL, RunningApp
from tests.fakes.slack_api import FakeSlack
from tests.integration.intake.helpers import form_body, ok_posts

pytestmark = pytest.mark.usefixtures("windows")

TOKEN = "test-intake-token"


def post(
    app: RunningApp,
    body: Any,
    *,
    token: str | None = TOKEN,
    content_type: str = "application/json",
    raw: bytes | None = None,
    length: int | None = None,
    method: str = "POST",
) -> tuple[int, dict[str, Any]]:
    data = raw if raw is not None else json.dumps(body).encode()
    parts = urlsplit(app.base_url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
    try:
        connection.putrequest(method, "/intake/applications")
        connection.putheader("Content-Type", content_type)
        connection.putheader("Content-Length", str(len(data) if length is None else length))
        if token is not None:
            connection.putheader("Authorization", f"Bearer {token}")
        connection.endheaders()
        if length is None:
            connection.send(data)
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        connection.close()


def test_a_form_application_is_stored_and_its_card_posted(
    running_app: RunningApp, fake_slack: FakeSlack
) -> None:
    status, answer = post(running_app, form_body())

    assert status == 201
    ref = answer["ref"]
    assert answer == {"ref": ref}
    [card] = fake_slack.wait_for("chat.postMessage", 1)
    assert card.params["channel"] == HIRING_CHANNEL
    fake_slack.wait_for("files.completeUploadExternal", 1)
    assert running_app.deps.background.wait_idle(timeout=10)
    with running_app.deps.sessions() as session:
        application = session.get(Application, ref)
        assert application is not None
        assert application.source == "webhook"
        assert application.candidate.email == "grace@example.edu"
        assert application.window is not None
        assert application.window.name == "Spring/Summer 2018"
        assert application.eligibility == "eligible"
        assert "https://github.com/grace" in application.links
        assert application.missing == []
        assert application.card_ts == card.response["ts"]  # type: ignore[index]
        [resume] = session.scalars(select(Attachment)).all()
        assert (resume.role, resume.filename) == ("resume", "grace-resume.pdf")
        assert resume.text_unavailable is None
        audit = session.scalars(select(AuditEntry)).all()
        assert [a.action for a in audit if a.application_id == ref] == ["application.created"]


def test_the_same_form_posted_twice_is_one_application(
    running_app: RunningApp, fake_slack: FakeSlack
) -> None:
    first_status, first = post(running_app, form_body())
    second_status, second = post(running_app, form_body())

    assert (first_status, second_status) == (201, 200)
    assert second == {"ref": first["ref"], "duplicate": True}
    fake_slack.wait_for("chat.postMessage", 1)
    assert running_app.deps.background.wait_idle(timeout=10)
    assert len(ok_posts(fake_slack)) == 1
    with running_app.deps.sessions() as session:
        assert (
            len(
                session.scalars(
                    select(OutboxMessage).where(OutboxMessage.kind == "card_post")
                ).all()
            )
            == 1
        )


def test_a_client_id_decides_what_is_a_duplicate(running_app: RunningApp) -> None:
    _status, first = post(running_app, form_body(id="sub-1", cover_letter="First version"))
    status, again = post(running_app, form_body(id="sub-1", cover_letter="Edited version"))
    other_status, other = post(running_app, form_body(id="sub-2", cover_letter="Edited version"))

    assert status == 200
    assert again == {"ref": first["ref"], "duplicate": True}
    assert other_status == 201
    assert other["ref"] != first["ref"]


def test_another_window_is_a_second_application_of_the_same_candidate(
    running_app: RunningApp,
) -> None:
    _s, spring = post(running_app, form_body(period="Spring/Summer 2018"))
    status, winter = post(running_app, form_body(period="Winter 2017/2018"))

    assert status == 201
    with running_app.deps.sessions() as session:
        [candidate] = session.scalars(select(Candidate)).all()
        refs = sorted(a.id for a in candidate.applications)
        assert refs == [spring["ref"], winter["ref"]]
        second = session.get(Application, winter["ref"])
        assert second is not None
        assert second.window is not None
        assert second.window.name == "Winter 2017/2018"


def test_bad_fields_get_a_400_naming_each(running_app: RunningApp) -> None:
    status, answer = post(
        running_app,
        {
            "email": "not-an-address",
            "links": "https://github.com/x",
            "resume": {"filename": "cv.pdf", "content_base64": "%%% not base64 %%%"},
            "period": 2018,
        },
    )

    assert status == 400
    assert set(answer["fields"]) == {"name", "email", "resume.content_base64", "period"}
    assert answer["fields"]["name"] == "is required"
    with running_app.deps.sessions() as session:
        assert session.scalars(select(Application)).all() == []


def test_links_must_be_web_addresses(running_app: RunningApp) -> None:
    status, answer = post(running_app, form_body(links=["https://github.com/ok", "not a link"]))

    assert status == 400
    assert answer["fields"] == {"links[1]": "is not a usable web address"}


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"links": "notalist"}, {"links": "must be a list of URLs"}),
        ({"links": {"github": "https://github.com/x"}}, {"links": "must be a list of URLs"}),
        ({"links": 7}, {"links": "must be a list of URLs"}),
        ({"links": [7]}, {"links[0]": "must be a string (a URL)"}),
        ({"links": ["https://github.com/x", " "]}, {"links[1]": "is empty"}),
        ({"name": 42}, {"name": "must be a string"}),
        ({"name": ["Grace", "Hopper"]}, {"name": "must be a string"}),
        ({"email": {"address": "grace@example.edu"}}, {"email": "must be a string"}),
        ({"email": 42}, {"email": "must be a string"}),
        (
            {"resume": "grace-resume.pdf"},
            {"resume": "must be an object {filename, content_base64}"},
        ),
        (
            {"resume": ["grace-resume.pdf"]},
            {"resume": "must be an object {filename, content_base64}"},
        ),
        (
            {"resume": {"filename": "cv.pdf", "content_base64": "%%% not base64 %%%"}},
            {"resume.content_base64": "is not valid base64"},
        ),
        (
            {"resume": {"filename": "cv.pdf", "content_base64": 12345}},
            {"resume.content_base64": "must be a string (the file, base64-encoded)"},
        ),
        (
            {"resume": {"filename": 5, "content_base64": "JVBERi0xLjQK"}},
            {"resume.filename": "must be a string"},
        ),
        (
            {"resume": {"content_base64": "not base64!"}},
            {
                "resume.filename": "is required (a string)",
                "resume.content_base64": "is not valid base64",
            },
        ),
        ({"eligibility": True}, {"eligibility": "must be a string"}),
        ({"eligibility": ["US citizen"]}, {"eligibility": "must be a string"}),
        ({"period": 2018}, {"period": "must be a string"}),
        ({"period": {"start": "2018-06"}}, {"period": "must be a string"}),
        ({"cover_letter": ["Dear team"]}, {"cover_letter": "must be a string"}),
    ],
)
def test_a_field_of_the_wrong_type_gets_a_direct_answer(
    running_app: RunningApp, overrides: dict[str, Any], expected: dict[str, str]
) -> None:
    status, answer = post(running_app, form_body(**overrides))

    assert (status, answer["fields"]) == (400, expected)
    with running_app.deps.sessions() as session:
        assert session.scalars(select(Application)).all() == []


def test_links_as_one_string_of_web_addresses_is_taken(running_app: RunningApp) -> None:
    status, answer = post(
        running_app, form_body(links="https://github.com/grace, https://grace.example.org")
    )

    assert status == 201, answer
    assert running_app.deps.background.wait_idle(timeout=10)
    with running_app.deps.sessions() as session:
        application = session.get(Application, answer["ref"])
        assert application is not None
        assert application.links[:2] == ["https://github.com/grace", "https://grace.example.org"]


def test_a_body_that_is_not_a_json_object_is_a_400(running_app: RunningApp) -> None:
    assert post(running_app, None, raw=b"{not json")[0] == 400
    status, answer = post(running_app, ["a", "list"])
    assert status == 400
    assert answer["fields"] == {"body": "must be a JSON object"}


@pytest.mark.parametrize("token", [None, "wrong-token", ""])
def test_without_the_right_token_it_is_a_401(running_app: RunningApp, token: str | None) -> None:
    status, answer = post(running_app, form_body(), token=token)

    assert status == 401
    assert "token" in answer["error"]
    with running_app.deps.sessions() as session:
        assert session.scalars(select(Application)).all() == []


def test_non_json_is_a_415(running_app: RunningApp) -> None:
    status, _answer = post(running_app, None, raw=b"name=Ada", content_type="text/plain")
    assert status == 415


def test_a_declared_size_over_the_limit_is_a_413_without_reading_it(
    running_app: RunningApp,
) -> None:
    status, answer = post(running_app, None, raw=b"", length=200 * 1024 * 1024)
    assert status == 413
    assert "limit" in answer["error"]


def test_a_resume_over_the_attachment_limit_is_a_413(running_app: RunningApp) -> None:
    big = base64.b64encode(b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024)).decode()
    status, answer = post(
        running_app, form_body(resume={"filename": "huge.pdf", "content_base64": big})
    )
    assert status == 413
    assert set(answer["fields"]) == {"resume.content_base64"}


def test_get_is_not_allowed(running_app: RunningApp) -> None:
    assert post(running_app, None, raw=b"", method="GET")[0] == 405


def test_applications_matching_no_window_are_logged_once_per_process(
    running_app: RunningApp, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("WARNING", logger="hiring_bot.intake.webhook"):
        for n in range(3):
            body = form_body(email=f"nowindow{n}@example.edu", period="autumn 2031")
            status, _ = post(running_app, body)
            assert status == 201
        status, _ = post(running_app, form_body(email="matched@example.edu"))
        assert status == 201
    warnings = [r.getMessage() for r in caplog.records if "matched no internship" in r.getMessage()]
    assert len(warnings) == 1
    assert "example.edu" not in warnings[0]  # references only, never the applicant
    assert running_app.deps.background.wait_idle(10)
