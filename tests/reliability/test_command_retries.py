"""Slack re-sends a slash command whose ack it missed (X-Slack-Retry-Num, same trigger_id):
one effect, one answer, one audit entry — on SQLite and Postgres, over signed HTTP."""

from __future__ import annotations

from hiring_bot.db.engine import read_scope
from hiring_bot.db.models import Review
from tests.conftest import ALICE, HIRING_CHANNEL
from tests.fakes.signed import Response
from tests.slack.review_harness import TIMEOUT, Harness, LogWatch, ack_answer, answer_to, harness

__all__ = ["harness"]

TRIGGER = "13345224609.738474920.8088930838d88f008e0"


def send_rate(harness: Harness, ref: int, *, retry_num: int | None) -> Response:
    response = harness.app.slack.slash_command(
        f"rate {ref} 4 solid sequence-learning work",
        user_id=ALICE,
        channel_id=HIRING_CHANNEL,
        response_url=harness.fake.response_url(),
        trigger_id=TRIGGER,
        retry_num=retry_num,
    )
    assert response.status == 200, response.text
    return response


def test_a_retried_rate_command_is_applied_answered_and_audited_once(harness: Harness) -> None:
    ref = harness.application("Ada Lovelace")
    before = len(harness.fake.responses)
    first = answer_to(send_rate(harness, ref, retry_num=None), harness.fake, before=before)
    assert "Saved your rating" in first["text"]
    before = len(harness.fake.responses)

    with LogWatch("hiring_bot.slack.listeners.commands", "repeated delivery") as watch:
        retry = send_rate(harness, ref, retry_num=1)
        # Recognised: logged. Not recognised (before the fix): it times out, answered twice.
        watch.seen.wait(TIMEOUT)
    assert ack_answer(retry) is None, retry.text
    harness.deps.background.wait_idle(TIMEOUT)
    assert len(harness.fake.responses) == before, harness.fake.responses[before:]
    assert len(harness.audit("rate")) == 1
    assert harness.audit("rate_update") == []
    with read_scope(harness.deps.sessions) as session:
        assert session.query(Review).count() == 1


def test_a_retry_of_a_command_never_seen_is_answered(harness: Harness) -> None:
    """The first delivery was lost before it reached us: the retry does the work."""
    ref = harness.application("Ada Lovelace")
    before = len(harness.fake.responses)
    answer = answer_to(send_rate(harness, ref, retry_num=2), harness.fake, before=before)
    assert "Saved your rating" in answer["text"]
    assert len(harness.audit("rate")) == 1
