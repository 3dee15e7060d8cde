"""Slack re-sends a slash command whose ack it missed (X-Slack-Retry-Num, same trigger_id):
one effect, one answer, one audit entry — on SQLite and Postgres, over signed HTTP."""

from __future__ import annotations

from hiring_bot.db.engine import read_scope
from hiring_bot.db.models import Review
from tests.conftest import ALICE, HIRING_CHANNEL
from tests.slack.review_harness import TIMEOUT, Harness, LogWatch, harness

__all__ = ["harness"]

TRIGGER = "13345224609.738474920.8088930838d88f008e0"


def send_rate(harness: Harness, ref: int, *, retry_num: int | None) -> None:
    response = harness.app.slack.slash_command(
        f"rate {ref} 4 solid sequence-learning work",
        user_id=ALICE,
        channel_id=HIRING_CHANNEL,
        response_url=harness.fake.response_url(),
        trigger_id=TRIGGER,
        retry_num=retry_num,
    )
    assert response.status == 200, response.text


def test_a_retried_rate_command_is_applied_answered_and_audited_once(harness: Harness) -> None:
    ref = harness.application("Ada Lovelace")
    before = len(harness.fake.responses)
    send_rate(harness, ref, retry_num=None)
    first = harness.fake.wait_for_response(before + 1)[before]
    assert "Saved your rating" in first["text"]

    with LogWatch("hiring_bot.slack.listeners.commands", "repeated delivery") as watch:
        send_rate(harness, ref, retry_num=1)
        # Recognised: logged. Not recognised (before the fix): it times out, answered twice.
        watch.seen.wait(TIMEOUT)
    assert len(harness.fake.responses) == before + 1, harness.fake.responses[before:]
    assert len(harness.audit("rate")) == 1
    assert harness.audit("rate_update") == []
    with read_scope(harness.deps.sessions) as session:
        assert session.query(Review).count() == 1


def test_a_retry_of_a_command_never_seen_is_answered(harness: Harness) -> None:
    """The first delivery was lost before it reached us: the retry does the work."""
    ref = harness.application("Ada Lovelace")
    before = len(harness.fake.responses)
    send_rate(harness, ref, retry_num=2)
    answer = harness.fake.wait_for_response(before + 1)[before]
    assert "Saved your rating" in answer["text"]
    assert len(harness.audit("rate")) == 1
