#!/usr/bin/env bash
# The IMAP tests run a real dovecot; install it when missing (Debian/Ubuntu, as root or via sudo).
set -euo pipefail
if command -v dovecot >/dev/null 2>&1 && command -v doveadm >/dev/null 2>&1; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "dovecot is not installed and apt-get is missing: IMAP tests will be skipped" >&2
  exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
    echo "dovecot is not installed and we are not root: IMAP tests will be skipped" >&2
    exit 0
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends dovecot-imapd >/dev/null
# The package starts a system-wide dovecot; the tests run their own, so stop it if it started.
$SUDO service dovecot stop >/dev/null 2>&1 || true
echo "dovecot installed"
