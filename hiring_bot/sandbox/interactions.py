"""What the person does, forwarded as Slack would: each click, command, submission or Home tab
visit becomes Slack's payload, signed and POSTed to the app's ``/slack/events``."""

from __future__ import annotations

import secrets
import time
import uuid
from typing import Any

from hiring_bot.sandbox.app_replies import AppReplies, _ack_body
from hiring_bot.sandbox.sandbox_base import ACK_DEADLINE_SECONDS, Origin
from hiring_bot.sandbox.signed_requests import VERIFICATION_TOKEN, SlackRequests


class Interactions(AppReplies):
    def _new_trigger(self, user_id: str) -> str:
        trigger = f"{int(time.time())}.{secrets.randbelow(10**9)}.{secrets.token_hex(16)}"
        self.standin.trigger_users[trigger] = user_id
        return trigger

    def _slack(self) -> SlackRequests:
        assert self.requests is not None
        return self.requests

    def _check_answer(self, what: str, status: int, elapsed: float) -> None:
        if status != 200:
            self._problem(f"{what}: /slack/events answered HTTP {status} (Slack shows an error)")
        if elapsed > ACK_DEADLINE_SECONDS:
            with self._lock:
                self.warnings.append(
                    f"{what}: acknowledged after {elapsed:.1f} s (Slack gives up after 3 s)"
                )
                self._version += 1

    def slash_command(self, user_id: str, text: str, channel: str) -> dict[str, Any]:
        command, _, rest = text.strip().partition(" ")
        if command != "/intern":
            return {"ok": False, "error": "Only /intern commands reach the bot here."}
        response_url = self._new_response_url(Origin(user_id, channel, "command"))
        started = time.monotonic()
        answer = self._slack().slash_command(
            rest.strip(),
            user_id=user_id,
            channel_id=channel,
            response_url=response_url,
            trigger_id=self._new_trigger(user_id),
        )
        self._check_answer(f"/intern {rest.strip()}", answer.status, time.monotonic() - started)
        self._note("command", f"/intern {rest.strip()} → HTTP {answer.status}", user=user_id)
        if answer.status == 200 and answer.body.strip():
            reply = _ack_body(answer.body)
            if reply.get("response_type") == "in_channel":
                self.standin.post_as_bot(channel, reply)
            else:
                self._add_ephemeral(user_id, channel, reply)
        elif answer.status != 200:
            self._add_ephemeral(
                user_id, channel, {"text": "/intern failed with the error “dispatch_failed”"}
            )
        return {"ok": answer.status == 200}

    def block_action(self, user_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """A click or choice in a message, an ephemeral message, a modal or the Home tab."""
        action = dict(body.get("action") or {})
        action["action_ts"] = f"{time.time():.6f}"
        source = body.get("source") or {}
        kind = source.get("kind")
        requests = self._slack()
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": requests.user(user_id),
            "api_app_id": requests.api_app_id,
            "token": VERIFICATION_TOKEN,
            "trigger_id": self._new_trigger(user_id),
            "team": requests.team(),
            "enterprise": None,
            "is_enterprise_install": False,
            "actions": [action],
        }
        if kind in ("modal", "home"):
            view = self.standin.views.get(str(source.get("view_id")))
            if view is None:
                return {"ok": False, "error": "That view is gone."}
            full = {**view, "state": {"values": body.get("values") or {}}}
            payload.update(
                container={"type": "view", "view_id": view["id"]},
                view=full,
                state=full["state"],
            )
        else:
            channel, ts = str(source.get("channel")), str(source.get("ts"))
            ephemeral = kind == "ephemeral"
            origin = Origin(user_id, channel, "ephemeral" if ephemeral else "message", ts)
            payload.update(
                container={
                    "type": "message",
                    "message_ts": ts,
                    "channel_id": channel,
                    "is_ephemeral": ephemeral,
                },
                channel={"id": channel, "name": "hiring" if channel.startswith("C") else ""},
                state={"values": body.get("values") or {}},
                response_url=self._new_response_url(origin),
            )
            if not ephemeral:
                message = self.standin.messages.get((channel, ts))
                if message is None:
                    return {"ok": False, "error": "That message is gone."}
                payload["message"] = message
        return self._interact(user_id, payload, f"{action.get('action_id')} ({kind})")

    def _interact(self, user_id: str, payload: dict[str, Any], what: str) -> dict[str, Any]:
        started = time.monotonic()
        answer = self._slack().interactive(payload)
        self._check_answer(what, answer.status, time.monotonic() - started)
        self._note(payload["type"], f"{what} → HTTP {answer.status}", user=user_id)
        return {"ok": answer.status == 200, "status": answer.status, "body": answer.text}

    def submit_view(self, user_id: str, body: dict[str, Any]) -> dict[str, Any]:
        view_id = str(body.get("view_id"))
        view = self.standin.views.get(view_id)
        if view is None:
            return {"ok": False, "error": "That modal is gone."}
        requests = self._slack()
        full = {**view, "state": {"values": body.get("values") or {}}}
        payload = {
            "type": "view_submission",
            "team": requests.team(),
            "user": requests.user(user_id),
            "api_app_id": requests.api_app_id,
            "token": VERIFICATION_TOKEN,
            "trigger_id": self._new_trigger(user_id),
            "view": full,
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }
        result = self._interact(user_id, payload, f"submit {view.get('callback_id')}")
        if not result["ok"]:
            return result
        reply = _ack_body(result["body"].encode()) if result["body"].strip() else {}
        action = reply.get("response_action")
        with self._lock:
            self.view_errors.pop(view_id, None)
        if action == "errors":
            with self._lock:
                self.view_errors[view_id] = dict(reply.get("errors") or {})
        elif action == "update":
            self._replace_view(view_id, reply.get("view") or {})
        elif action == "push":
            self._push_view(user_id, view_id, reply.get("view") or {})
        elif action == "clear":
            self._close(user_id, everything=True)
        else:
            self._close(user_id, view_id=view_id)
        self._changed()
        self.standin.touch()
        return {"ok": True, "response_action": action}

    def close_view(self, user_id: str, body: dict[str, Any]) -> dict[str, Any]:
        view_id = str(body.get("view_id"))
        view = self.standin.views.get(view_id)
        self._close(user_id, view_id=view_id)
        if view is not None and view.get("notify_on_close"):
            requests = self._slack()
            payload = {
                "type": "view_closed",
                "team": requests.team(),
                "user": requests.user(user_id),
                "api_app_id": requests.api_app_id,
                "token": VERIFICATION_TOKEN,
                "view": view,
                "is_cleared": False,
                "is_enterprise_install": False,
                "enterprise": None,
            }
            return self._interact(user_id, payload, f"close {view.get('callback_id')}")
        return {"ok": True}

    def open_home(self, user_id: str) -> dict[str, Any]:
        started = time.monotonic()
        answer = self._slack().event(
            {
                "type": "app_home_opened",
                "user": user_id,
                "channel": self.standin.dm_channel_for(user_id),
                "tab": "home",
            },
            event_id=f"Ev{uuid.uuid4().hex[:12].upper()}",
        )
        self._check_answer("app_home_opened", answer.status, time.monotonic() - started)
        self._note("event", f"app_home_opened → HTTP {answer.status}", user=user_id)
        return {"ok": answer.status == 200}

    def dismiss(self, user_id: str, ts: str) -> dict[str, Any]:
        with self.standin.lock:
            self.standin.ephemerals[:] = [
                m
                for m in self.standin.ephemerals
                if not (m.get("to_user") == user_id and m["ts"] == ts)
            ]
        self.standin.touch()
        return {"ok": True}
