"""Log records that can neither carry a request body nor forge a line.

Two libraries log what candidates wrote: Bolt logs every request whose signature fails *with its
body* at INFO (a stale but genuine request carries rating notes), and slack_sdk at DEBUG logs each
Web API call's parameters and each response body (names, emails, resume text in cards and DMs).
``WithholdBodies`` rewrites those records to what is safe to keep (the API URL, the status).
``EscapeControls`` turns line breaks, terminal controls and bidi characters in every formatted
message into visible escapes, so text from outside cannot start a fake log line.

``install_log_safety()`` puts both on every root handler and ``WithholdBodies`` also on the loggers
that emit those records, so it holds for handlers added later too (tests, gunicorn).
"""

from __future__ import annotations

import logging
import re
import traceback

from hiring_bot.controlchars import escape_controls

# The loggers that log bodies (records are filtered where they are created, whatever the handler).
BODY_LOGGERS = (
    "slack_bolt.RequestVerification",
    "slack_bolt.AsyncRequestVerification",
    "slack_sdk.web.base_client",
    "slack_sdk.web.legacy_base_client",
    "slack_sdk.web.internal_utils",
    "slack_sdk.webhook.client",
    "slack_sdk.socket_mode.builtin.client",
    "slack_sdk.socket_mode.websocket_client",
    "slack_bolt.adapter.socket_mode",
)
_DONE = "hiring_bot_bodies_withheld"
WITHHELD = "[details withheld: may carry candidate data]"
_SIGNATURE_PREFIX = "Invalid request signature detected"
_REQUEST = re.compile(r"^(Sending a request)(?: - url: (\S+?),| ?: POST (\S+))")
_UNSUCCESSFUL = re.compile(r"^(Unsuccessful Bolt execution result) \(status: (\d+)")
_RESPONSE = re.compile(r"^(Received the following response) - status: (\d+)")
# Bolt's runner logs the answer it sends back (at DEBUG, under the app's own logger name); with
# answers in the ack that body holds names and notes.
_BOLT_ANSWER = re.compile(r"^(Responding with status): (\d+) body:")


def withhold_bodies(record: logging.LogRecord) -> None:
    """Rewrite a record that may quote a request or response body (in place, once)."""
    if getattr(record, _DONE, False):
        return
    setattr(record, _DONE, True)
    name = record.name
    if name.startswith("slack_bolt") and str(record.msg).startswith(_SIGNATURE_PREFIX):
        _replace(record, f"{_SIGNATURE_PREFIX} (request withheld from the log)")
        return
    if record.levelno <= logging.DEBUG and (answer := _BOLT_ANSWER.match(str(record.msg))):
        _replace(record, f"{answer[1]}: {answer[2]} {WITHHELD}")
        return
    if not name.startswith("slack_sdk"):
        return
    message = record.getMessage()
    if unsuccessful := _UNSUCCESSFUL.match(message):
        # Socket Mode: Bolt's answer to a request, which can quote what the user typed.
        _replace(record, f"{unsuccessful[1]} (status: {unsuccessful[2]}) {WITHHELD}")
        return
    if record.levelno > logging.DEBUG:
        return
    if request := _REQUEST.match(message):
        _replace(record, f"{request[1]}: {request[2] or request[3]} {WITHHELD}")
    elif response := _RESPONSE.match(message):
        _replace(record, f"{response[1]}: status {response[2]} {WITHHELD}")
    else:
        # Other slack_sdk debug lines (Socket Mode frames, retries) quote payloads too: keep the
        # leading words that say what happened.
        head = re.split(r"[:({\[]", message, maxsplit=1)[0].strip()[:80]
        _replace(record, f"{head} {WITHHELD}")


def _replace(record: logging.LogRecord, message: str) -> None:
    record.msg = message
    record.args = None


class WithholdBodies(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        withhold_bodies(record)
        return True


class EscapeControls(logging.Filter):
    """Formats the message once and escapes it. A traceback keeps its own lines, but the
    exception messages in it (which can quote input: a KeyError's key) are escaped too."""

    def filter(self, record: logging.LogRecord) -> bool:
        withhold_bodies(record)
        message = record.getMessage()
        escaped = escape_controls(message)
        if escaped != message or record.args:
            _replace(record, escaped)
        if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
            record.exc_text = format_exception(record.exc_info[1])
        return True


def format_exception(exc: BaseException) -> str:
    """The usual traceback text with every exception message line escaped."""
    top = traceback.TracebackException.from_exception(exc)
    messages: set[str] = set()
    seen: set[int] = set()
    pending = [top]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        messages.update(current.format_exception_only())
        pending.extend(e for e in (current.__cause__, current.__context__) if e is not None)
    chunks = (
        escape_controls(chunk.rstrip("\n")) + "\n" if chunk in messages else chunk
        for chunk in top.format()
    )
    return "".join(chunks).rstrip("\n")


# gunicorn's loggers do not propagate to the root; its access log quotes the (decoded) path.
_HANDLER_OWNERS = ("", "gunicorn.error", "gunicorn.access")


def install_log_safety() -> None:
    """Idempotent: safe to call from every entry point's logging set-up."""
    for owner in _HANDLER_OWNERS:
        for handler in logging.getLogger(owner).handlers:
            if not any(isinstance(f, EscapeControls) for f in handler.filters):
                handler.addFilter(EscapeControls())
    withhold_bodies_at_source()


def withhold_bodies_at_source() -> None:
    """Filters on the loggers that create body-quoting records: they hold whatever the handler."""
    for name in BODY_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, WithholdBodies) for f in logger.filters):
            logger.addFilter(WithholdBodies())
