"""Hypothesis against /slack/events: signed slash commands, block actions, view submissions and
events with arbitrary text and misshapen structure. Every answer is below 500, carries no
traceback and comes within Slack's 3 seconds.

The default runs are small so `make test` stays quick; the `slow` ones run many more examples.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hiring_bot.slack import ids
from tests.conftest import ADMIN, ALICE, HIRING_CHANNEL, SIGNING_SECRET, RunningApp
from tests.fakes.signed import Response, SlackRequests
from tests.fakes.slack_api import FakeSlack
from tests.reliability.hostile import assert_no_traceback, mutated
from tests.slack.review_factories import add_application

FAST = 15
SLOW = 200


def fuzz(examples: int) -> Callable[[Any], Any]:
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=examples == FAST,  # the quick runs are the same every time
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


class Captured(SlackRequests):
    """The payloads SlackRequests would send, kept instead of sent (to be mutated first)."""

    def interactive(self, payload: dict[str, Any]) -> Response:
        self.payload: dict[str, Any] = payload
        return Response(0, {}, b"")

    def raw(self, body: bytes, content_type: str, **_: Any) -> Response:
        self.payload = json.loads(body)
        return Response(0, {}, b"")


def captured() -> Captured:
    return Captured("http://127.0.0.1:1", SIGNING_SECRET)


def block_action_base(action_id: str, value: str) -> dict[str, Any]:
    capture = captured()
    capture.block_action(action_id, value=value, user_id=ALICE, channel_id=HIRING_CHANNEL)
    return capture.payload


def view_base(callback_id: str, values: dict[str, Any], metadata: str) -> dict[str, Any]:
    capture = captured()
    capture.view_submission(callback_id, values, user_id=ADMIN, private_metadata=metadata)
    return capture.payload


def event_base() -> dict[str, Any]:
    capture = captured()
    capture.event({"type": "app_home_opened", "user": ALICE, "tab": "home", "channel": "D0ALICE"})
    return capture.payload


def _input(value: str) -> dict[str, Any]:
    return {ids.INPUT_ACTION: {"type": "plain_text_input", "value": value}}


RATING_VALUES = {
    ids.RATING_OVERALL: {
        ids.INPUT_ACTION: {"type": "static_select", "selected_option": {"value": "3"}}
    },
    ids.RATING_NOTES: _input("strong on sequence learning"),
}
WINDOW_VALUES = {
    ids.WINDOW_NAME: _input("Fall 2018"),
    ids.WINDOW_ALIASES: _input("fall"),
    ids.WINDOW_APPLICATION_DEADLINE: {
        ids.INPUT_ACTION: {"type": "datepicker", "selected_date": "2018-06-30"}
    },
}
BASES = [
    *(block_action_base(action_id, "1") for action_id in ids.ALL_ACTION_IDS),
    block_action_base(ids.STAGE_SELECT, "1:shortlisted"),
    block_action_base(ids.LIST_ITEM_MENU, "rate:1"),
    view_base(ids.RATING_MODAL, RATING_VALUES, json.dumps({"ref": 1})),
    view_base(ids.WINDOW_MODAL, WINDOW_VALUES, json.dumps({"mode": "add", "channel": "C1"})),
    event_base(),
]


def send_payload(app: RunningApp, fake: FakeSlack, payload: dict[str, Any]) -> Response:
    # Replies go to the fake Slack server, never to the real hooks.slack.com.
    if isinstance(payload.get("response_url"), str):
        payload["response_url"] = fake.response_url()
    if payload.get("type") == "event_callback" or "event" in payload:
        return app.slack.raw(json.dumps(payload).encode(), "application/json")
    return app.slack.interactive(payload)


def check(send: Callable[[], Response]) -> Response:
    started = time.monotonic()
    response = send()
    elapsed = time.monotonic() - started
    assert response.status < 500, response.text
    assert_no_traceback(response.body)
    assert elapsed < 3, f"answered after {elapsed:.1f} s"
    return response


@pytest.fixture
def app_with_application(running_app: RunningApp) -> RunningApp:
    with running_app.deps.sessions.begin() as session:
        add_application(session, "Ada Lovelace")
    return running_app


def _intern_text(app: RunningApp, fake: FakeSlack, text: str) -> None:
    check(
        lambda: app.slack.slash_command(
            text, user_id=ALICE, channel_id=HIRING_CHANNEL, response_url=fake.response_url()
        )
    )


# A form field is UTF-8 on the wire: lone surrogates cannot be sent (JSON payloads can carry them).
form_text = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=60)
intern_text = st.one_of(
    form_text,
    st.sampled_from(["rate \u202e1", "list\nfoo", "claim #0", "claim #99999999999999999999"]),
    st.builds(
        " ".join,
        st.lists(
            st.sampled_from(
                ["list", "rate", "claim", "details", "window", "add", "close", "purge", "help"]
            )
            | form_text,
            max_size=4,
        ),
    ),
)


@fuzz(FAST)
@given(text=intern_text)
def test_intern_text(app_with_application: RunningApp, fake_slack: FakeSlack, text: str) -> None:
    _intern_text(app_with_application, fake_slack, text)


@fuzz(FAST)
@given(data=st.data())
def test_misshapen_interactions_and_events(
    app_with_application: RunningApp, fake_slack: FakeSlack, data: st.DataObject
) -> None:
    base = data.draw(st.sampled_from(BASES))
    payload = data.draw(mutated(base))
    check(lambda: send_payload(app_with_application, fake_slack, payload))


@pytest.mark.slow
@fuzz(SLOW)
@given(text=intern_text)
def test_intern_text_many(
    app_with_application: RunningApp, fake_slack: FakeSlack, text: str
) -> None:
    _intern_text(app_with_application, fake_slack, text)


@pytest.mark.slow
@fuzz(SLOW * 3)
@given(data=st.data())
def test_misshapen_interactions_and_events_many(
    app_with_application: RunningApp, fake_slack: FakeSlack, data: st.DataObject
) -> None:
    base = data.draw(st.sampled_from(BASES))
    payload = data.draw(mutated(base))
    check(lambda: send_payload(app_with_application, fake_slack, payload))
