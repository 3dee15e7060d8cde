"""POST /intake/applications with hostile JSON: a 4xx with a reason, never a 500; names and
filenames reach the database and Slack without controls or bidi overrides; tokens only in the
Authorization header."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from sqlalchemy import select

from hiring_bot.db.models import Attachment, Candidate
from tests.conftest import RunningApp
from tests.fakes.slack_api import FakeSlack
from tests.integration.intake.fixtures import (  # noqa: F401  (fixtures used by name)
    _background_deliveries_finish,
    windows,
)
from tests.integration.intake.helpers import form_body
from tests.reliability.hostile import assert_no_traceback, json_values, mutated, raw_request

pytestmark = pytest.mark.usefixtures("windows")

TOKEN = "test-intake-token"
PATH = "/intake/applications"


def post_raw(
    app: RunningApp, body: bytes, *, path: str = PATH, token: str | None = TOKEN
) -> tuple[int, dict[str, Any]]:
    headers = {"Content-Type": "application/json", "Content-Length": str(len(body))}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    status, answer = raw_request(app.base_url, path, headers=headers, body=body, timeout=30)
    assert_no_traceback(answer)
    return status, json.loads(answer)


def post(app: RunningApp, body: Any, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    # ensure_ascii keeps lone surrogates as "\ud800" escapes, as a hostile sender would write them
    return post_raw(app, json.dumps(body).encode(), **kwargs)


def test_json_nested_a_thousand_deep_is_400_naming_the_limit(running_app: RunningApp) -> None:
    status, answer = post_raw(running_app, b"[" * 1000 + b"]" * 1000)
    assert status == 400
    assert "nested deeper than" in answer["error"]


def test_deep_nesting_inside_a_field_is_400_too(running_app: RunningApp) -> None:
    body = json.dumps(form_body()).encode()
    body = body[:-1] + b', "extra": ' + b"{" * 0 + b"[" * 500 + b"]" * 500 + b"}"
    status, answer = post_raw(running_app, body)
    assert status == 400
    assert "nested deeper than" in answer["error"]


@pytest.mark.parametrize("field", ["name", "cover_letter", "period", "eligibility", "id"])
def test_a_lone_surrogate_is_400_naming_the_field(running_app: RunningApp, field: str) -> None:
    status, answer = post(running_app, form_body(**{field: "Ada \ud800 Lovelace"}))
    assert status == 400
    assert "surrogate" in answer["fields"][field]


def test_a_lone_surrogate_in_the_filename_is_400(running_app: RunningApp) -> None:
    body = form_body()
    body["resume"]["filename"] = "cv\udfff.pdf"
    status, answer = post(running_app, body)
    assert status == 400
    assert "surrogate" in answer["fields"]["resume.filename"]


def _stored(app: RunningApp, ref: int) -> tuple[str, list[str]]:
    with app.deps.sessions() as session:
        candidate = session.scalars(select(Candidate)).one()
        files = list(session.scalars(select(Attachment.filename)))
        return candidate.name, files


def test_controls_and_bidi_overrides_are_taken_out_of_names_and_filenames(
    running_app: RunningApp, fake_slack: FakeSlack
) -> None:
    body = form_body(name="Ada\u202e \nLovelace\x1b[31m")
    body["resume"]["filename"] = "resume\u202efdp.exe\x00"
    status, answer = post(running_app, body)

    assert status == 201, answer
    name, files = _stored(running_app, answer["ref"])
    assert name == "Ada Lovelace [31m"
    assert files == ["resumefdp.exe"]
    fake_slack.wait_for("files.completeUploadExternal", 1)
    assert running_app.deps.background.wait_idle(timeout=10)
    sent = json.dumps([c.params for c in fake_slack.calls], ensure_ascii=False)
    assert "\u202e" not in sent
    assert "resumefdp.exe" in sent


def test_a_filename_of_only_controls_is_refused(running_app: RunningApp) -> None:
    body = form_body()
    body["resume"]["filename"] = "\u202e\x00\u2066"
    status, answer = post(running_app, body)
    assert status == 400
    assert answer["fields"]["resume.filename"] == "is required"


@pytest.mark.parametrize("name", ["token", "access_token", "Token"])
def test_a_token_in_the_query_string_is_never_accepted(running_app: RunningApp, name: str) -> None:
    # Even with the right header too: a URL carrying a token must be fixed at the sender.
    status, answer = post(running_app, form_body(), path=f"{PATH}?{name}={TOKEN}")
    assert status == 400
    assert "Authorization header" in answer["error"]
    status, _ = post(running_app, form_body(), path=f"{PATH}?{name}={TOKEN}", token=None)
    assert status == 400


def _fuzz(examples: int) -> Any:
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=examples < 50,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


BASE = form_body(resume={"filename": "cv.pdf", "content_base64": "JVBERi0xLjQK"})


def _check_answer(app: RunningApp, body: Any) -> None:
    status, answer = post(app, body)
    assert status < 500, answer
    if status >= 400:
        assert answer.get("error"), answer


@_fuzz(25)
@given(body=mutated(BASE) | json_values)
def test_any_json_gets_an_answer_not_a_500(running_app: RunningApp, body: Any) -> None:
    _check_answer(running_app, body)


@pytest.mark.slow
@_fuzz(300)
@given(body=mutated(BASE, max_changes=5) | json_values)
def test_any_json_gets_an_answer_not_a_500_many(running_app: RunningApp, body: Any) -> None:
    _check_answer(running_app, body)
