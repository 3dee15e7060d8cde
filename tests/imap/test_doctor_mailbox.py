"""`hiring-bot doctor`'s mailbox check against a real IMAP server (a private dovecot)."""

from __future__ import annotations

from hiring_bot.cli.doctor import check_mailbox
from hiring_bot.config import Settings
from tests.imap.conftest import PASSWORD, Dovecot


def _check(url: str | None) -> tuple[bool, str, str]:
    (check,) = check_mailbox(Settings(imap_url=url))
    return check.ok, check.detail, check.fix


def test_a_working_mailbox(dovecot: Dovecot, mailbox_name: str) -> None:
    ok, detail, _fix = _check(dovecot.url(mailbox_name))
    assert ok
    assert f"{mailbox_name} found" in detail


def test_a_refused_login_names_the_fix_without_the_password(dovecot: Dovecot) -> None:
    ok, detail, fix = _check(dovecot.url().replace(PASSWORD, "wrong-password"))
    assert not ok
    assert "login refused" in detail
    assert "IMAP_URL" in fix
    assert "wrong-password" not in detail + fix


def test_a_missing_folder(dovecot: Dovecot) -> None:
    ok, detail, _fix = _check(dovecot.url("NoSuchFolder"))
    assert not ok
    assert "no mailbox 'NoSuchFolder'" in detail


def test_no_mailbox_configured_is_fine() -> None:
    ok, detail, _fix = _check(None)
    assert ok
    assert "IMAP_URL not set" in detail
