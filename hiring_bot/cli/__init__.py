"""The `hiring-bot` command line: one sub-command per process or task."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from types import ModuleType

from hiring_bot.cli import doctor, intake, purge, reminders, serve

Handler = Callable[[argparse.Namespace], int]


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, Handler]]:
    parser = argparse.ArgumentParser(
        prog="hiring-bot",
        description="Slack bot for internship hiring. With no sub-command it runs the bot.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    handlers: dict[str, Handler] = {}
    for module in _modules():
        module.add_parsers(sub)
        handlers.update(module.HANDLERS)
    return parser, handlers


def _modules() -> list[ModuleType]:
    return [serve, reminders, intake, purge, doctor]


def main(argv: Sequence[str] | None = None) -> int:
    parser, handlers = build_parser()
    args = parser.parse_args(argv)
    return handlers[args.command or "run"](args)
