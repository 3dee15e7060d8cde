from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from hiring_bot.db.models import Application, AuditEntry, Claim, Review
from hiring_bot.domain import claims, reviews
from hiring_bot.domain.errors import Conflict, InvalidInput, NotAllowed, NotFound
from hiring_bot.domain.reviews import RatingInput
from hiring_bot.domain.stages import Stage
from hiring_bot.domain.stats import review_stats
from tests.slack.review_factories import add_application

NOW = datetime(2018, 1, 15, 17, 0, tzinfo=UTC)
ALICE, BOB, CAROL, ADMIN = "U0ALICE", "U0BOB", "U0CAROL", "U0ADMIN"


def audit_actions(session: Session, ref: int) -> list[str]:
    return list(
        session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.application_id == ref)
            .order_by(AuditEntry.id)
        )
    )


def test_claim_records_holder_time_history_and_audit(session: Session) -> None:
    ref = add_application(session)
    outcome = claims.claim(session, ref=ref, actor=ALICE, now=NOW)
    assert outcome.application_id == ref
    application = session.get(Application, ref)
    assert application is not None
    assert application.claimed_by == ALICE
    assert application.claimed_at == NOW
    history = session.scalars(select(Claim)).all()
    assert [(c.user_id, c.claimed_at, c.released_at) for c in history] == [(ALICE, NOW, None)]
    # A new application someone holds is in review: moved there, audited as Alice's stage change.
    assert (application.stage, application.stage_changed_at) == ("in_review", NOW)
    assert audit_actions(session, ref)[-2:] == ["claim", "stage"]
    moved = session.scalars(select(AuditEntry).where(AuditEntry.action == "stage")).one()
    assert (moved.actor, moved.before, moved.after) == (
        ALICE,
        {"stage": "new"},
        {"stage": "in_review"},
    )
    assert "It is now in review" in outcome.message


def test_claim_and_assign_move_only_new_applications(session: Session) -> None:
    assigned = add_application(session)
    outcome = claims.assign(
        session,
        ref=assigned,
        actor=ADMIN,
        assignee=BOB,
        is_admin=True,
        assignee_is_reviewer=True,
        now=NOW,
    )
    assert "It is now in review" in outcome.message
    application = session.get(Application, assigned)
    assert application is not None
    assert application.stage == "in_review"
    stage_entry = session.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "stage", AuditEntry.application_id == assigned
        )
    ).one()
    assert stage_entry.actor == ADMIN  # the admin moved it, by assigning
    # Released and claimed again, or further along: the stage stays where it is.
    claims.unclaim(session, ref=assigned, actor=ADMIN, is_admin=True, now=NOW)
    reviews.move_stage(session, ref=assigned, actor=ADMIN, target=Stage.SHORTLISTED, now=NOW)
    outcome = claims.claim(session, ref=assigned, actor=ALICE, now=NOW)
    assert "in review" not in outcome.message
    assert application.stage == "shortlisted"
    assert audit_actions(session, assigned)[-1] == "claim"


def test_one_holder_at_a_time(session: Session) -> None:
    ref = add_application(session)
    claims.claim(session, ref=ref, actor=ALICE, now=NOW)
    with pytest.raises(Conflict, match=f"already claimed by <@{ALICE}>"):
        claims.claim(session, ref=ref, actor=BOB, now=NOW)
    with pytest.raises(Conflict, match="You already hold"):
        claims.claim(session, ref=ref, actor=ALICE, now=NOW)


def test_only_the_holder_or_an_admin_unclaims(session: Session) -> None:
    ref = add_application(session)
    claims.claim(session, ref=ref, actor=ALICE, now=NOW)
    with pytest.raises(NotAllowed, match=f"Only <@{ALICE}>"):
        claims.unclaim(session, ref=ref, actor=BOB, is_admin=False, now=NOW)
    claims.unclaim(session, ref=ref, actor=ADMIN, is_admin=True, now=NOW + timedelta(hours=1))
    application = session.get(Application, ref)
    assert application is not None
    assert application.claimed_by is None
    assert application.claimed_at is None
    row = session.scalars(select(Claim)).one()
    assert (row.released_by, row.released_at) == (ADMIN, NOW + timedelta(hours=1))
    with pytest.raises(Conflict, match="not claimed"):
        claims.unclaim(session, ref=ref, actor=ALICE, is_admin=False, now=NOW)


