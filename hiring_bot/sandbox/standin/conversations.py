"""conversations.* methods: members (paged), history (ranged, paged), open (DM ids)."""

from __future__ import annotations

import base64
import copy
from typing import Any

from hiring_bot.sandbox.standin.params import is_empty, truthy
from hiring_bot.sandbox.standin.state import StandinState

# conversations.history: Slack's default page size and its documented maximum.
HISTORY_DEFAULT_LIMIT = 100
HISTORY_MAX_LIMIT = 999


class ConversationsMethods(StandinState):
    def _m_conversations_info(self, p: dict[str, Any]) -> dict[str, Any]:
        channel = str(p["channel"])
        if channel not in self.channel_members:
            return {"ok": False, "error": "channel_not_found"}
        is_member = self.bot_channels is None or channel in self.bot_channels
        return {
            "ok": True,
            "channel": {
                "id": channel,
                "name": f"channel-{channel.lower()}",
                "is_channel": channel.startswith("C"),
                "is_private": channel.startswith("G"),
                "is_archived": False,
                "is_member": is_member,
            },
        }

    def _m_conversations_members(self, p: dict[str, Any]) -> dict[str, Any]:
        channel = str(p["channel"])
        members = list(self.channel_members.get(channel, []))
        limit = int(p.get("limit") or 100)
        if limit <= 0:
            limit = 100
        offset = 0
        cursor = p.get("cursor")
        if cursor:
            try:
                offset = int(base64.b64decode(str(cursor)).decode().split(":", 1)[1])
            except (ValueError, IndexError):
                return {"ok": False, "error": "invalid_cursor"}
        page = members[offset : offset + limit]
        next_offset = offset + limit
        next_cursor = (
            base64.b64encode(f"offset:{next_offset}".encode()).decode()
            if next_offset < len(members)
            else ""
        )
        return {"ok": True, "members": page, "response_metadata": {"next_cursor": next_cursor}}

    def _m_conversations_history(self, p: dict[str, Any]) -> dict[str, Any]:
        """Top-level messages (and thread broadcasts) of a channel, newest first, like Slack.

        ``oldest``/``latest`` bound the range (exclusive unless ``inclusive``); no ``latest``
        means no upper bound. ``metadata`` comes back only with ``include_all_metadata``. The
        cursor names the last ts returned, so messages posted between pages shift nothing.
        """
        channel = str(p["channel"])
        oldest = float(p["oldest"]) if not is_empty(p.get("oldest")) else None
        latest = float(p["latest"]) if not is_empty(p.get("latest")) else None
        inclusive = truthy(p.get("inclusive"))
        with_metadata = truthy(p.get("include_all_metadata"))
        limit = int(p.get("limit") or 0)
        limit = HISTORY_DEFAULT_LIMIT if limit <= 0 else min(limit, HISTORY_MAX_LIMIT)
        before: float | None = None
        if p.get("cursor"):
            try:
                kind, value = base64.b64decode(str(p["cursor"])).decode().split(":", 1)
                if kind != "before":
                    raise ValueError(kind)
                before = float(value)
            except ValueError:
                return {"ok": False, "error": "invalid_cursor"}

        def in_range(ts: float) -> bool:
            if oldest is not None and (ts < oldest or (ts == oldest and not inclusive)):
                return False
            if latest is not None and (ts > latest or (ts == latest and not inclusive)):
                return False
            return before is None or ts < before

        found = sorted(
            (
                message
                for (where, ts), message in self.messages.items()
                if where == channel
                and in_range(float(ts))
                and (
                    message.get("thread_ts") in (None, ts)
                    or message.get("subtype") == "thread_broadcast"
                )
            ),
            key=lambda m: float(m["ts"]),
            reverse=True,
        )
        page = [
            copy.deepcopy({k: v for k, v in m.items() if with_metadata or k != "metadata"})
            for m in found[:limit]
        ]
        has_more = len(found) > limit
        next_cursor = (
            base64.b64encode(f"before:{page[-1]['ts']}".encode()).decode() if has_more else ""
        )
        return {
            "ok": True,
            "messages": page,
            "has_more": has_more,
            "pin_count": 0,
            "channel_actions_ts": None,
            "channel_actions_count": 0,
            "response_metadata": {"next_cursor": next_cursor},
        }

    def _m_conversations_replies(self, p: dict[str, Any]) -> dict[str, Any]:
        """A thread: its parent then its replies, oldest first; ``metadata`` only when asked."""
        channel, parent = str(p["channel"]), str(p["ts"])
        if (channel, parent) not in self.messages:
            return {"ok": False, "error": "thread_not_found"}
        oldest = float(p["oldest"]) if not is_empty(p.get("oldest")) else None
        with_metadata = truthy(p.get("include_all_metadata"))
        found = sorted(
            (
                message
                for (where, ts), message in self.messages.items()
                if where == channel
                and (ts == parent or message.get("thread_ts") == parent)
                and (ts == parent or oldest is None or float(ts) > oldest)
            ),
            key=lambda m: float(m["ts"]),
        )
        page = [
            copy.deepcopy({k: v for k, v in m.items() if with_metadata or k != "metadata"})
            for m in found
        ]
        return {"ok": True, "messages": page, "has_more": False}

    def _m_conversations_open(self, p: dict[str, Any]) -> dict[str, Any]:
        if p.get("channel"):
            return {"ok": True, "channel": {"id": str(p["channel"])}, "already_open": True}
        users = str(p.get("users") or "")
        if not users:
            return {"ok": False, "error": "users_list_not_supplied"}
        return {"ok": True, "channel": {"id": self.dm_channel_for(users)}}
