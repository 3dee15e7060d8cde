"""Tests of the test fakes: the fake Slack Web API server and the signed-request builder."""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
import urllib.parse
from collections.abc import Iterator
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.blocks.basic_components import MarkdownTextObject, Option
from slack_sdk.models.views import View
from slack_sdk.webhook import WebhookClient

from tests.fakes.signed import SlackRequests, sign, wsgi_server
from tests.fakes.slack_api import (
    FakeSlack,
    fake_slack,
    find_specs_dir,
    load_spec,
    validate_blocks,
    validate_view,
)

TOKEN = "xoxb-test"
SECRET = "test-signing-secret"
CHANNEL = "C0HIRING01"


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with fake_slack(TOKEN) as f:
        yield f


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return WebClient(token=TOKEN, base_url=fake.url, timeout=5)


def card_blocks(n: int = 1) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [
        HeaderBlock(text="Application #42").to_dict(),
        SectionBlock(
            block_id="summary",
            text=MarkdownTextObject(text="*Ada Lovelace* — Spring/Summer 2018"),
            fields=[MarkdownTextObject(text="*Window*\nSpring/Summer 2018")],
        ).to_dict(),
        DividerBlock().to_dict(),
        ActionsBlock(
            block_id="card_actions",
            elements=[
                ButtonElement(text="Claim", action_id="claim", value="42", style="primary"),
                ButtonElement(text="Rate", action_id="rate", value="42"),
                StaticSelectElement(
                    action_id="stage",
                    placeholder="Move to…",
                    options=[Option(text="Interview", value="interview")],
                ),
            ],
        ).to_dict(),
    ]
    blocks.extend(
        SectionBlock(block_id=f"extra_{i}", text=f"line {i}").to_dict() for i in range(n - 1)
    )
    return blocks


def modal(**overrides: Any) -> dict[str, Any]:
    view = View(
        type="modal",
        callback_id="rate_submit",
        title="Rate #42",
        submit="Save",
        close="Cancel",
        private_metadata=json.dumps({"application_id": 42}),
        blocks=[
            InputBlock(
                block_id="notes",
                label="Notes",
                element=PlainTextInputElement(action_id="notes_input", multiline=True),
            )
        ],
    ).to_dict()
    view.update(overrides)
    return view


# ---------------------------------------------------------------------------------------------
# Spec and validators
# ---------------------------------------------------------------------------------------------


def test_spec_located_and_parsed_once() -> None:
    assert (find_specs_dir() / "web-api-openapi-v2.json").is_file()
    spec = load_spec()
    assert spec is load_spec()
    assert spec["chat.postMessage"].params["channel"].required
    assert "token" not in spec["chat.postMessage"].params
    assert "metadata" in spec["chat.postMessage"].params  # allowlisted newer param
    assert "files.completeUploadExternal" in spec  # newer method, explicit extra


def test_realistic_blocks_and_view_are_valid() -> None:
    assert validate_blocks(card_blocks()) == []
    assert validate_view(modal()) == []
    assert validate_view({"type": "home", "blocks": card_blocks()}) == []


@pytest.mark.parametrize(
    ("blocks", "expected"),
    [
        (card_blocks(51), "more than the maximum of 50"),
        (
            [
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "button",
                            "text": {"type": "plain_text", "text": "x" * 76},
                            "action_id": "a",
                        }
                    ],
                }
            ],
            "75",
        ),
        ([{"type": "fancy_block", "text": "hi"}], "unknown block type"),
        ([{"type": "section"}], "text or fields"),
        ([{"type": "section", "text": {"type": "mrkdwn", "text": ""}}], "empty mrkdwn"),
        ([{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}, "colour": 1}], "'colour'"),
        (
            [{"type": "actions", "elements": [{"type": "buton", "action_id": "a"}]}],
            "unknown element",
        ),
        ([{"type": "divider", "block_id": "x" * 256}], "block_id"),
        (
            [{"type": "divider", "block_id": "a"}, {"type": "divider", "block_id": "a"}],
            "duplicate block_id",
        ),
        (
            [
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "button",
                            "text": {"type": "plain_text", "text": "A"},
                            "action_id": "same",
                        },
                        {
                            "type": "button",
                            "text": {"type": "plain_text", "text": "B"},
                            "action_id": "same",
                        },
                    ],
                },
            ],
            "duplicate action_id",
        ),
        ("[]", "must be an array"),
    ],
)
def test_invalid_blocks_are_caught(blocks: Any, expected: str) -> None:
    problems = validate_blocks(blocks)
    assert problems
    assert any(expected in p for p in problems), problems


