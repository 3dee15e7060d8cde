"""`hiring-bot` / `python -m hiring_bot`."""

from __future__ import annotations

import os
import select
import sys

from hiring_bot.cli import main as _main

# What a shell reports for a process that a closed pipe stopped (128 + SIGPIPE), as `cat` or
# `grep` do under `set -o pipefail`: the output was cut short, so a script can tell it apart
# from a complete run.
EXIT_CLOSED_PIPE = 141


def main() -> None:
    try:
        code = _main()
        # Output still in the buffer meets the closed pipe here rather than at interpreter exit.
        sys.stdout.flush()
    except BrokenPipeError:
        # `hiring-bot export | head`: the reader has gone, which is not an error of ours.
        # Any other broken pipe (a socket, say) is a real failure and keeps its traceback.
        if not _stdout_closed():
            raise
        _discard_stdout()
        code = EXIT_CLOSED_PIPE
    sys.exit(code)


def _stdout_closed() -> bool:
    """True when nothing reads our stdout any more (a pipe whose reader exited)."""
    try:
        poller = select.poll()
        poller.register(sys.stdout.fileno(), select.POLLOUT)
        events = poller.poll(0)
    except (AttributeError, OSError, ValueError):  # no poll(), or stdout without a descriptor
        return True
    return any(event & (select.POLLERR | select.POLLHUP) for _, event in events)


def _discard_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's last flush can't raise again (the recipe
    from the Python docs' note on SIGPIPE)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    finally:
        os.close(devnull)


if __name__ == "__main__":
    main()
