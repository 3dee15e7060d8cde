"""views.* methods, keeping each user's modal stack as Slack would (at most three views)."""

from __future__ import annotations

import hashlib
import time
from typing import Any

from hiring_bot.sandbox.standin.state import StandinState


class ViewsMethods(StandinState):
    def _view_reply(
        self,
        view: dict[str, Any],
        view_id: str,
        user_id: str | None,
        previous_view_id: str | None = None,
        root_view_id: str | None = None,
    ) -> dict[str, Any]:
        stored = {
            **view,
            "id": view_id,
            "team_id": self.team_id,
            "app_id": self.app_id,
            "bot_id": self.bot_id,
            "hash": f"{int(time.time())}.{next(self._ids):08d}",
            "state": {"values": {}},
            "root_view_id": root_view_id or view_id,
            "previous_view_id": previous_view_id,
        }
        if user_id:
            stored["user_id"] = user_id
        self.views[view_id] = stored
        return {"ok": True, "view": stored}

    def _m_views_open(self, p: dict[str, Any]) -> dict[str, Any]:
        view_id = self._next_id("V")
        user_id = self.trigger_users.get(str(p.get("trigger_id") or ""))
        if user_id:
            self.modal_stacks[user_id] = [view_id]
        return self._view_reply(p["view"], view_id, user_id)

    def _m_views_push(self, p: dict[str, Any]) -> dict[str, Any]:
        user_id = self.trigger_users.get(str(p.get("trigger_id") or ""))
        stack = self.modal_stacks.get(user_id, []) if user_id else []
        if user_id and not stack:
            # Slack: views.push needs a modal already open (from the same interaction).
            return {"ok": False, "error": "not_found"}
        if len(stack) >= 3:  # Slack keeps at most three views in a modal stack
            return {"ok": False, "error": "push_limit_reached"}
        view_id = self._next_id("V")
        previous = stack[-1] if stack else None
        root = stack[0] if stack else None
        if user_id:
            stack.append(view_id)
        return self._view_reply(p["view"], view_id, user_id, previous, root)

    def _m_views_update(self, p: dict[str, Any]) -> dict[str, Any]:
        view_id = p.get("view_id")
        if not view_id:
            external = p.get("external_id")
            matches = [v for v in self.views.values() if v.get("external_id") == external]
            if not external or not matches:
                return {"ok": False, "error": "not_found"}
            view_id = matches[0]["id"]
        old = self.views.get(str(view_id), {})
        return self._view_reply(
            p.get("view") or {},
            str(view_id),
            old.get("user_id"),
            old.get("previous_view_id"),
            old.get("root_view_id"),
        )

    def _m_views_publish(self, p: dict[str, Any]) -> dict[str, Any]:
        user_id = str(p["user_id"])
        view_id = "V" + hashlib.sha256(user_id.encode()).hexdigest()[:10].upper()
        return self._view_reply(p["view"], view_id, user_id)
