"""/slack/events before the signature check: a bounded read, then 401 — never a 500, never a log
of the body. Over real HTTP against the real WSGI app (Bolt behind the gate)."""

from __future__ import annotations

import json
import time
import urllib.parse

import pytest

from tests.conftest import SIGNING_SECRET, RunningApp
from tests.fakes.signed import sign
from tests.reliability.hostile import assert_no_traceback, raw_request

EVENTS = "/slack/events"


def signed_headers(body: bytes, content_type: str = "application/json") -> dict[str, str]:
    ts = str(int(time.time()))
    return {
        "Content-Type": content_type,
        "Content-Length": str(len(body)),
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": sign(SIGNING_SECRET, ts, body),
    }


def test_an_oversized_body_is_refused_before_it_is_read(running_app: RunningApp) -> None:
    # 50 MB declared, nothing sent: an answer can only come from the declared length.
    started = time.monotonic()
    status, body = raw_request(
        running_app.base_url,
        EVENTS,
        headers={"Content-Type": "application/json", "Content-Length": str(50 * 1024 * 1024)},
        send_body=False,
    )
    assert status == 413
    assert "limit" in json.loads(body)["error"]
    assert time.monotonic() - started < 3


def test_one_byte_over_the_limit_is_refused_and_the_limit_itself_is_read(
    running_app: RunningApp,
) -> None:
    limit = 1024 * 1024
    over = {"Content-Type": "application/json", "Content-Length": str(limit + 1)}
    status, _ = raw_request(running_app.base_url, EVENTS, headers=over, send_body=False)
    assert status == 413
    payload = b"{" + b" " * (limit - 2) + b"}"
    status, _ = raw_request(
        running_app.base_url, EVENTS, headers=signed_headers(payload), body=payload
    )
    assert status != 413


@pytest.mark.parametrize("length", [None, "abc", "-5", "1e3"])
def test_a_missing_or_invalid_content_length_is_411(
    running_app: RunningApp, length: str | None
) -> None:
    headers = {"Content-Type": "application/json", "X-Slack-Request-Timestamp": "1"}
    if length is not None:
        headers["Content-Length"] = length
    status, body = raw_request(running_app.base_url, EVENTS, headers=headers, send_body=False)
    assert status == 411
    assert json.loads(body) == {"error": "a Content-Length header is required"}


@pytest.mark.parametrize("timestamp", ["abc", "", "1.5", "-1", "\u00b2", "9" * 40])
def test_a_bad_timestamp_is_401(running_app: RunningApp, timestamp: str) -> None:
    body = b'{"type": "url_verification", "challenge": "x"}'
    headers = {
        "Content-Type": "application/json",
        "Content-Length": str(len(body)),
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": sign(SIGNING_SECRET, timestamp, body),
    }
    status, answer = raw_request(
        running_app.base_url, EVENTS, headers={k: v for k, v in headers.items() if v}, body=body
    )
    assert status == 401
    assert_no_traceback(answer)


@pytest.mark.parametrize(
    "body",
    [
        b'{"type": "event_callback", "event": {"text": "a\x01b"}}',
        b'{"type": "event_callback", "team": 5}',
        b"payload=%7B%22type%22%3A%5B",
        b"\xff\xfe not utf-8",
        b"[" * 1000 + b"]" * 1000,
    ],
)
def test_unsigned_bodies_are_401_whatever_they_contain(
    running_app: RunningApp, body: bytes
) -> None:
    ts = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "Content-Length": str(len(body)),
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": "v0=" + "0" * 64,
    }
    status, answer = raw_request(running_app.base_url, EVENTS, headers=headers, body=body)
    assert status == 401
    assert json.loads(answer) == {"error": "invalid request"}


