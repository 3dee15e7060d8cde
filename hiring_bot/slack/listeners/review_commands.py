"""`/intern` sub-commands of the review workflow; each answers the caller ephemerally.

Changes (claim, rate, stage, …) also update the application's channel card through the outbox.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy.orm import Session

from hiring_bot.db.models import OutboxMessage
from hiring_bot.domain import applications, claims, queries, reviews, windows
from hiring_bot.domain.errors import InvalidInput, quote
from hiring_bot.domain.refs import parse_ref, require_ref
from hiring_bot.domain.rubric import parse_score
from hiring_bot.domain.stages import Stage, parse_stage
from hiring_bot.domain.stats import Stats, review_stats
from hiring_bot.outbox import enqueue_message
from hiring_bot.slack.blocks import (
    build_application_details,
    build_stats_message,
    build_windows_message,
    details_text,
    stats_text,
    windows_text,
)
from hiring_bot.slack.cards import assignment_message, details_for, window_summaries
from hiring_bot.slack.listeners import surfaces
from hiring_bot.slack.listeners.router import CommandContext, CommandRouter
from hiring_bot.slack.listeners.workflow import Actor, apply_change, authorize, read

_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


def _say(ctx: CommandContext, text: str, blocks: list[dict[str, Any]] | None = None) -> None:
    ctx.respond(text=text, blocks=blocks, response_type="ephemeral")


def _actor(ctx: CommandContext, *, ref: int | None = None, admin_only: bool = False) -> Actor:
    return authorize(
        ctx.deps,
        user_id=ctx.user_id,
        action=f"/intern {ctx.name}",
        application_id=ref,
        admin_only=admin_only,
    )


def _actor_and_ref(
    ctx: CommandContext, ref_text: str | None, *, admin_only: bool = False
) -> tuple[Actor, int]:
    """Authorize first (so a refusal is the answer whatever was typed), then read the ref."""
    actor = _actor(ctx, ref=parse_ref(ref_text), admin_only=admin_only)
    return actor, require_ref(ref_text)


def _first(ctx: CommandContext) -> str | None:
    return ctx.args[0] if ctx.args else None


def _split_rest(ctx: CommandContext, count: int) -> list[str]:
    """The first `count` words of the arguments, then the rest (spacing kept) as one more item."""
    parts = ctx.rest.strip().split(maxsplit=count)
    return parts + [""] * (count + 1 - len(parts))


# --- read-only ----------------------------------------------------------------------------------


def list_command(ctx: CommandContext) -> None:
    actor = _actor(ctx)
    text, blocks = surfaces.list_message(ctx.deps, actor, query=ctx.rest.strip())
    _say(ctx, text, blocks)


def show_command(ctx: CommandContext) -> None:
    actor, ref = _actor_and_ref(ctx, _first(ctx))

    def work(session: Session) -> tuple[str, list[dict[str, Any]]]:
        application = applications.get_application(session, ref=ref)
        details = details_for(
            session,
            application,
            settings=ctx.deps.settings,
            viewer=actor.user_id,
            is_admin=actor.is_admin,
        )
        return details_text(details), build_application_details(details)

    text, blocks = read(ctx.deps, work)
    _say(ctx, text, blocks)


def windows_command(ctx: CommandContext) -> None:
    _actor(ctx)
    now = ctx.deps.clock.now()
    summaries = read(ctx.deps, lambda s: window_summaries(s, now=now))
    local_now = now.astimezone(ctx.deps.settings.timezone)
    _say(ctx, windows_text(summaries, local_now), build_windows_message(summaries, local_now))


def stats_command(ctx: CommandContext) -> None:
    actor = _actor(ctx)
    wanted = ctx.rest.strip()

    def work(session: Session) -> Stats:
        window = None
        if wanted:
            window = windows.find_window(session, wanted)
            if window is None:
                names = ", ".join(quote(w.name, 80) for w in queries.windows(session))
                raise InvalidInput(
                    f"There is no window called {quote(wanted)}. Windows: {names or 'none yet'}."
                )
        return review_stats(
            session,
            window_id=window.id if window else None,
            viewer=actor.user_id,
            is_admin=actor.is_admin,
        )

    view: Stats = read(ctx.deps, work)
    _say(ctx, stats_text(view), build_stats_message(view))


# --- changes ------------------------------------------------------------------------------------


def _change(
    ctx: CommandContext,
    change: Callable[[Session], applications.Outcome],
    *,
    notify: Callable[[Session, applications.Outcome], Sequence[OutboxMessage]] | None = None,
) -> None:
    outcome = apply_change(ctx.deps, change, notify=notify)
    if outcome is not None:
        _say(ctx, outcome.message)


def claim_command(ctx: CommandContext) -> None:
    actor, ref = _actor_and_ref(ctx, _first(ctx))
    now = ctx.deps.clock.now()
    _change(ctx, lambda s: claims.claim(s, ref=ref, actor=actor.user_id, now=now))


def unclaim_command(ctx: CommandContext) -> None:
    actor, ref = _actor_and_ref(ctx, _first(ctx))
    now = ctx.deps.clock.now()
    _change(
        ctx,
        lambda s: claims.unclaim(s, ref=ref, actor=actor.user_id, is_admin=actor.is_admin, now=now),
    )


def recuse_command(ctx: CommandContext) -> None:
    actor, ref = _actor_and_ref(ctx, _first(ctx))
    now = ctx.deps.clock.now()
    _change(ctx, lambda s: reviews.recuse(s, ref=ref, actor=actor.user_id, now=now))


def _user_arg(text: str) -> str:
    match = _MENTION.match(text)
    if match:
        return match.group(1)
    if _USER_ID.match(text):
        return text
    if not text:
        raise InvalidInput("Assign to whom? Usage: `/intern assign <ref> @someone`.")
    raise InvalidInput(
        f"I can't tell who {quote(text)} is: pick the person from Slack's @-mention list so "
        "the command carries their user ID."
    )


def assign_command(ctx: CommandContext) -> None:
    actor, ref = _actor_and_ref(ctx, _first(ctx), admin_only=True)
    assignee = _user_arg(ctx.args[1] if len(ctx.args) > 1 else "")
    directory = ctx.deps.directory
    is_reviewer = directory.is_reviewer(assignee)
    now = ctx.deps.clock.now()
    settings = ctx.deps.settings

    def tell_assignee(session: Session, outcome: applications.Outcome) -> list[OutboxMessage]:
        if assignee == actor.user_id:  # they know
            return []
        text, blocks = assignment_message(
            session, outcome.application_id, settings=settings, assigned_by=actor.user_id
        )
        return [enqueue_message(session, channel=assignee, text=text, blocks=blocks)]

    _change(
        ctx,
        lambda s: claims.assign(
            s,
            ref=ref,
            actor=actor.user_id,
            assignee=assignee,
            is_admin=actor.is_admin,
            assignee_is_reviewer=is_reviewer,
            now=now,
        ),
        notify=tell_assignee,
    )


def rate_command(ctx: CommandContext) -> None:
    ref_text, score_text, notes = _split_rest(ctx, 2)
    actor, ref = _actor_and_ref(ctx, ref_text or None)
    if not score_text:
        # trigger_id is valid for 3 seconds: open the form before anything slower.
        surfaces.open_rating_modal(
            ctx.deps,
            ctx.client,
            actor,
            trigger_id=ctx.trigger_id,
            ref=ref,
            channel=ctx.channel_id,
        )
        return
    score = parse_score(score_text)
    if score is None:
        raise InvalidInput(
            f"Scores are whole numbers from 1 to 5; {quote(score_text)} is not one. "
            f"Usage: `/intern rate {ref} <1-5> [notes]`, or `/intern rate {ref}` for the form."
        )
    values = reviews.RatingInput(overall=score, notes=notes.strip())
    now = ctx.deps.clock.now()
    quorum = ctx.deps.settings.rating_quorum

    def change(session: Session) -> applications.Outcome:
        # A quick command keeps the criteria and recommendation given earlier in the form.
        own = applications.own_review(session, application_id=ref, user_id=actor.user_id)
        merged = values
        if own is not None:
            merged = reviews.RatingInput(
                overall=score,
                criteria=dict(own.criteria or {}),
                recommendation=own.recommendation,
                notes=values.notes or own.notes,
            )
        return reviews.rate(
            session, ref=ref, actor=actor.user_id, values=merged, now=now, quorum=quorum
        )

    _change(ctx, change)


def _stage_arg(text: str) -> Stage:
    stage = parse_stage(text) if text else None
    if stage is None:
        names = ", ".join(f"`{s.value}`" for s in Stage)
        if not text:
            raise InvalidInput(f"Move it to which stage? One of {names}.")
        raise InvalidInput(f"{quote(text)} is not a stage. Stages: {names}.")
    return stage


def stage_command(ctx: CommandContext) -> None:
    ref_text, stage_text, reason = _split_rest(ctx, 2)
    _, first, second, after = _split_rest(ctx, 3)
    if parse_stage(first) is None and second and parse_stage(f"{first} {second}") is not None:
        # Cards and lists spell it "In review": take the two words as the stage.
        stage_text, reason = f"{first} {second}", after
    actor, ref = _actor_and_ref(ctx, ref_text or None)
    target = _stage_arg(stage_text)
    now = ctx.deps.clock.now()
    _change(
        ctx,
        lambda s: reviews.move_stage(
            s, ref=ref, actor=actor.user_id, target=target, reason=reason, now=now
        ),
    )


def add_review_commands(router: CommandRouter) -> None:
    router.add(
        "list", list_command, usage="list [filters…]", summary="Find applications", reads_only=True
    )
    router.add(
        "show", show_command, usage="show <ref>", summary="Full details of one", reads_only=True
    )
    router.add("claim", claim_command, usage="claim <ref>", summary="Take one to review")
    router.add("unclaim", unclaim_command, usage="unclaim <ref>", summary="Give it back")
    router.add(
        "assign", assign_command, usage="assign <ref> @user", summary="Admins: hand one over"
    )
    router.add("recuse", recuse_command, usage="recuse <ref>", summary="Conflict of interest")
    router.add("rate", rate_command, usage="rate <ref> <1-5> [notes]", summary="Rate one")
    router.add(
        "stage", stage_command, usage="stage <ref> <stage> [reason]", summary="Move it along"
    )
    router.add(
        "windows",
        windows_command,
        usage="windows",
        summary="Deadlines with countdowns",
        reads_only=True,
    )
    router.add(
        "stats",
        stats_command,
        usage="stats [window]",
        summary="Funnel and reviewers",
        reads_only=True,
    )
