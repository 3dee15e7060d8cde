"""Drive the real app as Slack does and read what it sent to the fake Slack server."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from hiring_bot.db.engine import session_scope
from hiring_bot.db.models import Application, AuditEntry
from hiring_bot.slack.delivery import deliver_pending
from tests.conftest import ALICE, HIRING_CHANNEL, RunningApp
from tests.fakes.signed import Response
from tests.fakes.slack_api import Call, FakeSlack
from tests.slack.review_factories import add_application, add_window

TIMEOUT = 15.0  # generous: only a failing test waits this long


class Harness:
    def __init__(self, app: RunningApp, fake: FakeSlack) -> None:
        self.app = app
        self.fake = fake
        self.deps = app.deps

    # -- data ------------------------------------------------------------------------------------

    def window(self, name: str = "Winter 2017/2018", **kwargs: Any) -> None:
        with session_scope(self.deps.sessions) as session:
            add_window(session, name, **kwargs)

    def application(self, name: str = "Ada Lovelace", *, post: bool = True, **kwargs: Any) -> int:
        """Store an application as the intake does; with `post`, deliver its card."""
        with session_scope(self.deps.sessions) as session:
            ref = add_application(session, name, **kwargs)
        if post:
            report = deliver_pending(self.deps)
            assert report.sent, report
        return ref

    def row(self, ref: int) -> Application:
        with session_scope(self.deps.sessions) as session:
            application = session.get(Application, ref)
            assert application is not None
            session.expunge(application)
            return application

    def audit(self, action: str | None = None) -> list[AuditEntry]:
        with session_scope(self.deps.sessions) as session:
            stmt = select(AuditEntry).order_by(AuditEntry.id)
            if action is not None:
                stmt = stmt.where(AuditEntry.action == action)
            entries = list(session.scalars(stmt))
            session.expunge_all()
            return entries

    # -- Slack in ----------------------------------------------------------------------------------

    def _answered(self, send: Any) -> dict[str, Any]:
        before = len(self.fake.responses)
        return answer_to(send(), self.fake, before=before)

    def command(self, text: str, *, user: str = ALICE) -> dict[str, Any]:
        """`/intern <text>`; returns the ephemeral answer: the ack's body when it carries one,
        else the answer posted to the response_url."""
        return self._answered(lambda: self.command_ack(text, user=user))

    def command_ack(self, text: str, *, user: str = ALICE) -> Response:
        return self.app.slack.slash_command(
            text, user_id=user, channel_id=HIRING_CHANNEL, response_url=self.fake.response_url()
        )

    def click(self, action_id: str, *, user: str = ALICE, **kwargs: Any) -> Response:
        kwargs.setdefault("channel_id", HIRING_CHANNEL)
        if "view" not in kwargs:
            kwargs.setdefault("response_url", self.fake.response_url())
        response = self.app.slack.block_action(action_id, user_id=user, **kwargs)
        assert response.status == 200, response.text
        return response

    def click_answered(self, action_id: str, *, user: str = ALICE, **kwargs: Any) -> dict[str, Any]:
        return self._answered(lambda: self.click(action_id, user=user, **kwargs))

    # -- Slack out ---------------------------------------------------------------------------------

    def card(self, ref: int) -> dict[str, Any]:
        application = self.row(ref)
        assert application.card_ts is not None, "card not posted"
        return self.fake.messages[(HIRING_CHANNEL, application.card_ts)]

    def card_text(self, ref: int) -> str:
        return json.dumps(self.card(ref)["blocks"])

    def wait_updates(self, count: int) -> list[Call]:
        calls = self.fake.wait_for("chat.update", count, timeout=TIMEOUT)
        self.deps.background.wait_idle(TIMEOUT)
        return calls

    def updates(self) -> int:
        self.deps.background.wait_idle(TIMEOUT)
        return len(self.fake.calls_to("chat.update"))


def ack_answer(response: Response) -> dict[str, Any] | None:
    """The message an ack's body carries (text or blocks), or None for an empty ack."""
    if not response.body.strip():
        return None
    body = response.json()
    assert isinstance(body, dict), body
    return body if body.get("text") or body.get("blocks") else None


def answer_to(
    response: Response, fake: FakeSlack, *, before: int, timeout: float = TIMEOUT
) -> dict[str, Any]:
    """The answer to a request: in its ack, else the first response_url post after `before`."""
    assert response.status == 200, response.text
    in_ack = ack_answer(response)
    if in_ack is not None:
        return in_ack
    return fake.wait_for_response(before + 1, timeout=timeout)[before]


def text_of(answer: dict[str, Any]) -> str:
    return str(answer.get("text", "")) + json.dumps(answer.get("blocks") or [])


@pytest.fixture
def harness(running_app: RunningApp, fake_slack: FakeSlack) -> Iterator[Harness]:
    yield Harness(running_app, fake_slack)
    # Nothing may still talk to the database or the fake once the test is over.
    assert running_app.deps.background.wait_idle(TIMEOUT)


class LogWatch(logging.Handler):
    """Wait (on an event, not a sleep) for a log record whose message contains `needle`."""

    def __init__(self, logger: str, needle: str) -> None:
        super().__init__(logging.DEBUG)
        self.needle = needle
        self.seen = threading.Event()
        self.count = 0
        self._logger = logging.getLogger(logger)

    def emit(self, record: logging.LogRecord) -> None:
        if self.needle in record.getMessage():
            self.count += 1
            self.seen.set()

    def __enter__(self) -> LogWatch:
        self._logger.addHandler(self)
        self._old_level = self._logger.level
        self._logger.setLevel(logging.DEBUG)
        return self

    def __exit__(self, *exc: object) -> None:
        self._logger.removeHandler(self)
        self._logger.setLevel(self._old_level)

    def wait(self, timeout: float = TIMEOUT) -> None:
        assert self.seen.wait(timeout), f"no log record containing {self.needle!r}"
