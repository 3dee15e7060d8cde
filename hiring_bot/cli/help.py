"""Every sub-command's --help: a one-line summary, a description and at least one example."""

from __future__ import annotations

import argparse
from typing import Any


def command(
    sub: Any, name: str, *, summary: str, description: str, examples: list[str]
) -> argparse.ArgumentParser:
    """Add sub-command ``name``; its --help ends with the examples, one per line."""
    epilog = "example" + ("s" if len(examples) > 1 else "") + ":\n"
    epilog += "\n".join(f"  {line}" for line in examples)
    parser: argparse.ArgumentParser = sub.add_parser(
        name,
        help=summary,
        description=description,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    return parser
