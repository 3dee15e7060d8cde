"""`/intern purge <ref>` through the real app: admins confirm, the card and Slack files follow."""

from __future__ import annotations

import json

from sqlalchemy import select

from hiring_bot.db.engine import session_scope
from hiring_bot.db.models import Attachment
from hiring_bot.slack import ids
from hiring_bot.slack.delivery import deliver_pending
from tests.conftest import ADMIN, ALICE, OUTSIDER
from tests.slack.review_harness import TIMEOUT, Harness, harness, text_of

__all__ = ["harness"]

WINTER = "Winter 2017/2018"
RESUME = b"%PDF-1.4 Ada Lovelace resume"


def application_with_shared_resume(harness: Harness) -> tuple[int, str]:
    """A posted card whose resume the outbox shared into its thread; (ref, Slack file id)."""
    harness.window()
    ref = harness.application("Ada Lovelace", window=WINTER, post=False)
    with session_scope(harness.deps.sessions) as session:
        session.add(
            Attachment(
                application_id=ref,
                filename="Ada_Lovelace_resume.pdf",
                content_type="application/pdf",
                role="resume",
                size=len(RESUME),
                sha256="0" * 64,
                data=RESUME,
            )
        )
    report = deliver_pending(harness.deps)
    assert len(report.sent) == 2, report  # the card, then the resume in its thread
    with session_scope(harness.deps.sessions) as session:
        file_id = session.scalars(select(Attachment.slack_file_id)).one()
    assert file_id is not None
    return ref, file_id


def purge_button(answer: dict[str, object]) -> dict[str, object]:
    for block in answer["blocks"]:  # type: ignore[attr-defined]
        for element in block.get("elements", []):
            if element.get("action_id") == ids.PURGE_CONFIRM:
                return dict(element)
    raise AssertionError(f"no purge button in {answer}")


def test_admin_confirms_and_the_card_and_files_follow(harness: Harness) -> None:
    fake = harness.fake
    ref, file_id = application_with_shared_resume(harness)
    assert "Ada Lovelace" in harness.card_text(ref)

    answer = harness.command(f"purge #{ref}", user=ADMIN)
    assert answer.get("response_type") == "ephemeral"
    assert "Ada Lovelace" in text_of(answer)  # the admin sees whom they are about to purge
    button = purge_button(answer)
    assert (button["value"], button["style"]) == (str(ref), "danger")
    assert button["confirm"]["style"] == "danger"  # type: ignore[index]
    assert harness.row(ref).anonymised_at is None  # asking changed nothing

    done = harness.click_answered(ids.PURGE_CONFIRM, user=ADMIN, value=str(ref))
    assert done["text"].startswith(f"Anonymised #{ref}, deleted 1 attachment(s)")
    assert done.get("replace_original") is True  # the prompt and its button are gone

    harness.wait_updates(1)
    deleted = fake.wait_for("files.delete", timeout=TIMEOUT)
    assert [c.params["file"] for c in deleted] == [file_id]
    card = harness.card_text(ref)
    assert f"Anonymised applicant #{ref}" in card
    assert "Ada" not in card
    assert "github" not in card.lower()
    assert "Stanford" not in card
    assert "Personal data removed on" in card
    update = fake.last("chat.update")
    assert "Ada" not in update.params["text"]
    action_ids = [
        element["action_id"]
        for block in update.params["blocks"]
        for element in block.get("elements", [])
        if "action_id" in element
    ]
    assert ids.CLAIM not in action_ids
    assert ids.RATE not in action_ids
    [entry] = harness.audit("application.anonymised")
    assert (entry.actor, entry.application_id, entry.detail) == (ADMIN, ref, "request")
    assert "Ada" not in json.dumps([entry.before, entry.after])

    # The same click delivered again, or pressed twice, changes nothing more.
    again = harness.click_answered(ids.PURGE_CONFIRM, user=ADMIN, value=str(ref))
    assert "already removed" in again["text"] or "already anonymised" in again["text"]
    assert len(harness.audit("application.anonymised")) == 1
    assert "already removed" in harness.command(f"purge {ref}", user=ADMIN)["text"]


def test_non_admins_are_refused_at_both_steps_and_audited(harness: Harness) -> None:
    ref = harness.application("Ada Lovelace")
    assert harness.command(f"purge {ref}", user=ALICE)["text"] == "Only an admin can do that."
    clicked = harness.click_answered(ids.PURGE_CONFIRM, user=ALICE, value=str(ref))
    assert clicked["text"] == "Only an admin can do that."
    outsider = harness.command(f"purge {ref}", user=OUTSIDER)
    assert "Only the hiring team" in outsider["text"]

    refused = harness.audit("refused")
    assert [(e.actor, e.application_id, e.detail) for e in refused] == [
        (ALICE, ref, "/intern purge: not an admin"),
        (ALICE, ref, "button purge: not an admin"),
        (OUTSIDER, ref, "/intern purge: not a reviewer"),
    ]
    assert harness.row(ref).anonymised_at is None
    assert harness.audit("application.anonymised") == []
    assert harness.fake.calls_to("files.delete") == []


def test_bad_references_get_a_clear_answer(harness: Harness) -> None:
    assert "Usage: `/intern purge <ref>`" in harness.command("purge", user=ADMIN)["text"]
    assert "Usage" in harness.command("purge twelve", user=ADMIN)["text"]
    assert "There is no application #999" in harness.command("purge 999", user=ADMIN)["text"]
    stale = harness.click_answered(ids.PURGE_CONFIRM, user=ADMIN, value="not-a-ref")
    assert "out of date" in stale["text"]