def test_same_action_id_in_different_blocks_is_allowed_unless_scope_message() -> None:
    blocks = [
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": "A"},
                    "action_id": "claim",
                }
            ],
        },
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": "B"},
                    "action_id": "claim",
                }
            ],
        },
    ]
    assert validate_blocks(blocks) == []  # Slack's rule: unique within the containing block
    assert validate_blocks(blocks, action_id_scope="message")
    with fake_slack(TOKEN, action_id_scope="message") as strict:
        client = WebClient(token=TOKEN, base_url=strict.url)
        _error_of(client.chat_postMessage, channel=CHANNEL, text="x", blocks=blocks)
        assert "duplicate action_id" in strict.violations[0]


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"title": {"type": "plain_text", "text": "x" * 25}}, "title"),
        ({"private_metadata": "x" * 3001}, "private_metadata"),
        ({"blocks": card_blocks(101)}, "more than the maximum of 100"),
        ({"type": "dialog"}, "type"),
        ({"blocks": []}, "at least 1 block"),
    ],
)
def test_invalid_views_are_caught(overrides: dict[str, Any], expected: str) -> None:
    problems = validate_view(modal(**overrides))
    assert any(expected in p for p in problems), problems


# ---------------------------------------------------------------------------------------------
# Real WebClient against the fake
# ---------------------------------------------------------------------------------------------


def test_post_message_and_update(fake: FakeSlack, client: WebClient) -> None:
    first = client.chat_postMessage(channel=CHANNEL, text="New application", blocks=card_blocks())
    second = client.chat_postMessage(channel=CHANNEL, text="Another")
    assert first["channel"] == CHANNEL
    assert first["ts"] < second["ts"]
    assert re.fullmatch(r"\d{10}\.\d{6}", first["ts"])
    assert abs(float(first["ts"]) - time.time()) < 60  # wall clock, as Slack's ts are
    assert first["message"]["blocks"] == card_blocks()
    call = fake.last("chat.postMessage")
    assert call.params["channel"] == CHANNEL
    assert call.http_method == "POST"
    assert call.headers["Authorization"] == f"Bearer {TOKEN}"
    assert fake.calls_to("chat.postMessage")[0].params["blocks"] == card_blocks()

    updated = client.chat_update(channel=CHANNEL, ts=first["ts"], text="Claimed", blocks=[])
    assert updated["ts"] == first["ts"]
    assert updated["channel"] == CHANNEL
    assert fake.messages[(CHANNEL, first["ts"])]["text"] == "Claimed"

    client.chat_postEphemeral(channel=CHANNEL, user="U0ALICE", text="only you")
    assert fake.last("chat.postEphemeral").response["message_ts"]  # type: ignore[index]
    link = client.chat_getPermalink(channel=CHANNEL, message_ts=first["ts"])
    assert link["permalink"].endswith("p" + first["ts"].replace(".", ""))
    client.reactions_add(channel=CHANNEL, name="eyes", timestamp=first["ts"])
    client.chat_delete(channel=CHANNEL, ts=second["ts"])
    assert (CHANNEL, second["ts"]) not in fake.messages
    auth = client.auth_test()
    assert (auth["user_id"], auth["team_id"][0], auth["bot_id"][0]) == ("U0BOT", "T", "B")
    fake.assert_clean()


def test_form_encoded_blocks_are_decoded(fake: FakeSlack, client: WebClient) -> None:
    client.api_call(
        "chat.postMessage",
        params={"channel": CHANNEL, "text": "hi", "blocks": json.dumps(card_blocks())},
    )
    assert fake.last("chat.postMessage").params["blocks"] == card_blocks()
    fake.assert_clean()


def test_views(fake: FakeSlack, client: WebClient) -> None:
    home = client.views_publish(user_id="U0ALICE", view={"type": "home", "blocks": card_blocks()})
    again = client.views_publish(user_id="U0ALICE", view={"type": "home", "blocks": card_blocks()})
    assert home["view"]["id"].startswith("V")
    assert home["view"]["id"] == again["view"]["id"]
    opened = client.views_open(trigger_id="1.2.abc", view=modal())
    view_id = opened["view"]["id"]
    assert fake.last("views.open").params["view"]["callback_id"] == "rate_submit"
    client.views_update(view_id=view_id, view=modal(callback_id="rate_done"))
    client.views_push(trigger_id="1.2.abc", view=modal())
    assert fake.views[view_id]["callback_id"] == "rate_done"
    fake.assert_clean()


