"""Typed domain errors: each carries the sentence the person who asked should read.

Slack handlers show `message` as an ephemeral answer (or an inline modal error); nothing has
changed when one of these is raised, because it is raised before the session is committed.
"""

from __future__ import annotations

from collections.abc import Mapping

from hiring_bot.mrkdwn import escape


class DomainError(Exception):
    """A refusal with a user-facing explanation."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    """The reference names no application (never existed, or deleted)."""


class NotAllowed(DomainError):
    """The actor may not do this (not a reviewer, not the holder, not an admin, recused)."""


class Conflict(DomainError):
    """The application's state forbids it (held by someone else, closed, impossible move)."""


class InvalidInput(DomainError):
    """The input itself is wrong (a score of 6, an unknown stage, a malformed reference)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class FieldErrors(InvalidInput):
    """Input refused field by field (`{field: message}`), so a form can show each beside its field.

    Field names are the domain's (`name`, `starts_on`, ...); the transport maps them to its inputs.
    """

    def __init__(self, errors: Mapping[str, str]) -> None:
        if not errors:
            raise ValueError("FieldErrors needs at least one field")
        first = next(iter(errors))
        super().__init__(errors[first], field=first)
        self.errors: dict[str, str] = dict(errors)


def bold(text: str, limit: int = 150) -> str:
    """A name (a window's) in bold inside a message: one line, cut, Slack control characters
    escaped, so an admin-chosen ``<!channel>`` or link is shown, not acted on."""
    one = " ".join(text.split())
    if len(one) > limit:
        one = one[: limit - 1] + "…"
    one = escape(one).replace("*", "∗")
    return f"*{one}*" if one else "(nothing)"


def quote(text: str, limit: int = 40) -> str:
    """User text echoed back inside a message: one line, cut, Slack control characters escaped."""
    one = " ".join(text.split())
    if len(one) > limit:
        one = one[: limit - 1] + "…"
    one = escape(one).replace("`", "'")
    return f"`{one}`" if one else "(nothing)"
