from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from hiring_bot.config import Settings
from hiring_bot.db.models import AuditEntry
from hiring_bot.domain import people
from hiring_bot.domain.errors import NotAllowed
from hiring_bot.domain.people import Access, ReviewerDirectory
from tests.fakes.clock import FakeClock

SETTINGS = Settings(hiring_channel="C0HIRING", admin_user_ids=frozenset({"U0ADMIN"}))


class Members:
    """A stand-in for Slack's member list that counts how often it is asked."""

    def __init__(self, *members: str) -> None:
        self.members = set(members)
        self.calls = 0
        self.fail = False

    def __call__(self, channel: str) -> frozenset[str]:
        assert channel == "C0HIRING"
        self.calls += 1
        if self.fail:
            raise ConnectionError("down")
        return frozenset(self.members)


def directory(
    members: Members, clock: FakeClock, settings: Settings = SETTINGS
) -> ReviewerDirectory:
    return ReviewerDirectory(settings=settings, clock=clock, fetch_members=members)


def test_roles(clock: FakeClock) -> None:
    members = Members("U0ALICE")
    d = directory(members, clock)
    assert d.access("U0ADMIN") is Access.ADMIN
    assert d.access("U0ALICE") is Access.REVIEWER
    assert d.access("U0OUTSIDER") is Access.NONE


def test_member_list_is_cached_and_refreshed_every_five_minutes(clock: FakeClock) -> None:
    members = Members("U0ALICE")
    d = directory(members, clock)
    assert d.is_reviewer("U0ALICE")
    clock.advance(timedelta(minutes=4))
    assert d.is_reviewer("U0ALICE")
    assert members.calls == 1
    members.members.discard("U0ALICE")
    clock.advance(timedelta(minutes=1, seconds=1))
    assert not d.is_reviewer("U0ALICE")
    assert members.calls == 2


def test_a_new_member_is_noticed_without_waiting_five_minutes(clock: FakeClock) -> None:
    members = Members("U0ALICE")
    d = directory(members, clock)
    assert not d.is_reviewer("U0BOB")
    members.members.add("U0BOB")
    assert not d.is_reviewer("U0BOB")  # asked again at once: no refetch storm
    clock.advance(timedelta(seconds=31))
    assert d.is_reviewer("U0BOB")
    assert members.calls == 2


def test_slack_down_uses_the_last_list_or_refuses_clearly(clock: FakeClock) -> None:
    members = Members("U0ALICE")
    d = directory(members, clock)
    assert d.is_reviewer("U0ALICE")
    members.fail = True
    clock.advance(timedelta(minutes=10))
    assert d.is_reviewer("U0ALICE")
    cold = directory(members, clock)
    with pytest.raises(people.MembershipUnavailable, match="try again"):
        cold.access("U0ALICE")


def test_reviewer_user_ids_replace_the_channel(clock: FakeClock) -> None:
    members = Members("U0ALICE")
    d = directory(members, clock, replace(SETTINGS, reviewer_user_ids=frozenset({"U0BOB"})))
    assert d.is_reviewer("U0BOB")
    assert not d.is_reviewer("U0ALICE")
    assert members.calls == 0


def test_refusals_are_audited(session: Session, clock: FakeClock) -> None:
    d = directory(Members("U0ALICE"), clock)
    assert people.authorize(session, d, user_id="U0ALICE", action="claim") is Access.REVIEWER
    with pytest.raises(NotAllowed, match="hiring team"):
        people.authorize(session, d, user_id="U0OUTSIDER", action="claim", application_id=7)
    with pytest.raises(NotAllowed, match="admin"):
        people.authorize(session, d, user_id="U0ALICE", action="assign", admin_only=True)
    entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(e.actor, e.action, e.application_id) for e in entries] == [
        ("U0OUTSIDER", "refused", 7),
        ("U0ALICE", "refused", None),
    ]
    assert "not a reviewer" in entries[0].detail
