from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from hiring_bot.domain import applications, claims, list_filters, queries, reviews, windows
from hiring_bot.domain.errors import InvalidInput
from hiring_bot.domain.reviews import RatingInput
from hiring_bot.domain.stages import Stage
from tests.slack.review_factories import T0, add_application, add_window

NOW = datetime(2018, 1, 15, 17, 0, tzinfo=UTC)
ALICE, BOB, ADMIN = "U0ALICE", "U0BOB", "U0ADMIN"


def names(session: Session, text: str, viewer: str = ALICE, **kw: object) -> list[str]:
    filters = list_filters.parse_filters(session, text)
    result = queries.list_applications(
        session,
        filters=filters,
        viewer=viewer,
        is_admin=viewer == ADMIN,
        quorum=2,
        **kw,  # type: ignore[arg-type]
    )
    return [a.name for a in result.rows]


@pytest.fixture
def seeded(session: Session) -> Session:
    add_window(session, "Winter 2017/2018", aliases=("winter",))
    add_window(
        session,
        "Spring/Summer 2018",
        aliases=("summer",),
        application_deadline=date(2018, 3, 31),
        decision_deadline=date(2018, 4, 15),
        starts_on=date(2018, 5, 1),
        ends_on=date(2018, 8, 31),
    )
    ada = add_application(session, "Ada", window="Winter 2017/2018", areas=("HTM",))
    bob = add_application(
        session,
        "Bob",
        window="Spring/Summer 2018",
        areas=("Machine learning",),
        eligibility="ineligible",
    )
    cy = add_application(
        session,
        "Cy",
        window="Winter 2017/2018",
        areas=("Computational neuroscience", "Models of cortex"),
        eligibility="unknown",
    )
    dee = add_application(session, "Dee", window=None, areas=())
    claims.claim(session, ref=ada, actor=ALICE, now=NOW)
    reviews.rate(session, ref=bob, actor=ALICE, values=RatingInput(2), now=NOW, quorum=2)
    reviews.rate(session, ref=bob, actor=BOB, values=RatingInput(4), now=NOW, quorum=2)
    reviews.rate(session, ref=cy, actor=BOB, values=RatingInput(5), now=NOW, quorum=2)
    reviews.rate(session, ref=cy, actor=ADMIN, values=RatingInput(5), now=NOW, quorum=2)
    reviews.move_stage(session, ref=dee, actor=ALICE, target=Stage.WITHDRAWN, now=NOW)
    return session


def test_default_lists_open_applications_oldest_first(seeded: Session) -> None:
    assert names(seeded, "") == ["Ada", "Bob", "Cy"]
    assert names(seeded, "all") == ["Ada", "Bob", "Cy", "Dee"]
    assert names(seeded, "withdrawn") == ["Dee"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mine", ["Ada"]),
        ("unclaimed", ["Bob", "Cy"]),
        ("unrated", ["Ada", "Cy"]),
        ("mine unrated", ["Ada"]),
        ("winter", ["Ada", "Cy"]),
        ("Winter 2017/2018", ["Ada", "Cy"]),
        ("spring/summer 2018 ineligible", ["Bob"]),
        ("eligible", ["Ada"]),
        ("unknown-eligibility", ["Cy"]),
        ("htm", ["Ada"]),
        ("ml", ["Bob"]),
        ("machine learning", ["Bob"]),
        ("neuroscience", ["Cy"]),
        ("cortex", ["Cy"]),
        ("htm ml", ["Ada", "Bob"]),
        ("NEW   Unclaimed", ["Bob", "Cy"]),
        ("in_review", ["Ada"]),  # claimed, so in review
        ("sort:name", ["Ada", "Bob", "Cy"]),
        ("winter mine shortlisted", []),
    ],
)
def test_filters_combine_in_any_order(seeded: Session, text: str, expected: list[str]) -> None:
    assert names(seeded, text) == expected


