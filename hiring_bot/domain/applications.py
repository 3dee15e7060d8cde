"""An application under review: looking it up, and the guards every review change checks first.

A refusal raises a DomainError before anything is changed (see `hiring_bot.domain.errors`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from hiring_bot.db.models import Application, Recusal, Review
from hiring_bot.domain.errors import Conflict, NotAllowed, NotFound
from hiring_bot.domain.stages import CLOSED, Stage, parse_stage


@dataclass(frozen=True)
class Outcome:
    """A change that was made: which application, and what to tell the actor."""

    application_id: int
    message: str
    created: bool = False


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


def require_open(application: Application, doing: str) -> None:
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


def require_not_recused(
    session: Session, application: Application, user_id: str, doing: str
) -> None:
    if is_recused(session, application_id=application.id, user_id=user_id):
        raise NotAllowed(f"You recused yourself from #{application.id}, so you cannot {doing} it.")