def test_files_upload_v2_end_to_end(fake: FakeSlack, client: WebClient) -> None:
    data = b"%PDF-1.4 resume bytes"
    result = client.files_upload_v2(
        channel=CHANNEL, thread_ts="1700000000.000100", file=data, filename="resume.pdf"
    )
    assert result["file"]["name"] == "resume.pdf"
    (record,) = fake.files.values()
    assert record["data"] == data
    assert record["channel"] == CHANNEL
    assert record["thread_ts"] == "1700000000.000100"
    assert [c.method for c in fake.calls] == [
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
    ]
    assert fake.last("files.completeUploadExternal").params["files"][0]["id"] == record["id"]
    fake.assert_clean()


def test_files_delete_knows_what_was_uploaded(fake: FakeSlack, client: WebClient) -> None:
    uploaded = client.files_upload_v2(channel=CHANNEL, file=b"%PDF-1.4", filename="cv.pdf")
    file_id = uploaded["file"]["id"]

    assert client.files_delete(file=file_id)["ok"] is True
    assert fake.files[file_id]["deleted"] is True
    assert fake.files[file_id]["data"] is None
    # As Slack answers: the same file again, and a file it never had.
    assert _error_of(client.files_delete, file=file_id)["error"] == "file_deleted"
    assert _error_of(client.files_delete, file="F0NEVERSEEN")["error"] == "file_not_found"
    assert [c.response for c in fake.calls_to("files.delete")] == [
        {"ok": True},
        {"ok": False, "error": "file_deleted"},
        {"ok": False, "error": "file_not_found"},
    ]
    fake.assert_clean()


def test_conversations_members_pagination(fake: FakeSlack, client: WebClient) -> None:
    members = [f"U0REV{i:04d}" for i in range(7)]
    fake.channel_members[CHANNEL] = members
    seen: list[str] = []
    for page in client.conversations_members(channel=CHANNEL, limit=3):
        seen.extend(page["members"])
    assert seen == members
    assert [c.params.get("cursor") is None for c in fake.calls_to("conversations.members")] == [
        True,
        False,
        False,
    ]
    assert client.conversations_members(channel="C0EMPTY0001")["members"] == []
    fake.assert_clean()


def _history(client: WebClient, **kwargs: Any) -> list[str]:
    """Texts of one conversations.history page, in the order Slack gives them."""
    return [m["text"] for m in client.conversations_history(channel=CHANNEL, **kwargs)["messages"]]


def test_history_is_newest_first_and_reflects_updates_and_deletes(
    fake: FakeSlack, client: WebClient
) -> None:
    one = client.chat_postMessage(channel=CHANNEL, text="one")["ts"]
    two = client.chat_postMessage(channel=CHANNEL, text="two")["ts"]
    client.chat_postMessage(channel=CHANNEL, text="three")
    client.chat_postMessage(channel=CHANNEL, text="in thread", thread_ts=one)
    client.chat_postMessage(channel=CHANNEL, text="broadcast", thread_ts=one, reply_broadcast=True)
    client.chat_postEphemeral(channel=CHANNEL, user="U0ALICE", text="only alice")
    client.chat_postMessage(channel="C0ELSEWHERE", text="other channel")
    client.chat_update(channel=CHANNEL, ts=one, text="one, claimed")
    client.chat_delete(channel=CHANNEL, ts=two)

    reply = client.conversations_history(channel=CHANNEL)
    assert [m["text"] for m in reply["messages"]] == ["broadcast", "three", "one, claimed"]
    assert reply["has_more"] is False
    assert reply["response_metadata"]["next_cursor"] == ""
    assert reply["messages"][-1]["ts"] == one
    assert client.conversations_history(channel="C0QUIET")["messages"] == []
    fake.assert_clean()