def test_free_claim_closes_every_open_history_row_and_fits_the_columns(session: Session) -> None:
    ref = add_application(session)
    claims.claim(session, ref=ref, actor=ALICE, now=NOW)
    # A stray second open row (e.g. left by an old bug) must not outlive the release.
    session.add(Claim(application_id=ref, user_id=BOB, claimed_at=NOW))
    session.flush()
    application = session.get(Application, ref)
    assert application is not None
    long_actor = "retention-" + "x" * 40
    holder = claims.free_claim(
        session, application=application, by=long_actor, reason="r" * 300, now=NOW
    )
    session.flush()
    assert holder == ALICE
    rows = session.scalars(select(Claim).order_by(Claim.id)).all()
    assert [(r.released_at, r.released_by, r.release_reason) for r in rows] == [
        (NOW, long_actor[:32], "r" * 200)
    ] * 2
    assert (
        claims.free_claim(session, application=application, by=ADMIN, reason="x", now=NOW) is None
    )


def test_assign_is_for_admins_and_reviewers(session: Session) -> None:
    ref = add_application(session)
    claims.claim(session, ref=ref, actor=ALICE, now=NOW)
    with pytest.raises(NotAllowed):
        claims.assign(
            session,
            ref=ref,
            actor=BOB,
            assignee=BOB,
            is_admin=False,
            assignee_is_reviewer=True,
            now=NOW,
        )
    with pytest.raises(InvalidInput, match="not a reviewer"):
        claims.assign(
            session,
            ref=ref,
            actor=ADMIN,
            assignee="U0OUT",
            is_admin=True,
            assignee_is_reviewer=False,
            now=NOW,
        )
    outcome = claims.assign(
        session,
        ref=ref,
        actor=ADMIN,
        assignee=BOB,
        is_admin=True,
        assignee_is_reviewer=True,
        now=NOW,
    )
    assert f"taken from <@{ALICE}>" in outcome.message
    holders = [(c.user_id, c.released_at is not None) for c in session.scalars(select(Claim))]
    assert holders == [(ALICE, True), (BOB, False)]


def test_a_recused_reviewer_cannot_claim_or_rate_and_loses_claim_and_rating(
    session: Session,
) -> None:
    ref = add_application(session)
    claims.claim(session, ref=ref, actor=ALICE, now=NOW)
    reviews.rate(session, ref=ref, actor=ALICE, values=RatingInput(4), now=NOW, quorum=2)
    outcome = reviews.recuse(session, ref=ref, actor=ALICE, now=NOW)
    assert "your claim and your rating removed" in outcome.message
    application = session.get(Application, ref)
    assert application is not None
    assert application.claimed_by is None
    assert session.scalars(select(Review)).all() == []
    with pytest.raises(NotAllowed, match="recused"):
        claims.claim(session, ref=ref, actor=ALICE, now=NOW)
    with pytest.raises(NotAllowed, match="recused"):
        reviews.rate(session, ref=ref, actor=ALICE, values=RatingInput(3), now=NOW, quorum=2)
    with pytest.raises(Conflict, match="already recused"):
        reviews.recuse(session, ref=ref, actor=ALICE, now=NOW)
    with pytest.raises(Conflict):
        claims.assign(
            session,
            ref=ref,
            actor=ADMIN,
            assignee=ALICE,
            is_admin=True,
            assignee_is_reviewer=True,
            now=NOW,
        )


