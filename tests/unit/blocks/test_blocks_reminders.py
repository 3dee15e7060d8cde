from __future__ import annotations

from datetime import date

import pytest
from _validate import action_ids, all_text, assert_valid_message, find_elements

from hiring_bot.slack import ids
from hiring_bot.slack.blocks import (
    DecisionNudge,
    Digest,
    StaleClaimsDM,
    WaitingItem,
    WindowReminder,
    build_decision_nudge,
    build_digest,
    build_stale_claims_dm,
    build_window_reminder,
    decision_nudge_text,
    digest_text,
    stale_claims_text,
    window_reminder_text,
)


def items(n: int) -> tuple[WaitingItem, ...]:
    return tuple(WaitingItem(i + 1, f"<Person {i}>", 10 - i) for i in range(n))


def reminder(n: int = 3) -> WindowReminder:
    return WindowReminder(
        window_name="Spring/Summer 2018",
        deadline_kind="application deadline",
        deadline=date(2018, 2, 1),
        days_left=7,
        unclaimed=5,
        claimed_unrated=2,
        rated=9,
        shortlisted=1,
        oldest=items(n),
    )


def test_window_reminder() -> None:
    blocks = build_window_reminder(reminder())
    assert_valid_message(blocks)
    text = all_text(blocks)
    assert "*Spring/Summer 2018* — application deadline in 7 days (Thu 1 Feb 2018)" in text
    assert "*Unclaimed*\n5" in text
    assert "*#1 · &lt;Person 0&gt;* — 10 days waiting" in text
    assert [e["value"] for e in find_elements(blocks, ids.CLAIM)] == ["1", "2", "3"]
    assert find_elements(blocks, ids.OPEN_LIST)[0]["value"] == "unclaimed"
    assert window_reminder_text(reminder()) == (
        "Spring/Summer 2018: application deadline in 7 days — 5 unclaimed, "
        "2 claimed but unrated, 9 rated, 1 shortlisted"
    )


def test_stale_claims_dm() -> None:
    dm = StaleClaimsDM(user_id="U1", items=items(2), release_after_days=7)
    blocks = build_stale_claims_dm(dm)
    assert_valid_message(blocks)
    text = all_text(blocks)
    assert "2 claimed applications" in text
    assert "released after 7 days" in text
    assert "9 days since you claimed it" in text
    assert [e["value"] for e in find_elements(blocks, ids.RATE)] == ["1", "2"]
    assert stale_claims_text(dm) == "2 claims waiting for your rating: #1, #2"


def test_digest() -> None:
    d = Digest(new_items=items(3), new_count=30, unclaimed_count=12, oldest_waiting=items(2))
    blocks = build_digest(d)
    assert_valid_message(blocks)
    text = all_text(blocks)
    assert "30 new applications" in text
    assert "12 unclaimed" in text
    assert "_and 27 more_" in text
    assert ids.CLAIM in action_ids(blocks)
    assert digest_text(d) == "Digest: 30 new applications, 12 unclaimed"
    quiet = build_digest(Digest(new_items=(), new_count=0, unclaimed_count=0))
    assert_valid_message(quiet)


def test_decision_nudge() -> None:
    n = DecisionNudge("Winter 2017/2018", date(2017, 12, 1), 3, items(2))
    blocks = build_decision_nudge(n)
    assert_valid_message(blocks)
    assert "decision deadline in 3 days" in all_text(blocks)
    assert [e["value"] for e in find_elements(blocks, ids.DETAILS)] == ["1", "2"]
    assert find_elements(blocks, ids.OPEN_LIST)[0]["value"] == "shortlisted"
    assert "2 shortlisted applications waiting" in decision_nudge_text(n)


@pytest.mark.parametrize("n", [0, 10, 11, 500])
def test_reminders_stay_valid_at_any_size(n: int) -> None:
    for blocks in (
        build_window_reminder(reminder(n)),
        build_stale_claims_dm(StaleClaimsDM("U1", items(n))),
        build_digest(Digest(items(n), n, n, items(n), list_query="")),
        build_decision_nudge(DecisionNudge("W" * 5000, date(2018, 3, 1), 0, items(n))),
    ):
        assert_valid_message(blocks)
        if n > 10:
            assert f"and {n - 10} more" in all_text(blocks)
