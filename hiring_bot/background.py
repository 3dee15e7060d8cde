"""One thread pool per process for work that must not hold up an answer to Slack or HTTP.

Outbox deliveries right after a commit (``hiring_bot.slack.delivery.deliver_soon``) and
confirmations a listener sends after its ack run here. The composition root owns the pool
(``Deps.background``); the process that built it shuts it down as it stops. No thread starts
before the first task, so building it before a fork (gunicorn) is safe.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for
from typing import Any

log = logging.getLogger(__name__)

# As many as gunicorn's threads per worker: one answer to Slack queues at most a few tasks.
WORKERS = 8


class BackgroundWork:
    def __init__(self, *, workers: int = WORKERS) -> None:
        self._workers = workers
        self._lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None
        self._pending: set[Future[None]] = set()
        self._closed = False

    def submit(self, task: Callable[..., object], /, *args: Any) -> bool:
        """Run ``task(*args)`` soon; False (and nothing runs) once the pool is shut down.

        An exception in the task is logged, never raised: whatever it was doing, the caller has
        already answered and a sweep or the user's retry picks it up.
        """
        with self._lock:
            if self._closed:
                log.info("background pool is shut down; %s not started", _name(task))
                return False
            if self._executor is None:
                self._executor = ThreadPoolExecutor(self._workers, thread_name_prefix="background")
            future = self._executor.submit(_guarded, task, args)
            self._pending.add(future)
        future.add_done_callback(self._done)
        return True

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until no task is queued or running (tasks may submit more); False on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                pending = set(self._pending)
            if not pending:
                return True
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            wait_for(pending, timeout=left)

    def shutdown(self, *, timeout: float = 10.0) -> bool:
        """Refuse new tasks, give the queued ones ``timeout`` seconds, then drop the rest.

        Dropped deliveries stay pending in the outbox for the next process's sweep. False when
        something was still running.
        """
        with self._lock:
            self._closed = True
        idle = self.wait_idle(timeout)
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=idle, cancel_futures=True)
        return idle

    def _done(self, future: Future[None]) -> None:
        with self._lock:
            self._pending.discard(future)


def _guarded(task: Callable[..., object], args: tuple[Any, ...]) -> None:
    try:
        task(*args)
    except Exception:
        log.exception("background task %s failed", _name(task))


def _name(task: Callable[..., object]) -> str:
    return getattr(task, "__qualname__", None) or type(task).__name__
