"""manifest.yml is a valid Slack app manifest, and it and the app agree on what they handle."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from hiring_bot.slack import ids
from tests.conftest import SHARED, RunningApp

REPO = Path(__file__).resolve().parents[2]
SCHEMA = SHARED / "slack-specs" / "manifest.schema.1.0.0.json"


def _manifest() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((REPO / "manifest.yml").read_text())
    return loaded


def test_manifest_validates_against_slacks_schema() -> None:
    schema = json.loads(SCHEMA.read_text())
    jsonschema.validate(_manifest(), schema)


def test_schema_check_is_real() -> None:
    broken = _manifest()
    broken["features"]["slash_commands"][0]["command"] = "intern with spaces"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, json.loads(SCHEMA.read_text()))


def test_one_request_url_for_commands_events_and_interactivity() -> None:
    manifest = _manifest()
    urls = {c["url"] for c in manifest["features"]["slash_commands"]}
    urls.add(manifest["settings"]["event_subscriptions"]["request_url"])
    urls.add(manifest["settings"]["interactivity"]["request_url"])
    assert len(urls) == 1
    assert urls.pop().endswith("/slack/events")


def test_home_tab_and_intern_command_are_declared() -> None:
    manifest = _manifest()
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    (command,) = manifest["features"]["slash_commands"]
    assert command["command"] == "/intern"
    assert command["description"]
    assert command["usage_hint"]
    assert "app_home_opened" in manifest["settings"]["event_subscriptions"]["bot_events"]


def test_every_declared_command_has_a_listener(running_app: RunningApp) -> None:
    for command in _manifest()["features"]["slash_commands"]:
        response = running_app.slack.slash_command("help", command=command["command"])
        assert response.status == 200, command["command"]


def test_an_undeclared_command_is_not_handled(running_app: RunningApp) -> None:
    # Proves the check above can fail: Bolt answers 404 when no listener matches.
    assert running_app.slack.slash_command("help", command="/not-ours").status == 404


def test_every_declared_event_has_a_listener(running_app: RunningApp) -> None:
    for name in _manifest()["settings"]["event_subscriptions"]["bot_events"]:
        response = running_app.slack.event({"type": name, "user": "U0ALICE", "tab": "home"})
        assert response.status == 200, name


@pytest.mark.parametrize("action_id", ids.ALL_ACTION_IDS)
def test_every_action_id_the_app_uses_has_a_listener(
    running_app: RunningApp, action_id: str
) -> None:
    response = running_app.slack.block_action(action_id, value="999999")
    assert response.status == 200, action_id


@pytest.mark.parametrize("callback_id", ids.ALL_VIEW_CALLBACKS)
def test_every_modal_the_app_opens_has_a_submission_listener(
    running_app: RunningApp, callback_id: str
) -> None:
    response = running_app.slack.view_submission(callback_id, {})
    assert response.status == 200, callback_id