def test_history_ts_follow_the_wall_clock_so_oldest_filters(
    fake: FakeSlack, client: WebClient
) -> None:
    client.chat_postMessage(channel=CHANNEL, text="before")
    cutoff = f"{time.time():.6f}"
    stamps = [client.chat_postMessage(channel=CHANNEL, text=f"m{i}")["ts"] for i in range(20)]
    assert stamps == sorted(stamps)
    assert len(set(stamps)) == 20
    assert all(ts > cutoff for ts in stamps)
    assert "before" not in _history(client, oldest=cutoff)
    assert len(_history(client, oldest=cutoff)) == 20
    fake.assert_clean()


def test_history_oldest_latest_and_inclusive(fake: FakeSlack, client: WebClient) -> None:
    ts = [client.chat_postMessage(channel=CHANNEL, text=f"m{i}")["ts"] for i in range(5)]
    assert _history(client, oldest=ts[1], latest=ts[3]) == ["m2"]
    assert _history(client, oldest=ts[1], latest=ts[3], inclusive=True) == ["m3", "m2", "m1"]
    assert _history(client, latest=ts[1]) == ["m0"]
    assert _history(client, oldest=ts[3]) == ["m4"]
    assert _history(client, oldest=ts[4]) == []
    fake.assert_clean()


def test_history_metadata_only_when_asked(fake: FakeSlack, client: WebClient) -> None:
    metadata = {"event_type": "application_card", "event_payload": {"outbox_id": 7}}
    client.chat_postMessage(channel=CHANNEL, text="card", metadata=metadata)
    (plain,) = client.conversations_history(channel=CHANNEL)["messages"]
    assert "metadata" not in plain
    (full,) = client.conversations_history(channel=CHANNEL, include_all_metadata=True)["messages"]
    assert full["metadata"] == metadata
    assert full["text"] == "card"
    changed = {"event_type": "application_card", "event_payload": {"outbox_id": 8}}
    client.chat_update(channel=CHANNEL, ts=full["ts"], text="card", metadata=changed)
    (updated,) = client.conversations_history(channel=CHANNEL, include_all_metadata=True)[
        "messages"
    ]
    assert updated["metadata"] == changed
    fake.assert_clean()


def test_history_pages_with_limit_and_cursor(fake: FakeSlack, client: WebClient) -> None:
    for i in range(7):
        client.chat_postMessage(channel=CHANNEL, text=f"m{i}")
    first = client.conversations_history(channel=CHANNEL, limit=3)
    assert [m["text"] for m in first["messages"]] == ["m6", "m5", "m4"]
    assert first["has_more"] is True
    # A message posted between pages is newer than the cursor: it shifts nothing.
    client.chat_postMessage(channel=CHANNEL, text="late")
    cursor = first["response_metadata"]["next_cursor"]
    second = client.conversations_history(channel=CHANNEL, limit=3, cursor=cursor)
    assert [m["text"] for m in second["messages"]] == ["m3", "m2", "m1"]
    cursor = second["response_metadata"]["next_cursor"]
    third = client.conversations_history(channel=CHANNEL, limit=3, cursor=cursor)
    assert [m["text"] for m in third["messages"]] == ["m0"]
    assert third["has_more"] is False
    assert third["response_metadata"]["next_cursor"] == ""

    # slack_sdk's own paging (iterating the response follows next_cursor) sees everything once.
    texts = [
        m["text"]
        for page in client.conversations_history(channel=CHANNEL, limit=2)
        for m in page["messages"]
    ]
    assert texts == ["late", *(f"m{i}" for i in range(6, -1, -1))]
    assert len(_history(client)) == 8  # default limit 100

    body = _error_of(client.conversations_history, channel=CHANNEL, cursor="bm9wZQ==")
    assert body["error"] == "invalid_cursor"
    fake.assert_clean()  # a bad cursor is an answer, not a spec violation


def test_history_parameters_checked_against_the_spec(fake: FakeSlack, client: WebClient) -> None:
    body = _error_of(client.api_call, "conversations.history", params={"limit": 5})
    assert "missing required parameter 'channel'" in body["response_metadata"]["messages"][0]
    body = _error_of(client.conversations_history, channel=CHANNEL, oldest="yesterday")
    assert "'oldest' must be a number" in body["response_metadata"]["messages"][0]
    body = _error_of(client.conversations_history, channel=CHANNEL, newest="1")
    assert "unknown parameter 'newest'" in body["response_metadata"]["messages"][0]
    assert len(fake.violations) == 3
    fake.reset()


