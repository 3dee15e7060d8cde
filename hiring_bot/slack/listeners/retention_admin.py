"""`/intern purge <ref>`: an admin removes an applicant's personal data now (an erasure request).

The command only asks: an ephemeral prompt naming the application, with a danger "Purge #12"
button that Slack confirms once more. The click anonymises it (`hiring_bot.domain.retention`) in
one transaction with its idempotency key, audit entry, card update and Slack file deletions; the
outbox delivers those right after the commit. Everyone else is refused, and the refusal audited,
at both steps.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from hiring_bot.db.engine import session_scope
from hiring_bot.db.models import Application
from hiring_bot.deps import Deps
from hiring_bot.domain import idempotency, queries
from hiring_bot.domain.applications import get_application, stage_of
from hiring_bot.domain.errors import Conflict, InvalidInput
from hiring_bot.domain.retention import REASON_REQUEST, anonymise_application
from hiring_bot.slack import ids
from hiring_bot.slack.blocks.retention import PurgePrompt, build_purge_prompt, purge_prompt_text
from hiring_bot.slack.delivery import deliver_soon
from hiring_bot.slack.listeners.actions import STALE_BUTTON, Click
from hiring_bot.slack.listeners.router import CommandContext, CommandRouter
from hiring_bot.slack.listeners.workflow import authorize, guarded, replier

USAGE = "purge <ref>"
ACTION = "/intern purge"


def _prompt(application: Application, other_refs: list[int]) -> PurgePrompt:
    if application.anonymised_at is not None:
        day = application.anonymised_at.date().isoformat()
        raise Conflict(f"#{application.id}'s personal data was already removed on {day}.")
    return PurgePrompt(
        ref=application.id,
        name=application.candidate.name,
        window_name=application.window.name if application.window is not None else None,
        stage_label=stage_of(application).label,
        attachments=len(application.attachments),
        slack_files=sum(1 for a in application.attachments if a.slack_file_id),
        other_refs=tuple(other_refs),
    )


def purge_command(ctx: CommandContext) -> None:
    ref = ids.parse_ref(ctx.args[0]) if len(ctx.args) == 1 else None
    if ref is None:
        raise InvalidInput(
            f"Usage: `/intern {USAGE}` (admins only), e.g. `/intern purge 12`. "
            "It asks before removing anything."
        )
    authorize(ctx.deps, user_id=ctx.user_id, action=ACTION, application_id=ref, admin_only=True)
    with session_scope(ctx.deps.sessions) as session:
        application = get_application(session, ref=ref)
        others = [
            other
            for other in queries.other_application_ids(session, application=application)
            if (row := session.get(Application, other)) is not None and row.anonymised_at is None
        ]
        prompt = _prompt(application, others)
    ctx.respond(
        text=purge_prompt_text(prompt),
        blocks=build_purge_prompt(prompt),
        response_type="ephemeral",
    )


def confirm_purge(deps: Deps, click: Click, respond: Any) -> None:
    ref = ids.parse_ref(click.value)
    if ref is None:
        raise InvalidInput(STALE_BUTTON)
    actor = authorize(
        deps, user_id=click.user_id, action="button purge", application_id=ref, admin_only=True
    )
    with session_scope(deps.sessions) as session:
        if not idempotency.first_time(session, key=click.once_key, now=deps.clock.now()):
            return  # the same click delivered again
        result = anonymise_application(
            session,
            application_id=ref,
            actor=actor.user_id,
            now=deps.clock.now(),
            reason=REASON_REQUEST,
        )
    if result.outbox_ids:
        deliver_soon(deps, result.outbox_ids)
    line = result.line()
    text = line[:1].upper() + line[1:] + ". Its card in the channel now shows it anonymised."
    # Replaces the prompt, so its button cannot be pressed again.
    respond(text=text, response_type="ephemeral", replace_original=True)


def register(app: App, deps: Deps, router: CommandRouter) -> None:
    router.add(
        "purge",
        purge_command,
        usage=USAGE,
        summary="Admins: remove an applicant's personal data now (asks first)",
    )

    def ack_now(ack: Ack) -> None:
        ack()

    def on_purge_confirm(body: dict[str, Any], client: Any, respond: Any) -> None:
        click = Click.of(body)
        reply = replier(body, respond, client, click.user_id)
        guarded(f"action {ids.PURGE_CONFIRM}", reply, lambda: confirm_purge(deps, click, respond))

    app.action(ids.PURGE_CONFIRM)(ack=ack_now, lazy=[on_purge_confirm])
