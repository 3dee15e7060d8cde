"""Exit statuses every sub-command uses (the README's table)."""

from __future__ import annotations

OK = 0  # it ran and did everything asked
FAILED = 1  # partial or failed work: rows refused, messages not delivered, database unreachable
USAGE = 2  # usage or configuration: bad arguments, settings, windows file, refused token
INTERRUPTED = 130  # Ctrl-C (128 + SIGINT), after the summary of what was done so far
CLOSED_PIPE = 141  # the reader of stdout went away (`hiring-bot export | head`)
