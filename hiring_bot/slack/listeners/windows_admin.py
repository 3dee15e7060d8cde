"""`/intern window add | edit <name> | close <name>`: admins manage internship windows in Slack.

Add and edit open the window modal; its submission is parsed here (a name, real dates, in order)
and saved by the domain (`windows.add_window` / `edit_window`: `source="slack"`, so windows.toml no
longer overwrites it, audited), whose FieldErrors (a name another window has) come back inline on
the field. Close (`windows.close_window`) stops reminders for the window and takes it out of
period matching. Everyone else is refused ephemerally.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import Ack, App
from sqlalchemy.orm import Session

from hiring_bot.db.engine import session_scope
from hiring_bot.db.models import Window
from hiring_bot.deps import Deps
from hiring_bot.domain import people, windows
from hiring_bot.domain.errors import FieldErrors, InvalidInput, bold
from hiring_bot.domain.window_spec import WindowDef
from hiring_bot.slack import ids
from hiring_bot.slack.blocks import (
    WindowSummary,
    WindowValues,
    build_window_modal,
    parse_window_submission,
    window_saved_text,
)
from hiring_bot.slack.cards import window_summary
from hiring_bot.slack.listeners.router import CommandContext, CommandRouter
from hiring_bot.slack.listeners.workflow import authorize, log_failure, post_private

log = logging.getLogger(__name__)

USAGE = "window add | edit <name> | close <name>"
ACTION = "/intern window"


def _say(ctx: CommandContext, text: str) -> None:
    ctx.respond(text=text, response_type="ephemeral")


# The modal's input blocks, by the domain's field names (FieldErrors speak in those).
_FIELD_BLOCKS = {
    "name": ids.WINDOW_NAME,
    "aliases": ids.WINDOW_ALIASES,
    "application_deadline": ids.WINDOW_APPLICATION_DEADLINE,
    "decision_deadline": ids.WINDOW_DECISION_DEADLINE,
    "starts_on": ids.WINDOW_STARTS_ON,
    "ends_on": ids.WINDOW_ENDS_ON,
}


def _require_window(session: Session, name: str) -> Window:
    if not name.strip():
        raise InvalidInput(f"Name the window: `/intern {USAGE}`.")
    return windows.require_window(session, name=name)


def _metadata(mode: str, channel: str, window_id: int | None = None) -> str:
    return json.dumps({"mode": mode, "channel": channel, "window_id": window_id})


def window_command(ctx: CommandContext) -> None:
    verb = ctx.args[0].lower() if ctx.args else ""
    if verb not in {"add", "edit", "close"}:
        _say(ctx, f"Usage: `/intern {USAGE}` (admins only). `/intern windows` lists them.")
        return
    authorize(ctx.deps, user_id=ctx.user_id, action=f"{ACTION} {verb}", admin_only=True)
    name = ctx.rest.strip()[len(verb) :].strip()
    if verb == "add":
        view = build_window_modal(None, _metadata("add", ctx.channel_id))
        ctx.client.views_open(trigger_id=ctx.trigger_id, view=view)
        return
    if verb == "edit":
        with session_scope(ctx.deps.sessions) as session:
            window = _require_window(session, name)
            view = build_window_modal(
                window_summary(window, now=ctx.deps.clock.now()),
                _metadata("edit", ctx.channel_id, window.id),
            )
        ctx.client.views_open(trigger_id=ctx.trigger_id, view=view)
        return
    _say(ctx, close_window(ctx.deps, name=name, actor=ctx.user_id))


def close_window(deps: Deps, *, name: str, actor: str) -> str:
    """Close a window now; the sentence to show the admin."""
    with session_scope(deps.sessions) as session:
        if not name.strip():
            raise InvalidInput(f"Name the window: `/intern {USAGE}`.")
        window = windows.close_window(session, name=name, actor=actor, now=deps.clock.now())
        return (
            f"Closed {bold(window.name)}: no more reminders for it, and new applications are no "
            "longer matched to it."
        )


def save_window(
    session: Session, *, values: WindowValues, window_id: int | None, actor: str
) -> Window:
    """Add (window_id None) or edit a window from the modal; FieldErrors when refused."""
    definition = WindowDef(
        name=values.name,
        aliases=values.aliases,
        application_deadline=values.application_deadline,
        decision_deadline=values.decision_deadline,
        starts_on=values.starts_on,
        ends_on=values.ends_on,
    )
    if window_id is None:
        return windows.add_window(session, definition=definition, actor=actor)
    return windows.edit_window(session, window_id=window_id, definition=definition, actor=actor)


def _block_errors(error: FieldErrors) -> dict[str, str]:
    return {_FIELD_BLOCKS.get(field, ids.WINDOW_NAME): text for field, text in error.errors.items()}


def _parse_metadata(raw: Any) -> dict[str, Any]:
    try:
        data = json.loads(raw) if isinstance(raw, str) and raw else {}
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def register(app: App, deps: Deps, router: CommandRouter) -> None:
    router.add("window", window_command, usage=USAGE, summary="Admins: add, edit or close a window")

    @app.view(ids.WINDOW_MODAL)
    def on_window_submit(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: Any) -> None:
        # Validation and saving happen before the ack (database only, no Web API call) because
        # the ack itself carries any inline errors back to the modal.
        user_id = str((body.get("user") or {}).get("id") or "")
        meta = _parse_metadata(view.get("private_metadata"))
        values, errors = parse_window_submission((view.get("state") or {}).get("values") or {})
        if not errors and not deps.directory.is_admin(user_id):
            with session_scope(deps.sessions) as session:
                people.record_refusal(
                    session, user_id=user_id, action=ACTION, reason="not an admin"
                )
            errors = {ids.WINDOW_NAME: "Only an admin can change windows."}
        saved: WindowSummary | None = None
        if not errors and values is not None:
            window_id = meta.get("window_id") if meta.get("mode") == "edit" else None
            try:
                with session_scope(deps.sessions) as session:
                    window = save_window(
                        session,
                        values=values,
                        window_id=int(window_id) if isinstance(window_id, int) else None,
                        actor=user_id,
                    )
                    saved = window_summary(window, now=deps.clock.now())
            except FieldErrors as refused:
                errors = _block_errors(refused)
            except Exception as exc:
                log_failure("window modal", exc)
                errors = {ids.WINDOW_NAME: "Could not save just now; please try again."}
        if errors:
            ack(response_action="errors", errors=errors)
            return
        ack()
        if saved is None:
            return
        text = window_saved_text(saved, added=meta.get("mode") != "edit")
        channel = str(meta.get("channel") or "")
        # On the background pool: the answer to Slack must not wait for the confirmation's Web
        # API call.
        deps.background.submit(_confirm, client, channel, user_id, text)


def _confirm(client: Any, channel: str, user_id: str, text: str) -> None:
    try:
        post_private(client, channel=channel, user_id=user_id, text=text)
    except Exception as exc:  # the window is saved; only the confirmation is lost
        log_failure("window modal confirmation", exc)
