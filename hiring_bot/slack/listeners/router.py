"""The `/intern` sub-command table, so each feature adds its own sub-commands."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from slack_sdk import WebClient

from hiring_bot.deps import Deps


@dataclass(frozen=True)
class CommandContext:
    """One `/intern` invocation, already acknowledged, as a sub-command handler sees it."""

    deps: Deps
    client: WebClient
    user_id: str
    channel_id: str
    name: str  # the sub-command, lower-cased
    args: list[str]  # the words after it
    rest: str  # the text after it, spacing kept (for notes and reasons)
    trigger_id: str
    respond: Callable[..., Any]  # Bolt's respond(): ephemeral by default via response_url


SubcommandHandler = Callable[[CommandContext], None]


@dataclass(frozen=True)
class Subcommand:
    name: str
    handler: SubcommandHandler
    usage: str  # e.g. "rate <ref> <1-5> [notes]"
    summary: str


@dataclass
class CommandRouter:
    subcommands: dict[str, Subcommand] = field(default_factory=dict)

    def add(self, name: str, handler: SubcommandHandler, *, usage: str, summary: str) -> None:
        self.subcommands[name] = Subcommand(name, handler, usage, summary)

    def get(self, name: str) -> Subcommand | None:
        return self.subcommands.get(name)
