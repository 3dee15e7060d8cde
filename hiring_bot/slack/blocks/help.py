"""`/intern help`: usage of every sub-command, with "Did you mean …?" for a mistyped one."""

from __future__ import annotations

from hiring_bot.mrkdwn import escape
from hiring_bot.slack.blocks._kit import (
    Block,
    context,
    esc,
    fallback,
    header,
    section,
)

# (usage, what it does); grouped as shown.
USAGE: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (
        "Find applications",
        (
            (
                "/intern list [filters…]",
                "Filters in any order: a stage (`new`, `in_review`, `shortlisted`, …), a window "
                "name, `mine`, `unclaimed`, `unrated`, an area, `eligible` / `ineligible` / "
                "`unknown-eligibility`, `sort:received|score|name`.",
            ),
            ("/intern show <ref>", "Full details of one application (only you see them)."),
        ),
    ),
    (
        "Review",
        (
            (
                "/intern claim <ref>",
                "Take an application to review (a new one moves to in review).",
            ),
            ("/intern unclaim <ref>", "Give it back (holder or admin)."),
            (
                "/intern assign <ref> @user",
                "Admins: hand an application to a reviewer (they get a DM).",
            ),
            ("/intern recuse <ref>", "You will not review this one (conflict of interest)."),
            (
                "/intern rate <ref> <1-5> [notes]",
                "Rate it; `/intern rate <ref>` alone opens the rubric form.",
            ),
            (
                "/intern stage <ref> <stage> [reason]",
                "Move it along: new → in_review → shortlisted → interviewing → offer → hired, "
                "or rejected / withdrawn.",
            ),
        ),
    ),
    (
        "Windows and numbers",
        (
            ("/intern windows", "Internship windows with deadline countdowns."),
            ("/intern stats [window]", "Funnel, reviewer load, leniency, disagreements."),
            (
                "/intern window add | edit <name> | close <name>",
                "Admins: manage internship windows.",
            ),
            (
                "/intern purge <ref>",
                "Admins: remove an applicant's personal data now (asks to confirm first).",
            ),
            ("/intern help", "This message."),
        ),
    ),
)
SUBCOMMANDS: tuple[str, ...] = (
    "help",
    "list",
    "show",
    "claim",
    "unclaim",
    "assign",
    "recuse",
    "rate",
    "stage",
    "windows",
    "stats",
    "window",
    "purge",
)


def build_help(closest: str | None = None, unknown: str | None = None) -> list[Block]:
    blocks: list[Block] = []
    if unknown is not None or closest is not None:
        lines = []
        if unknown is not None:
            shown = esc(unknown, 60, empty="")
            lines.append(
                f"`{shown}` is not an `/intern` command." if shown else "That is not a command."
            )
        if closest is not None:
            lines.append(f"Did you mean `/intern {esc(closest, 60)}`?")
        blocks.append(section(" ".join(lines)))
    blocks.append(header("/intern — internship hiring"))
    for title, rows in USAGE:
        text = f"*{title}*\n" + "\n".join(f"`{usage}` — {what}" for usage, what in rows)
        blocks.append(section(escape(text)))  # usages hold literal `<ref>` placeholders
    blocks.append(
        context(
            "References work as `42` or `#42`. Replies are only visible to you unless the "
            "command changes an application — then its card in the channel changes."
        )
    )
    return blocks


def help_text(closest: str | None = None) -> str:
    if closest:
        return fallback(f"Did you mean /intern {esc(closest, 60)}? Usage: /intern help")
    return (
        "Usage: /intern help | list | show | claim | unclaim | assign | recuse | rate | stage | …"
    )