def test_conversations_open_and_users_info(fake: FakeSlack, client: WebClient) -> None:
    dm = client.conversations_open(users=["U0ALICE"])["channel"]["id"]
    assert dm.startswith("D")
    assert client.conversations_open(users="U0ALICE")["channel"]["id"] == dm
    assert client.conversations_open(users="U0BOB")["channel"]["id"] != dm
    fake.users["U0ALICE"] = {"real_name": "Alice Reviewer", "tz": "Europe/Berlin"}
    fake.users["U0GONE"] = None
    alice = client.users_info(user="U0ALICE")["user"]
    assert (alice["real_name"], alice["tz"], alice["id"]) == (
        "Alice Reviewer",
        "Europe/Berlin",
        "U0ALICE",
    )
    assert client.users_info(user="U0CAROL")["user"]["id"] == "U0CAROL"
    with pytest.raises(SlackApiError) as err:
        client.users_info(user="U0GONE")
    assert err.value.response["error"] == "user_not_found"
    assert fake.last("users.info").http_method == "POST"  # slack_sdk POSTs form bodies
    fake.assert_clean()


def test_unknown_but_spec_valid_method_answers_ok(fake: FakeSlack, client: WebClient) -> None:
    assert client.pins_add(channel=CHANNEL, timestamp="1700000000.000100")["ok"] is True
    fake.assert_clean()


# ---------------------------------------------------------------------------------------------
# Rejections
# ---------------------------------------------------------------------------------------------


def _error_of(fn: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
    with pytest.raises(SlackApiError) as err:
        fn(*args, **kwargs)
    return dict(err.value.response.data)


def test_invalid_blocks_rejected_and_recorded(fake: FakeSlack, client: WebClient) -> None:
    body = _error_of(client.chat_postMessage, channel=CHANNEL, text="x", blocks=card_blocks(51))
    assert body["error"] == "invalid_blocks"
    assert body["response_metadata"]["messages"]
    long_button = [
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "action_id": "claim",
                    "text": {"type": "plain_text", "text": "x" * 76},
                }
            ],
        }
    ]
    _error_of(
        client.chat_update, channel=CHANNEL, ts="1700000000.000100", text="x", blocks=long_button
    )
    _error_of(
        client.chat_postEphemeral, channel=CHANNEL, user="U0A", text="x", blocks=[{"type": "no"}]
    )
    _error_of(
        client.views_open,
        trigger_id="t",
        view=modal(title={"type": "plain_text", "text": "x" * 30}),
    )
    assert len(fake.violations) >= 4
    assert fake.violations[0].startswith("chat.postMessage: ")
    assert any(v.startswith("chat.update: ") and "75" in v for v in fake.violations)
    assert any(v.startswith("views.open: ") and "title" in v for v in fake.violations)
    assert [c.ok for c in fake.calls] == [False] * 4
    with pytest.raises(AssertionError, match="Slack API violation"):
        fake.assert_clean()
    fake.reset()
    fake.assert_clean()


def test_parameter_problems(fake: FakeSlack, client: WebClient) -> None:
    body = _error_of(client.api_call, "chat.postMessage", json={"text": "no channel"})
    assert body["error"] == "invalid_arguments"
    assert "missing required parameter 'channel'" in body["response_metadata"]["messages"][0]

    body = _error_of(client.api_call, "chat.postMesage", json={"channel": CHANNEL})
    assert body["error"] == "unknown_method"

    body = _error_of(client.chat_postMessage, channel=CHANNEL, text="hi", colour="red")
    assert "unknown parameter 'colour'" in body["response_metadata"]["messages"][0]

    body = _error_of(client.conversations_members, channel=CHANNEL, limit="lots")
    assert "'limit' must be a integer" in body["response_metadata"]["messages"][0]

    body = _error_of(
        client.api_call, "chat.postMessage", json={"channel": CHANNEL, "mrkdwn": "maybe"}
    )
    assert "'mrkdwn' must be a boolean" in body["response_metadata"]["messages"][0]

    body = _error_of(
        client.api_call, "chat.postMessage", params={"channel": CHANNEL, "blocks": "[{"}
    )
    assert "must be JSON" in body["response_metadata"]["messages"][0]

    body = _error_of(client.api_call, "chat.postMessage", json={"channel": CHANNEL})
    assert "no_text" in body["response_metadata"]["messages"][0]

    assert len(fake.violations) == 7
    fake.reset()


