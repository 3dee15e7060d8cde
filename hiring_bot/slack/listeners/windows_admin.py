"""`/intern window add | edit <name> | close <name>`: admins manage internship windows in Slack.

Add and edit open the window modal; its submission is validated (a name, real dates, in order, a
name no other window has) with errors shown inline on the field, saved with `source="slack"` (so
windows.toml no longer overwrites it) and audited. Close stops reminders for the window and takes
it out of period matching. Everyone else is refused ephemerally.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import Ack, App
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hiring_bot.bootstrap import Deps
from hiring_bot.db.engine import session_scope
from hiring_bot.db.models import Window
from hiring_bot.domain import audit, people
from hiring_bot.domain.errors import Conflict, InvalidInput, quote
from hiring_bot.domain.windows import SLACK_SOURCE, find_window, snapshot
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


def _names(session: Session) -> str:
    names = session.scalars(select(Window.name).order_by(Window.starts_on, Window.id)).all()
    return ", ".join(f"`{name}`" for name in names) or "none yet"


def _require_window(session: Session, name: str) -> Window:
    if not name.strip():
        raise InvalidInput(f"Name the window: `/intern {USAGE}`.")
    window = find_window(session, name)
    if window is None:
        raise InvalidInput(f"There is no window called {quote(name)}. Windows: {_names(session)}.")
    return window


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
        window = _require_window(session, name)
        if window.closed_at is not None:
            raise Conflict(f"*{window.name}* is already closed.")
        before = snapshot(window)
        window.closed_at = deps.clock.now()
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="window_closed",
            before=before,
            after=snapshot(window),
            detail=window.name,
        )
        return (
            f"Closed *{window.name}*: no more reminders for it, and new applications are no "
            "longer matched to it."
        )


def _clash(session: Session, name: str, window_id: int | None) -> bool:
    query = select(Window.id).where(func.lower(Window.name) == name.lower())
    if window_id is not None:
        query = query.where(Window.id != window_id)
    return session.scalars(query).first() is not None


def save_window(
    session: Session, *, values: WindowValues, window_id: int | None, actor: str
) -> tuple[Window | None, dict[str, str]]:
    """Add (window_id None) or edit a window from the modal; (window, {}) or (None, errors)."""
    if _clash(session, values.name, window_id):
        return None, {ids.WINDOW_NAME: f"A window called “{values.name[:60]}” already exists."}
    fields = {
        "name": values.name,
        "aliases": list(values.aliases),
        "application_deadline": values.application_deadline,
        "decision_deadline": values.decision_deadline,
        "starts_on": values.starts_on,
        "ends_on": values.ends_on,
    }
    if window_id is None:
        window = Window(source=SLACK_SOURCE, **fields)
        session.add(window)
        session.flush()
        audit.record(session, actor=actor, action="window_added", after=snapshot(window))
        return window, {}
    existing = session.get(Window, window_id)
    if existing is None:
        return None, {ids.WINDOW_NAME: "This window no longer exists; close the form."}
    before = snapshot(existing)
    for key, value in fields.items():
        setattr(existing, key, value)
    # Edited in Slack: windows.toml no longer overwrites it.
    existing.source = SLACK_SOURCE
    session.flush()
    audit.record(
        session, actor=actor, action="window_edited", before=before, after=snapshot(existing)
    )
    return existing, {}


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
        if not errors and not people.directory_for(deps).is_admin(user_id):
            with session_scope(deps.sessions) as session:
                audit.record(
                    session, actor=user_id, action="refused", detail=f"{ACTION}: not an admin"
                )
            errors = {ids.WINDOW_NAME: "Only an admin can change windows."}
        saved: WindowSummary | None = None
        if not errors and values is not None:
            window_id = meta.get("window_id") if meta.get("mode") == "edit" else None
            try:
                with session_scope(deps.sessions) as session:
                    window, errors = save_window(
                        session,
                        values=values,
                        window_id=int(window_id) if isinstance(window_id, int) else None,
                        actor=user_id,
                    )
                    if errors:
                        session.rollback()
                    elif window is not None:
                        saved = window_summary(window, now=deps.clock.now())
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
