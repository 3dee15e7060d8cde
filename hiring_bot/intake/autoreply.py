"""Mail that is not an application: bounces, delivery and read reports, auto-replies, bulk mail.

What is looked at: ``multipart/report`` and report parts (delivery status, read receipts, abuse
feedback reports), MAILER-DAEMON / postmaster senders, ``X-Failed-Recipients``, bounce subjects;
``Auto-Submitted`` other than "no", ``X-Autoreply``/``X-Autorespond``, ``Precedence:
auto_reply|bulk|junk``, "Out of office" / "Automatic reply" subjects.
"""

from __future__ import annotations

import re
from email.message import Message

from hiring_bot.intake import mime

REPORT_TYPES = {
    "message/delivery-status": "bounce (delivery status report)",
    "message/global-delivery-status": "bounce (delivery status report)",
    "message/disposition-notification": "read receipt (disposition notification)",
    "message/global-disposition-notification": "read receipt (disposition notification)",
    "message/feedback-report": "abuse feedback report",
}
_BOUNCE_SENDER = re.compile(r"\b(?:mailer-daemon|mail-daemon|mailerdaemon|postmaster)\b", re.I)
_BOUNCE_SUBJECT = re.compile(
    r"^\s*(?:undeliverable\b|undelivered\s+mail|delivery\s+status\s+notification"
    r"|mail\s+delivery\s+(?:failed|failure|system|subsystem)|returned\s+mail\b"
    r"|delivery\s+(?:failure|has\s+failed|notification|delayed)|failure\s+notice\b"
    r"|non[\s-]?delivery|warning:\s+could\s+not\s+send)",
    re.I,
)
_AUTO_REPLY_SUBJECT = re.compile(
    r"\bout\s+of\s+(?:the\s+)?office\b|^\s*(?:automatic\s+reply|auto(?:matic)?[\s-]?reply"
    r"|auto[\s-]?response|autoresponse|abwesenheitsnotiz|automatische\s+antwort"
    r"|r[ée]ponse\s+automatique)\b",
    re.I,
)


def not_an_application(
    headers: Message, msg: Message, subject: str, leaves: list[Message]
) -> str | None:
    """Why the message is not an application (\"bounce (...)\", \"auto-reply (...)\"), or None."""
    top = mime.content_type(msg)
    if top == "multipart/report":
        report_type = (mime.param(msg, "report-type") or "").lower()
        if "disposition" in report_type:
            return "read receipt (disposition notification)"
        if "feedback" in report_type:
            return "abuse feedback report"
        return "bounce (delivery status report)"
    for part in [msg, *leaves]:
        ctype = mime.content_type(part)
        if ctype in REPORT_TYPES:
            return REPORT_TYPES[ctype]
    sender = mime.header(headers, "From")
    if _BOUNCE_SENDER.search(sender):
        return "bounce (from the mail system)"
    if mime.header(headers, "X-Failed-Recipients"):
        return "bounce (X-Failed-Recipients)"
    if _BOUNCE_SUBJECT.search(subject):
        return "bounce (delivery failure subject)"

    auto_submitted = mime.header(headers, "Auto-Submitted").lower()
    if auto_submitted and not auto_submitted.startswith("no"):
        return f"auto-reply (Auto-Submitted: {auto_submitted[:40]})"
    for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Reply", "X-Autoresponder"):
        if mime.header(headers, name):
            return f"auto-reply ({name})"
    precedence = mime.header(headers, "Precedence").lower().strip()
    if precedence in ("auto_reply", "auto-reply", "bulk", "junk"):
        return f"automated message (Precedence: {precedence})"
    if _AUTO_REPLY_SUBJECT.search(subject):
        return "auto-reply (subject)"
    return None
