"""A claim the reminders job released says so on the card, until someone claims again."""

from __future__ import annotations

import json
from datetime import timedelta

from hiring_bot.scheduler import jobs
from tests.conftest import ALICE, BOB, HIRING_CHANNEL
from tests.fakes.clock import FakeClock
from tests.slack.review_harness import Harness, harness

__all__ = ["harness"]

NOTE = "Claim released automatically: no rating within 7 days. Open to claim again."


def test_release_by_the_reminders_job_is_noted_on_the_card_until_claimed_again(
    harness: Harness, clock: FakeClock
) -> None:
    fake = harness.fake
    harness.window()
    ref = harness.application("Ada Lovelace", window="Winter 2017/2018")
    card_ts = harness.row(ref).card_ts
    assert NOTE not in harness.card_text(ref)

    assert f"You claimed #{ref}" in harness.command(f"claim {ref}")["text"]
    harness.wait_updates(1)
    assert NOTE not in harness.card_text(ref)

    # Eight days later, a weekday 09:00 in Los Angeles: the daily job releases the stale claim.
    clock.advance(timedelta(days=8))
    jobs.daily_job(harness.deps)
    (update,) = harness.wait_updates(2)[1:]
    assert (update.params["channel"], update.params["ts"]) == (HIRING_CHANNEL, card_ts)
    sent = json.dumps(update.params["blocks"])
    assert NOTE in sent
    assert "unclaimed" in sent
    assert NOTE in harness.card_text(ref)  # the card as the channel now shows it
    (thread_note,) = [
        c for c in fake.calls_to("chat.postMessage") if c.params.get("thread_ts") == card_ts
    ]
    assert f"Claim by <@{ALICE}> released" in thread_note.params["text"]

    # Bob claims it: the note goes.
    assert f"You claimed #{ref}" in harness.command(f"claim {ref}", user=BOB)["text"]
    harness.wait_updates(3)
    assert NOTE not in harness.card_text(ref)
    assert f"claimed by <@{BOB}>" in harness.card_text(ref)

    # Released by a person, the card is unclaimed without the note: it was not the bot's doing.
    harness.command(f"unclaim {ref}", user=BOB)
    harness.wait_updates(4)
    card = harness.card_text(ref)
    assert "unclaimed" in card
    assert NOTE not in card
