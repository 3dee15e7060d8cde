"""Values that are set but obviously not real: `.env.example` placeholders and guessable tokens.

A copied `.env.example` must not start a bot that posts to a made-up channel or accepts
applications behind a token printed in the repository; these are refused like missing values.
"""

from __future__ import annotations

from collections.abc import Mapping

# What `.env.example` ships (and similar ones people type): refused wherever they appear.
PLACEHOLDER_PREFIXES = ("replace-with", "your-", "changeme", "change-me", "todo", "xxx")
PLACEHOLDER_VALUES = frozenset({"C0000000000", "C00000000", "secret", "password", "token"})
PLACEHOLDER_CHECKED = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "HIRING_CHANNEL",
    "INTAKE_TOKEN",
    "IMAP_URL",
)
TOKEN_PREFIXES = ("xoxb-", "xapp-")

INTAKE_TOKEN_MIN_CHARS = 32
TOKEN_RECIPE = 'python -c "import secrets; print(secrets.token_urlsafe(32))"'  # noqa: S105 (a command, not a secret)


def is_placeholder(value: str) -> bool:
    """True for a value copied from .env.example rather than from Slack or the operator."""
    text = value.strip()
    for prefix in TOKEN_PREFIXES:
        text = text.removeprefix(prefix)
    lowered = text.lower()
    if text in PLACEHOLDER_VALUES or lowered in PLACEHOLDER_VALUES:
        return True
    if any(lowered.startswith(prefix) for prefix in PLACEHOLDER_PREFIXES):
        return True
    # `C0000000000`, `U0000000000`: an ID made of one repeated digit is a placeholder.
    return len(text) > 3 and text[0].isalpha() and len(set(text[1:])) == 1 and text[1:].isdigit()


def placeholder_problems(env: Mapping[str, str]) -> list[str]:
    """One problem per variable still holding a placeholder, each saying where the value is."""
    where = {
        "SLACK_BOT_TOKEN": "the Bot User OAuth Token (xoxb-...) from OAuth & Permissions",
        "SLACK_SIGNING_SECRET": "Basic Information -> App Credentials -> Signing Secret",
        "SLACK_APP_TOKEN": "an app-level token (xapp-...) with connections:write, or empty",
        "HIRING_CHANNEL": "the hiring channel's ID (channel details -> bottom, C...)",
        "INTAKE_TOKEN": f"a long random string ({TOKEN_RECIPE}), or leave it empty (webhook off)",
        "IMAP_URL": "imaps://user:password@host/INBOX, or leave it empty",
    }
    problems = []
    for name in PLACEHOLDER_CHECKED:
        value = env.get(name, "").strip()
        if value and is_placeholder(value):
            problems.append(f"{name} still holds the placeholder {value!r}: set {where[name]}")
    return problems


def intake_token_problem(token: str | None) -> str | None:
    """Why INTAKE_TOKEN is too weak to guard the public webhook; None when it is fine or unset."""
    if token is None or is_placeholder(token):
        return None  # unset: webhook off; a placeholder is reported by placeholder_problems
    if len(token) < INTAKE_TOKEN_MIN_CHARS:
        return (
            f"INTAKE_TOKEN is {len(token)} characters: the webhook is public, so it needs at "
            f"least {INTAKE_TOKEN_MIN_CHARS} random characters ({TOKEN_RECIPE}); "
            "leave it empty to keep the webhook off"
        )
    if len(set(token)) < 8:
        return (
            "INTAKE_TOKEN repeats a few characters and is easy to guess: use a random one "
            f"({TOKEN_RECIPE})"
        )
    return None
