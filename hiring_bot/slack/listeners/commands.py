"""`/intern`: the one slash-command listener.

The ack goes back at once (or, for an oversized command, a refusal in the ack itself); the work
runs in a Bolt lazy listener, which dispatches to the sub-commands every feature added to the
router. An empty, `help` or unknown sub-command gets the usage, with the closest match.

Slack re-sends a command whose ack it did not see in time (`X-Slack-Retry-Num`, same
trigger_id). The first delivery of a sub-command records its trigger_id, so a retry neither acts,
nor answers, nor audits a second time. Help is answered without the database (it must work when
the database does not), so a retried help may be answered twice.
"""

from __future__ import annotations

import difflib
import logging
from typing import Any

from slack_bolt import Ack, App

from hiring_bot.db.engine import session_scope
from hiring_bot.deps import Deps
from hiring_bot.domain import idempotency
from hiring_bot.slack.blocks import build_help, help_text
from hiring_bot.slack.listeners.review_commands import add_review_commands
from hiring_bot.slack.listeners.router import CommandContext, CommandRouter
from hiring_bot.slack.listeners.workflow import guarded

COMMAND = "/intern"
# Longest sensible command: rating notes (3000 characters) plus the words before them.
MAX_TEXT = 3200

log = logging.getLogger(__name__)


def too_long(text: str) -> str | None:
    if len(text) <= MAX_TEXT:
        return None
    return (
        f"That command is {len(text):,} characters long; the limit is {MAX_TEXT:,}. "
        "Nothing was changed. For long notes use the rating form: `/intern rate <ref>`."
    )


def split_command(text: str) -> tuple[str, list[str], str]:
    """`"  Rate  #42 4  great  "` → ("rate", ["#42", "4", "great"], "#42 4  great")."""
    stripped = text.strip()
    if not stripped:
        return "", [], ""
    name = stripped.split()[0]
    rest = stripped[len(name) :].strip()
    return name.lower(), rest.split(), rest


def closest(name: str, router: CommandRouter) -> str | None:
    names = sorted({*router.subcommands, "help"})
    found = difflib.get_close_matches(name, names, n=1, cutoff=0.5)
    return found[0] if found else None


def first_delivery(deps: Deps, trigger_id: str) -> bool:
    """False when this invocation (its trigger_id) was seen before: a Slack retry."""
    if not trigger_id:
        return True
    with session_scope(deps.sessions) as session:
        return idempotency.first_time(
            session, key=idempotency.command_key(trigger_id), now=deps.clock.now()
        )


def register(app: App, deps: Deps, router: CommandRouter) -> None:
    add_review_commands(router)

    def acknowledge(ack: Ack, command: dict[str, Any]) -> None:
        refusal = too_long(str(command.get("text") or ""))
        if refusal is not None:
            ack(text=refusal, response_type="ephemeral")
        else:
            ack()

    def dispatch(command: dict[str, Any], client: Any, respond: Any) -> None:
        text = str(command.get("text") or "")
        if too_long(text) is not None:
            return  # answered in the ack
        name, args, rest = split_command(text)

        def reply(message: str) -> None:
            respond(text=message, response_type="ephemeral")

        def work() -> None:
            sub = router.get(name) if name and name != "help" else None
            if sub is None:
                unknown = name if name and name != "help" else None
                match = closest(name, router) if unknown else None
                respond(
                    text=help_text(match),
                    blocks=build_help(match, unknown=unknown),
                    response_type="ephemeral",
                )
                return
            if not first_delivery(deps, str(command.get("trigger_id") or "")):
                log.info("repeated delivery of %s %s ignored", COMMAND, name)
                return
            sub.handler(
                CommandContext(
                    deps=deps,
                    client=client,
                    user_id=str(command.get("user_id") or ""),
                    channel_id=str(command.get("channel_id") or ""),
                    name=name,
                    args=args,
                    rest=rest,
                    trigger_id=str(command.get("trigger_id") or ""),
                    respond=respond,
                )
            )

        guarded(f"{COMMAND} {name or 'help'}", reply, work)

    app.command(COMMAND)(ack=acknowledge, lazy=[dispatch])
