"""`/intern`: the one slash-command listener.

The answer goes back in the ack itself, so the user reads it as soon as Slack has the HTTP
response, without a second round trip through response_url. The listener runs in the request
thread (Bolt's process_before_response) and dispatches to the sub-commands every feature added to
the router; the sub-command's first answer becomes the ack, any later one goes through
response_url. An empty, `help` or unknown sub-command gets the usage, with the closest match.

Reads (`list`, `show`, `windows`, `stats`) run within a database time budget
(`hiring_bot.db.budget`); when it runs out, the ack says the answer is coming and the read runs
again, without a budget, in the background pool, answering through response_url. Changes ack with
their confirmation once their transaction has committed; card updates and DMs stay in the outbox,
delivered after the commit; a form (`rate <ref>`, `window add`) is opened with views.open before
the ack, while the trigger_id is fresh.

Slack re-sends a command whose ack it did not see in time (`X-Slack-Retry-Num`, same
trigger_id). The first delivery of a change records its trigger_id, so a retry neither acts, nor
answers, nor audits a second time (its ack is empty). Reads change nothing and are answered again:
the retry is there because the first answer, in the ack, did not reach Slack. Help is answered
without the database (it must work when the database does not).
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App

from hiring_bot.db import budget
from hiring_bot.db.engine import session_scope
from hiring_bot.deps import Deps
from hiring_bot.domain import idempotency
from hiring_bot.slack.blocks import build_help, help_text
from hiring_bot.slack.listeners.review_commands import add_review_commands
from hiring_bot.slack.listeners.router import CommandContext, CommandRouter
from hiring_bot.slack.listeners.workflow import DATABASE_BUSY, guarded

COMMAND = "/intern"
# Longest sensible command: rating notes (3000 characters) plus the words before them.
MAX_TEXT = 3200

STILL_WORKING = "Still working on it — the answer follows in a moment."

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


class FirstAnswer:
    """A respond() that keeps the first answer for the ack and posts any later one as usual."""

    def __init__(self, later: Callable[..., Any]) -> None:
        self.later = later
        self.answer: dict[str, Any] | None = None

    def __call__(self, text: str = "", blocks: Any = None, **kwargs: Any) -> None:
        if self.answer is not None:
            self.later(text=text, blocks=blocks, **kwargs)
            return
        self.answer = {
            "text": text,
            "blocks": list(blocks) if blocks else None,
            "response_type": kwargs.get("response_type") or "ephemeral",
        }


def register(app: App, deps: Deps, router: CommandRouter) -> None:
    add_review_commands(router)

    def answer(ack: Ack, command: dict[str, Any], client: Any, respond: Any) -> None:
        text = str(command.get("text") or "")
        refusal = too_long(text)
        if refusal is not None:
            ack(text=refusal, response_type="ephemeral")
            return
        name, args, rest = split_command(text)
        sub = router.get(name) if name and name != "help" else None
        if sub is None:
            unknown = name if name and name != "help" else None
            match = closest(name, router) if unknown else None
            ack(
                text=help_text(match),
                blocks=build_help(match, unknown=unknown),
                response_type="ephemeral",
            )
            return
        trigger_id = str(command.get("trigger_id") or "")

        def run(reply_with: Callable[..., Any]) -> None:
            sub.handler(
                CommandContext(
                    deps=deps,
                    client=client,
                    user_id=str(command.get("user_id") or ""),
                    channel_id=str(command.get("channel_id") or ""),
                    name=name,
                    args=args,
                    rest=rest,
                    trigger_id=trigger_id,
                    respond=reply_with,
                )
            )

        first = FirstAnswer(respond)
        what = f"{COMMAND} {name}"

        def reply(message: str) -> None:
            first(text=message, response_type="ephemeral")

        if sub.reads_only:
            # Nothing changes, so a retry (Slack did not see the first ack) is answered again.
            try:
                with budget.within(budget.READ_BUDGET_SECONDS):
                    guarded(what, reply, lambda: run(first))
            except budget.Overrun:
                log.info("%s over its read budget; answering through response_url", what)
                if not deps.background.submit(later, what, run, respond):
                    ack(text=DATABASE_BUSY, response_type="ephemeral")
                    return
                ack(text=STILL_WORKING, response_type="ephemeral")
                return
        else:
            if not guarded_first_delivery(deps, trigger_id, what, reply):
                if first.answer is None:  # else: the database failed, and that is the answer
                    log.info("repeated delivery of %s %s ignored", COMMAND, name)
                ack(**(first.answer or {}))
                return
            guarded(what, reply, lambda: run(first))
        ack(**(first.answer or {}))

    app.command(COMMAND)(answer)


def guarded_first_delivery(
    deps: Deps, trigger_id: str, what: str, reply: Callable[[str], None]
) -> bool:
    """first_delivery, with a database failure answered (and the command then not run)."""
    seen: list[bool] = []
    guarded(what, reply, lambda: seen.append(first_delivery(deps, trigger_id)))
    return bool(seen) and seen[0]


def later(what: str, run: Callable[[Callable[..., Any]], None], respond: Any) -> None:
    """The slow path of a read: no budget, answered through response_url."""

    def reply(message: str) -> None:
        respond(text=message, response_type="ephemeral")

    guarded(what, reply, lambda: run(respond))
