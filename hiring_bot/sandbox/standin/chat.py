"""chat.* methods: messages posted, updated, deleted, ephemeral, linked."""

from __future__ import annotations

from typing import Any

from hiring_bot.sandbox.standin.state import StandinState


class ChatMethods(StandinState):
    def post_as_bot(self, channel: str, fields: dict[str, Any]) -> dict[str, Any]:
        """A message from the bot, as chat.postMessage stores it (an in_channel response_url
        answer or slash command reply lands here)."""
        with self._cond:
            reply = self._m_chat_postMessage({**fields, "channel": channel})
        self.touch()
        return reply

    def _m_chat_postMessage(self, p: dict[str, Any]) -> dict[str, Any]:
        channel = str(p["channel"])
        ts = self._next_ts()
        message = self._message(p, ts)
        self.messages[(channel, ts)] = message
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _m_chat_update(self, p: dict[str, Any]) -> dict[str, Any]:
        channel, ts = str(p["channel"]), str(p["ts"])
        message = self.messages.get((channel, ts)) or self._message({}, ts)
        changes: dict[str, Any] = {
            k: p[k] for k in ("text", "blocks", "attachments", "metadata") if k in p
        }
        message = {**message, **changes}
        self.messages[(channel, ts)] = message
        return {
            "ok": True,
            "channel": channel,
            "ts": ts,
            "text": message.get("text", ""),
            "message": {k: v for k, v in message.items() if k != "ts"},
        }

    def _m_chat_postEphemeral(self, p: dict[str, Any]) -> dict[str, Any]:
        ts = self._next_ts()
        message = self._message(p, ts)
        message.update(channel=str(p["channel"]), to_user=str(p["user"]), source="api")
        self.ephemerals.append(message)
        return {"ok": True, "message_ts": ts}

    def _m_chat_delete(self, p: dict[str, Any]) -> dict[str, Any]:
        channel, ts = str(p["channel"]), str(p["ts"])
        self.messages.pop((channel, ts), None)
        return {"ok": True, "channel": channel, "ts": ts}

    def _m_chat_getPermalink(self, p: dict[str, Any]) -> dict[str, Any]:
        channel, ts = str(p["channel"]), str(p["message_ts"])
        return {
            "ok": True,
            "channel": channel,
            "permalink": (
                f"https://research-lab.slack.com/archives/{channel}/p{ts.replace('.', '')}"
            ),
        }
