"""`/intern list` totals counted to a cap, and `sort:name` read in index order.

The name order is checked against the query the list ran before the sort key was kept on the
application (every match sorted by lower(candidate name), received, id), on both databases.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hiring_bot.db.models import Application, Candidate
from hiring_bot.domain import claims, list_filters, queries, retention, reviews
from hiring_bot.domain.demo_data import seed_demo
from hiring_bot.domain.stages import OPEN, Stage
from tests.slack.review_factories import T0, add_application

NOW = datetime(2018, 1, 15, 17, 0, tzinfo=UTC)
ALICE = "U0ALICE"


def listing(session: Session, text: str, **kw: int) -> queries.ListResult:
    return queries.list_applications(
        session,
        filters=list_filters.parse_filters(session, text),
        viewer=ALICE,
        is_admin=False,
        quorum=2,
        **kw,
    )


def every_page(session: Session, text: str, *, page_size: int) -> list[int]:
    refs: list[int] = []
    page = 0
    while True:
        result = listing(session, text, page=page, page_size=page_size)
        refs += [a.id for a in result.rows]
        if (page + 1) * page_size >= result.total and not result.capped:
            return refs
        page += 1


def old_name_order(session: Session, stages: list[str] | None = None) -> list[int]:
    stmt = (
        select(Application.id)
        .join(Candidate, Candidate.id == Application.candidate_id)
        .order_by(func.lower(Candidate.name), Application.received_at, Application.id)
    )
    if stages is not None:
        stmt = stmt.where(Application.stage.in_(stages))
    return list(session.scalars(stmt))


def test_the_total_is_counted_to_the_cap_and_paging_goes_on(session: Session) -> None:
    refs = [add_application(session, f"Person {i:02d}") for i in range(12)]
    first = listing(session, "", page_size=3, count_cap=5)
    assert (first.total, first.capped, first.page) == (5, True, 0)
    # A page past the cap counts to its own end: still "more", never clamped back.
    second = listing(session, "", page=1, page_size=3, count_cap=5)
    assert (second.total, second.capped, second.page) == (6, True, 1)
    assert [a.id for a in second.rows] == refs[3:6]
    last = listing(session, "", page=3, page_size=3, count_cap=5)
    assert (last.total, last.capped, [a.id for a in last.rows]) == (12, False, refs[9:])
    beyond = listing(session, "", page=9, page_size=3, count_cap=5)
    assert (beyond.total, beyond.capped, beyond.page) == (12, False, 3)
    assert every_page(session, "", page_size=5) == refs


def test_a_match_up_to_the_cap_is_counted_exactly(session: Session) -> None:
    for i in range(4):
        add_application(session, f"Person {i}")
    capped = listing(session, "", page_size=2, count_cap=3)
    assert (capped.total, capped.capped) == (3, True)
    result = listing(session, "", page_size=2, count_cap=4)
    assert (result.total, result.capped) == (4, False)
    # The page's end counts too: a page of ten is never told "of 3+" with four rows on it.
    result = listing(session, "", count_cap=3)
    assert (result.total, result.capped, len(result.rows)) == (4, False, 4)


@pytest.fixture
def demo(session: Session) -> Session:
    seed_demo(session, count=1_500, now=NOW, reviewers=(ALICE, "U0BOB"), with_windows=True)
    return session


def test_past_the_cap_the_total_says_so_and_the_rows_stay(demo: Session) -> None:
    result = listing(demo, "all")
    assert (result.total, result.capped, len(result.rows)) == (queries.COUNT_CAP, True, 10)
    oldest = demo.scalars(
        select(Application.id).order_by(Application.received_at, Application.id).limit(10)
    )
    assert [a.id for a in result.rows] == list(oldest)
    named = listing(demo, "all sort:name", page=3)
    assert [a.id for a in named.rows] == old_name_order(demo)[30:40]


@pytest.mark.parametrize(
    "text", ["", "eligible", "unrated", "ml", "mine", "unclaimed", "demo open", "ml eligible"]
)
@pytest.mark.parametrize("cap", [50, 5_000])
def test_every_filter_counts_exactly_up_to_the_cap(demo: Session, text: str, cap: int) -> None:
    refs: list[int] = []
    for page in range(100):  # every page, as a reader would go (a clamped page is the end)
        result = listing(demo, text, page=page, page_size=100)
        if result.page != page:
            break
        refs += [a.id for a in result.rows]
    assert len(set(refs)) == len(refs)
    result = listing(demo, text, count_cap=cap)
    assert (result.total, result.capped) == (min(len(refs), cap), len(refs) > cap)


def test_name_order_breaks_ties_by_received_then_ref_across_stages(session: Session) -> None:
    # Same name in four spellings, at one instant and at others, in different stages.
    same = [
        add_application(session, name, received_at=T0 + timedelta(hours=h))
        for name, h in [("Ann Lee", 3), ("ann lee", 1), ("ANN LEE", 1), ("Ann Lee", 2)]
    ]
    others = [add_application(session, n) for n in ("Zed Young", "bo Chen", "Al Bert", "Cy")]
    claims.claim(session, ref=same[0], actor=ALICE, now=NOW)
    claims.claim(session, ref=others[1], actor=ALICE, now=NOW)
    claims.claim(session, ref=same[1], actor="U0BOB", now=NOW)
    reviews.move_stage(session, ref=same[1], actor="U0BOB", target=Stage.SHORTLISTED, now=NOW)
    reviews.move_stage(session, ref=others[2], actor=ALICE, target=Stage.REJECTED, now=NOW)
    open_stages = sorted(s.value for s in OPEN)
    expected = old_name_order(session, open_stages)
    # "Al Bert" is rejected, so not listed; among the Ann Lees the two received at one instant
    # follow their refs.
    assert expected == [same[1], same[2], same[3], same[0], others[1], others[3], others[0]]
    for size in (1, 2, 3, 10):
        assert every_page(session, "sort:name", page_size=size) == expected
    assert every_page(session, "all sort:name", page_size=3) == old_name_order(session)
    mine = [a.id for a in listing(session, "mine sort:name").rows]
    assert mine == [same[0], others[1]]
    unclaimed = [a.id for a in listing(session, "unclaimed sort:name").rows]
    held = {same[0], same[1], others[1]}
    assert unclaimed == [r for r in expected if r not in held]


def test_anonymising_moves_the_application_where_its_new_name_sorts(session: Session) -> None:
    alone = add_application(session, "Mia Alone")
    twice = add_application(session, "Kit Twice", email="kit@example.edu")
    again = add_application(session, "Kit Twice", email="kit@example.edu")
    add_application(session, "Bea Other")

    def anonymise(ref: int) -> None:
        retention.anonymise_application(
            session, application_id=ref, actor=ALICE, now=NOW, reason=retention.REASON_RETENTION
        )

    anonymise(alone)
    anonymise(twice)  # the person has another application: the name stays for now
    assert every_page(session, "sort:name", page_size=2) == old_name_order(session)
    anonymise(again)  # now the person is anonymised: both applications move
    order = every_page(session, "sort:name", page_size=2)
    assert order == old_name_order(session)
    assert set(order[:3]) == {alone, twice, again}  # "anonymised applicant #..." sorts first
    for application in session.scalars(select(Application)):
        assert application.sort_name == application.candidate.name.lower()


def test_an_application_added_by_candidate_id_gets_the_name_key(session: Session) -> None:
    ref = add_application(session, "Noor Ali", email="noor@example.edu")
    first = session.get(Application, ref)
    assert first is not None
    session.expire_all()  # the candidate is not loaded: the key is read from the database
    again = Application(candidate_id=first.candidate_id, source="test", source_id="again")
    session.add(again)
    session.flush()
    assert again.sort_name == "noor ali"
    stored = session.scalar(select(Application.sort_name).where(Application.id == again.id))
    assert stored == "noor ali"


def test_stored_applications_carry_their_candidates_name_key(session: Session) -> None:
    # Intake writes plain INSERTs (no model events): the name key is written with the row, and
    # a returning candidate's applications sort under the name they are known by.
    first = add_application(session, "Zoë Quinn", email="zq@example.edu")
    again = add_application(session, "Someone Else", email="zq@example.edu")
    keys = dict(
        session.execute(
            select(Application.id, Application.sort_name).where(Application.id.in_([first, again]))
        ).all()
    )
    assert keys == {first: "zoë quinn", again: "zoë quinn"}
