"""Who is in a Slack channel: `conversations.members`, every page, for the reviewer directory."""

from __future__ import annotations

from typing import Any

from hiring_bot.domain.people import FetchMembers

MEMBERS_PAGE = 200


def slack_member_fetcher(client: Any) -> FetchMembers:
    """conversations.members, every page (cursor pagination)."""

    def fetch(channel: str) -> frozenset[str]:
        members: set[str] = set()
        cursor: str | None = None
        while True:
            kwargs: dict[str, Any] = {"channel": channel, "limit": MEMBERS_PAGE}
            if cursor:
                kwargs["cursor"] = cursor
            response = client.conversations_members(**kwargs)
            members.update(str(m) for m in response.get("members") or [])
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return frozenset(members)

    return fetch
