"""The IMAP pass against a real dovecot: stored, marked, idempotent, and safe when cut off."""

from __future__ import annotations

import imaplib
import socket
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from hiring_bot.bootstrap import Deps
from hiring_bot.db.models import MailboxMessage
from hiring_bot.intake.mailbox import (
    KEYWORD,
    MailboxConfig,
    MailboxError,
    connect,
    parse_imap_url,
    poll_mailbox,
)
from hiring_bot.slack.delivery import deliver_pending
from tests.db import TestDatabase
from tests.fakes.slack_api import FakeSlack
from tests.imap.conftest import PASSWORD, Dovecot
from tests.integration.intake.helpers import (
    application_email,
    applications,
    ok_posts,
    outbox_rows,
)
from tests.integration.processes import run_cli

pytestmark = [pytest.mark.imap, pytest.mark.usefixtures("windows")]

BOUNCE = (
    b"From: Mail Delivery System <MAILER-DAEMON@mx.example.org>\r\n"
    b"To: internships@lab.example.org\r\n"
    b"Subject: Undelivered Mail Returned to Sender\r\n"
    b"Message-ID: <bounce-1@mx.example.org>\r\n"
    b"Content-Type: text/plain\r\n\r\n"
    b"This is the mail system. Your message could not be delivered.\r\n"
)


def append(dovecot: Dovecot, mailbox: str, *messages: bytes) -> None:
    imap = dovecot.client()
    try:
        for raw in messages:
            typ, data = imap.append(mailbox, None, None, raw)
            assert typ == "OK", data
    finally:
        imap.logout()


def marked_uids(dovecot: Dovecot, mailbox: str) -> tuple[list[int], list[int]]:
    """(marked, unmarked) UIDs."""
    imap = dovecot.client()
    try:
        imap.select(mailbox, readonly=True)
        marked = imap.uid("SEARCH", "KEYWORD", KEYWORD)[1][0].split()
        unmarked = imap.uid("SEARCH", "UNKEYWORD", KEYWORD)[1][0].split()
        seen = imap.uid("SEARCH", "SEEN")[1][0].split()
    finally:
        imap.logout()
    assert seen == []  # the pass peeks: people reading the mailbox still see the mail unread
    return [int(u) for u in marked], [int(u) for u in unmarked]


def three_messages() -> list[bytes]:
    return [
        application_email(message_id="<ada@example.edu>"),
        BOUNCE,
        application_email(
            name="Alan Turing", address="alan@example.ac.uk", message_id="<alan@example.ac.uk>"
        ),
    ]


def test_a_pass_stores_new_mail_marks_it_and_a_second_pass_finds_nothing(
    deps: Deps, dovecot: Dovecot, mailbox_name: str, fake_slack: FakeSlack
) -> None:
    append(dovecot, mailbox_name, *three_messages())

    report = poll_mailbox(deps, url=dovecot.url(mailbox_name))

    assert len(report.stored) == 2
    assert report.skipped == 1
    assert [o.line() for _uid, o in report.outcomes] == [
        f"stored #{report.stored[0]}",
        "skipped: bounce (from the mail system)",
        f"stored #{report.stored[1]}",
    ]
    assert marked_uids(dovecot, mailbox_name) == ([1, 2, 3], [])
    with deps.sessions() as session:
        rows = session.scalars(select(MailboxMessage).order_by(MailboxMessage.uid)).all()
        assert [(r.mailbox, r.uid, r.application_id) for r in rows] == [
            (mailbox_name, 1, report.stored[0]),
            (mailbox_name, 2, None),
            (mailbox_name, 3, report.stored[1]),
        ]
        assert rows[1].outcome == "skipped: bounce (from the mail system)"
        assert rows[0].message_id == "<ada@example.edu>"

    second = poll_mailbox(deps, url=dovecot.url(mailbox_name))

    assert second.outcomes == []
    assert len(applications(deps.sessions)) == 2
    # The cards: one each, through the outbox.
    deliver_pending(deps)
    assert len(ok_posts(fake_slack)) == 2


def _is_body_fetch(command: str, args: tuple[str, ...]) -> bool:
    return command.upper() == "FETCH" and "BODY.PEEK[]" in " ".join(args)


class DropsAfterFirstFetch(imaplib.IMAP4):
    """A real connection whose network dies right after the first message body arrives."""

    def uid(self, command: str, *args: str) -> tuple[str, list[object]]:
        answer = super().uid(command, *args)
        if _is_body_fetch(command, args):
            self.sock.shutdown(socket.SHUT_RDWR)
        return answer


class DropsDuringSecondFetch(imaplib.IMAP4):
    """A real connection whose network dies while the second message body is being fetched."""

    fetches = 0

    def uid(self, command: str, *args: str) -> tuple[str, list[object]]:
        if _is_body_fetch(command, args):
            self.fetches += 1
            if self.fetches == 2:
                self.sock.shutdown(socket.SHUT_RDWR)
        return super().uid(command, *args)


def opener_for(kind: type[imaplib.IMAP4]) -> Callable[[MailboxConfig], imaplib.IMAP4]:
    def open_(config: MailboxConfig) -> imaplib.IMAP4:
        imap = kind(config.host, config.port, timeout=10)
        imap.login(config.user, config.password)
        return imap

    return open_


