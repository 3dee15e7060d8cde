"""Who is who: auth.test, users.info, and apps.connections.open (the Socket Mode URL)."""

from __future__ import annotations

from typing import Any

from hiring_bot.sandbox.standin.params import api_error
from hiring_bot.sandbox.standin.state import TEAM_NAME, StandinState


class UsersMethods(StandinState):
    def _m_auth_test(self, p: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://research-lab.slack.com/",
            "team": TEAM_NAME,
            "user": "hiring_bot",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _m_apps_connections_open(self, p: dict[str, Any]) -> dict[str, Any]:
        if self.socket_mode_url is None:
            problem = "no Socket Mode endpoint attached (FakeSocketMode(fake) does that)"
            self.violations.append(f"apps.connections.open: {problem}")
            return api_error("internal_error", [problem])
        return {"ok": True, "url": self.socket_mode_url()}

    def _m_users_info(self, p: dict[str, Any]) -> dict[str, Any]:
        user_id = str(p["user"])
        if user_id in self.users and self.users[user_id] is None:
            return {"ok": False, "error": "user_not_found"}
        name = user_id.lower()
        user: dict[str, Any] = {
            "id": user_id,
            "team_id": self.team_id,
            "name": name,
            "real_name": f"User {user_id}",
            "deleted": False,
            "is_bot": False,
            "is_admin": False,
            "tz": "America/Los_Angeles",
            "profile": {
                "real_name": f"User {user_id}",
                "display_name": name,
                "email": f"{name}@example.org",
            },
        }
        user.update(self.users.get(user_id) or {})
        return {"ok": True, "user": user}
