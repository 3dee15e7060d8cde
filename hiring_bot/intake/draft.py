"""Plain data the intake parser produces: application drafts and the reasons a message is not one.

Nothing here does I/O; storage turns an ``ApplicationDraft`` into rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

# The windows the parser matches periods to are domain vocabulary; re-exported for intake.
from hiring_bot.domain.window_spec import WindowSpec as WindowSpec
from hiring_bot.intake.links import is_code_link

ATTACHMENT_ROLES = ("resume", "cover_letter", "other")
ELIGIBILITY_VALUES = ("eligible", "ineligible", "unknown")
MISSING_ITEMS = ("cover_letter", "resume", "code", "period")


@dataclass(frozen=True)
class IntakeLimits:
    """Safe defaults for what intake is willing to read."""

    max_message_bytes: int = 25 * 1024 * 1024
    max_attachment_bytes: int = 10 * 1024 * 1024
    max_pdf_pages: int = 30
    extract_seconds: float = 1.5


@dataclass
class AttachmentDraft:
    filename: str
    content_type: str
    data: bytes
    sha256: str
    role: str  # "resume" | "cover_letter" | "other"
    text: str | None
    # Why no text could be extracted (encrypted, scanned-only, broken, too large, unsupported type).
    text_unavailable: str | None

    def __repr__(self) -> str:  # keep attachment bytes and resume text out of logs and tracebacks
        return (
            f"AttachmentDraft(filename={self.filename!r}, content_type={self.content_type!r}, "
            f"size={len(self.data)}, sha256={self.sha256[:12]!r}, role={self.role!r}, "
            f"text_unavailable={self.text_unavailable!r})"
        )


@dataclass
class ApplicationDraft:
    name: str
    email: str  # normalised: stripped, lowercased
    subject: str
    message_id: str | None
    received_at: datetime | None  # tz-aware UTC, from the Date header
    body_text: str
    cover_letter_text: str | None
    resume_text: str | None
    attachments: list[AttachmentDraft] = field(default_factory=list)
    links: list[str] = field(
        default_factory=list
    )  # normalised, de-duplicated, in order of appearance
    period_text: str | None = None  # the applicant's own words
    window_name: str | None = None  # name of the matched WindowSpec
    duration_text: str | None = None
    areas: list[str] = field(default_factory=list)  # canonical labels, see areas.AREA_LABELS
    university: str | None = None
    program: str | None = None  # "PhD" | "MS" | "BS" | "Recent graduate"
    eligibility: str = "unknown"  # "eligible" | "ineligible" | "unknown"
    eligibility_reason: str = "no eligibility statement"
    missing: list[str] = field(default_factory=list)  # subset of MISSING_ITEMS, in that order

    @property
    def code_links(self) -> list[str]:
        """Links to public code hosts (GitHub, GitLab, Bitbucket)."""
        return [link for link in self.links if is_code_link(link)]

    def __repr__(self) -> str:  # no bodies or resume text in logs
        return (
            f"ApplicationDraft(email={self.email!r}, message_id={self.message_id!r}, "
            f"attachments={len(self.attachments)}, window_name={self.window_name!r}, "
            f"eligibility={self.eligibility!r}, missing={self.missing!r})"
        )


@dataclass(frozen=True)
class Skipped:
    """Not an application (auto-reply, bounce, empty message); nothing is stored."""

    reason: str


@dataclass(frozen=True)
class Rejected:
    """Could be an application but cannot be accepted (too large, no sender address)."""

    reason: str


ParseResult = ApplicationDraft | Skipped | Rejected
