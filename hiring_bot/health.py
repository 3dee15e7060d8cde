"""`/healthz`: can the app use its database right now? Answered within a short time, always.

The check opens a fresh connection (what a new request would need) and reads a real table,
`alembic_version`, so a SQLite file that is gone (or whose folder is) fails it; on SQLite it also
takes the write lock for a moment, because every command needs it and a file another process
keeps locked serves reads but no change. `?deep=1` also writes: an update of `alembic_version`
that is rolled back.

The database being fine, the answer is 200; when Slack refuses delivery for a reason only a
person can fix (the bot not in the channel, a revoked token: ``hiring_bot.outbox.problems``),
the body also names it under ``slack`` with the fix.

It never ties up the server: the probe runs in its own thread and the answer is 503 when it has
not finished within HEALTH_TIMEOUT (a database host that accepts connections but never answers);
at most MAX_CONCURRENT probes run at once, and more requests meanwhile get 503 "busy" at once, so
a flood of probes against a hung database cannot take every request thread from Slack's acks.
"""

from __future__ import annotations

import logging
import os
import threading
import weakref
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from hiring_bot.db.engine import WRITE_TRANSACTION, make_engine
from hiring_bot.outbox.problems import current_slack_problem

log = logging.getLogger(__name__)

HEALTH_TIMEOUT = 2.0
MAX_CONCURRENT = 2


@dataclass(frozen=True)
class Health:
    ok: bool
    database: str  # "ok", or what is wrong: missing, locked, unreachable, timeout, busy
    reason: str = ""
    slack: str = ""  # a Slack refusal blocking delivery ("not_in_channel: invite the bot...")

    @property
    def status(self) -> int:
        return 200 if self.ok else 503

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": self.ok, "database": self.database}
        if self.reason:
            body["reason"] = self.reason
        if self.slack:
            body["slack"] = self.slack
        return body


class HealthCheck:
    def __init__(
        self,
        engine: Engine,
        *,
        timeout: float = HEALTH_TIMEOUT,
        max_concurrent: int = MAX_CONCURRENT,
    ) -> None:
        url = engine.url
        self._sqlite_file = _sqlite_file(engine)
        # Fresh connections with the app's own short timeouts; nothing pooled to go stale.
        # It waits for a lock only half its time, so a locked database is reported as such.
        self._probe_engine = make_engine(
            url.render_as_string(hide_password=False), lock_wait=timeout / 2, poolclass=NullPool
        )
        self._timeout = timeout
        self._slots = threading.BoundedSemaphore(max_concurrent)

    def check(self, *, deep: bool = False) -> Health:
        if not self._slots.acquire(blocking=False):
            return Health(False, "busy", "other health checks are still waiting for the database")
        done = threading.Event()
        result: list[Health] = []

        def run() -> None:
            try:
                result.append(self._probe(deep=deep))
            finally:
                self._slots.release()
                done.set()

        threading.Thread(target=run, name="healthz-probe", daemon=True).start()
        if not done.wait(self._timeout) or not result:
            log.warning("health check: no answer from the database within %.1f s", self._timeout)
            return Health(False, "timeout", f"no answer within {self._timeout:g} s")
        return result[0]

    def _probe(self, *, deep: bool) -> Health:
        if self._sqlite_file is not None and not os.path.exists(self._sqlite_file):
            return Health(False, "missing", "the SQLite database file (or its folder) is gone")
        try:
            with self._probe_engine.connect() as connection:
                connection.execution_options(**WRITE_TRANSACTION)
                with connection.begin() as transaction:
                    connection.execute(text("SELECT version_num FROM alembic_version")).all()
                    slack_problem = current_slack_problem(connection)
                    if deep:
                        connection.execute(
                            text("UPDATE alembic_version SET version_num = version_num")
                        )
                    transaction.rollback()
        except OperationalError as exc:
            log.warning("health check failed: %s", type(exc.orig).__name__)
            # SQLite: "database is locked"; Postgres: "canceling statement due to lock timeout".
            if "lock" in str(exc.orig).lower():
                return Health(False, "locked", "another connection holds the database lock")
            return Health(False, "unreachable", "the database refused, failed or timed out")
        except Exception as exc:  # any driver error means "not healthy", never a 500
            log.warning("health check failed: %s", type(exc).__name__)
            return Health(False, "unreachable", "the database answered with an error")
        return Health(True, "ok", slack=slack_problem or "")


def _sqlite_file(engine: Engine) -> str | None:
    url = make_url(engine.url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return url.database


_checks: weakref.WeakKeyDictionary[Engine, HealthCheck] = weakref.WeakKeyDictionary()
_checks_lock = threading.Lock()


def health_check(engine: Engine) -> HealthCheck:
    """The one HealthCheck of `engine` (its concurrency limit is per process and database)."""
    with _checks_lock:
        check = _checks.get(engine)
        if check is None:
            check = _checks[engine] = HealthCheck(engine)
        return check