def test_rating_again_updates_your_own_review(session: Session) -> None:
    ref = add_application(session)
    first = reviews.rate(
        session,
        ref=ref,
        actor=ALICE,
        values=RatingInput(3, {"coding": 4}, "yes", "solid"),
        now=NOW,
        quorum=2,
    )
    assert first.created
    again = reviews.rate(session, ref=ref, actor=ALICE, values=RatingInput(5), now=NOW, quorum=2)
    assert not again.created
    assert "Updated your rating" in again.message
    review = session.scalars(select(Review)).one()
    assert (review.overall, review.criteria, review.notes) == (5, {}, "")
    entries = session.scalars(
        select(AuditEntry).where(AuditEntry.action.in_(["rate", "rate_update"]))
    ).all()
    assert [e.action for e in entries] == ["rate", "rate_update"]
    assert entries[1].before is not None
    assert entries[1].before["overall"] == 3
    assert entries[1].after == {
        "overall": 5,
        "criteria": {},
        "recommendation": None,
        "notes_chars": 0,
    }


@pytest.mark.parametrize(
    ("values", "field"),
    [
        (RatingInput(0), "overall"),
        (RatingInput(6), "overall"),
        (RatingInput(True), "overall"),  # a bool is not a score
        (RatingInput(4.5), "overall"),  # type: ignore[arg-type]
        (RatingInput(3, {"coding": 9}), "coding"),
        (RatingInput(3, {"astrology": 3}), "astrology"),
        (RatingInput(3, recommendation="maybe"), "recommendation"),
        (RatingInput(3, notes="x" * 3001), "notes"),
    ],
)
def test_bad_ratings_are_refused_and_change_nothing(
    session: Session, values: RatingInput, field: str
) -> None:
    ref = add_application(session)
    with pytest.raises(InvalidInput) as info:
        reviews.rate(session, ref=ref, actor=ALICE, values=values, now=NOW, quorum=2)
    assert info.value.field == field
    assert session.scalars(select(Review)).all() == []


def test_unknown_and_closed_applications(session: Session) -> None:
    with pytest.raises(NotFound, match="no application #999"):
        claims.claim(session, ref=999, actor=ALICE, now=NOW)
    ref = add_application(session)
    reviews.move_stage(session, ref=ref, actor=ALICE, target=Stage.WITHDRAWN, now=NOW)
    with pytest.raises(Conflict, match="withdrawn"):
        claims.claim(session, ref=ref, actor=ALICE, now=NOW)
    with pytest.raises(Conflict, match="withdrawn"):
        reviews.rate(session, ref=ref, actor=ALICE, values=RatingInput(4), now=NOW, quorum=2)


def test_stage_moves_and_refusals_list_the_allowed_ones(session: Session) -> None:
    ref = add_application(session)
    later = NOW + timedelta(days=1)
    reviews.move_stage(session, ref=ref, actor=ALICE, target=Stage.IN_REVIEW, now=later)
    claims.claim(session, ref=ref, actor=ALICE, now=NOW)  # already in review: stays
    application = session.get(Application, ref)
    assert application is not None
    assert (application.stage, application.stage_changed_at) == ("in_review", later)
    with pytest.raises(Conflict) as info:
        reviews.move_stage(session, ref=ref, actor=ALICE, target=Stage.OFFER, now=NOW)
    assert "`shortlisted`, `rejected`, `withdrawn`" in info.value.message
    with pytest.raises(Conflict, match="already in review"):
        reviews.move_stage(session, ref=ref, actor=ALICE, target=Stage.IN_REVIEW, now=NOW)
    reviews.move_stage(
        session, ref=ref, actor=ALICE, target=Stage.REJECTED, reason="not eligible", now=NOW
    )
    assert application.claimed_by is None  # closing frees the claim
    with pytest.raises(Conflict, match="cannot move"):
        reviews.move_stage(session, ref=ref, actor=ALICE, target=Stage.NEW, now=NOW)
    stage_entries = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "stage").order_by(AuditEntry.id)
    ).all()
    assert [(e.before, e.after["stage"]) for e in stage_entries if e.after] == [
        ({"stage": "new"}, "in_review"),
        ({"stage": "in_review"}, "rejected"),
    ]
    assert stage_entries[-1].detail == "not eligible"