def test_score_sort_uses_only_averages_the_viewer_may_see(seeded: Session) -> None:
    # Alice rated Bob (avg 3) but not Cy (avg 5): Cy's average is hidden from her.
    assert names(seeded, "sort:score", viewer=ALICE) == ["Bob", "Ada", "Cy"]
    assert names(seeded, "sort:score", viewer=ADMIN) == ["Cy", "Bob", "Ada"]


def test_unknown_words_get_the_closest_match(seeded: Session) -> None:
    with pytest.raises(InvalidInput, match="Did you mean `unclaimed`"):
        list_filters.parse_filters(seeded, "unclaimd")
    with pytest.raises(InvalidInput, match="sort:received"):
        list_filters.parse_filters(seeded, "sort:age")
    with pytest.raises(InvalidInput, match="under 500"):
        list_filters.parse_filters(seeded, "x" * 600)


def test_first_word_of_a_window_name_suggests_the_window(session: Session) -> None:
    add_window(session, "Fall 2027", aliases=())
    # Not "Did you mean `all`?": the reviewer was reaching for the window.
    with pytest.raises(InvalidInput, match="Did you mean `fall 2027`"):
        list_filters.parse_filters(session, "eligible fall")


def test_unrated_is_described_as_not_rated_by_you(seeded: Session) -> None:
    # Others may have rated what `unrated` lists: the heading must not claim nobody has.
    assert (
        list_filters.parse_filters(seeded, "mine unrated").describe() == "mine · not rated by you"
    )


def test_describe(seeded: Session) -> None:
    filters = list_filters.parse_filters(seeded, "sort:score winter mine shortlisted")
    assert filters.describe() == "shortlisted · Winter 2017/2018 · mine · sort: score"
    assert list_filters.parse_filters(seeded, "").describe() == ""


def test_paging_clamps_to_the_last_page(session: Session) -> None:
    for i in range(23):
        add_application(session, f"Person {i:02d}")
    filters = list_filters.parse_filters(session, "")
    pages = [
        queries.list_applications(
            session, filters=filters, viewer=ALICE, is_admin=False, quorum=2, page=p
        )
        for p in (0, 1, 2, 9)
    ]
    assert [len(p.rows) for p in pages] == [10, 10, 3, 3]
    assert [p.page for p in pages] == [0, 1, 2, 2]
    assert {p.total for p in pages} == {23}


def test_home_queries(seeded: Session) -> None:
    assert [a.candidate.name for a in queries.awaiting_rating(seeded, user_id=ALICE)] == ["Ada"]
    queue = queries.unclaimed_queue(seeded, user_id=BOB)
    assert [a.candidate.name for a in queue] == ["Bob", "Cy"]
    ref = queue[0].id
    reviews.recuse(seeded, ref=ref, actor=BOB, now=NOW)
    assert [a.candidate.name for a in queries.unclaimed_queue(seeded, user_id=BOB)] == ["Cy"]
    assert [
        r.application.candidate.name for r in queries.recent_ratings(seeded, user_id=ADMIN)
    ] == ["Cy"]
    deadlines = queries.upcoming_deadlines(seeded, today=date(2018, 1, 15), now=NOW)
    assert [(d.window.name, d.label, d.days_left) for d in deadlines][:2] == [
        ("Winter 2017/2018", "Application deadline", 16),
        ("Winter 2017/2018", "Decision deadline", 31),
    ]
    assert windows.find_window(seeded, "  SUMMER ") is not None
    assert windows.find_window(seeded, "autumn") is None


def test_other_applications_of_the_same_candidate(session: Session) -> None:
    first = add_application(session, "Eve", email="eve@example.edu", received_at=T0)
    second = add_application(
        session, "Eve", email="eve@example.edu", received_at=T0 + timedelta(days=1)
    )
    application = applications.get_application(session, ref=second)
    assert queries.other_application_ids(session, application=application) == [first]
