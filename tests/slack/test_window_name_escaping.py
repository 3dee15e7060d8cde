"""An admin-chosen window name is shown, never acted on, in every answer that names it (issue 10):
no `<!channel>` ping, no disguised link, in ephemeral answers, lists and cards."""

from __future__ import annotations

import pytest

from tests.conftest import ADMIN, ALICE
from tests.slack.review_harness import Harness, harness, text_of

__all__ = ["harness"]

HOSTILE = "<!channel> *bold* <https://evil.example|x>"
ESCAPED = "&lt;!channel&gt;"


def assert_shown_not_acted_on(text: str) -> None:
    assert "<!channel>" not in text
    assert "<https://evil.example" not in text
    assert ESCAPED in text


@pytest.fixture
def hostile(harness: Harness) -> Harness:
    harness.window(HOSTILE, aliases=("hostile",))
    return harness


def test_unknown_window_answers_list_the_name_escaped(hostile: Harness) -> None:
    assert_shown_not_acted_on(text_of(hostile.command("stats no-such-window")))
    assert_shown_not_acted_on(text_of(hostile.command("window close no-such-window", user=ADMIN)))


def test_closing_and_closing_again_name_it_escaped(hostile: Harness) -> None:
    closed = text_of(hostile.command("window close hostile", user=ADMIN))
    assert closed.startswith("Closed *")
    assert_shown_not_acted_on(closed)
    again = text_of(hostile.command("window close hostile", user=ADMIN))
    assert "is already closed" in again
    assert_shown_not_acted_on(again)


def test_window_list_stats_and_card_show_it_escaped(hostile: Harness) -> None:
    ref = hostile.application(window=HOSTILE)
    assert_shown_not_acted_on(text_of(hostile.command("windows")))
    assert_shown_not_acted_on(text_of(hostile.command("stats hostile")))
    assert_shown_not_acted_on(text_of(hostile.command("list", user=ALICE)))
    assert_shown_not_acted_on(hostile.card_text(ref))
