"""Modal submissions: the rating form.

The submission is checked and saved before the ack, because problems go back in the ack itself as
inline field errors (`response_action: errors`); only the database is touched on that path, never
the Web API. The same modal submitted twice (same view id) saves once. After the ack, on a thread
of its own, the rater is told what was saved (ephemerally where the form was opened, else by DM),
as the command path tells them, and a form opened from the Home tab refreshes it.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from hiring_bot.deps import Deps
from hiring_bot.domain import idempotency, reviews
from hiring_bot.domain.applications import Outcome
from hiring_bot.domain.errors import DomainError, InvalidInput
from hiring_bot.domain.people import Access
from hiring_bot.domain.rubric import CRITERIA_KEYS
from hiring_bot.slack import ids
from hiring_bot.slack.blocks import parse_rating_submission
from hiring_bot.slack.listeners.router import CommandRouter
from hiring_bot.slack.listeners.surfaces import RatingOrigin, publish_home
from hiring_bot.slack.listeners.workflow import (
    OOPS,
    apply_change,
    authorize,
    log_failure,
    post_private,
)

STALE_FORM = "This form is out of date; close it and open the rating form again from the card."


def error_block(field: str | None) -> str:
    """The input block an InvalidInput's field belongs to (the overall score by default)."""
    if field in CRITERIA_KEYS:
        return ids.rating_criterion_block_id(str(field))
    return {
        "recommendation": ids.RATING_RECOMMENDATION,
        "notes": ids.RATING_NOTES,
    }.get(field or "", ids.RATING_OVERALL)


def save_rating(
    deps: Deps, body: dict[str, Any], view: dict[str, Any]
) -> tuple[dict[str, str], Outcome | None]:
    """Validate and save one submission: the inline errors to show ({} when saved) and what was
    saved (None when nothing was, including a repeated submission of the same form)."""
    origin = RatingOrigin.decode(view.get("private_metadata"))
    if origin is None:
        return {ids.RATING_OVERALL: STALE_FORM}, None
    values, errors = parse_rating_submission((view.get("state") or {}).get("values") or {})
    if errors or values is None:
        return errors or {ids.RATING_OVERALL: "Choose an overall score from 1 to 5."}, None
    user_id = str((body.get("user") or {}).get("id") or "")
    ref = origin.ref
    try:
        # The form was opened by a reviewer moments ago: the cached member list answers.
        actor = authorize(
            deps,
            user_id=user_id,
            action="rating form",
            application_id=ref,
            allow_stale=True,
        )
        now = deps.clock.now()
        outcome = apply_change(
            deps,
            lambda s: reviews.rate(
                s,
                ref=ref,
                actor=actor.user_id,
                values=reviews.RatingInput(
                    overall=values.overall,
                    criteria=dict(values.criteria),
                    recommendation=values.recommendation,
                    notes=values.notes,
                ),
                now=now,
                quorum=deps.settings.rating_quorum,
            ),
            once_key=idempotency.view_key(str(view.get("id") or "")),
        )
    except InvalidInput as problem:
        return {error_block(problem.field): problem.message}, None
    except DomainError as refusal:
        return {ids.RATING_OVERALL: refusal.message}, None
    except Exception as exc:
        log_failure("rating form", exc)
        return {ids.RATING_OVERALL: OOPS}, None
    return {}, outcome


def refresh_home(deps: Deps, client: Any, user_id: str) -> None:
    try:
        access = Access.ADMIN if user_id in deps.settings.admin_user_ids else Access.REVIEWER
        publish_home(deps, client, user_id=user_id, access=access)
    except Exception as exc:  # the Home tab refreshes again when next opened
        log_failure("home refresh after rating", exc)


def after_save(
    deps: Deps, client: Any, user_id: str, origin: RatingOrigin | None, outcome: Outcome | None
) -> None:
    """Confirm the saved rating to the rater, then refresh their Home tab if they rated there."""
    if outcome is not None:
        try:
            channel = (origin.channel if origin is not None else None) or ""
            post_private(client, channel=channel, user_id=user_id, text=outcome.message)
        except Exception as exc:  # the rating is saved; only the confirmation is lost
            log_failure("rating confirmation", exc)
    if origin is not None and origin.home:
        refresh_home(deps, client, user_id)


def register(app: App, deps: Deps, router: CommandRouter) -> None:
    def submit(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: Any) -> None:
        outcome: Outcome | None = None
        try:
            errors, outcome = save_rating(deps, body, view)
        except Exception as exc:  # a malformed payload: an inline apology, never a 500
            log_failure("rating form", exc)
            errors = {ids.RATING_OVERALL: OOPS}
        if errors:
            ack(response_action="errors", errors=errors)
            return
        ack()
        origin = RatingOrigin.decode(view.get("private_metadata"))
        if outcome is None and not (origin is not None and origin.home):
            return
        # After the save and the ack, on the background pool: Bolt starts lazy listeners alongside
        # this function (they could confirm or publish the Home tab before the rating is saved),
        # and the answer to Slack must not wait for those Web API calls.
        user_id = str((body.get("user") or {}).get("id") or "")
        deps.background.submit(after_save, deps, client, user_id, origin, outcome)

    app.view(ids.RATING_MODAL)(submit)
