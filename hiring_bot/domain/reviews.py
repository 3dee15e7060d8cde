"""The review workflow: claim, unclaim, assign, recuse, rate, move along the stages; statistics.

Every function takes the session and keyword arguments, changes rows and writes the audit entry
in that session, and returns what happened (with the sentence to show the actor). A refusal
raises a DomainError before anything is changed; the caller commits or rolls back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from statistics import fmean
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from hiring_bot.db.models import Application, Claim, Recusal, Review
from hiring_bot.domain import audit
from hiring_bot.domain.errors import Conflict, InvalidInput, NotAllowed, NotFound, quote
from hiring_bot.domain.redaction import shown_name
from hiring_bot.domain.rubric import (
    CRITERIA_KEYS,
    RECOMMENDATION_KEYS,
    SCORE_MAX,
    SCORE_MIN,
)
from hiring_bot.domain.stages import CLOSED, PIPELINE, Stage, allowed_moves, parse_stage

MAX_NOTES = 3000
MAX_REASON = 500
DISAGREEMENT_POINTS = 2


@dataclass(frozen=True)
class RatingInput:
    overall: int
    criteria: Mapping[str, int] = field(default_factory=dict)
    recommendation: str | None = None
    notes: str = ""


@dataclass(frozen=True)
class Outcome:
    """A change that was made: which application, and what to tell the actor."""

    application_id: int
    message: str
    created: bool = False


# --- lookups -------------------------------------------------------------------------------------


def get_application(session: Session, *, ref: int, for_update: bool = False) -> Application:
    """The application `#ref`, or NotFound with a pointer to `/intern list`."""
    application = session.get(Application, ref, with_for_update=for_update or None)
    if application is None:
        raise NotFound(
            f"There is no application #{ref} (it may have been deleted). "
            "`/intern list` shows the current ones."
        )
    return application


def stage_of(application: Application) -> Stage:
    return parse_stage(application.stage) or Stage.NEW


def is_recused(session: Session, *, application_id: int, user_id: str) -> bool:
    found = session.scalar(
        select(Recusal.id).where(
            Recusal.application_id == application_id, Recusal.user_id == user_id
        )
    )
    return found is not None


def own_review(session: Session, *, application_id: int, user_id: str) -> Review | None:
    return session.scalar(
        select(Review).where(Review.application_id == application_id, Review.reviewer_id == user_id)
    )


def _require_open(application: Application, doing: str) -> None:
    if application.anonymised_at is not None:
        # Nothing is left to review, and new notes would bring personal data back.
        raise Conflict(
            f"#{application.id}'s personal data was removed (data retention), so it can no "
            f"longer be {doing}."
        )
    stage = stage_of(application)
    if stage in CLOSED:
        raise Conflict(
            f"#{application.id} is {stage.label.lower()}, so it can no longer be {doing}."
        )


def _require_not_recused(
    session: Session, application: Application, user_id: str, doing: str
) -> None:
    if is_recused(session, application_id=application.id, user_id=user_id):
        raise NotAllowed(f"You recused yourself from #{application.id}, so you cannot {doing} it.")


# --- claims --------------------------------------------------------------------------------------


def _open_claim(session: Session, application_id: int) -> Claim | None:
    return session.scalar(
        select(Claim)
        .where(Claim.application_id == application_id, Claim.released_at.is_(None))
        .order_by(Claim.claimed_at.desc(), Claim.id.desc())
        .limit(1)
    )


def free_claim(
    session: Session, *, application: Application, by: str, reason: str, now: datetime
) -> str | None:
    """Clear the holder and close the claim history row; returns the former holder."""
    holder = application.claimed_by
    if holder is None:
        return None
    row = _open_claim(session, application.id)
    if row is not None:
        row.released_at = now
        row.released_by = by
        row.release_reason = reason[:200]
    application.claimed_by = None
    application.claimed_at = None
    return holder


def _take(
    session: Session,
    application: Application,
    *,
    user_id: str,
    former: str | None,
    actor: str,
    action: str,
    now: datetime,
) -> None:
    """`user_id` now holds the application (any former holder already released); audited as
    `action` by `actor`, from `former` to `user_id`."""
    application.claimed_by = user_id
    application.claimed_at = now
    session.add(Claim(application_id=application.id, user_id=user_id, claimed_at=now))
    audit.record(
        session,
        actor=actor,
        action=action,
        application_id=application.id,
        before={"claimed_by": former},
        after={"claimed_by": user_id},
    )


def _start_review(
    session: Session, application: Application, *, actor: str, why: str, now: datetime
) -> bool:
    """A new application someone now holds is in review: move it there (audited as a stage
    change by `actor`). True when it moved; any other stage is left as it is."""
    if stage_of(application) is not Stage.NEW:
        return False
    application.stage = Stage.IN_REVIEW.value
    application.stage_changed_at = now
    audit.record(
        session,
        actor=actor,
        action="stage",
        application_id=application.id,
        before={"stage": Stage.NEW.value},
        after={"stage": Stage.IN_REVIEW.value},
        detail=why,
    )
    return True


def claim(session: Session, *, ref: int, actor: str, now: datetime) -> Outcome:
    application = get_application(session, ref=ref, for_update=True)
    _require_open(application, "claimed")
    _require_not_recused(session, application, actor, "claim")
    holder = application.claimed_by
    if holder == actor:
        raise Conflict(f"You already hold #{ref}.")
    if holder is not None:
        raise Conflict(
            f"#{ref} is already claimed by <@{holder}>. Ask them (or an admin) to unclaim it first."
        )
    _take(session, application, user_id=actor, former=None, actor=actor, action="claim", now=now)
    moved = _start_review(session, application, actor=actor, why="claimed", now=now)
    status = " It is now in review." if moved else ""
    return Outcome(ref, f"You claimed #{ref}.{status} Rate it with `/intern rate {ref}`.")


def unclaim(session: Session, *, ref: int, actor: str, is_admin: bool, now: datetime) -> Outcome:
    application = get_application(session, ref=ref, for_update=True)
    holder = application.claimed_by
    if holder is None:
        raise Conflict(f"#{ref} is not claimed by anyone.")
    if holder != actor and not is_admin:
        raise NotAllowed(f"Only <@{holder}>, who holds #{ref}, or an admin can unclaim it.")
    reason = "unclaimed" if holder == actor else "unclaimed by an admin"
    free_claim(session, application=application, by=actor, reason=reason, now=now)
    audit.record(
        session,
        actor=actor,
        action="unclaim",
        application_id=ref,
        before={"claimed_by": holder},
        after={"claimed_by": None},
    )
    who = "your claim on" if holder == actor else f"<@{holder}>'s claim on"
    return Outcome(ref, f"Released {who} #{ref}; it is back in the unclaimed queue.")


def assign(
    session: Session,
    *,
    ref: int,
    actor: str,
    assignee: str,
    is_admin: bool,
    assignee_is_reviewer: bool,
    now: datetime,
) -> Outcome:
    if not is_admin:
        raise NotAllowed("Only an admin can assign applications.")
    if not assignee_is_reviewer:
        raise InvalidInput(
            f"<@{assignee}> is not a reviewer (not in the hiring channel), so cannot be assigned."
        )
    application = get_application(session, ref=ref, for_update=True)
    _require_open(application, "assigned")
    if is_recused(session, application_id=ref, user_id=assignee):
        raise Conflict(f"<@{assignee}> recused themselves from #{ref}.")
    holder = application.claimed_by
    if holder == assignee:
        raise Conflict(f"<@{assignee}> already holds #{ref}.")
    if holder is not None:
        free_claim(
            session, application=application, by=actor, reason=f"reassigned to {assignee}", now=now
        )
    _take(
        session,
        application,
        user_id=assignee,
        former=holder,
        actor=actor,
        action="assign",
        now=now,
    )
    moved = _start_review(session, application, actor=actor, why="assigned", now=now)
    taken = f" (taken from <@{holder}>)" if holder else ""
    status = " It is now in review." if moved else ""
    return Outcome(ref, f"Assigned #{ref} to <@{assignee}>{taken}.{status}")


def recuse(session: Session, *, ref: int, actor: str, now: datetime) -> Outcome:
    """Conflict of interest: the actor steps away, dropping their claim and their rating."""
    application = get_application(session, ref=ref, for_update=True)
    if is_recused(session, application_id=ref, user_id=actor):
        raise Conflict(f"You already recused yourself from #{ref}.")
    session.add(Recusal(application_id=ref, user_id=actor, created_at=now))
    dropped: list[str] = []
    if application.claimed_by == actor:
        free_claim(session, application=application, by=actor, reason="recused", now=now)
        dropped.append("your claim")
    review = own_review(session, application_id=ref, user_id=actor)
    removed: dict[str, Any] | None = None
    if review is not None:
        removed = _review_snapshot(review)
        session.delete(review)
        dropped.append("your rating")
    audit.record(
        session,
        actor=actor,
        action="recuse",
        application_id=ref,
        before={"review": removed} if removed else None,
        after={"recused": actor},
        detail=", ".join(dropped),
    )
    extra = f" ({' and '.join(dropped)} removed)" if dropped else ""
    return Outcome(ref, f"You recused yourself from #{ref}{extra}. You will not review it.")


# --- ratings -------------------------------------------------------------------------------------


def validate_rating(values: RatingInput) -> RatingInput:
    """Refuse anything but whole scores 1-5, known criteria and recommendations, short notes."""
    if not _is_score(values.overall):
        raise InvalidInput(
            f"The overall score must be a whole number from {SCORE_MIN} to {SCORE_MAX}.",
            field="overall",
        )
    for key, score in values.criteria.items():
        if key not in CRITERIA_KEYS:
            raise InvalidInput(f"{quote(key)} is not a rubric criterion.", field=key)
        if not _is_score(score):
            raise InvalidInput(
                f"Criterion scores are whole numbers from {SCORE_MIN} to {SCORE_MAX}.", field=key
            )
    if values.recommendation is not None and values.recommendation not in RECOMMENDATION_KEYS:
        raise InvalidInput("Choose one of the listed recommendations.", field="recommendation")
    notes = values.notes.strip()
    if len(notes) > MAX_NOTES:
        raise InvalidInput(
            f"Notes are {len(notes)} characters; the limit is {MAX_NOTES}.", field="notes"
        )
    return RatingInput(
        overall=values.overall,
        criteria=dict(values.criteria),
        recommendation=values.recommendation,
        notes=notes,
    )


def _is_score(value: object) -> bool:
    return (
        isinstance(value, int) and not isinstance(value, bool) and SCORE_MIN <= value <= SCORE_MAX
    )


def _review_snapshot(review: Review) -> dict[str, Any]:
    return {
        "overall": review.overall,
        "criteria": dict(review.criteria or {}),
        "recommendation": review.recommendation,
        "notes_chars": len(review.notes or ""),
    }


def check_can_rate(session: Session, *, ref: int, actor: str) -> Application:
    """The application, if `actor` may rate it now (before opening the rating form)."""
    application = get_application(session, ref=ref)
    _require_open(application, "rated")
    _require_not_recused(session, application, actor, "rate")
    return application


def rate(
    session: Session,
    *,
    ref: int,
    actor: str,
    values: RatingInput,
    now: datetime,
    quorum: int,
) -> Outcome:
    """Create the actor's review of #ref, or update it: one review per reviewer, audited."""
    clean = validate_rating(values)
    application = get_application(session, ref=ref, for_update=True)
    _require_open(application, "rated")
    _require_not_recused(session, application, actor, "rate")
    review = own_review(session, application_id=ref, user_id=actor)
    before = _review_snapshot(review) if review is not None else None
    created = review is None
    if review is None:
        review = Review(application_id=ref, reviewer_id=actor, created_at=now)
        session.add(review)
    review.overall = clean.overall
    review.criteria = dict(clean.criteria)
    review.recommendation = clean.recommendation
    review.notes = clean.notes
    review.updated_at = now
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="rate" if created else "rate_update",
        application_id=ref,
        before=before,
        after=_review_snapshot(review),
    )
    scores = review_scores(session, application_id=ref)
    average = quorum_average(scores, quorum=quorum)
    summary = f"It has {len(scores)} rating{'s' if len(scores) != 1 else ''}"
    summary += f", average {average:.1f}." if average is not None else "."
    verb = "Saved" if created else "Updated"
    return Outcome(ref, f"{verb} your rating of #{ref}: {clean.overall}/5. {summary}", created)


