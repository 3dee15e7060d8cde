"""Slack refusals that retrying cannot fix: which they are, and what a person must do.

``not_in_channel`` and friends come back the same until someone invites the bot, fixes the
channel id or reinstalls the app; retrying them as if temporary only fills the logs. The
deliverer parks the row for PERMANENT_RETRY, logs the fix once (when no other row waits on the
same refusal yet: once per episode, across processes), and `/healthz` names the problem
(``hiring_bot.outbox.problems``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from slack_sdk.errors import SlackApiError

from hiring_bot.config import Settings
from hiring_bot.outbox.problems import permanent_error

# Checked again this often: the fix (an /invite, a new token) needs no restart.
PERMANENT_RETRY = timedelta(hours=1)

_REINSTALL_ADVICE = (
    "SLACK_BOT_TOKEN is no longer accepted: reinstall the app to the workspace "
    "(OAuth & Permissions) and set the new xoxb- token"
)
_TOKEN_ERRORS = frozenset(
    {"invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive"}
)


@dataclass(frozen=True)
class SlackProblem:
    code: str
    fix: str

    @property
    def last_error(self) -> str:
        return permanent_error(self.code, self.fix)

    @property
    def message(self) -> str:
        return f"Slack refused delivery ({self.code}); retrying will not help: {self.fix}"


def permanent_problem(
    error: SlackApiError, settings: Settings, row_channel: str | None
) -> SlackProblem | None:
    """The problem behind ``error`` when only a person can fix it; None when retrying may help."""
    if error.response.status_code != 200:
        return None
    code = str(error.response.get("error") or "")
    channel = row_channel if row_channel and row_channel[0] in "CG" else settings.hiring_channel
    if code in _TOKEN_ERRORS:
        return SlackProblem(code, _REINSTALL_ADVICE)
    if code == "missing_scope":
        needed = str(error.response.get("needed") or "the scope the call needs")
        return SlackProblem(
            code,
            f"the bot token lacks {needed}: add it under OAuth & Permissions (and in "
            "manifest.yml), then reinstall the app",
        )
    if code == "not_in_channel":
        return SlackProblem(code, f"invite the bot: /invite @hiring-bot in <#{channel}>")
    if code == "channel_not_found":
        return SlackProblem(
            code,
            f"no channel {channel} that the bot can see: check HIRING_CHANNEL (the channel ID "
            "from the channel's details) and invite the bot to it",
        )
    if code == "is_archived":
        return SlackProblem(
            code, f"<#{channel}> is archived: unarchive it or set HIRING_CHANNEL to another"
        )
    return None


__all__ = ["PERMANENT_RETRY", "SlackProblem", "permanent_problem"]
