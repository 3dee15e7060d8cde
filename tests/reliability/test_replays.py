"""A signed Slack request replayed within Slack's five-minute window has its effect once
(issue 10, point 5): the replay gets an empty 200 and reaches no listener."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest

from hiring_bot.slack import ids
from hiring_bot.slack.replay_guard import KEEP_SECONDS, SignatureMemory
from hiring_bot.slack.replay_guard import __name__ as GUARD_LOGGER
from tests.conftest import ADMIN, ALICE, HIRING_CHANNEL, RunningApp
from tests.fakes.signed import Response
from tests.fakes.slack_api import FakeSlack
from tests.reminders.test_windows_admin import (
    audit_actions,
    open_modal,
    seed_file_windows,
    submit,
    values,
)
from tests.slack.review_harness import TIMEOUT, Harness, ack_answer, harness

__all__ = ["harness"]

Sent = tuple[bytes, dict[str, str]]


class Recorder:
    """Keeps the exact bytes and headers of every signed request, to send them again."""

    def __init__(self, app: RunningApp) -> None:
        self.send = app.slack.post
        self.sent: list[Sent] = []

    def post(self, body: bytes, headers: dict[str, str]) -> Response:
        self.sent.append((body, dict(headers)))
        return self.send(body, headers)

    def replay(self, index: int = -1, **extra_headers: str) -> Response:
        body, headers = self.sent[index]
        return self.send(body, {**headers, **extra_headers})


@pytest.fixture
def recorder(running_app: RunningApp, monkeypatch: pytest.MonkeyPatch) -> Recorder:
    recorder = Recorder(running_app)
    monkeypatch.setattr(running_app.slack, "post", recorder.post)
    return recorder


class Ignored(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage() == "replayed request signature ignored":
            self.count += 1


@pytest.fixture
def ignored() -> Iterator[Ignored]:
    handler = Ignored()
    logger = logging.getLogger(GUARD_LOGGER)
    level = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(level)


def test_a_replayed_help_command_is_answered_once(
    running_app: RunningApp, fake_slack: FakeSlack, recorder: Recorder, ignored: Ignored
) -> None:
    # Help needs no database, so the trigger_id key cannot catch its replay: only the guard can.
    first = running_app.slack.slash_command(
        "help", user_id=ALICE, channel_id=HIRING_CHANNEL, response_url=fake_slack.response_url()
    )
    assert first.status == 200
    assert ack_answer(first) is not None  # answered in the ack
    replayed = recorder.replay()
    assert (replayed.status, replayed.text) == (200, "")
    running_app.deps.background.wait_idle(TIMEOUT)
    assert ignored.count == 1
    assert fake_slack.responses == []  # and nothing later on the response_url either


def test_slacks_own_retry_of_the_same_bytes_still_reaches_the_app(
    running_app: RunningApp, fake_slack: FakeSlack, recorder: Recorder, ignored: Ignored
) -> None:
    first = running_app.slack.slash_command(
        "help", user_id=ALICE, channel_id=HIRING_CHANNEL, response_url=fake_slack.response_url()
    )
    assert ack_answer(first) is not None
    retried = recorder.replay(**{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
    assert retried.status == 200
    # Slack retries only when it missed the ack, so help is answered again.
    assert ack_answer(retried) is not None
    assert ignored.count == 0


def test_a_replayed_window_edit_is_applied_and_audited_once(
    running_app: RunningApp, fake_slack: FakeSlack, recorder: Recorder, ignored: Ignored
) -> None:
    seed_file_windows(running_app)
    view = open_modal(running_app, fake_slack, "window edit summer 2018")
    dates = ("2018-03-07", "2018-03-31", "2018-05-14", "2018-08-31")
    assert submit(running_app, view, values("Spring/Summer 2018", "summer", dates)) is None
    replayed = recorder.replay()
    assert (replayed.status, replayed.text) == (200, "")
    edits = [a for a in audit_actions(running_app) if a == (ADMIN, "window_edited")]
    assert len(edits) == 1
    assert ignored.count == 1


def test_a_replayed_claim_click_claims_once(
    harness: Harness, recorder: Recorder, ignored: Ignored
) -> None:
    harness.window()
    ref = harness.application(window="Winter 2017/2018")
    harness.click_answered(ids.CLAIM, value=str(ref))
    replayed = recorder.replay()
    assert (replayed.status, replayed.text) == (200, "")
    harness.deps.background.wait_idle(TIMEOUT)
    assert ignored.count == 1
    assert len(harness.audit("claim")) == 1
    assert len(harness.fake.responses) == 1


def test_replays_of_many_kinds_reach_no_listener(
    harness: Harness, recorder: Recorder, ignored: Ignored
) -> None:
    harness.window()
    ref = harness.application(window="Winter 2017/2018")
    harness.command(f"claim #{ref}")
    harness.command("list")
    sent: list[Any] = list(recorder.sent)
    for index in range(len(sent)):
        response = recorder.replay(index)
        assert (response.status, response.text) == (200, "")
    harness.deps.background.wait_idle(TIMEOUT)
    assert ignored.count == len(sent)
    assert harness.fake.responses == []  # both were answered in their acks, none since


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_signatures_are_remembered_for_longer_than_bolt_accepts_them_then_forgotten() -> None:
    clock = _Clock()
    memory = SignatureMemory(clock=clock)
    assert memory.first_time("v0=aa")
    clock.now = KEEP_SECONDS - 1
    assert not memory.first_time("v0=aa")
    assert KEEP_SECONDS > 5 * 60  # Bolt refuses a timestamp over five minutes old by itself
    clock.now = KEEP_SECONDS + 1
    assert memory.first_time("v0=aa")  # forgotten: only a stale request could carry it now


def test_the_memory_is_bounded() -> None:
    memory = SignatureMemory(limit=3, clock=_Clock())
    for n in range(5):
        assert memory.first_time(f"v0={n}")
    assert not memory.first_time("v0=4")
    assert memory.first_time("v0=0")  # the oldest were forgotten to stay within the limit