def test_auth_errors_are_not_violations(fake: FakeSlack) -> None:
    body = _error_of(WebClient(base_url=fake.url).auth_test)
    assert body["error"] == "not_authed"
    body = _error_of(WebClient(token="xoxb-wrong", base_url=fake.url).auth_test)
    assert body["error"] == "invalid_auth"
    fake.assert_clean()


# ---------------------------------------------------------------------------------------------
# response_url, wait_for
# ---------------------------------------------------------------------------------------------


def test_response_url(fake: FakeSlack) -> None:
    url = fake.response_url()
    assert url.startswith(fake.base)
    assert fake.response_url() != url
    resp = WebhookClient(url).send(text="Claimed", blocks=card_blocks(), replace_original=True)
    assert resp.status_code == 200
    (posted,) = fake.wait_for_response(1)
    assert posted["replace_original"] is True
    assert posted["blocks"] == card_blocks()
    fake.assert_clean()

    bad = WebhookClient(url).send(blocks=card_blocks(51))
    assert bad.status_code == 400
    assert bad.body == "invalid_blocks"
    assert any(v.startswith("response_url: ") for v in fake.violations)
    fake.reset()


def test_wait_for_async_calls(fake: FakeSlack, client: WebClient) -> None:
    def later() -> None:
        time.sleep(0.1)
        client.chat_postMessage(channel=CHANNEL, text="one")
        client.chat_postMessage(channel=CHANNEL, text="two")

    thread = threading.Thread(target=later)
    thread.start()
    calls = fake.wait_for("chat.postMessage", count=2, timeout=5)
    thread.join()
    assert [c.params["text"] for c in calls] == ["one", "two"]
    with pytest.raises(AssertionError, match="timed out"):
        fake.wait_for("chat.update", timeout=0.05)
    with pytest.raises(AssertionError, match=r"no call to chat\.update"):
        fake.last("chat.update")


# ---------------------------------------------------------------------------------------------
# Fault injection
# ---------------------------------------------------------------------------------------------


def test_429_retry_after_honoured(fake: FakeSlack) -> None:
    client = WebClient(
        token=TOKEN,
        base_url=fake.url,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)],
    )
    fake.fail_next(1, status=429, retry_after=1, method="chat.postMessage")
    client.auth_test()  # other methods unaffected
    started = time.monotonic()
    result = client.chat_postMessage(channel=CHANNEL, text="hi")
    assert result["ok"] is True
    assert time.monotonic() - started >= 1.0
    first, second = fake.calls_to("chat.postMessage")
    assert (first.status, second.status) == (429, 200)
    assert first.response == {"ok": False, "error": "ratelimited"}
    fake.assert_clean()


def test_429_without_retry_handler_raises(fake: FakeSlack) -> None:
    client = WebClient(token=TOKEN, base_url=fake.url, retry_handlers=[])
    fake.fail_next(1, status=429, retry_after=7)
    body = _error_of(client.chat_postMessage, channel=CHANNEL, text="hi")
    assert body["error"] == "ratelimited"
    fake.fail_next(1, status=429, retry_after=7)
    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel=CHANNEL, text="hi")
    assert err.value.response.status_code == 429
    assert err.value.response.headers["Retry-After"] in ("7", ["7"])


def test_500_then_success(fake: FakeSlack) -> None:
    client = WebClient(
        token=TOKEN,
        base_url=fake.url,
        retry_handlers=[ServerErrorRetryHandler(max_retry_count=1)],
    )
    fake.fail_next(1, status=500)
    assert client.chat_postMessage(channel=CHANNEL, text="hi")["ok"] is True
    assert [c.status for c in fake.calls_to("chat.postMessage")] == [500, 200]


def test_hang_next_times_out_and_does_not_block_stop() -> None:
    fake = FakeSlack(TOKEN).start()
    try:
        client = WebClient(token=TOKEN, base_url=fake.url, timeout=1, retry_handlers=[])
        fake.hang_next(1, seconds=30, method="chat.postMessage")
        with pytest.raises((TimeoutError, OSError)):
            client.chat_postMessage(channel=CHANNEL, text="slow")
        assert client.chat_postMessage(channel=CHANNEL, text="fast")["ok"] is True
        fake.hang_next(1, seconds=30)
        hung = threading.Thread(target=_swallow, args=(client.auth_test,))
        hung.start()
        time.sleep(0.2)
    finally:
        started = time.monotonic()
        fake.stop()
    assert time.monotonic() - started < 3
    hung.join(timeout=5)
    assert not hung.is_alive()


