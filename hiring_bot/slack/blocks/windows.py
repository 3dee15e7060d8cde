"""`/intern windows`: each internship window's dates with countdowns from `now`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from hiring_bot.slack.blocks._kit import (
    MAX_MESSAGE_BLOCKS,
    Block,
    context,
    countdown,
    day_text,
    esc,
    fallback,
    section,
)
from hiring_bot.slack.blocks.views import WindowSummary

MAX_WINDOWS = MAX_MESSAGE_BLOCKS - 3


def _today(now: datetime | date) -> date:
    """`now` should already be in HIRING_TIMEZONE; a date is taken as today."""
    return now.date() if isinstance(now, datetime) else now


def days_until(day: date, now: datetime | date) -> int:
    return (day - _today(now)).days


def _dated(label: str, day: date, now: datetime | date, closed: bool) -> str:
    text = f"{label}: {day_text(day)}"
    return text if closed else f"{text} ({countdown(days_until(day, now))})"


def next_milestone(window: WindowSummary, now: datetime | date) -> str | None:
    """`Applications close in 12 days` — the next date still ahead, or None."""
    for label, day in (
        ("Applications close", window.application_deadline),
        ("Decisions due", window.decision_deadline),
        ("Starts", window.starts_on),
        ("Ends", window.ends_on),
    ):
        days = days_until(day, now)
        if days >= 0:
            return f"{label} {countdown(days)}"
    return None


def _window_text(window: WindowSummary, now: datetime | date) -> str:
    name = esc(window.name, 150, empty="(unnamed)")
    if window.closed:
        title = f"*{name}* — _closed_"
    else:
        upcoming = next_milestone(window, now)
        title = f"*{name}* — {upcoming or 'finished'}"
    lines = [
        title,
        _dated("Application deadline", window.application_deadline, now, window.closed),
        _dated("Decision deadline", window.decision_deadline, now, window.closed),
        f"Runs {day_text(window.starts_on)} – {day_text(window.ends_on)}",
    ]
    if window.aliases:
        lines.append("Also matches: " + esc(", ".join(window.aliases), 300))
    return "\n".join(lines)


def build_windows_message(windows: Sequence[WindowSummary], now: datetime | date) -> list[Block]:
    if not windows:
        return [section("No internship windows yet. Admins: `/intern window add`.")]
    ordered = sorted(windows, key=lambda w: (w.closed, w.application_deadline))
    blocks: list[Block] = [section("*Internship windows*")]
    blocks.extend(section(_window_text(w, now)) for w in ordered[:MAX_WINDOWS])
    if len(ordered) > MAX_WINDOWS:
        blocks.append(context(f"and {len(ordered) - MAX_WINDOWS} more windows not shown"))
    return blocks


def windows_text(windows: Sequence[WindowSummary], now: datetime | date) -> str:
    open_ = [w for w in windows if not w.closed]
    if not open_:
        return "No open internship windows."
    parts = [f"{esc(w.name, 80)}: {next_milestone(w, now) or 'finished'}" for w in open_[:10]]
    return fallback("Internship windows — " + "; ".join(parts))


def window_saved_text(window: WindowSummary, *, added: bool) -> str:
    """What the admin is told after saving the window modal, dated like `/intern windows`."""
    verb = "Added" if added else "Saved"
    return fallback(
        f"{verb} window *{esc(window.name, 150, empty='(unnamed)')}*: applications until "
        f"{day_text(window.application_deadline)}, decisions by "
        f"{day_text(window.decision_deadline)}, runs {day_text(window.starts_on)} – "
        f"{day_text(window.ends_on)}. It is now managed in Slack (windows.toml no longer "
        "changes it)."
    )
