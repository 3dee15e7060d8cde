"""Who may review and who may administer.

Reviewers are the members of HIRING_CHANNEL (fetched by an injected function, cached and
refreshed at least every five minutes) unless REVIEWER_USER_IDS names them explicitly; admins are
ADMIN_USER_IDS and may always review. Everyone else is refused, and every refusal is audited.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy.orm import Session

from hiring_bot.clock import Clock
from hiring_bot.config import Settings
from hiring_bot.domain import audit
from hiring_bot.domain.errors import DomainError, NotAllowed

log = logging.getLogger(__name__)

MEMBERS_TTL = timedelta(minutes=5)
# Someone who just joined the channel is not in the cached list yet; an unknown user triggers
# a refresh when the list is at least this old, so they are not refused for five minutes.
UNKNOWN_USER_REFRESH = timedelta(seconds=30)

FetchMembers = Callable[[str], frozenset[str]]


class Access(StrEnum):
    ADMIN = "admin"
    REVIEWER = "reviewer"
    NONE = "none"


class MembershipUnavailable(DomainError):
    """The channel's member list could not be fetched and nothing is cached."""


class ReviewerDirectory:
    """Answers "is this user a reviewer / an admin?"; thread-safe, one per process.

    Built once by the composition root (`bootstrap.build_deps`), which hands in how to fetch the
    channel's members (`slack.members.slack_member_fetcher`), and shared through `Deps.directory`
    so every listener uses one cache.
    """

    def __init__(
        self,
        *,
        settings: Settings,
        clock: Clock,
        fetch_members: FetchMembers,
        ttl: timedelta = MEMBERS_TTL,
    ) -> None:
        self.settings = settings
        self._clock = clock
        self._fetch = fetch_members
        self._ttl = ttl
        self._lock = threading.Lock()
        self._members: frozenset[str] | None = None
        self._fetched_at: datetime | None = None

    def is_admin(self, user_id: str) -> bool:
        return user_id in self.settings.admin_user_ids

    def access(self, user_id: str, *, allow_stale: bool = False) -> Access:
        """The user's access level; raises MembershipUnavailable when it cannot be known.

        `allow_stale` answers from the cached member list whatever its age (fetching only when
        there is none), for paths that must answer Slack before making any Web API call.
        """
        if self.is_admin(user_id):
            return Access.ADMIN
        if self.settings.reviewer_user_ids:
            return Access.REVIEWER if user_id in self.settings.reviewer_user_ids else Access.NONE
        members = self._channel_members(user_id, allow_stale=allow_stale)
        return Access.REVIEWER if user_id in members else Access.NONE

    def is_reviewer(self, user_id: str) -> bool:
        return self.access(user_id) is not Access.NONE

    def _channel_members(self, asking: str, *, allow_stale: bool = False) -> frozenset[str]:
        channel = self.settings.hiring_channel
        if not channel:
            return frozenset()
        # Held while fetching, so concurrent requests share one fetch instead of each making one.
        with self._lock:
            now = self._clock.now()
            if self._members is not None and allow_stale:
                return self._members
            if self._members is not None and self._fetched_at is not None:
                age = now - self._fetched_at
                fresh = age < self._ttl
                if fresh and (asking in self._members or age < UNKNOWN_USER_REFRESH):
                    return self._members
            try:
                members = self._fetch(channel)
            except Exception as exc:  # Slack down or rate limited: a stale list beats none
                log.warning("conversations.members failed: %s", type(exc).__name__)
                if self._members is not None:
                    return self._members
                raise MembershipUnavailable(
                    "I could not check the hiring channel's members just now; "
                    "please try again in a minute."
                ) from exc
            self._members = members
            self._fetched_at = now
            return members


def authorize(
    session: Session,
    directory: ReviewerDirectory,
    *,
    user_id: str,
    action: str,
    application_id: int | None = None,
    admin_only: bool = False,
    allow_stale: bool = False,
) -> Access:
    """The user's access for `action`, or NotAllowed after adding an audit entry to `session`.

    The caller commits the session even when NotAllowed is raised, so the refusal is kept while
    nothing else changes.
    """
    try:
        access = directory.access(user_id, allow_stale=allow_stale)
    except MembershipUnavailable as exc:
        record_refusal(
            session,
            user_id=user_id,
            action=action,
            reason="membership unavailable",
            application_id=application_id,
        )
        raise NotAllowed(exc.message) from exc
    if access is Access.NONE:
        record_refusal(
            session,
            user_id=user_id,
            action=action,
            reason="not a reviewer",
            application_id=application_id,
        )
        raise NotAllowed(
            "Only the hiring team can do that: reviewers are the members of the hiring channel. "
            "Ask an admin to add you."
        )
    if admin_only and access is not Access.ADMIN:
        record_refusal(
            session,
            user_id=user_id,
            action=action,
            reason="not an admin",
            application_id=application_id,
        )
        raise NotAllowed("Only an admin can do that.")
    return access


def record_refusal(
    session: Session,
    *,
    user_id: str,
    action: str,
    reason: str,
    application_id: int | None = None,
) -> None:
    """Audit a refusal (`action: reason`); the caller commits even though it refuses."""
    audit.record(
        session,
        actor=user_id,
        action="refused",
        application_id=application_id,
        detail=f"{action}: {reason}"[:200],
    )
