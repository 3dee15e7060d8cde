"""The Procfile's web line: its access log carries the path, never the query string (where a
careless sender puts a token) and never a line forged through an encoded newline."""

from __future__ import annotations

import http.client
import signal
from pathlib import Path

from tests.conftest import REPO
from tests.db import empty_database
from tests.fakes.slack_api import FakeSlack
from tests.integration.processes import free_port, process, procfile, wait_for_health

SECRET = "s3cr3t-query-token-Zq8vN2xL0pWm4RtY"


def _get(port: int, path: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def test_the_access_log_has_paths_without_query_strings_or_forged_lines(tmp_path: Path) -> None:
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
            "WINDOWS_FILE": str(REPO / "windows.toml"),
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
            output = web.stdout.read() if web.stdout else ""
    assert "GET /healthz HTTP/1.1" in output
    assert SECRET not in output
    assert not any(line.startswith(("10.0.0.1 FORGED", "FORGED")) for line in output.splitlines())
