"""One IMAP polling pass: new messages in the mailbox become applications, each exactly once.

``IMAP_URL`` is ``imaps://user:password@host[:993]/INBOX`` (TLS), ``imap+starttls://...`` (port 143
upgraded with STARTTLS) or ``imap://...`` (plain; for tests against a local server only).

Per message, in UID order:

1. Its (mailbox, UIDVALIDITY, UID) is already in ``mailbox_messages``: an earlier pass stored it
   but was cut off before marking it; mark it now, store nothing.
2. Otherwise fetch it (``BODY.PEEK[]``: people reading the mailbox still see it unread) and, in
   one transaction, store the application (or record why not) together with its
   ``mailbox_messages`` row. Message-ID de-duplication covers a mailbox whose UIDVALIDITY changed.
3. Mark it with the ``$HiringBotProcessed`` keyword; the next pass searches only unmarked mail.

A connection dropped anywhere in this loses nothing (an uncommitted message is fetched again) and
duplicates nothing (a committed one is found in step 1 or by its Message-ID).
"""

from __future__ import annotations

import imaplib
import logging
import re
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from hiring_bot.db.models import MailboxMessage
from hiring_bot.domain.windows import window_specs
from hiring_bot.intake.context import IntakeContext
from hiring_bot.intake.draft import IntakeLimits, WindowSpec
from hiring_bot.intake.limits import limits_for
from hiring_bot.intake.store import IngestOutcome, in_transaction, ingest_email

log = logging.getLogger(__name__)

KEYWORD = "$HiringBotProcessed"
ACTOR = "intake:imap"
TIMEOUT_SECONDS = 60
_UIDVALIDITY = re.compile(rb"UIDVALIDITY (\d+)")
_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")


class MailboxError(Exception):
    """The pass could not run (bad URL, login refused, no such mailbox); says why, no secrets."""


@dataclass(frozen=True)
class MailboxConfig:
    host: str
    port: int
    user: str
    password: str
    mailbox: str
    security: str  # "tls" | "starttls" | "plain"

    def __repr__(self) -> str:  # never the password
        return (
            f"MailboxConfig(host={self.host!r}, port={self.port}, user={self.user!r}, "
            f"mailbox={self.mailbox!r}, security={self.security!r})"
        )


@dataclass
class PollReport:
    stored: list[int] = field(default_factory=list)  # application refs
    duplicates: int = 0
    skipped: int = 0
    rejected: int = 0
    # Stored by an earlier pass that was cut off before marking them.
    marked_late: int = 0
    outbox_ids: list[int] = field(default_factory=list)
    outcomes: list[tuple[int, IngestOutcome]] = field(default_factory=list)  # (uid, outcome)
    total: int = 0  # messages the SEARCH found
    interrupted: bool = False  # Ctrl-C on the command line: the rest waits for the next pass

    def summary(self) -> str:
        return (
            f"mailbox: {len(self.stored)} stored, {self.duplicates} duplicate, "
            f"{self.skipped} skipped, {self.rejected} rejected"
            + (f", {self.marked_late} marked from an earlier pass" if self.marked_late else "")
            + (
                f"; interrupted after {len(self.outcomes)} of {self.total}: the rest stay "
                "unmarked for the next pass"
                if self.interrupted
                else ""
            )
        )


Connect = Callable[[MailboxConfig], imaplib.IMAP4]
OnOutcome = Callable[[int, IngestOutcome, int], None]


def parse_imap_url(url: str) -> MailboxConfig:
    parts = urlsplit(url)
    security = {"imaps": "tls", "imap+starttls": "starttls", "imap": "plain"}.get(parts.scheme)
    if security is None:
        raise MailboxError(
            "IMAP_URL must start with imaps://, imap+starttls:// or imap:// "
            "(e.g. imaps://user:password@imap.example.org/INBOX)"
        )
    if not parts.hostname:
        raise MailboxError("IMAP_URL names no host")
    if not parts.username or parts.password is None:
        raise MailboxError("IMAP_URL needs a user and password: imaps://user:password@host/INBOX")
    try:
        port = parts.port or (993 if security == "tls" else 143)
    except ValueError as error:
        raise MailboxError("IMAP_URL has an invalid port") from error
    mailbox = unquote(parts.path.lstrip("/")) or "INBOX"
    return MailboxConfig(
        host=parts.hostname,
        port=port,
        user=unquote(parts.username),
        password=unquote(parts.password),
        mailbox=mailbox,
        security=security,
    )


