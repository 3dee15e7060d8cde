"""Who holds an application: claim, unclaim, assign, and the one claim release every path uses.

Every function takes the session and keyword arguments, changes rows and writes the audit entry
in that session, and returns what happened (with the sentence to show the actor). A refusal
raises a DomainError before anything is changed; the caller commits or rolls back.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hiring_bot.db.models import Application, Claim
from hiring_bot.domain import audit
from hiring_bot.domain.applications import (
    Outcome,
    get_application,
    is_recused,
    require_not_recused,
    require_open,
    stage_of,
)
from hiring_bot.domain.errors import Conflict, InvalidInput, NotAllowed
from hiring_bot.domain.stages import Stage


def free_claim(
    session: Session, *, application: Application, by: str, reason: str, now: datetime
) -> str | None:
    """Clear the holder and close its claim history; returns the former holder (None if free).

    The one release: unclaim, assign, recusal, closing stage moves, the reminders' expiry of a
    stale claim and retention (reason "anonymised") all come here, so the history reads alike.
    """
    holder = application.claimed_by
    if holder is None:
        return None
    # Normally one open row; closing every one leaves no claim that outlives its holder.
    for row in session.scalars(
        select(Claim).where(Claim.application_id == application.id, Claim.released_at.is_(None))
    ):
        row.released_at = now
        row.released_by = by[:32]
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
    require_open(application, "claimed")
    require_not_recused(session, application, actor, "claim")
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
    require_open(application, "assigned")
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
