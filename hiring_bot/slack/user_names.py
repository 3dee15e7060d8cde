"""Reviewer names for exports: users.info once per distinct user (scope users:read)."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)


def resolve_names(client: WebClient, user_ids: Iterable[str]) -> dict[str, str]:
    """``{user id: real name}`` for those Slack knows; an unknown or unreachable one is left out
    (the export then shows the ID alone). A refused token stops after the first call."""
    names: dict[str, str] = {}
    for user_id in sorted(set(user_ids)):
        try:
            user = client.users_info(user=user_id)["user"]
        except SlackApiError as error:
            code = error.response.get("error", "")
            if code in {"invalid_auth", "not_authed", "missing_scope", "account_inactive"}:
                log.warning("reviewer names not resolved: Slack answered %s", code)
                break
            continue  # user_not_found and the like: this one keeps its ID
        except OSError as error:
            log.warning("reviewer names not resolved: %s", type(error).__name__)
            break
        profile = user.get("profile") or {}
        name = user.get("real_name") or profile.get("real_name") or profile.get("display_name")
        if name:
            names[user_id] = str(name)
    return names
