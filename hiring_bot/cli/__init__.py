"""The `hiring-bot` command line: one sub-command per process or task."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import PackageNotFoundError, version
from types import ModuleType

from hiring_bot.cli import doctor, exit_codes, intake, purge, reminders, sandbox, seed_demo, serve

Handler = Callable[[argparse.Namespace], int]

EPILOG = """exit status: 0 ok; 1 partial or failed work (rows refused, messages not delivered,
database unreachable); 2 usage or configuration; 130 interrupted (Ctrl-C, after a summary).
Start with `hiring-bot doctor`; `hiring-bot COMMAND --help` shows each command with an example."""


def package_version() -> str:
    try:
        return version("hiring-bot")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, Handler]]:
    parser = argparse.ArgumentParser(
        prog="hiring-bot",
        description="Slack bot for internship hiring. With no sub-command it runs the bot.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"hiring-bot {package_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    handlers: dict[str, Handler] = {}
    for module in _modules():
        module.add_parsers(sub)
        handlers.update(module.HANDLERS)
    return parser, handlers


def _modules() -> list[ModuleType]:
    return [serve, reminders, intake, purge, doctor, sandbox, seed_demo]


def main(argv: Sequence[str] | None = None) -> int:
    parser, handlers = build_parser()
    args = parser.parse_args(argv)
    try:
        return handlers[args.command or "run"](args)
    except KeyboardInterrupt:
        # Commands that work through a list catch it themselves to print what they did so far.
        print("hiring-bot: interrupted", file=sys.stderr)
        return exit_codes.INTERRUPTED
