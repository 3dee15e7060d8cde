"""The process's background pool: runs tasks, waits for them, survives their errors, shuts down."""

from __future__ import annotations

import logging
import threading

import pytest

from hiring_bot.background import BackgroundWork


def test_tasks_run_and_wait_idle_sees_tasks_they_submit() -> None:
    pool = BackgroundWork(workers=2)
    done: list[str] = []

    def child() -> None:
        done.append("child")

    def parent() -> None:
        done.append("parent")
        pool.submit(child)

    try:
        assert pool.submit(parent)
        assert pool.wait_idle(timeout=5)
        assert done == ["parent", "child"]
    finally:
        pool.shutdown()


def test_wait_idle_reports_a_task_still_running() -> None:
    pool = BackgroundWork(workers=1)
    release = threading.Event()
    try:
        pool.submit(release.wait, 5)
        assert not pool.wait_idle(timeout=0.05)
        release.set()
        assert pool.wait_idle(timeout=5)
    finally:
        release.set()
        pool.shutdown()


def test_a_failing_task_is_logged_and_the_pool_goes_on(caplog: pytest.LogCaptureFixture) -> None:
    pool = BackgroundWork(workers=1)
    ran = threading.Event()

    def broken() -> None:
        raise RuntimeError("boom")

    try:
        with caplog.at_level(logging.ERROR, logger="hiring_bot.background"):
            pool.submit(broken)
            pool.submit(ran.set)
            assert pool.wait_idle(timeout=5)
        assert ran.is_set()
        assert any("broken" in record.getMessage() for record in caplog.records)
    finally:
        pool.shutdown()


def test_after_shutdown_nothing_new_runs() -> None:
    pool = BackgroundWork(workers=1)
    ran = threading.Event()
    assert pool.shutdown(timeout=1)
    assert not pool.submit(ran.set)
    assert pool.wait_idle(timeout=1)
    assert not ran.is_set()
