"""The `/intern` sub-command table, so each feature adds its own sub-commands."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from slack_sdk import WebClient

from hiring_bot.deps import Deps


@dataclass(frozen=True)
class CommandContext:
    """One `/intern` invocation as a sub-command handler sees it (run before the ack)."""

    deps: Deps
    client: WebClient
    user_id: str
    channel_id: str
    name: str  # the sub-command, lower-cased
    args: list[str]  # the words after it
    rest: str  # the text after it, spacing kept (for notes and reasons)
    trigger_id: str
    # The first answer goes back in the ack, any later one through Bolt's respond() (response_url).
    respond: Callable[..., Any]


SubcommandHandler = Callable[[CommandContext], None]


@dataclass(frozen=True)
class Subcommand:
    name: str
    handler: SubcommandHandler
    usage: str  # e.g. "rate <ref> <1-5> [notes]"
    summary: str
    # Only reads: answered within the read budget, or else later through response_url.
    reads_only: bool = False


@dataclass
class CommandRouter:
    subcommands: dict[str, Subcommand] = field(default_factory=dict)

    def add(
        self,
        name: str,
        handler: SubcommandHandler,
        *,
        usage: str,
        summary: str,
        reads_only: bool = False,
    ) -> None:
        self.subcommands[name] = Subcommand(name, handler, usage, summary, reads_only)

    def get(self, name: str) -> Subcommand | None:
        return self.subcommands.get(name)
