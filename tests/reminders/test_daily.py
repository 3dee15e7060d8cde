"""Weekday 09:00: claim releases, stale-claim DMs and the digest — each once, each still true."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from hiring_bot.bootstrap import Deps
from hiring_bot.db.engine import session_scope
from hiring_bot.db.models import (
    Application,
    AuditEntry,
    BotState,
    Claim,
    ReminderLedger,
    Window,
)
from hiring_bot.domain.reminder_state import LAST_DIGEST_KEY
from hiring_bot.scheduler import jobs
from tests.conftest import ALICE, BOB, CAROL, HIRING_CHANNEL
from tests.fakes.clock import FakeClock
from tests.fakes.slack_api import FakeSlack
from tests.reminders.factories import (
    add_application,
    add_spring_window,
    add_window,
    claim,
    local,
    rate,
)

CARD_TS = "1600000000.000500"


def seed(deps: Deps) -> dict[str, int]:
    with session_scope(deps.sessions) as session:
        window = add_spring_window(session)
        ada = add_application(session, window=window, name="Ada", received_at=local(2018, 2, 1))
        ben = add_application(session, window=window, name="Ben", received_at=local(2018, 2, 2))
        claim(session, ben, ALICE, local(2018, 2, 7, 10))  # 5 days old on Monday 12th
        cy = add_application(session, window=window, name="Cy", received_at=local(2018, 2, 3))
        claim(session, cy, ALICE, local(2018, 2, 9, 8))  # just over 3 days old
        dot = add_application(session, window=window, name="Dot", received_at=local(2018, 2, 4))
        claim(session, dot, BOB, local(2018, 2, 10))  # 2 days: not stale
        eve = add_application(
            session, window=window, name="Eve", received_at=local(2018, 2, 1), card_ts=CARD_TS
        )
        claim(session, eve, CAROL, local(2018, 2, 1, 12))  # 11 days: past CLAIM_TTL_DAYS
        fay = add_application(session, window=window, name="Fay", received_at=local(2018, 2, 5))
        claim(session, fay, BOB, local(2018, 2, 5, 12))
        rate(session, fay, BOB)  # rated: nothing to remind
        gus = add_application(
            session, window=window, name="Gus", received_at=local(2018, 2, 11, 20)
        )
        return {
            "ada": ada.id,
            "ben": ben.id,
            "cy": cy.id,
            "dot": dot.id,
            "eve": eve.id,
            "gus": gus.id,
        }


def posts(fake_slack: FakeSlack) -> list[tuple[str, str]]:
    return [
        (c.params["channel"], c.params["text"]) for c in fake_slack.calls_to("chat.postMessage")
    ]


def test_monday_0900_releases_then_dms_then_digest(
    deps: Deps, clock: FakeClock, fake_slack: FakeSlack
) -> None:
    refs = seed(deps)
    clock.set(local(2018, 2, 12, 8, 59))  # Monday, a minute early: only the release is due
    jobs.daily_job(deps)
    release_note = (
        f"Claim by <@{CAROL}> released: no rating within 7 days of claiming #{refs['eve']}. "
        "It is open to claim again."
    )
    assert posts(fake_slack) == [(HIRING_CHANNEL, release_note)]
    note = fake_slack.last("chat.postMessage")
    assert note.params["thread_ts"] == CARD_TS
    assert [c.params["ts"] for c in fake_slack.calls_to("chat.update")] == [CARD_TS]

    clock.set(local(2018, 2, 12, 9, 0))
    jobs.daily_job(deps)
    jobs.daily_job(deps)  # the 15-minute check and the 09:00 job both run: still once
    alice_dm = fake_slack.dm_channel_for(ALICE)
    assert posts(fake_slack)[1:] == [
        (HIRING_CHANNEL, "Digest: 1 new application, 3 unclaimed"),
        (alice_dm, f"2 claims waiting for your rating: #{refs['ben']}, #{refs['cy']}"),
    ]
    assert [c.params["users"] for c in fake_slack.calls_to("conversations.open")] == [ALICE]
    dm_blocks = fake_slack.calls_to("chat.postMessage")[2].params["blocks"]
    rate_buttons = [
        b["accessory"]["value"]
        for b in dm_blocks
        if b.get("accessory", {}).get("action_id") == "card_rate"
    ]
    assert rate_buttons == [str(refs["ben"]), str(refs["cy"])]
    digest_blocks = fake_slack.calls_to("chat.postMessage")[1].params["blocks"]
    assert any(
        "#" + str(refs["gus"]) + " · Gus" in b.get("text", {}).get("text", "")
        for b in digest_blocks
    )

    with deps.sessions() as session:
        eve = session.get(Application, refs["eve"])
        assert eve is not None
        assert eve.claimed_by is None
        row = session.scalars(select(Claim).where(Claim.application_id == refs["eve"])).one()
        assert row.released_by == "system"
        assert row.released_at == local(2018, 2, 12, 8, 59)
        assert row.release_reason == "no rating within 7 days"
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "claim_released")
        ).one()
        assert (entry.actor, entry.application_id) == ("system", refs["eve"])
        assert entry.before == {
            "claimed_by": CAROL,
            "claimed_at": local(2018, 2, 1, 12).isoformat(),
        }
        state = session.get(BotState, LAST_DIGEST_KEY)
        assert state is not None
        assert state.value == local(2018, 2, 12, 9).isoformat()
        keys = sorted(session.scalars(select(ReminderLedger.key)))
    assert keys == sorted(
        [
            f"claim_release:w1:a{refs['eve']}-{int(local(2018, 2, 1, 12).timestamp())}:{CAROL}",
            f"stale_claims:-:2018-02-12:{ALICE}",
            f"digest:-:2018-02-12:{HIRING_CHANNEL}",
        ]
    )


def test_tuesday_mentions_only_what_is_still_true(
    deps: Deps, clock: FakeClock, fake_slack: FakeSlack
) -> None:
    refs = seed(deps)
    clock.set(local(2018, 2, 12, 9))
    jobs.daily_job(deps)
    before = len(posts(fake_slack))
    with session_scope(deps.sessions) as session:
        ben = session.get(Application, refs["ben"])
        assert ben is not None
        rate(session, ben, ALICE)  # Alice rated Ben since
        window_id = ben.window_id
        add_application(
            session,
            window=session.get(Window, window_id),
            name="Hal",
            received_at=local(2018, 2, 12, 15),
        )
    clock.set(local(2018, 2, 13, 9, 30))
    jobs.daily_job(deps)
    assert posts(fake_slack)[before:] == [
        (HIRING_CHANNEL, "Digest: 1 new application, 4 unclaimed"),
        (fake_slack.dm_channel_for(ALICE), f"1 claim waiting for your rating: #{refs['cy']}"),
        # Bob's claim on Dot is now over 3 days old too.
        (fake_slack.dm_channel_for(BOB), f"1 claim waiting for your rating: #{refs['dot']}"),
    ]


def test_weekends_get_no_dm_and_no_digest(
    deps: Deps, clock: FakeClock, fake_slack: FakeSlack
) -> None:
    seed(deps)
    clock.set(local(2018, 2, 10, 9))  # Saturday
    jobs.daily_job(deps)
    clock.set(local(2018, 2, 11, 12))  # Sunday
    jobs.daily_job(deps)
    # Only the overdue claim is released (releases do not wait for a weekday).
    assert [text.split(":")[0] for _, text in posts(fake_slack)] == [
        f"Claim by <@{CAROL}> released"
    ]


def test_yesterdays_missed_daily_reminders_are_not_sent_today_before_0900(
    deps: Deps, clock: FakeClock, fake_slack: FakeSlack
) -> None:
    seed(deps)
    clock.set(local(2018, 2, 13, 8))  # Tuesday 08:00: Monday's went unsent (the bot was down)
    jobs.check_job(deps)
    assert [text.split(":")[0] for _, text in posts(fake_slack)] == [
        f"Claim by <@{CAROL}> released"
    ]
    clock.set(local(2018, 2, 13, 9))
    jobs.check_job(deps)
    assert [text.split(":")[0] for _, text in posts(fake_slack)[1:]] == [
        "Digest",
        "2 claims waiting for your rating",  # Alice
        "1 claim waiting for your rating",  # Bob
    ]


def test_digest_and_dms_keep_0900_local_across_the_dst_change(
    deps: Deps, clock: FakeClock, fake_slack: FakeSlack
) -> None:
    with session_scope(deps.sessions) as session:
        window = add_window(
            session,
            name="Summer 2018",
            application_deadline=date(2018, 4, 30),
            decision_deadline=date(2018, 5, 15),
            starts_on=date(2018, 6, 4),
            ends_on=date(2018, 8, 31),
        )
        add_application(session, window=window, name="Ada", received_at=local(2018, 3, 1))
        ben = add_application(session, window=window, name="Ben", received_at=local(2018, 3, 1))
        claim(session, ben, ALICE, local(2018, 3, 5, 8))
    instant, end = local(2018, 3, 8, 0), local(2018, 3, 13, 12)
    seen: list[tuple[str, str]] = []
    while instant <= end:
        clock.set(instant)
        jobs.check_job(deps)
        calls = fake_slack.calls_to("chat.postMessage")
        seen += [(instant.strftime("%a %H:%M UTC"), c.params["text"]) for c in calls[len(seen) :]]
        instant += timedelta(minutes=15)
    # 09:00 local is 17:00 UTC before Sunday 11 March and 16:00 UTC after it; no weekend posts.
    assert [(when, text.split(":")[0]) for when, text in seen] == [
        ("Thu 17:00 UTC", "Digest"),
        ("Thu 17:00 UTC", "1 claim waiting for your rating"),
        ("Fri 17:00 UTC", "Digest"),
        ("Fri 17:00 UTC", "1 claim waiting for your rating"),
        # Alice's claim reached CLAIM_TTL_DAYS at 08:00 on Monday and was released: no more DMs.
        ("Mon 16:00 UTC", "Digest"),
        ("Tue 16:00 UTC", "Digest"),
    ]
    assert seen[-1][1] == "Digest: 0 new applications, 2 unclaimed"
