"""The bot token scopes the code needs: manifest.yml asks for exactly these (a test compares the
manifest, this list and the Web API methods the package calls), and `hiring-bot doctor` checks
the installed token against them."""

from __future__ import annotations

BOT_SCOPES: dict[str, str] = {
    "commands": "the /intern slash command",
    "chat:write": "cards, reminders, ephemeral answers (chat.postMessage/update/postEphemeral)",
    "channels:read": "reviewers = hiring-channel members; doctor's membership check",
    "groups:read": "the same for a private hiring channel",
    "channels:history": "finding a post again after a lost answer (history, replies)",
    "groups:history": "the same for a private hiring channel",
    "im:write": "reminder DMs to reviewers (conversations.open)",
    "im:history": "finding a DM again after a lost answer, so it is never sent twice",
    "files:write": "resume uploads and their deletion on purge",
    "users:read": "reviewer names in `hiring-bot export` (users.info)",
}
