"""`/intern purge <ref>`: the admin's confirmation prompt (ephemeral), pure Block Kit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hiring_bot.slack import ids
from hiring_bot.slack.blocks._kit import (
    Block,
    actions,
    button,
    context,
    esc,
    fallback,
    plain,
    plain_text,
    plural,
    section,
)

CONFIRM_TEXT = 300


@dataclass(frozen=True)
class PurgePrompt:
    ref: int
    name: str
    window_name: str | None
    stage_label: str
    attachments: int
    slack_files: int
    # The person's other applications not anonymised yet (their name and email stay for those).
    other_refs: tuple[int, ...] = ()


def _removes(prompt: PurgePrompt) -> str:
    files = (
        f", and delete {plural(prompt.slack_files, 'file')} from the card's thread"
        if prompt.slack_files
        else ""
    )
    return (
        "This removes the name, email, cover letter, resume and email text, links, university, "
        f"{plural(prompt.attachments, 'attachment')} and reviewers' notes{files}. "
        "The reference, window, stage, dates and scores are kept. This cannot be undone."
    )


def _kept_for(prompt: PurgePrompt) -> str | None:
    if not prompt.other_refs:
        return None
    refs = ", ".join(f"#{r}" for r in prompt.other_refs[:10])
    return (
        f"The applicant's name and email stay until their other application(s) {refs} are "
        "purged too."
    )


def _confirm_dialog(prompt: PurgePrompt) -> dict[str, Any]:
    return {
        "title": plain_text(f"Purge #{prompt.ref}?", 100),
        "text": plain_text(
            f"Remove the personal data of application #{prompt.ref} for good? "
            "This cannot be undone.",
            CONFIRM_TEXT,
        ),
        "confirm": plain_text("Purge", 30),
        "deny": plain_text("Cancel", 30),
        "style": "danger",
    }


def build_purge_prompt(prompt: PurgePrompt) -> list[Block]:
    """The ephemeral "Purge #12" prompt; the button asks once more before Slack sends it."""
    window = f" · _{esc(prompt.window_name, 150)}_" if prompt.window_name else ""
    lines = [_removes(prompt)]
    if (kept := _kept_for(prompt)) is not None:
        lines.append(kept)
    purge_button = button(
        plain(f"Purge #{prompt.ref}", 75), ids.PURGE_CONFIRM, ids.ref_value(prompt.ref)
    )
    purge_button["style"] = "danger"
    purge_button["confirm"] = _confirm_dialog(prompt)
    return [
        section(
            f":warning: Purge *#{prompt.ref}* · *{esc(prompt.name, 150, empty='(no name)')}*"
            f"{window} · {esc(prompt.stage_label, 40)}?"
        ),
        context(*lines),
        actions([purge_button], block_id=f"purge_{prompt.ref}"),
    ]


def purge_prompt_text(prompt: PurgePrompt) -> str:
    return fallback(f"Purge the personal data of application #{prompt.ref}?")
