"""Signed Slack requests that drive the real WSGI app over HTTP: what the tests send and what the
sandbox sends when someone clicks in its page.

``SlackRequests(base_url, signing_secret)`` builds the payloads Slack really sends (slash commands
form-encoded, interactivity as a ``payload=<json>`` form field, events as JSON), signs them with
Slack's v0 scheme and POSTs them to ``base_url + path`` (default ``/slack/events``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import http.client
import itertools
import json
import time
import urllib.parse
from typing import Any

TEAM_ID = "T0LAB00001"
TEAM_DOMAIN = "research-lab"
API_APP_ID = "A0HIRING01"
VERIFICATION_TOKEN = "legacy-verification-token"  # deprecated field Slack still sends
BOT_USER_ID = "U0BOT"


@dataclasses.dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def sign(signing_secret: str, timestamp: str, body: bytes) -> str:
    """Slack v0 signature: ``v0=`` + hex HMAC-SHA256 of ``v0:{timestamp}:{body}``."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()


class SlackRequests:
    """Builds, signs and sends Slack-shaped requests to the app under test."""

    def __init__(
        self,
        base_url: str,
        signing_secret: str,
        *,
        path: str = "/slack/events",
        timeout: float = 10.0,
    ) -> None:
        parsed = urllib.parse.urlsplit(base_url)
        if parsed.scheme != "http" or not parsed.hostname:
            raise ValueError(f"base_url must be http://host:port, got {base_url!r}")
        self.host = parsed.hostname
        self.port = parsed.port or 80
        base_path = parsed.path.rstrip("/")
        self.path = base_path if base_path.endswith(path) else base_path + path
        self.signing_secret = signing_secret
        self.timeout = timeout
        self.team_id = TEAM_ID
        self.api_app_id = API_APP_ID
        self._seq = itertools.count(1)

    # -- ids ---------------------------------------------------------------------------------

    def _trigger_id(self) -> str:
        n = next(self._seq)
        digest = hashlib.sha1(str(n).encode(), usedforsecurity=False).hexdigest()
        return f"{n}.{1700000000 + n}.{digest[:32]}"

    def _action_ts(self) -> str:
        return f"{time.time():.6f}"

    def user(self, user_id: str) -> dict[str, Any]:
        """The ``user`` object of an interaction payload."""
        return self._user(user_id)

    def team(self) -> dict[str, Any]:
        """The ``team`` object of an interaction payload."""
        return self._team()

    def trigger_id(self) -> str:
        return self._trigger_id()

    def _user(self, user_id: str) -> dict[str, Any]:
        name = user_id.lower().removeprefix("u_") or user_id.lower()
        return {"id": user_id, "username": name, "name": name, "team_id": self.team_id}

    def _team(self) -> dict[str, Any]:
        return {"id": self.team_id, "domain": TEAM_DOMAIN}

    def _default_response_url(self, channel_id: str) -> str:
        return f"https://hooks.slack.com/commands/{self.team_id}/{next(self._seq)}/fake{channel_id}"

    # -- slash commands ----------------------------------------------------------------------

    def slash_command(
        self,
        text: str,
        *,
        user_id: str = "U_ALICE",
        command: str = "/intern",
        channel_id: str = "C_HIRING",
        response_url: str | None = None,
        trigger_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
    ) -> Response:
        """``/intern``-style command; ``retry_num`` adds Slack's retry headers (a re-send)."""
        fields = {
            "token": VERIFICATION_TOKEN,
            "team_id": self.team_id,
            "team_domain": TEAM_DOMAIN,
            "channel_id": channel_id,
            "channel_name": "hiring" if channel_id.startswith("C") else "directmessage",
            "user_id": user_id,
            "user_name": self._user(user_id)["name"],
            "command": command,
            "text": text,
            "api_app_id": self.api_app_id,
            "is_enterprise_install": "false",
            "response_url": response_url or self._default_response_url(channel_id),
            "trigger_id": trigger_id or self._trigger_id(),
        }
        body = urllib.parse.urlencode(fields).encode()
        headers = {}
        if retry_num is not None:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason}
        return self.raw(body, "application/x-www-form-urlencoded", headers=headers)

    # -- interactivity -----------------------------------------------------------------------

    def interactive(self, payload: dict[str, Any]) -> Response:
        """POST any interactivity payload as Slack does: form field ``payload=<json>``."""
        body = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
        return self.raw(body, "application/x-www-form-urlencoded")

    def block_action(
        self,
        action_id: str,
        *,
        value: str | None = None,
        user_id: str = "U_ALICE",
        block_id: str | None = None,
        selected_option: dict[str, Any] | None = None,
        message: dict[str, Any] | None = None,
        channel_id: str = "C_HIRING",
        response_url: str | None = None,
        view: dict[str, Any] | None = None,
        container: dict[str, Any] | None = None,
        action_type: str | None = None,
    ) -> Response:
        """A ``block_actions`` payload with one action.

        Without ``view`` the action comes from a channel message (``message`` defaults to one
        with a ``ts``); with ``view`` it comes from a modal / Home tab and carries no channel,
        message or response_url — as Slack sends it.
        """
        action: dict[str, Any] = {
            "action_id": action_id,
            "block_id": block_id or f"b_{action_id}"[:255],
            "type": action_type or ("static_select" if selected_option else "button"),
            "action_ts": self._action_ts(),
        }
        if selected_option is not None:
            action["selected_option"] = selected_option
            action["placeholder"] = {"type": "plain_text", "text": "Choose", "emoji": True}
        else:
            action["text"] = {"type": "plain_text", "text": action_id, "emoji": True}
            if value is not None:
                action["value"] = value
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": self._user(user_id),
            "api_app_id": self.api_app_id,
            "token": VERIFICATION_TOKEN,
            "trigger_id": self._trigger_id(),
            "team": self._team(),
            "enterprise": None,
            "is_enterprise_install": False,
            "actions": [action],
        }
        if view is not None:
            full_view = self._view(view)
            payload["container"] = container or {
                "type": "view",
                "view_id": full_view["id"],
            }
            payload["view"] = full_view
            payload["state"] = full_view["state"]
        else:
            msg = dict(message) if message else {}
            msg.setdefault("type", "message")
            msg.setdefault("ts", "1700000000.000100")
            msg.setdefault("user", BOT_USER_ID)
            msg.setdefault("bot_id", "B0BOT00001")
            msg.setdefault("text", "")
            msg.setdefault("blocks", [])
            payload["container"] = container or {
                "type": "message",
                "message_ts": msg["ts"],
                "channel_id": channel_id,
                "is_ephemeral": False,
            }
            payload["channel"] = {"id": channel_id, "name": "hiring"}
            payload["message"] = msg
            payload["state"] = {"values": {}}
            payload["response_url"] = response_url or self._default_response_url(channel_id)
        return self.interactive(payload)

    def _view(self, view: dict[str, Any]) -> dict[str, Any]:
        n = next(self._seq)
        view_id = view.get("id") or f"V0{n:09d}"
        full: dict[str, Any] = {
            "id": view_id,
            "team_id": self.team_id,
            "type": "modal",
            "blocks": [],
            "private_metadata": "",
            "callback_id": "",
            "state": {"values": {}},
            "hash": f"{1700000000 + n}.{n:08x}",
            "title": {"type": "plain_text", "text": "Hiring", "emoji": True},
            "clear_on_close": False,
            "notify_on_close": False,
            "close": None,
            "submit": None,
            "previous_view_id": None,
            "root_view_id": view_id,
            "app_id": self.api_app_id,
            "external_id": "",
            "app_installed_team_id": self.team_id,
            "bot_id": "B0BOT00001",
        }
        full.update(view)
        return full

    def view_submission(
        self,
        callback_id: str,
        values: dict[str, Any],
        *,
        user_id: str = "U_ALICE",
        private_metadata: str = "",
        view_id: str | None = None,
        blocks: list[dict[str, Any]] | None = None,
    ) -> Response:
        """A ``view_submission``; ``values`` is ``view.state.values``.

        Shape: ``{block_id: {action_id: {"type": "plain_text_input", "value": "..."}}}``.
        """
        view = self._view(
            {
                "callback_id": callback_id,
                "private_metadata": private_metadata,
                "state": {"values": values},
                "blocks": blocks or [],
                "submit": {"type": "plain_text", "text": "Submit", "emoji": True},
                **({"id": view_id} if view_id else {}),
            }
        )
        payload = {
            "type": "view_submission",
            "team": self._team(),
            "user": self._user(user_id),
            "api_app_id": self.api_app_id,
            "token": VERIFICATION_TOKEN,
            "trigger_id": self._trigger_id(),
            "view": view,
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }
        return self.interactive(payload)

    # -- Events API --------------------------------------------------------------------------

    def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
    ) -> Response:
        """An ``event_callback`` envelope around ``event``; ``retry_num`` adds the retry headers."""
        now = int(time.time())
        inner = {"event_ts": f"{now}.000100", **event}
        envelope = {
            "token": VERIFICATION_TOKEN,
            "team_id": self.team_id,
            "api_app_id": self.api_app_id,
            "event": inner,
            "type": "event_callback",
            "event_id": event_id or f"Ev0{next(self._seq):09d}",
            "event_time": now,
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": self.team_id,
                    "user_id": BOT_USER_ID,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "authed_users": [BOT_USER_ID],  # deprecated, still required by the wrapper schema
            "is_ext_shared_channel": False,
            "event_context": f"4-fake-{next(self._seq)}",
        }
        headers = {}
        if retry_num is not None:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason}
        return self.raw(json.dumps(envelope).encode(), "application/json", headers=headers)

    def url_verification(self, challenge: str) -> Response:
        body = {"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}
        return self.raw(json.dumps(body).encode(), "application/json")

    # -- transport ---------------------------------------------------------------------------

    def raw(
        self,
        body: bytes,
        content_type: str,
        *,
        timestamp: int | str | None = None,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        """POST ``body`` signed (or with the given ``timestamp`` / ``signature``, for tampering)."""
        ts = str(int(time.time()) if timestamp is None else timestamp)
        all_headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature or sign(self.signing_secret, ts, body),
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
            **(headers or {}),
        }
        return self.post(body, all_headers)

    def post(self, body: bytes, headers: dict[str, str]) -> Response:
        """POST exactly these bytes and headers (no signing) to the events path."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            conn.request("POST", self.path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            return Response(resp.status, dict(resp.getheaders()), data)
        finally:
            conn.close()