def test_a_body_shorter_than_its_length_is_not_waited_for_forever(
    running_app: RunningApp,
) -> None:
    # The client closes its side after 10 of 100 promised bytes: the read ends, the answer is 400.
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(running_app.base_url)
    with socket.create_connection((parts.hostname, parts.port), timeout=5) as sock:
        sock.sendall(
            b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 100\r\nX-Slack-Request-Timestamp: 1\r\n\r\n0123456789"
        )
        sock.shutdown(socket.SHUT_WR)
        answer = sock.recv(4096)
    assert answer.startswith(b"HTTP/1.0 400") or answer.startswith(b"HTTP/1.1 400")


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"[" * 1000 + b"]" * 1000, "application/json"),
        (b"[1, 2]", "application/json"),
        (b'"just a string"', "application/json"),
        (b"{not json", "application/json"),
        (
            urllib.parse.urlencode({"payload": "[" * 1000 + "]" * 1000}).encode(),
            "application/x-www-form-urlencoded",
        ),
        (
            urllib.parse.urlencode({"payload": '{"type": '}).encode(),
            "application/x-www-form-urlencoded",
        ),
    ],
)
def test_signed_but_unparseable_payloads_are_400(
    running_app: RunningApp, body: bytes, content_type: str
) -> None:
    status, answer = raw_request(
        running_app.base_url, EVENTS, headers=signed_headers(body, content_type), body=body
    )
    assert status == 400, answer
    assert json.loads(answer)["error"]


@pytest.mark.parametrize(
    "payload",
    [
        {"type": "event_callback", "team": 5, "event": {"type": "app_home_opened"}},
        {"type": "event_callback", "authorizations": "x", "event": {"type": "app_home_opened"}},
        {"type": "event_callback", "enterprise": 7, "event": {"type": "app_home_opened"}},
        {"type": "block_actions", "view": "x", "actions": []},
        {"type": "view_submission", "view": [], "user": {"id": "U1"}},
    ],
)
def test_signed_payloads_bolt_cannot_read_are_answered_without_a_500(
    running_app: RunningApp, payload: dict[str, object]
) -> None:
    body = json.dumps(payload).encode()
    status, answer = raw_request(
        running_app.base_url, EVENTS, headers=signed_headers(body), body=body
    )
    assert status < 500, answer
    assert_no_traceback(answer)


def test_a_genuine_signed_request_still_goes_through(running_app: RunningApp) -> None:
    response = running_app.slack.url_verification("challenge-123")
    assert response.status == 200
    assert "challenge-123" in response.text


def test_bolt_still_checks_the_signature_behind_the_gate(running_app: RunningApp) -> None:
    # The gate is not the only check: Bolt's own middleware is still registered and on.
    from slack_bolt.middleware.request_verification import RequestVerification

    bolt = running_app.web.slack.handler.app  # type: ignore[attr-defined]
    assert any(isinstance(m, RequestVerification) for m in bolt._middleware_list)


@pytest.mark.parametrize("state", ["x", [], {"values": []}, {"values": {"b": "x"}}])
def test_a_window_modal_with_a_non_object_state_is_400(
    running_app: RunningApp, state: object
) -> None:
    payload = {
        "type": "view_submission",
        "user": {"id": "U0ADMIN"},
        "trigger_id": "1.2.3",
        "view": {"type": "modal", "callback_id": "window_modal", "state": state},
    }
    response = running_app.slack.interactive(payload)
    assert response.status == 400
    assert "view.state" in response.json()["error"]


def test_an_exception_inside_bolt_becomes_a_400_without_a_traceback() -> None:
    from hiring_bot.http_guard import GuardedSlackHandler, SlackRequestGate
    from tests.fakes.signed import SlackRequests, wsgi_server

    def bolt_that_trips(environ: dict[str, object], start_response: object) -> list[bytes]:
        raise KeyError("authorizations")

    guarded = GuardedSlackHandler(bolt_that_trips, SlackRequestGate(SIGNING_SECRET))
    with wsgi_server(guarded) as base:
        response = SlackRequests(base, SIGNING_SECRET).url_verification("x")
    assert response.status == 400
    assert response.json() == {"error": "malformed Slack payload"}
