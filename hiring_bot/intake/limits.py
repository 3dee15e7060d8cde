"""Intake limits from the operator's settings (MAX_MESSAGE_MB, MAX_ATTACHMENT_MB, MAX_PDF_PAGES)."""

from __future__ import annotations

from hiring_bot.config import Settings
from hiring_bot.intake.draft import IntakeLimits

MB = 1024 * 1024


def limits_for(settings: Settings) -> IntakeLimits:
    return IntakeLimits(
        max_message_bytes=settings.max_message_mb * MB,
        max_attachment_bytes=settings.max_attachment_mb * MB,
        max_pdf_pages=settings.max_pdf_pages,
    )