def connect(config: MailboxConfig) -> imaplib.IMAP4:
    """Open and log in (certificates are verified for imaps and STARTTLS)."""
    try:
        if config.security == "tls":
            imap: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                config.host,
                config.port,
                ssl_context=ssl.create_default_context(),
                timeout=TIMEOUT_SECONDS,
            )
        else:
            imap = imaplib.IMAP4(config.host, config.port, timeout=TIMEOUT_SECONDS)
            if config.security == "starttls":
                try:
                    imap.starttls(ssl.create_default_context())
                except BaseException:  # never fall back to a clear-text login
                    imap.shutdown()
                    raise
    except (OSError, imaplib.IMAP4.error) as error:
        raise MailboxError(
            f"could not connect to {config.host}:{config.port} ({type(error).__name__})"
        ) from error
    try:
        imap.login(config.user, config.password)
    except imaplib.IMAP4.error as error:
        _close(imap)
        raise MailboxError(f"login refused for {config.user} at {config.host}") from error
    return imap


def poll_mailbox(
    deps: IntakeContext,
    *,
    url: str | None = None,
    limits: IntakeLimits | None = None,
    opener: Connect = connect,
    on_outcome: OnOutcome | None = None,
) -> PollReport:
    """One pass over the mailbox; raises MailboxError when it cannot run at all.

    ``on_outcome(uid, outcome, total)`` sees each message as it is done (the CLI's lines and
    progress); Ctrl-C stops after the message in hand and the report says so."""
    target = url or deps.settings.imap_url
    if not target:
        raise MailboxError("IMAP_URL is not set")
    config = parse_imap_url(target)
    intake_limits = limits or limits_for(deps.settings)
    with deps.sessions() as session:
        windows = window_specs(session)
    imap = opener(config)
    try:
        return _pass(deps, imap, config, windows, intake_limits, on_outcome)
    finally:
        _close(imap)


def _pass(
    deps: IntakeContext,
    imap: imaplib.IMAP4,
    config: MailboxConfig,
    windows: list[WindowSpec],
    limits: IntakeLimits,
    on_outcome: OnOutcome | None = None,
) -> PollReport:
    report = PollReport()
    typ, _ = imap.select(_quote(config.mailbox))
    if typ != "OK":
        raise MailboxError(f"mailbox {config.mailbox!r} could not be opened")
    uidvalidity = _uidvalidity(imap, config.mailbox)
    typ, data = imap.uid("SEARCH", "UNKEYWORD", KEYWORD, "UNDELETED")
    if typ != "OK":
        raise MailboxError("the server refused the SEARCH")
    uids = sorted(int(u) for u in (data[0] or b"").split() if u.isdigit())
    report.total = len(uids)
    try:
        _each(deps, imap, config, uidvalidity, uids, windows, limits, report, on_outcome)
    except KeyboardInterrupt:
        report.interrupted = True
    log.info("%s", report.summary())
    return report


def _each(
    deps: IntakeContext,
    imap: imaplib.IMAP4,
    config: MailboxConfig,
    uidvalidity: int,
    uids: list[int],
    windows: list[WindowSpec],
    limits: IntakeLimits,
    report: PollReport,
    on_outcome: OnOutcome | None,
) -> None:
    for uid in uids:
        if _already_processed(deps, config.mailbox, uidvalidity, uid):
            _mark(imap, uid)
            report.marked_late += 1
            continue
        outcome = _ingest_uid(deps, imap, config.mailbox, uidvalidity, uid, windows, limits)
        if outcome is None:
            continue  # vanished between SEARCH and FETCH (expunged by someone else)
        _mark(imap, uid)
        report.outcomes.append((uid, outcome))
        if outcome.status == "stored" and outcome.ref is not None:
            report.stored.append(outcome.ref)
            if outcome.outbox_id is not None:
                report.outbox_ids.append(outcome.outbox_id)
        elif outcome.status == "duplicate":
            report.duplicates += 1
        elif outcome.status == "skipped":
            report.skipped += 1
        else:
            report.rejected += 1
        if on_outcome is not None:
            on_outcome(uid, outcome, report.total)