def test_a_connection_dropped_while_fetching_loses_nothing_and_duplicates_nothing(
    deps: Deps, dovecot: Dovecot, mailbox_name: str, fake_slack: FakeSlack
) -> None:
    append(dovecot, mailbox_name, *three_messages())

    with pytest.raises((OSError, imaplib.IMAP4.abort)):
        poll_mailbox(deps, url=dovecot.url(mailbox_name), opener=opener_for(DropsDuringSecondFetch))
    # The first message was stored and marked; the second never arrived.
    assert len(applications(deps.sessions)) == 1
    assert marked_uids(dovecot, mailbox_name) == ([1], [2, 3])

    report = poll_mailbox(deps, url=dovecot.url(mailbox_name))

    assert [uid for uid, _o in report.outcomes] == [2, 3]
    assert len(applications(deps.sessions)) == 2
    assert marked_uids(dovecot, mailbox_name) == ([1, 2, 3], [])
    deliver_pending(deps)
    assert len(ok_posts(fake_slack)) == 2


def test_a_connection_dropped_after_a_fetch_stores_it_once_and_marks_it_later(
    deps: Deps, dovecot: Dovecot, mailbox_name: str, fake_slack: FakeSlack
) -> None:
    append(dovecot, mailbox_name, *three_messages())

    with pytest.raises((OSError, imaplib.IMAP4.abort)):
        poll_mailbox(deps, url=dovecot.url(mailbox_name), opener=opener_for(DropsAfterFirstFetch))
    # Stored (with its mailbox row, in the same transaction) but the mark never got through.
    assert len(applications(deps.sessions)) == 1
    assert marked_uids(dovecot, mailbox_name) == ([], [1, 2, 3])

    report = poll_mailbox(deps, url=dovecot.url(mailbox_name))

    assert report.marked_late == 1
    assert [uid for uid, _o in report.outcomes] == [2, 3]
    assert len(applications(deps.sessions)) == 2
    assert len(outbox_rows(deps.sessions, "card_post")) == 2
    assert marked_uids(dovecot, mailbox_name) == ([1, 2, 3], [])
    deliver_pending(deps)
    assert len(ok_posts(fake_slack)) == 2


def test_the_same_message_in_two_mailboxes_is_one_application(
    deps: Deps, dovecot: Dovecot, mailbox_name: str
) -> None:
    raw = application_email(message_id="<twice@example.edu>")
    append(dovecot, mailbox_name, raw)
    append(dovecot, "INBOX", raw)

    first = poll_mailbox(deps, url=dovecot.url(mailbox_name))
    second = poll_mailbox(deps, url=dovecot.url("INBOX"))

    assert len(first.stored) == 1
    [(_uid, outcome)] = second.outcomes
    assert outcome.line() == f"duplicate of #{first.stored[0]}"
    assert len(applications(deps.sessions)) == 1


def test_oversized_mail_is_rejected_without_downloading_it(
    deps: Deps, dovecot: Dovecot, mailbox_name: str
) -> None:
    from hiring_bot.intake.draft import IntakeLimits

    append(dovecot, mailbox_name, application_email())

    report = poll_mailbox(
        deps, url=dovecot.url(mailbox_name), limits=IntakeLimits(max_message_bytes=1000)
    )

    [(_uid, outcome)] = report.outcomes
    assert outcome.status == "rejected"
    assert "too large" in outcome.reason
    assert marked_uids(dovecot, mailbox_name)[0] == [1]


def test_wrong_password_and_missing_mailbox_are_clear_errors(deps: Deps, dovecot: Dovecot) -> None:
    wrong = dovecot.url().replace("imap-test-password", "nope")
    with pytest.raises(MailboxError, match="login refused"):
        poll_mailbox(deps, url=wrong)
    with pytest.raises(MailboxError, match="could not be opened"):
        poll_mailbox(deps, url=dovecot.url("No-Such-Box"))


def test_imap_urls() -> None:
    config = parse_imap_url("imaps://jobs%40lab.org:p%40ss@imap.lab.org/Hiring%20Inbox")
    assert (config.host, config.port, config.user, config.password) == (
        "imap.lab.org",
        993,
        "jobs@lab.org",
        "p@ss",
    )
    assert (config.mailbox, config.security) == ("Hiring Inbox", "tls")
    assert "p@ss" not in repr(config)
    starttls = parse_imap_url("imap+starttls://u:p@mail.example.org")
    assert (starttls.port, starttls.security, starttls.mailbox) == (143, "starttls", "INBOX")
    for bad in ("http://u:p@h/INBOX", "imaps://h/INBOX", "imaps://u:p@/INBOX"):
        with pytest.raises(MailboxError):
            parse_imap_url(bad)


def test_starttls_is_required_when_asked_for(dovecot: Dovecot) -> None:
    # This dovecot has ssl = no: a STARTTLS URL must refuse rather than log in in clear text.
    config = replace(parse_imap_url(dovecot.url()), security="starttls")
    with pytest.raises(MailboxError, match="could not connect"):
        connect(config)


def test_poll_mailbox_command(
    db: TestDatabase, deps: Deps, dovecot: Dovecot, mailbox_name: str, tmp_path: Path
) -> None:
    append(dovecot, mailbox_name, *three_messages())
    env = {"DATABASE_URL": db.url, "IMAP_URL": dovecot.url(mailbox_name)}

    result = run_cli("poll-mailbox", env=env, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("uid 1: stored #")
    assert lines[1] == "uid 2: skipped: bounce (from the mail system)"
    assert lines[-1] == "mailbox: 2 stored, 0 duplicate, 1 skipped, 0 rejected"
    assert PASSWORD not in result.stdout + result.stderr

    missing = run_cli("poll-mailbox", env={"DATABASE_URL": db.url}, cwd=tmp_path)
    assert missing.returncode == 2
    assert "IMAP_URL is not set" in missing.stderr