def _swallow(fn: Any) -> None:
    with contextlib.suppress(Exception):  # the server goes away mid-request
        fn()


# ---------------------------------------------------------------------------------------------
# The fake's answers match the spec's response schemas
# ---------------------------------------------------------------------------------------------


def _fix_items_lists(node: Any) -> Any:
    """The spec writes ``items: [A, B]`` (with ``type: null`` for "or null"): read as anyOf."""
    if isinstance(node, dict):
        out = {k: _fix_items_lists(v) for k, v in node.items()}
        if isinstance(out.get("items"), list):
            options = out.pop("items")
            if out.get("type") == "array":
                out["items"] = {"anyOf": options}
            else:
                out["anyOf"] = options
        return out
    if isinstance(node, list):
        return [_fix_items_lists(v) for v in node]
    return node


def test_answers_match_spec_response_schemas(fake: FakeSlack, client: WebClient) -> None:
    raw = json.loads((find_specs_dir() / "web-api-openapi-v2.json").read_text())
    definitions = _fix_items_lists(raw["definitions"])
    fake.channel_members[CHANNEL] = ["U0ALICE0001", "U0BOB00001"]
    posted = client.chat_postMessage(channel=CHANNEL, text="hi", blocks=card_blocks())
    client.auth_test()
    client.conversations_members(channel=CHANNEL)
    client.conversations_open(users="U0ALICE0001")
    client.chat_getPermalink(channel=CHANNEL, message_ts=posted["ts"])
    client.conversations_history(channel=CHANNEL, limit=1)
    client.chat_delete(channel=CHANNEL, ts=posted["ts"])
    for call in fake.calls:
        operation = next(iter(raw["paths"]["/" + call.method].values()))
        schema = _fix_items_lists(operation["responses"]["200"]["schema"])
        schema["definitions"] = definitions
        response = dict(call.response or {})
        if call.method == "conversations.history":
            # The 2020 spec predates cursor pagination in this answer; Slack sends it today.
            assert response.pop("response_metadata") == {"next_cursor": ""}
        jsonschema.validate(response, schema)
    fake.assert_clean()


