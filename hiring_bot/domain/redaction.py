"""How an anonymised application and candidate are shown, and what they keep of their source ids
(see `hiring_bot.domain.retention`).

Kept apart from the retention pass so read paths and the intake's duplicate checks can use it
without importing the whole anonymisation.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from hiring_bot.db.models import Application

HASH_PREFIX = "anon:"


def hashed_identity(value: str) -> str:
    """What an anonymised application keeps of its source id / Message-ID (duplicate checks)."""
    if value.startswith(HASH_PREFIX):
        return value
    return HASH_PREFIX + hashlib.sha256(value.encode()).hexdigest()


def anonymised_label(ref: int) -> str:
    return f"Anonymised applicant #{ref}"


def anonymised_email(candidate_id: int) -> str:
    """Unique per candidate (the column is unique); `.invalid` can never receive mail."""
    return f"anonymised+{candidate_id}@invalid"


def shown_name(application: Application) -> str:
    """The name to show for this application: its candidate may outlive its data (they keep
    their name while another of their applications is still within retention)."""
    if application.anonymised_at is not None:
        return anonymised_label(application.id)
    return application.candidate.name


def shown_name_of(*, ref: int, name: str, anonymised_at: datetime | None) -> str:
    """`shown_name` for an application read as plain columns (a list row)."""
    return anonymised_label(ref) if anonymised_at is not None else name


def shown_email(application: Application) -> str:
    if application.anonymised_at is not None:
        return anonymised_email(application.candidate_id)
    return application.candidate.email
