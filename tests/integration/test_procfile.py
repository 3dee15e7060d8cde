"""The Procfile's release and web lines, run the way Heroku runs them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.db import empty_database
from tests.fakes.slack_api import FakeSlack
from tests.integration.processes import (
    REPO,
    free_port,
    get_json,
    process,
    procfile,
    wait_for_health,
)

SLACK_ENV = {
    "SLACK_BOT_TOKEN": "xoxb-test",
    "SLACK_SIGNING_SECRET": "procfile-secret",
    "HIRING_CHANNEL": "C0HIRING",
    # Heroku runs the release in the app's folder, where windows.toml is; the tests run elsewhere.
    "WINDOWS_FILE": str(REPO / "windows.toml"),
}


def test_procfile_declares_the_three_process_types() -> None:
    lines = procfile()
    assert set(lines) == {"web", "clock", "release"}
    assert "$PORT" in lines["web"]
    assert "gunicorn" in lines["web"]


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_release_then_web_serve_healthz(kind: str, tmp_path: Path) -> None:
    lines = procfile()
    port = free_port()
    with FakeSlack(token="xoxb-test") as fake, empty_database(kind, tmp_path) as url:
        env = {
            **SLACK_ENV,
            "DATABASE_URL": url.replace("postgresql+psycopg://", "postgres://"),
            "PORT": str(port),
            "WEB_CONCURRENCY": "2",
            "SLACK_API_URL": fake.url,
            "RUN_SCHEDULER": "0",
        }
        with process(lines["release"], env=env, cwd=tmp_path) as release:
            assert release.wait(timeout=120) == 0
        with process(lines["web"], env=env, cwd=tmp_path) as web:
            assert wait_for_health(web, port) == 200
            status, body = get_json(f"http://127.0.0.1:{port}/nope")
            assert status == 404
            assert body["error"] == "not found"


def test_web_without_configuration_exits_with_the_problem(tmp_path: Path) -> None:
    lines = procfile()
    env = {"PORT": str(free_port()), "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    with process(lines["web"], env=env, cwd=tmp_path) as web:
        web.wait(timeout=60)
        output = web.stdout.read() if web.stdout else ""
    assert web.returncode != 0
    assert "SLACK_BOT_TOKEN is not set" in output


def _run_clock(tmp_path: Path, **extra: str) -> tuple[bool, int, str]:
    """Release, then `clock` until it says it started, then SIGTERM as a dyno restart sends.

    Returns whether it was still running when stopped, its exit status and everything it printed.
    """
    lines = procfile()
    with FakeSlack(token="xoxb-test") as fake, empty_database("sqlite", tmp_path) as url:
        env = {**SLACK_ENV, "DATABASE_URL": url, "SLACK_API_URL": fake.url, **extra}
        with process(lines["release"], env=env, cwd=tmp_path) as release:
            assert release.wait(timeout=120) == 0
        with process(lines["clock"], env=env, cwd=tmp_path) as clock:
            seen = ""
            assert clock.stdout is not None
            for line in clock.stdout:
                seen += line
                if "clock process started" in line:
                    break
            running = clock.poll() is None
            clock.terminate()
            code = clock.wait(timeout=30)
            seen += clock.stdout.read()
    return running, code, seen


def test_clock_runs_until_heroku_stops_it(tmp_path: Path) -> None:
    """`clock` keeps running with the scheduler and exits cleanly on SIGTERM (a dyno restart)."""
    running, code, seen = _run_clock(tmp_path)
    assert running, seen
    assert code == 0, seen
    assert "clock process stopped" in seen
    assert "Traceback" not in seen


def test_clock_start_logs_its_jobs_in_one_line(tmp_path: Path) -> None:
    _, code, seen = _run_clock(tmp_path, RETENTION_DAYS="30")
    assert code == 0, seen

    assert "Adding job tentatively" not in seen
    assert " INFO apscheduler" not in seen
    [jobs] = [line for line in seen.splitlines() if "scheduled jobs: " in line]
    ids = jobs.split("scheduled jobs: ", 1)[1].split(", ")
    assert "retention.daily" in ids
    assert len(ids) == len(set(ids)) > 1


def test_clock_start_with_log_level_debug_keeps_apschedulers_lines(tmp_path: Path) -> None:
    _, code, seen = _run_clock(tmp_path, LOG_LEVEL="DEBUG")
    assert code == 0, seen

    assert "Adding job tentatively" in seen
    assert "scheduled jobs: " in seen
