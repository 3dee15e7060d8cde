#!/usr/bin/env bash
# The browser tests drive Debian's headless Chromium through Playwright (never `playwright install`:
# its browser downloads are not what CI runs). Install chromium + chromium-driver when missing,
# and a colour emoji font so the bot's :emoji: look right in the screenshots.
set -euo pipefail
has_emoji_font() { fc-list 2>/dev/null | grep -qi "Noto Color Emoji"; }
if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1 && has_emoji_font; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "chromium is not installed and apt-get is missing: browser tests will be skipped" >&2
  exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
    echo "chromium is not installed and we are not root: browser tests will be skipped" >&2
    exit 0
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends chromium chromium-driver fonts-noto-color-emoji >/dev/null
echo "chromium installed"
