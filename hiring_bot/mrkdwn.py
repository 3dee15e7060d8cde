"""Slack mrkdwn escaping: the one rule, below every layer.

Slack treats `&`, `<` and `>` as control characters in mrkdwn and stores them escaped in blocks.
The Block Kit builders escape user text with it, domain messages that echo input use it, and
retention uses it to find a name as Slack stored it; one implementation keeps them in step.
"""

from __future__ import annotations

ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def escape(text: str) -> str:
    """Escape the three characters Slack's mrkdwn treats as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
