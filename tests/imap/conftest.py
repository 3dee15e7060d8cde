"""A real dovecot IMAP server for the test session, on 127.0.0.1, in a temporary directory.

Skipped (with the reason) when dovecot is not installed, except in CI (CI=true), where it fails:
`make imap-server` / scripts/install-dovecot.sh installs it.
"""

from __future__ import annotations

import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.integration.intake.fixtures import (  # noqa: F401  (shared with the intake tests)
    _background_deliveries_finish,
    windows,
)

USER = "intake"
PASSWORD = "imap-test-password"
START_SECONDS = 10


@dataclass(frozen=True)
class Dovecot:
    host: str
    port: int
    config: Path

    def url(self, mailbox: str = "INBOX") -> str:
        return f"imap://{USER}:{PASSWORD}@{self.host}:{self.port}/{mailbox}"

    def client(self) -> imaplib.IMAP4:
        imap = imaplib.IMAP4(self.host, self.port, timeout=10)
        try:
            imap.login(USER, PASSWORD)
        except imaplib.IMAP4.error:
            imap.shutdown()
            raise
        return imap


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"dovecot is required in CI: {reason}")
    pytest.skip(f"dovecot not available ({reason}); run scripts/install-dovecot.sh")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _mail_owner() -> tuple[int, int, str | None]:
    """uid, gid for mail (never 0: dovecot refuses it) and, when not root, our own user name."""
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        return nobody.pw_uid, nobody.pw_gid, None
    me = pwd.getpwuid(os.geteuid())
    return me.pw_uid, me.pw_gid, me.pw_name


def _config(base: Path, port: int) -> str:
    uid, gid, user = _mail_owner()
    unprivileged = (
        f"default_internal_user = {user}\n"
        f"default_login_user = {user}\n"
        f"default_internal_group = {pwd.getpwnam(user).pw_gid}\n"
        f"first_valid_uid = {uid}\n"
        if user
        else ""
    )
    return f"""
base_dir = {base}/run
state_dir = {base}/state
log_path = {base}/dovecot.log
info_log_path = {base}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{base}/mail/%u/Maildir
{unprivileged}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {base}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={base}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    binary, admin = shutil.which("dovecot"), shutil.which("doveadm")
    if binary is None or admin is None:
        _unavailable("no dovecot / doveadm on PATH")
    assert binary is not None
    assert admin is not None
    # Not under pytest's tmp dirs: those are private to us, and dovecot's own users (auth,
    # the mail uid) must be able to reach the passwd file and the maildir.
    base = Path(tempfile.mkdtemp(prefix="hiring-bot-dovecot-"))
    base.chmod(0o755)
    for sub in ("run", "state", "mail"):
        (base / sub).mkdir()
    uid, gid, _user = _mail_owner()
    if os.geteuid() == 0:
        os.chown(base / "mail", uid, gid)
    (base / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    port = _free_port()
    config = base / "dovecot.conf"
    config.write_text(_config(base, port))
    # The daemon inherits the output streams: a file, not a pipe, or run() would wait for it.
    with (base / "start.log").open("w") as output:
        started = subprocess.run(
            [binary, "-c", str(config)],
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            timeout=30,
            check=False,
        )
    if started.returncode != 0:
        _unavailable(f"dovecot did not start: {(base / 'start.log').read_text()[:500]}")
    server = Dovecot("127.0.0.1", port, config)
    try:
        _wait_until_listening(port, base / "dovecot.log")
        yield server
    finally:
        subprocess.run(
            [admin, "-c", str(config), "stop"], capture_output=True, timeout=30, check=False
        )
        shutil.rmtree(base, ignore_errors=True)


def _wait_until_listening(port: int, log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)  # a process starting up, not a clock being waited on
    detail = log.read_text()[-500:] if log.exists() else "no log"
    _unavailable(f"dovecot did not listen on {port} within {START_SECONDS}s: {detail}")


@pytest.fixture
def mailbox_name(dovecot: Dovecot) -> Iterator[str]:
    """A fresh mailbox per test (one server serves the whole session)."""
    name = f"apps-{uuid.uuid4().hex[:8]}"
    imap = dovecot.client()
    try:
        assert imap.create(name)[0] == "OK"
    finally:
        imap.logout()
    yield name
    imap = dovecot.client()
    try:
        imap.delete(name)
    finally:
        imap.logout()
