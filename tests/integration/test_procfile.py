"""The Procfile's release and web lines, run the way Heroku runs them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.db import empty_database
from tests.fakes.slack_api import FakeSlack
from tests.integration.processes import free_port, get_json, process, procfile, wait_for_health

SLACK_ENV = {
    "SLACK_BOT_TOKEN": "xoxb-test",
    "SLACK_SIGNING_SECRET": "procfile-secret",
    "HIRING_CHANNEL": "C0HIRING",
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