def review_scores(session: Session, *, application_id: int) -> list[int]:
    return list(
        session.scalars(select(Review.overall).where(Review.application_id == application_id))
    )


def quorum_average(scores: Sequence[int], *, quorum: int) -> float | None:
    """The mean overall score, only once `quorum` reviewers have rated."""
    if not scores or len(scores) < max(1, quorum):
        return None
    return fmean(scores)


def visible_average(
    reviews: Iterable[Review], *, quorum: int, viewer: str | None, is_admin: bool
) -> float | None:
    """What `viewer` may see: the quorum average once they rated (admins always; None = public)."""
    reviews = list(reviews)
    average = quorum_average([r.overall for r in reviews], quorum=quorum)
    if average is None or viewer is None or is_admin:
        return average
    return average if any(r.reviewer_id == viewer for r in reviews) else None


# --- stages --------------------------------------------------------------------------------------


def move_stage(
    session: Session,
    *,
    ref: int,
    actor: str,
    target: Stage,
    reason: str = "",
    now: datetime,
) -> Outcome:
    application = get_application(session, ref=ref, for_update=True)
    current = stage_of(application)
    if target is current:
        raise Conflict(f"#{ref} is already {current.label.lower()}.")
    moves = allowed_moves(current)
    if target not in moves:
        if not moves:
            raise Conflict(f"#{ref} is {current.label.lower()}; a closed application cannot move.")
        allowed = ", ".join(f"`{s.value}`" for s in moves)
        raise Conflict(
            f"#{ref} cannot move from {current.label.lower()} to {target.label.lower()}. "
            f"Allowed: {allowed}."
        )
    reason = " ".join(reason.split())
    if len(reason) > MAX_REASON:
        raise InvalidInput(f"The reason is {len(reason)} characters; the limit is {MAX_REASON}.")
    application.stage = target.value
    application.stage_changed_at = now
    released = None
    if target in CLOSED:
        # A closed application needs no reviewer: free the claim so no stale-claim reminder nags.
        released = free_claim(
            session, application=application, by=actor, reason=f"moved to {target}", now=now
        )
    audit.record(
        session,
        actor=actor,
        action="stage",
        application_id=ref,
        before={"stage": current.value},
        after={"stage": target.value, **({"released": released} if released else {})},
        detail=reason,
    )
    return Outcome(ref, f"Moved #{ref} from {current.label.lower()} to {target.label.lower()}.")