def _ingest_uid(
    deps: IntakeContext,
    imap: imaplib.IMAP4,
    mailbox: str,
    uidvalidity: int,
    uid: int,
    windows: list[WindowSpec],
    limits: IntakeLimits,
) -> IngestOutcome | None:
    size = _size(imap, uid)
    raw: bytes | None = None
    if size is None or size <= limits.max_message_bytes:
        raw = _fetch(imap, uid)
        if raw is None:
            return None
    now = deps.clock.now()

    def work(session: Session) -> IngestOutcome:
        earlier = session.scalar(
            select(MailboxMessage).where(
                MailboxMessage.mailbox == mailbox[:300],
                MailboxMessage.uidvalidity == uidvalidity,
                MailboxMessage.uid == uid,
            )
        )
        if earlier is not None:  # another poller got here first
            return IngestOutcome("duplicate", ref=earlier.application_id)
        if raw is None:
            outcome = IngestOutcome(
                "rejected",
                f"message too large ({size} bytes, limit {limits.max_message_bytes} bytes)",
            )
        else:
            outcome = ingest_email(
                session, raw=raw, windows=windows, limits=limits, now=now, actor=ACTOR
            )
        session.add(
            MailboxMessage(
                mailbox=mailbox[:300],
                uidvalidity=uidvalidity,
                uid=uid,
                message_id=outcome.message_id[:500] if outcome.message_id else None,
                outcome=outcome.line()[:200],
                application_id=outcome.ref,
                processed_at=now,
            )
        )
        session.flush()
        return outcome

    return in_transaction(deps.sessions, work)


def _already_processed(deps: IntakeContext, mailbox: str, uidvalidity: int, uid: int) -> bool:
    with deps.sessions() as session:
        found = session.scalar(
            select(MailboxMessage.id).where(
                MailboxMessage.mailbox == mailbox[:300],
                MailboxMessage.uidvalidity == uidvalidity,
                MailboxMessage.uid == uid,
            )
        )
    return found is not None


def _uidvalidity(imap: imaplib.IMAP4, mailbox: str) -> int:
    _typ, data = imap.response("UIDVALIDITY")
    for item in data or []:
        if isinstance(item, bytes) and item.strip().isdigit():
            return int(item)
    typ, status = imap.status(_quote(mailbox), "(UIDVALIDITY)")
    match = _UIDVALIDITY.search(status[0] or b"") if typ == "OK" and status else None
    if match is None:
        raise MailboxError("the server did not report UIDVALIDITY")
    return int(match.group(1))


def _size(imap: imaplib.IMAP4, uid: int) -> int | None:
    typ, data = imap.uid("FETCH", str(uid), "(RFC822.SIZE)")
    if typ != "OK":
        return None
    for item in data:
        header = item[0] if isinstance(item, tuple) else item
        if isinstance(header, bytes) and (match := _SIZE.search(header)):
            return int(match.group(1))
    return None


def _fetch(imap: imaplib.IMAP4, uid: int) -> bytes | None:
    typ, data = imap.uid("FETCH", str(uid), "(BODY.PEEK[])")
    if typ != "OK":
        return None
    for item in data:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
            return item[1]
    return None


def _mark(imap: imaplib.IMAP4, uid: int) -> None:
    imap.uid("STORE", str(uid), "+FLAGS.SILENT", f"({KEYWORD})")


def _quote(mailbox: str) -> str:
    if re.fullmatch(r"[A-Za-z0-9._/-]+", mailbox):
        return mailbox
    return '"' + mailbox.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _close(imap: imaplib.IMAP4) -> None:
    """Log out politely; a connection that is already gone is simply closed."""
    try:
        imap.logout()
    except Exception:  # the server may be gone; nothing to tell it
        try:
            imap.shutdown()
        except Exception:  # already closed
            return
