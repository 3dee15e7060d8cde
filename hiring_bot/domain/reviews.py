"""The review workflow: rate, recuse, move along the stages.

Every function takes the session and keyword arguments, changes rows and writes the audit entry
in that session, and returns what happened (with the sentence to show the actor). A refusal
raises a DomainError before anything is changed; the caller commits or rolls back. Claims live
in `hiring_bot.domain.claims`, statistics in `hiring_bot.domain.stats`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from statistics import fmean
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from hiring_bot.db.models import Application, Recusal, Review
from hiring_bot.domain import audit
from hiring_bot.domain.applications import (
    Outcome,
    get_application,
    is_recused,
    own_review,
    require_not_recused,
    require_open,
    stage_of,
)
from hiring_bot.domain.claims import free_claim
from hiring_bot.domain.errors import Conflict, InvalidInput, quote
from hiring_bot.domain.rubric import (
    CRITERIA_KEYS,
    RECOMMENDATION_KEYS,
    SCORE_MAX,
    SCORE_MIN,
)
from hiring_bot.domain.stages import CLOSED, Stage, allowed_moves

MAX_NOTES = 3000
MAX_REASON = 500


@dataclass(frozen=True)
class RatingInput:
    overall: int
    criteria: Mapping[str, int] = field(default_factory=dict)
    recommendation: str | None = None
    notes: str = ""


# --- recusal -------------------------------------------------------------------------------------


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
    require_open(application, "rated")
    require_not_recused(session, application, actor, "rate")
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
    require_open(application, "rated")
    require_not_recused(session, application, actor, "rate")
    review = own_review(session, application_id=ref, user_id=actor)
    before = _review_snapshot(review) if review is not None else None
    created = review is None
    # Re-rating stays allowed (a reviewer may correct a slip), but one made after the average was
    # visible to the reviewer (they had rated and quorum was met) is marked in the audit entry and
    # shown in the history as such, so nobody can quietly tune their score to the average.
    saw_average = (
        not created
        and quorum_average(review_scores(session, application_id=ref), quorum=quorum) is not None
    )
    if review is None:
        review = Review(application_id=ref, reviewer_id=actor, created_at=now)
        session.add(review)
    review.overall = clean.overall
    review.criteria = dict(clean.criteria)
    review.recommendation = clean.recommendation
    review.notes = clean.notes
    review.updated_at = now
    session.flush()
    after = _review_snapshot(review)
    if saw_average:
        after[SAW_AVERAGE] = True
    audit.record(
        session,
        actor=actor,
        action="rate" if created else "rate_update",
        application_id=ref,
        before=before,
        after=after,
    )
    scores = review_scores(session, application_id=ref)
    average = quorum_average(scores, quorum=quorum)
    summary = f"It has {len(scores)} rating{'s' if len(scores) != 1 else ''}"
    summary += f", average {average:.1f}." if average is not None else "."
    verb = "Saved" if created else "Updated"
    message = f"{verb} your rating of #{ref}: {clean.overall}/5. {summary}"
    if saw_average:
        message += " The history shows this change as made after seeing the average."
    return Outcome(ref, message, created)


# Key in a `rate_update` audit entry's `after`: the reviewer could see the average when changing.
SAW_AVERAGE = "after_seeing_average"


def review_scores(session: Session, *, application_id: int) -> list[int]:
    return list(
        session.scalars(select(Review.overall).where(Review.application_id == application_id))
    )


def quorum_average(scores: Sequence[int], *, quorum: int) -> float | None:
    """The mean overall score, only once `quorum` reviewers have rated."""
    if not scores or len(scores) < max(1, quorum):
        return None
    return fmean(scores)


class Rated(Protocol):
    """A rating as the average rule reads it: a stored Review or a list row's Rating."""

    @property
    def reviewer_id(self) -> str: ...

    @property
    def overall(self) -> int: ...


def visible_average(
    reviews: Iterable[Rated], *, quorum: int, viewer: str | None, is_admin: bool
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
