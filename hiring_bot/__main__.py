"""`hiring-bot` / `python -m hiring_bot`."""

from __future__ import annotations

import sys

from hiring_bot.cli import main as _main


def main() -> None:
    sys.exit(_main())


if __name__ == "__main__":
    main()