# --- statistics ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewerStat:
    user_id: str
    claimed: int
    rated: int


@dataclass(frozen=True)
class LeniencyStat:
    user_id: str
    mean: float
    delta: float
    count: int


@dataclass(frozen=True)
class DisagreementStat:
    application_id: int
    name: str
    min_score: int
    max_score: int


@dataclass(frozen=True)
class Stats:
    funnel: tuple[tuple[Stage, int], ...]
    load: tuple[ReviewerStat, ...]
    leniency: tuple[LeniencyStat, ...]
    team_mean: float | None
    disagreements: tuple[DisagreementStat, ...]
    # True when team mean and leniency count only applications the viewer has rated.
    scores_limited: bool = False


def stats(session: Session, *, window_id: int | None, viewer: str, is_admin: bool) -> Stats:
    """Funnel by stage, reviewer load, leniency vs the team mean, disagreements of 2+ points.

    Disagreements, the team mean and leniency are made of scores, so a reviewer's figures count
    only applications they rated: a colleague's mean over one rating is that rating, and showing
    it would break independent rating.
    """
    scope = select(Application.id)
    if window_id is not None:
        scope = scope.where(Application.window_id == window_id)
    ids = scope.scalar_subquery()

    counts = dict(
        session.execute(
            select(Application.stage, func.count())
            .where(Application.id.in_(ids))
            .group_by(Application.stage)
        ).all()
    )
    order = [*PIPELINE, Stage.REJECTED, Stage.WITHDRAWN]
    funnel = tuple((s, int(counts.get(s.value, 0))) for s in order)

    claimed: dict[str, int] = {
        str(holder): int(count)
        for holder, count in session.execute(
            select(Application.claimed_by, func.count())
            .where(Application.id.in_(ids), Application.claimed_by.is_not(None))
            .group_by(Application.claimed_by)
        ).all()
    }
    reviews = list(
        session.scalars(
            select(Review)
            .where(Review.application_id.in_(ids))
            .options(selectinload(Review.application).selectinload(Application.candidate))
        )
    )
    rated_count: dict[str, int] = {}
    for review in reviews:
        rated_count[review.reviewer_id] = rated_count.get(review.reviewer_id, 0) + 1
    people = sorted(set(claimed) | set(rated_count))
    load = tuple(ReviewerStat(u, int(claimed.get(u, 0)), rated_count.get(u, 0)) for u in people)

    if not is_admin:
        mine = {r.application_id for r in reviews if r.reviewer_id == viewer}
        reviews = [r for r in reviews if r.application_id in mine]
    by_reviewer: dict[str, list[int]] = {}
    by_application: dict[int, list[Review]] = {}
    for review in reviews:
        by_reviewer.setdefault(review.reviewer_id, []).append(review.overall)
        by_application.setdefault(review.application_id, []).append(review)
    team_mean = fmean([r.overall for r in reviews]) if reviews else None
    leniency: tuple[LeniencyStat, ...] = ()
    if team_mean is not None:
        leniency = tuple(
            sorted(
                (
                    LeniencyStat(u, fmean(s), fmean(s) - team_mean, len(s))
                    for u, s in by_reviewer.items()
                ),
                key=lambda x: -x.delta,
            )
        )
    disagreements = []
    for app_id, app_reviews in sorted(by_application.items()):
        scores = [r.overall for r in app_reviews]
        if len(scores) < 2 or max(scores) - min(scores) < DISAGREEMENT_POINTS:
            continue
        application = app_reviews[0].application
        disagreements.append(
            DisagreementStat(app_id, shown_name(application), min(scores), max(scores))
        )
    return Stats(
        funnel, load, leniency, team_mean, tuple(disagreements), scores_limited=not is_admin
    )
