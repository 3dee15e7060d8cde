"""`hiring-bot socket` as a real process: apps.connections.open, the WebSocket, an acked command.

The process talks to the fake Slack Web API (SLACK_API_URL) for apps.connections.open and the
response_url, and to the fake Socket Mode server for the WebSocket, like it would to Slack.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ALICE, BOT_TOKEN, HIRING_CHANNEL
from tests.fakes.slack_api import FakeSlack
from tests.fakes.socket_mode import FakeSocketMode
from tests.integration.processes import process

APP_TOKEN = "xapp-test"
START_TIMEOUT = 60.0  # interpreter start and migrations on a cold cache


@pytest.fixture
def socket_mode(fake_slack: FakeSlack) -> Iterator[FakeSocketMode]:
    with FakeSocketMode(fake_slack) as server:
        yield server
    server.assert_clean()


@pytest.mark.parametrize("command", ["python -m hiring_bot socket", "python -m hiring_bot"])
def test_socket_mode_process_answers_a_slash_command_in_its_ack(
    command: str, tmp_path: Path, fake_slack: FakeSlack, socket_mode: FakeSocketMode
) -> None:
    env = {
        "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "HIRING_CHANNEL": HIRING_CHANNEL,
        "SLACK_API_URL": fake_slack.url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
        "RUN_SCHEDULER": "0",
    }
    with process(command, env=env, cwd=tmp_path) as proc:
        try:
            socket_mode.wait_for_connection(timeout=START_TIMEOUT)
        except AssertionError:
            proc.terminate()
            output = proc.stdout.read() if proc.stdout else ""
            raise AssertionError(f"no connection; process output:\n{output}") from None
        envelope_id = socket_mode.send_slash_command(
            "help",
            user_id=ALICE,
            channel_id=HIRING_CHANNEL,
            response_url=fake_slack.response_url(),
        )
        ack = socket_mode.wait_for_ack(envelope_id)
        # The client answers the server's pings too (a proxy or Slack would drop it otherwise).
        socket_mode.ping(b"are-you-there")
        assert b"are-you-there" in socket_mode.wait_for_pong(1)
        assert proc.poll() is None

    # The answer is the ack's payload: nothing goes to the response_url.
    assert set(ack.message) == {"envelope_id", "payload"}, ack.message
    assert ack.message["envelope_id"] == envelope_id
    answer = ack.message["payload"]
    assert ack.seconds < 3
    assert fake_slack.responses == []
    assert answer["response_type"] == "ephemeral"
    assert "/intern" in answer["text"]
    assert answer["blocks"]
    (opened,) = fake_slack.calls_to("apps.connections.open")
    assert opened.headers["Authorization"] == f"Bearer {APP_TOKEN}"
    assert opened.ok
    (handshake,) = socket_mode.handshakes
    assert handshake.query["app_id"] == fake_slack.app_id
    assert handshake.headers["sec-websocket-version"] == "13"