def test_averages_need_a_quorum_and_are_hidden_until_you_rated(session: Session) -> None:
    ref = add_application(session)
    reviews.rate(session, ref=ref, actor=ALICE, values=RatingInput(2), now=NOW, quorum=2)
    application = session.get(Application, ref)
    assert application is not None
    session.refresh(application)
    assert (
        reviews.visible_average(application.reviews, quorum=2, viewer=None, is_admin=False) is None
    )
    reviews.rate(session, ref=ref, actor=BOB, values=RatingInput(5), now=NOW, quorum=2)
    session.refresh(application)
    found = application.reviews
    assert reviews.visible_average(found, quorum=2, viewer=None, is_admin=False) == 3.5
    assert reviews.visible_average(found, quorum=2, viewer=ALICE, is_admin=False) == 3.5
    assert reviews.visible_average(found, quorum=2, viewer=CAROL, is_admin=False) is None
    assert reviews.visible_average(found, quorum=2, viewer=ADMIN, is_admin=True) == 3.5
    assert reviews.visible_average(found, quorum=3, viewer=ALICE, is_admin=False) is None


def test_stats(session: Session) -> None:
    a = add_application(session, "Ada One")
    b = add_application(session, "Bea Two")
    claims.claim(session, ref=a, actor=ALICE, now=NOW)
    reviews.rate(session, ref=a, actor=ALICE, values=RatingInput(5), now=NOW, quorum=2)
    reviews.rate(session, ref=a, actor=BOB, values=RatingInput(2), now=NOW, quorum=2)
    reviews.rate(session, ref=b, actor=BOB, values=RatingInput(3), now=NOW, quorum=2)
    reviews.move_stage(session, ref=b, actor=BOB, target=Stage.IN_REVIEW, now=NOW)
    add_application(session, "Cy Three")
    found = review_stats(session, window_id=None, viewer=CAROL, is_admin=False)
    assert found.window_name is None  # all windows
    assert dict(found.funnel)[Stage.NEW] == 1
    assert dict(found.funnel)[Stage.IN_REVIEW] == 2  # `a` by claiming, `b` by the move
    assert {(r.user_id, r.claimed, r.rated) for r in found.reviewer_load} == {
        (ALICE, 1, 1),
        (BOB, 0, 2),
    }
    # Carol rated neither: no score-based figure for her (Alice's mean would be her one score).
    assert found.scores_limited
    assert found.team_mean is None
    assert found.leniency == ()
    assert found.disagreements == ()
    d = add_application(session, "Dee Four")
    reviews.rate(session, ref=d, actor=BOB, values=RatingInput(4), now=NOW, quorum=2)
    as_admin = review_stats(session, window_id=None, viewer=ADMIN, is_admin=True)
    assert not as_admin.scores_limited
    assert as_admin.team_mean == pytest.approx(3.5)
    assert as_admin.team_count == 4
    # Bob's three ratings make a comparison; Alice's single 5 is her mean, but no delta.
    assert [(x.user_id, x.mean, x.count) for x in as_admin.leniency] == [(BOB, 3, 3), (ALICE, 5, 1)]
    assert [x.delta for x in as_admin.leniency] == [pytest.approx(-0.5), None]
    as_bob = review_stats(session, window_id=None, viewer=BOB, is_admin=False)
    assert [(d.ref, d.min_score, d.max_score) for d in as_bob.disagreements] == [(a, 2, 5)]
    # Alice rated only `a`: Bob's score on `b` stays out of her figures.
    as_alice = review_stats(session, window_id=None, viewer=ALICE, is_admin=False)
    assert as_alice.team_mean == pytest.approx(3.5)
    assert as_alice.team_count == 2
    assert {x.user_id: x.mean for x in as_alice.leniency} == {ALICE: 5, BOB: 2}
    assert {x.delta for x in as_alice.leniency} == {None}  # one rating each
