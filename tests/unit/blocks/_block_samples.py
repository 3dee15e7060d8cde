"""Sample read models for the builder tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from hiring_bot.domain.stages import Stage
from hiring_bot.slack.blocks.views import (
    ApplicationCard,
    ApplicationDetails,
    AttachmentInfo,
    AuditLine,
    WindowSummary,
)

RECEIVED = datetime(2017, 11, 20, 17, 30, tzinfo=UTC)
LA = ZoneInfo("America/Los_Angeles")


def card(**changes: Any) -> ApplicationCard:
    base = ApplicationCard(
        ref=42,
        name="Ada Lovelace",
        window_name="Winter 2017/2018",
        period_text="January - April 2018",
        duration_text="4 months",
        university="Stanford University",
        program="PhD, Computer Science",
        areas=("sequence learning", "sensorimotor inference"),
        links=("https://example.org/ada", "https://github.com/ada/htm-experiments"),
        missing=(),
        eligibility="eligible",
        eligibility_reason="US citizen",
        stage=Stage.NEW,
        claimed_by=None,
        ratings_count=0,
        average=None,
        other_refs=(),
        received_at=RECEIVED,
        note=None,
    )
    return replace(base, **changes)


def details(**changes: Any) -> ApplicationDetails:
    base = ApplicationDetails(
        card=card(),
        email="ada@example.org",
        subject="Research internship application",
        cover_letter_excerpt="Dear team,\n\nI have worked on sequence memory & temporal pooling.",
        resume_excerpt="Education\nStanford University, PhD (2016-)\n\nSkills: Python, C++",
        attachments=(
            AttachmentInfo("resume.pdf"),
            AttachmentInfo("scan.pdf", text_available=False, reason="no text layer"),
        ),
        audit=(
            AuditLine(
                datetime(2017, 11, 20, 9, 30, tzinfo=LA), "intake (email)", "received by email"
            ),
            AuditLine(
                datetime(2017, 11, 21, 9, 2, tzinfo=LA), "U123", "claimed", actor_is_user=True
            ),
        ),
    )
    return replace(base, **changes)


def window(**changes: Any) -> WindowSummary:
    base = WindowSummary(
        name="Spring/Summer 2018",
        application_deadline=date(2018, 2, 1),
        decision_deadline=date(2018, 3, 1),
        starts_on=date(2018, 4, 2),
        ends_on=date(2018, 8, 31),
        closed=False,
        aliases=("spring 2018", "summer 2018"),
    )
    return replace(base, **changes)
