"""What the app sends back, shown where Slack would show it: response_url posts (ephemeral,
in-channel, replace, delete), ack bodies, and modal stacks changed by a view_submission answer."""

from __future__ import annotations

import json
import secrets
import urllib.parse
from typing import Any

from hiring_bot.sandbox.sandbox_base import Origin, SandboxBase
from hiring_bot.sandbox.slack_standin import validate_view


def _ack_body(raw: bytes) -> dict[str, Any]:
    """What an ack carried: JSON (text, blocks, response_action) or plain text."""
    try:
        decoded = json.loads(raw)
    except ValueError:
        return {"text": raw.decode("utf-8", "replace")}
    return decoded if isinstance(decoded, dict) else {"text": str(decoded)}


class AppReplies(SandboxBase):
    def _new_response_url(self, origin: Origin) -> str:
        url = self.standin.response_url()
        with self._lock:
            self._origins[urllib.parse.urlsplit(url).path] = origin
        return url

    def _add_ephemeral(self, user_id: str, channel: str, reply: dict[str, Any]) -> str:
        fields: dict[str, Any] = {k: reply[k] for k in ("text", "blocks") if k in reply}
        return self.standin.add_ephemeral(channel=channel, user=user_id, fields=fields)

    def _on_response(self, path: str, payload: dict[str, Any]) -> None:
        """A response_url POST from the app: ephemeral, replace, delete or in-channel."""
        with self._lock:
            origin = self._origins.get(path)
        if origin is None:
            self._problem(f"response_url {path}: the app posted to a URL the sandbox never issued")
            return
        standin = self.standin
        if payload.get("delete_original"):
            self._delete_origin(origin)
            return
        if payload.get("replace_original") and origin.ts is not None:
            self._replace_origin(origin, payload)
            return
        if payload.get("response_type") == "in_channel":
            standin.post_as_bot(origin.channel, payload)
            return
        self._add_ephemeral(origin.user_id, origin.channel, payload)

    def _delete_origin(self, origin: Origin) -> None:
        standin = self.standin
        with standin.lock:
            if origin.kind == "ephemeral":
                standin.ephemerals[:] = [m for m in standin.ephemerals if m["ts"] != origin.ts]
            elif origin.kind == "message" and origin.ts is not None:
                standin.messages.pop((origin.channel, origin.ts), None)
        standin.touch()

    def _replace_origin(self, origin: Origin, payload: dict[str, Any]) -> None:
        standin = self.standin
        changes: dict[str, Any] = {k: payload[k] for k in ("text", "blocks") if k in payload}
        changes.setdefault("blocks", [])
        with standin.lock:
            if origin.kind == "ephemeral":
                for message in standin.ephemerals:
                    if message["ts"] == origin.ts:
                        message.update(changes)
            elif origin.kind == "message" and origin.ts is not None:
                key = (origin.channel, origin.ts)
                if key in standin.messages:
                    standin.messages[key] = {**standin.messages[key], **changes}
        standin.touch()

    # -- modal stacks ----------------------------------------------------------------------------

    def _replace_view(self, view_id: str, new: dict[str, Any]) -> None:
        problems = validate_view(new, where="response_action update view")
        if problems:
            self.standin.record_violation("view_submission", problems)
        with self.standin.lock:
            old = self.standin.views.get(view_id, {})
            self.standin.views[view_id] = {
                **{k: old.get(k) for k in ("id", "user_id", "root_view_id", "previous_view_id")},
                **new,
                "state": {"values": {}},
            }

    def _push_view(self, user_id: str, under: str, new: dict[str, Any]) -> None:
        problems = validate_view(new, where="response_action push view")
        if problems:
            self.standin.record_violation("view_submission", problems)
        view_id = f"V0PUSH{secrets.token_hex(3).upper()}"
        with self.standin.lock:
            stack = self.standin.modal_stacks.setdefault(user_id, [])
            self.standin.views[view_id] = {
                **new,
                "id": view_id,
                "user_id": user_id,
                "previous_view_id": under,
                "state": {"values": {}},
            }
            stack.append(view_id)

    def _close(self, user_id: str, *, view_id: str | None = None, everything: bool = False) -> None:
        with self.standin.lock:
            stack = self.standin.modal_stacks.get(user_id, [])
            if everything:
                stack.clear()
            elif view_id in stack:
                del stack[stack.index(view_id) :]
        self.standin.touch()
