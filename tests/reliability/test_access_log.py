"""The Procfile's web line: its access log carries the path, never the query string (where a
careless sender puts a token) and never a line forged through an encoded newline."""

from __future__ import annotations

import http.client
import json
import signal
from pathlib import Path

import pytest

from tests.db import empty_database
from tests.fakes.slack_api import FakeSlack
from tests.integration.processes import REPO, free_port, process, procfile, wait_for_health
from tests.unit.test_logformat import parse_logfmt

SECRET = "s3cr3t-query-token-Vq8xT2mLp4Rz9Kw7nB3d"  # long enough for INTAKE_TOKEN


def _get(port: int, path: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def _serve_and_visit(tmp_path: Path, **extra: str) -> str:
    """Release, then the Procfile's web line; three requests, SIGTERM; everything it printed."""
    lines = procfile()
    port = free_port()
    with FakeSlack(token="xoxb-test") as fake, empty_database("sqlite", tmp_path) as url:
        env = {
            "SLACK_BOT_TOKEN": "xoxb-test",
            "SLACK_SIGNING_SECRET": "procfile-secret",
            "HIRING_CHANNEL": "C0HIRING",
            "DATABASE_URL": url,
            "PORT": str(port),
            "WEB_CONCURRENCY": "1",
            "SLACK_API_URL": fake.url,
            "RUN_SCHEDULER": "0",
            "INTAKE_TOKEN": SECRET,
            # The release refuses to go live without windows; the tests run outside the repo.
            "WINDOWS_FILE": str(REPO / "windows.toml"),
            **extra,
        }
        with process(lines["release"], env=env, cwd=tmp_path) as release:
            assert release.wait(timeout=120) == 0
        with process(lines["web"], env=env, cwd=tmp_path) as web:
            assert wait_for_health(web, port) == 200
            assert _get(port, f"/healthz?token={SECRET}") == 200
            assert _get(port, f"/intake/applications?access_token={SECRET}") == 405
            assert _get(port, "/nope%0a10.0.0.1%20FORGED-LINE%0d%0a") == 404
            web.send_signal(signal.SIGTERM)
            web.wait(timeout=30)
            return web.stdout.read() if web.stdout else ""


def test_the_access_log_has_paths_without_query_strings_or_forged_lines(tmp_path: Path) -> None:
    output = _serve_and_visit(tmp_path)
    assert "GET /healthz HTTP/1.1" in output
    assert SECRET not in output
    assert not any(line.startswith(("10.0.0.1 FORGED", "FORGED")) for line in output.splitlines())


@pytest.mark.parametrize("fmt", ["json", "logfmt"])
def test_on_heroku_every_line_of_the_web_process_is_one_format_without_timestamps(
    tmp_path: Path, fmt: str
) -> None:
    """gunicorn's error log, its access log and the app's own lines: all LOG_FORMAT, no time."""
    output = _serve_and_visit(tmp_path, DYNO="web.1", LOG_FORMAT=fmt)
    parse = json.loads if fmt == "json" else parse_logfmt
    records = [parse(line) for line in output.splitlines() if line.strip()]
    message = "message" if fmt == "json" else "msg"
    assert all({"level", "logger", message} <= set(r) for r in records), output
    assert not any("time" in r for r in records)
    loggers = {r["logger"] for r in records}
    assert {"gunicorn.error", "gunicorn.access"} <= loggers, loggers
    assert any("Booting worker" in r[message] for r in records)
    access = [r for r in records if r["logger"] == "gunicorn.access"]
    assert {(r["method"], r["path"], str(r["status"])) for r in access} >= {
        ("GET", "/healthz", "200"),
        ("GET", "/intake/applications", "405"),
        ("GET", "/nope\n10.0.0.1 FORGED-LINE\r\n", "404"),
    }
    assert SECRET not in output
    # Every line parsed as a whole record above, so the encoded line breaks forged none.
    assert not any(line.startswith(("10.0.0.1 FORGED", "FORGED")) for line in output.splitlines())
