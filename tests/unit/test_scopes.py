"""manifest.yml asks for exactly the bot scopes the code uses: each Web API method the package
calls maps to the scopes Slack requires for it (Slack's method reference pages)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from hiring_bot.slack.scopes import BOT_SCOPES
from tests.fakes.slack_api import load_spec

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "hiring_bot"

# Web API method -> the bot scopes it needs (a channel may be public or private, so both).
METHOD_SCOPES: dict[str, frozenset[str]] = {
    "auth.test": frozenset(),
    "chat.postMessage": frozenset({"chat:write"}),
    "chat.postEphemeral": frozenset({"chat:write"}),
    "chat.update": frozenset({"chat:write"}),
    "conversations.history": frozenset({"channels:history", "groups:history", "im:history"}),
    "conversations.replies": frozenset({"channels:history", "groups:history"}),
    "conversations.info": frozenset({"channels:read", "groups:read"}),
    "conversations.members": frozenset({"channels:read", "groups:read"}),
    "conversations.open": frozenset({"im:write"}),
    "files.delete": frozenset({"files:write"}),
    "files.upload_v2": frozenset({"files:write"}),  # getUploadURLExternal + completeUploadExternal
    "users.info": frozenset({"users:read"}),
    "views.open": frozenset(),
    "views.publish": frozenset(),
    "views.push": frozenset(),
    "apps.connections.open": frozenset(),  # the app-level token (connections:write), not the bot's
}
# Not tied to a Web API call: the /intern slash command in the manifest.
FEATURE_SCOPES = frozenset({"commands"})


def _called_methods() -> set[str]:
    """`client.chat_postMessage(` and the like anywhere in the package, as Web API names."""
    python_names = {name.replace(".", "_"): name for name in load_spec()}
    python_names["files_upload_v2"] = "files.upload_v2"
    found = set()
    for path in PACKAGE.rglob("*.py"):
        for match in re.finditer(r"\.([a-z]+_[A-Za-z0-9_]+)\(", path.read_text()):
            if match[1] in python_names:
                found.add(python_names[match[1]])
    return found


def _manifest_scopes() -> set[str]:
    manifest = yaml.safe_load((REPO / "manifest.yml").read_text())
    return set(manifest["oauth_config"]["scopes"]["bot"])


def test_every_called_method_is_in_the_scope_table() -> None:
    called = _called_methods()
    assert {"chat.postMessage", "conversations.members", "users.info"} <= called
    assert called <= set(METHOD_SCOPES), f"add to METHOD_SCOPES: {called - set(METHOD_SCOPES)}"


def test_the_manifest_asks_for_exactly_the_scopes_the_code_uses() -> None:
    needed = set(FEATURE_SCOPES)
    for method in _called_methods():
        needed |= METHOD_SCOPES[method]
    assert _manifest_scopes() == needed


def test_doctor_checks_the_token_against_the_manifest_scopes() -> None:
    assert set(BOT_SCOPES) == _manifest_scopes()
