from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from _block_samples import LA, card
from _validate import all_text, assert_valid_view, find_elements

from hiring_bot.slack import ids
from hiring_bot.slack.blocks import HomeView, RecentRating, WindowDeadline, build_home

WHEN = datetime(2018, 2, 1, 23, 59, tzinfo=UTC)


def home(n: int) -> HomeView:
    return HomeView(
        user_id="U024BE7LH",
        my_claims_awaiting_rating=tuple(card(ref=i + 1, claimed_by="U024BE7LH") for i in range(n)),
        unclaimed_queue=tuple(card(ref=1000 + i) for i in range(n)),
        upcoming_deadlines=tuple(
            WindowDeadline(f"Window {i}", "Application deadline", WHEN.date(), i) for i in range(n)
        ),
        my_recent_ratings=tuple(RecentRating(2000 + i, f"P{i}", 4, WHEN) for i in range(n)),
    )


def test_empty_home_is_valid_and_friendly() -> None:
    view = build_home(HomeView(user_id="U024BE7LH"))
    assert_valid_view(view, kind="home")
    text = all_text(view["blocks"])
    for heading in (
        "Awaiting your rating",
        "Unclaimed queue (oldest first)",
        "Upcoming deadlines",
        "Your recent ratings",
    ):
        assert heading in text
    assert "Nothing awaiting your rating" in text


def test_small_home_lists_items_with_buttons() -> None:
    view = build_home(home(2))
    assert_valid_view(view, kind="home")
    blocks = view["blocks"]
    assert [e["value"] for e in find_elements(blocks, ids.HOME_RATE)] == ["1", "2"]
    assert [e["value"] for e in find_elements(blocks, ids.HOME_CLAIM)] == ["1000", "1001"]
    assert [e["value"] for e in find_elements(blocks, ids.OPEN_HOME_ITEM)] == ["2000", "2001"]
    text = all_text(blocks)
    assert "Window 1* — Application deadline tomorrow" in text
    assert "4/5" in text
    assert "and " not in text.replace("Stanford", "")  # no "and N more" notes


@pytest.mark.parametrize("n", [19, 20, 21, 50, 1000])
def test_large_home_is_truncated_with_more_notes(n: int) -> None:
    view = build_home(home(n))
    assert_valid_view(view, kind="home")
    assert len(view["blocks"]) <= 100
    text = all_text(view["blocks"])
    if n > 20:
        assert f"and {n - 20} more — `/intern list mine unrated`" in text
        assert f"and {n - 20} more — `/intern list unclaimed`" in text
        assert f"and {n - 15} more — `/intern windows`" in text
        assert f"and {n - 15} more — `/intern list mine`" in text


def test_deadline_is_dated_on_its_own_day_not_the_next() -> None:
    # The deadline day (30 Nov 2026 in the team's zone) ends at 1 Dec 00:00 PST: the Home tab
    # names the day itself, as `/intern windows` does — never the day after, and not a
    # `<!date>` that a reader in another zone would see move.
    deadline = WindowDeadline("Winter 2026/2027", "Application deadline", date(2026, 11, 30), 3)
    text = all_text(
        build_home(HomeView(user_id="U024BE7LH", upcoming_deadlines=(deadline,)))["blocks"]
    )
    assert "*Winter 2026/2027* — Application deadline in 3 days (Mon 30 Nov 2026)" in text
    assert "Dec" not in text
    assert "<!date" not in text.split("Upcoming deadlines")[1].split("Your recent ratings")[0]


def test_home_dates_fall_back_to_the_teams_own_day() -> None:
    # Rated at 20:00 in Los Angeles, which is already the next day in UTC.
    rated = datetime(2018, 1, 10, 20, 0, tzinfo=LA)
    view = build_home(
        HomeView(user_id="U024BE7LH", my_recent_ratings=(RecentRating(7, "Ada", 4, rated),))
    )
    assert "|rated Wed 10 Jan 2018>" in all_text(view["blocks"])
