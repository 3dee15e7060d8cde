"""One window lookup: `/intern list <name>` and `/intern window edit <name>` agree on the window."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from hiring_bot.domain import list_filters, windows
from hiring_bot.domain.errors import InvalidInput
from tests.slack.review_factories import add_window


@pytest.fixture
def two_winters(session: Session) -> Session:
    # The older window answers to the alias "winter"; the later one is *called* Winter.
    add_window(session, "Winter 2017/2018", aliases=("winter", "w18"))
    add_window(
        session,
        "Winter",
        aliases=(),
        application_deadline=date(2018, 11, 30),
        decision_deadline=date(2018, 12, 15),
        starts_on=date(2019, 1, 7),
        ends_on=date(2019, 4, 30),
    )
    return session


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("winter", "Winter"),  # a name beats another window's alias
        ("  WINTER ", "Winter"),
        ('"Winter",', "Winter"),  # quotes and a trailing comma as people type them
        ("w18", "Winter 2017/2018"),  # an alias no window is called
        ("winter   2017/2018", "Winter 2017/2018"),
    ],
)
def test_list_filter_and_window_edit_resolve_a_name_to_the_same_window(
    two_winters: Session, typed: str, expected: str
) -> None:
    edited = windows.require_window(two_winters, name=typed)  # what `window edit` opens
    listed = list_filters.parse_filters(two_winters, typed)  # what `list` filters on
    assert edited.name == expected
    assert listed.window_ids == {edited.id}
    assert listed.window_names == (expected,)


def test_an_unknown_window_names_the_windows_there_are(two_winters: Session) -> None:
    with pytest.raises(InvalidInput, match="There is no window called `autumn`") as caught:
        windows.require_window(two_winters, name="autumn")
    assert "`Winter 2017/2018`, `Winter`" in caught.value.message
    assert windows.find_window(two_winters, "  ") is None