# ---------------------------------------------------------------------------------------------
# Signed requests against a real Bolt app over WSGI
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def bolt(fake: FakeSlack) -> Iterator[tuple[SlackRequests, list[dict[str, Any]]]]:
    seen: list[dict[str, Any]] = []
    app = App(
        signing_secret=SECRET,
        client=WebClient(token=TOKEN, base_url=fake.url),
        process_before_response=True,
    )

    @app.command("/intern")
    def intern(ack: Any, command: dict[str, Any], respond: Any) -> None:
        ack()
        seen.append({"kind": "command", **command})
        respond(text=f"you said {command['text']}")

    @app.action("claim")
    def claim(ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        seen.append({"kind": "action", "body": body, "action": action})

    @app.view("rate_submit")
    def rate(ack: Any, view: dict[str, Any]) -> None:
        ack()
        seen.append({"kind": "view", "view": view})

    @app.event("app_home_opened")
    def home(event: dict[str, Any], client: WebClient) -> None:
        seen.append({"kind": "event", "event": event})
        client.views_publish(user_id=event["user"], view={"type": "home", "blocks": card_blocks()})

    with wsgi_server(SlackRequestHandler(app)) as base_url:
        yield SlackRequests(base_url, SECRET), seen


def test_signed_slash_command(fake: FakeSlack, bolt: tuple[SlackRequests, list[Any]]) -> None:
    requests, seen = bolt
    resp = requests.slash_command("list --mine", response_url=fake.response_url())
    assert resp.status == 200
    (command,) = seen
    assert command["text"] == "list --mine"
    assert command["command"] == "/intern"
    assert command["user_id"] == "U_ALICE"
    assert command["team_id"].startswith("T")
    assert command["trigger_id"]
    (response,) = fake.wait_for_response(1)
    assert response["text"] == "you said list --mine"
    fake.assert_clean()


def test_signed_block_action_and_view_submission(
    fake: FakeSlack, bolt: tuple[SlackRequests, list[Any]]
) -> None:
    requests, seen = bolt
    resp = requests.block_action(
        "claim", value="42", message={"ts": "1700000000.000100", "blocks": card_blocks()}
    )
    assert resp.status == 200
    action = seen[-1]
    assert action["action"]["value"] == "42"
    assert action["action"]["type"] == "button"
    assert action["body"]["container"]["message_ts"] == "1700000000.000100"
    assert action["body"]["channel"]["id"] == "C_HIRING"

    resp = requests.block_action(
        "claim",
        selected_option={"text": {"type": "plain_text", "text": "A"}, "value": "a"},
        view={"callback_id": "rate_submit"},
    )
    assert resp.status == 200
    assert seen[-1]["body"]["container"]["type"] == "view"
    assert "response_url" not in seen[-1]["body"]

    values = {"notes": {"notes_input": {"type": "plain_text_input", "value": "strong"}}}
    resp = requests.view_submission("rate_submit", values, private_metadata='{"id": 42}')
    assert resp.status == 200
    assert seen[-1]["view"]["state"]["values"] == values
    assert seen[-1]["view"]["private_metadata"] == '{"id": 42}'


def test_signed_events(fake: FakeSlack, bolt: tuple[SlackRequests, list[Any]]) -> None:
    requests, seen = bolt
    resp = requests.url_verification("challenge-xyz")
    assert resp.status == 200
    assert resp.json() == {"challenge": "challenge-xyz"}
    resp = requests.event({"type": "app_home_opened", "user": "U0ALICE", "tab": "home"})
    assert resp.status == 200
    assert seen[-1]["event"]["user"] == "U0ALICE"
    assert fake.last("views.publish").params["user_id"] == "U0ALICE"
    resp = requests.event(
        {"type": "app_home_opened", "user": "U0ALICE", "tab": "home"}, retry_num=1
    )
    assert resp.status == 200
    fake.assert_clean()


def test_event_envelope_matches_wrapper_schema() -> None:
    captured: list[bytes] = []

    class Capture(SlackRequests):
        def post(self, body: bytes, headers: dict[str, str]) -> Any:
            captured.append(body)
            return None

    Capture("http://127.0.0.1:1", SECRET).event({"type": "app_home_opened", "user": "U0A"})
    schema = json.loads((find_specs_dir() / "events-api-wrapper.schema.json").read_text())
    jsonschema.validate(json.loads(captured[0]), schema)


def test_tampered_and_stale_requests_rejected(bolt: tuple[SlackRequests, list[Any]]) -> None:
    requests, seen = bolt
    body = urllib.parse.urlencode({"command": "/intern", "text": "x", "user_id": "U0A"}).encode()
    ctype = "application/x-www-form-urlencoded"
    assert requests.raw(body, ctype, signature="v0=" + "0" * 64).status == 401
    stale = int(time.time()) - 600
    assert requests.raw(body, ctype, timestamp=stale).status == 401
    good_sig = sign(SECRET, str(int(time.time())), body)
    assert requests.raw(body + b"&text=evil", ctype, signature=good_sig).status == 401
    assert seen == []


def test_get_query_string_and_form_token(fake: FakeSlack) -> None:
    import urllib.request

    fake.channel_members[CHANNEL] = ["U0ALICE0001"]
    query = urllib.parse.urlencode({"channel": CHANNEL, "limit": 10})
    request = urllib.request.Request(
        f"{fake.url}conversations.members?{query}", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    with urllib.request.urlopen(request, timeout=5) as resp:
        assert json.loads(resp.read())["members"] == ["U0ALICE0001"]
    call = fake.last("conversations.members")
    assert (call.http_method, call.params) == ("GET", {"channel": CHANNEL, "limit": "10"})
    form = urllib.parse.urlencode({"token": TOKEN, "user": "U0ALICE"}).encode()
    with urllib.request.urlopen(f"{fake.url}users.info", data=form, timeout=5) as resp:
        assert json.loads(resp.read())["user"]["id"] == "U0ALICE"
    assert "token" not in fake.last("users.info").params
    fake.assert_clean()


def test_faulted_calls_are_recorded_with_decoded_params(fake: FakeSlack) -> None:
    client = WebClient(token=TOKEN, base_url=fake.url, retry_handlers=[])
    fake.fail_next(1, status=503, method="chat.postMessage")
    body = _error_of(client.chat_postMessage, channel=CHANNEL, text="x", blocks=card_blocks())
    assert body["error"] == "fatal_error"
    call = fake.last("chat.postMessage")
    assert (call.status, call.ok, call.params["blocks"]) == (503, False, card_blocks())
    fake.assert_clean()
