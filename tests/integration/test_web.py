"""The WSGI app's own routes, over real HTTP."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import create_engine

from hiring_bot.slack.app import build_app
from hiring_bot.web import build_web
from tests.conftest import RunningApp, serve
from tests.integration.processes import get_json


def test_healthz_checks_the_database(running_app: RunningApp) -> None:
    status, body = get_json(f"{running_app.base_url}/healthz")
    assert status == 200
    assert body == {"ok": True, "database": "ok"}


def test_healthz_reports_an_unreachable_database_as_503(running_app: RunningApp) -> None:
    broken = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    deps = replace(running_app.deps, engine=broken)
    server, base = serve(build_web(deps, build_app(deps)))
    try:
        status, body = get_json(f"{base}/healthz")
    finally:
        server.shutdown()
        server.server_close()
        broken.dispose()
    assert status == 503
    assert body["ok"] is False
    assert body["database"] == "unreachable"
    assert body["reason"]


def test_unknown_paths_get_json_404(running_app: RunningApp) -> None:
    status, body = get_json(f"{running_app.base_url}/wp-admin")
    assert status == 404
    assert body["error"] == "not found"


def test_slack_events_only_accepts_post(running_app: RunningApp) -> None:
    status, _ = get_json(f"{running_app.base_url}/slack/events")
    assert status == 405


def test_unsigned_slack_requests_are_refused(running_app: RunningApp) -> None:
    response = running_app.slack.raw(
        b"command=%2Fintern&text=help&user_id=U0ALICE",
        "application/x-www-form-urlencoded",
        signature="v0=" + "0" * 64,
    )
    assert response.status == 401


def test_stale_timestamps_are_refused(running_app: RunningApp) -> None:
    response = running_app.slack.raw(
        b"command=%2Fintern&text=help&user_id=U0ALICE",
        "application/x-www-form-urlencoded",
        timestamp=1_000_000_000,
    )
    assert response.status == 401


def test_signed_slash_command_is_acknowledged(running_app: RunningApp) -> None:
    response = running_app.slack.slash_command("help")
    assert response.status == 200
