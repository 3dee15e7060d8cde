from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from _block_samples import window
from _validate import all_text, assert_valid_message

from hiring_bot.domain.stages import Stage
from hiring_bot.domain.stats import Disagreement, Leniency, ReviewerLoad, Stats
from hiring_bot.slack.blocks import (
    SUBCOMMANDS,
    build_help,
    build_stats_message,
    build_windows_message,
    help_text,
    stats_text,
    window_saved_text,
    windows_text,
)

NOW = datetime(2018, 1, 20, 9, 0, tzinfo=ZoneInfo("America/Los_Angeles"))


def test_help_covers_every_subcommand() -> None:
    blocks = build_help()
    assert_valid_message(blocks)
    text = all_text(blocks)
    for sub in SUBCOMMANDS:
        assert f"`/intern {sub}" in text, sub
    for usage in (
        "window add | edit",
        "close &lt;name&gt;",
        "assign &lt;ref&gt; @user",
        "rate &lt;ref&gt; &lt;1-5&gt; [notes]",
        "sort:received|score|name",
        "unknown-eligibility",
        "mine",
        "unrated",
    ):
        assert usage in text, usage
    assert "Did you mean" not in text


def test_help_did_you_mean_escapes_unknown() -> None:
    blocks = build_help(closest="claim", unknown="<!channel>clam")
    assert_valid_message(blocks)
    text = all_text(blocks)
    assert "Did you mean `/intern claim`?" in text
    assert "&lt;!channel&gt;clam" in text
    assert "Did you mean /intern claim?" in help_text("claim")


def test_windows_message_countdowns() -> None:
    blocks = build_windows_message(
        [
            window(),
            window(
                name="Winter 2017/2018",
                application_deadline=date(2017, 11, 1),
                decision_deadline=date(2017, 12, 1),
                starts_on=date(2018, 1, 8),
                ends_on=date(2018, 4, 27),
                closed=True,
            ),
        ],
        NOW,
    )
    assert_valid_message(blocks)
    text = all_text(blocks)
    assert "*Spring/Summer 2018* — Applications close in 12 days" in text
    assert "Application deadline: Thu 1 Feb 2018 (in 12 days)" in text
    assert "Decision deadline: Thu 1 Mar 2018 (in 40 days)" in text
    assert "*Winter 2017/2018* — _closed_" in text
    assert text.index("Spring/Summer") < text.index("Winter")
    assert windows_text([window()], NOW) == (
        "Internship windows — Spring/Summer 2018: Applications close in 12 days"
    )


def test_windows_message_edge_cases() -> None:
    assert "No internship windows" in all_text(build_windows_message([], NOW))
    many = [window(name=f"<W{i}>") for i in range(80)]
    blocks = build_windows_message(many, date(2019, 1, 1))
    assert_valid_message(blocks)
    text = all_text(blocks)
    assert "&lt;W0&gt;* — finished" in text
    assert "more windows not shown" in text
    assert windows_text([window(closed=True)], NOW) == "No open internship windows."


def stats(n: int = 3) -> Stats:
    return Stats(
        window_name="Spring/Summer 2018",
        funnel=tuple((s, i) for i, s in enumerate(Stage)),
        reviewer_load=tuple(ReviewerLoad(f"U{i:05d}", 3, 2) for i in range(n)),
        leniency=tuple(Leniency(f"U{i:05d}", 3.5, -0.3, 4) for i in range(n)),
        team_mean=3.8,
        team_count=4 * n,
        disagreements=tuple(Disagreement(i, f"<P{i}>", 1, 4) for i in range(n)),
    )


def test_stats_message() -> None:
    blocks = build_stats_message(stats())
    assert_valid_message(blocks)
    text = all_text(blocks)
    assert "*Funnel* (28 applications)" in text
    assert "• Shortlisted: *2*" in text
    assert "<@U00001> — 3 claimed, 2 rated" in text
    assert "(team mean 3.8, n=12)" in text
    assert "<@U00002> — mean 3.5 (n=4, -0.3 vs team)" in text
    assert "too few ratings" not in text
    assert "#2 &lt;P2&gt; — scores 1 to 4" in text
    assert stats_text(stats()).startswith("Hiring stats for Spring/Summer 2018: 28 applications")


def test_stats_round_to_one_decimal_and_give_no_delta_from_too_few_ratings() -> None:
    found = Stats(
        window_name=None,
        funnel=(),
        leniency=(
            Leniency("U00001", 4.33, 0.96, 3),
            Leniency("U00002", 3.26, -0.04, 7),
            Leniency("U00003", 5.0, None, 1),
        ),
        team_mean=3.3,
        team_count=11,
    )
    blocks = build_stats_message(found)
    assert_valid_message(blocks)
    text = all_text(blocks)
    assert "(team mean 3.3, n=11)" in text
    assert "<@U00001> — mean 4.3 (n=3, +1.0 vs team)" in text
    assert "<@U00002> — mean 3.3 (n=7, +0.0 vs team)" in text  # never "-0.0"
    assert "<@U00003> — mean 5.0 (n=1, too few ratings to compare)" in text
    assert "from 3 ratings up" in text


def test_stats_large_and_empty() -> None:
    blocks = build_stats_message(stats(2000))
    assert_valid_message(blocks)
    assert "more_" in all_text(blocks)
    empty = Stats(window_name=None, funnel=())
    blocks = build_stats_message(empty)
    assert_valid_message(blocks)
    assert "all windows" in all_text(blocks)


def test_window_saved_text_dates_like_the_windows_list() -> None:
    text = window_saved_text(window(name="Fall <2018>"), added=True)
    assert text == (
        "Added window *Fall &lt;2018&gt;*: applications until Thu 1 Feb 2018, decisions by "
        "Thu 1 Mar 2018, runs Mon 2 Apr 2018 – Fri 31 Aug 2018. It is now managed in Slack "
        "(windows.toml no longer changes it)."
    )
    assert window_saved_text(window(), added=False).startswith("Saved window *Spring/Summer 2018*")
    listed = all_text(build_windows_message([window()], NOW))
    assert "Application deadline: Thu 1 Feb 2018" in listed  # the same wording for the same day
