from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from _validate import assert_safe_mrkdwn

from hiring_bot.slack.blocks._kit import cap, esc, link, mention, plain, slack_date


def test_esc_escapes_and_truncates_without_breaking_entities() -> None:
    assert esc("a & <b>", 100) == "a &amp; &lt;b&gt;"
    out = esc("&" * 1000, 50)
    assert len(out) <= 50
    assert out.endswith("…")
    assert_safe_mrkdwn(out)


def test_esc_collapses_whitespace_and_control_characters() -> None:
    assert esc("  Ada \n\t Lovelace\x00 ", 100) == "Ada Lovelace"
    assert esc(None, 10, empty="-") == "-"
    assert esc("   ", 10, empty="-") == "-"


def test_esc_multiline_keeps_paragraphs() -> None:
    assert esc("a\n\n\n\nb", 100, single_line=False) == "a\n\nb"


def test_cap_never_cuts_inside_a_link() -> None:
    text = "x" * 90 + "<https://example.org/very/long/path|label>"
    out = cap(text, 100)
    assert len(out) <= 100
    assert_safe_mrkdwn(out)


def test_link_only_links_http() -> None:
    assert link("https://github.com/ada/x") == "<https://github.com/ada/x|GitHub: ada/x>"
    assert link("github.com/ada").startswith("<https://github.com/ada|")
    assert "<" not in link("javascript:alert(1)")
    assert link("https://a.org/?q=1&r=<2>|x").startswith("<https://a.org/?q=1&amp;r=%3C2%3E%7Cx|")
    assert_safe_mrkdwn(link("https://a.org/?q=1&r=<2>|x"))


def test_mention_refuses_broadcasts() -> None:
    assert mention("U123ABC") == "<@U123ABC>"
    assert mention("!channel") == "!channel"
    assert mention("<!here>") == "&lt;!here&gt;"


def test_plain_is_short_and_never_empty() -> None:
    assert plain("", 10) == "-"
    assert len(plain("x" * 100, 75)) == 75


def test_slack_date_falls_back_to_the_local_day_in_words() -> None:
    # 20:30 on 10 Jan in Los Angeles is 04:30 on 11 Jan in UTC: the fallback is the team's day.
    evening = datetime(2018, 1, 10, 20, 30, tzinfo=ZoneInfo("America/Los_Angeles"))
    stamp = int(evening.timestamp())
    assert slack_date(evening) == f"<!date^{stamp}^{{date_short_pretty}}|Wed 10 Jan 2018>"
    assert slack_date(evening, "received {date_long_pretty} at {time}") == (
        f"<!date^{stamp}^received {{date_long_pretty}} at {{time}}"
        "|received Wed 10 Jan 2018 at 20:30>"
    )
    assert slack_date(evening.astimezone(UTC)).endswith("|Thu 11 Jan 2018>")
    with pytest.raises(ValueError):
        slack_date(datetime(2018, 1, 10, 20, 30))
