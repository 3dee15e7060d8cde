"""The purge confirmation prompt and how an anonymised application's card looks."""

from __future__ import annotations

from _block_samples import card
from _validate import action_ids, all_text, assert_valid_message, find_elements

from hiring_bot.domain.stages import Stage
from hiring_bot.slack import ids
from hiring_bot.slack.blocks import build_application_card, card_text
from hiring_bot.slack.blocks.retention import PurgePrompt, build_purge_prompt, purge_prompt_text


def prompt(**changes: object) -> PurgePrompt:
    values: dict[str, object] = {
        "ref": 12,
        "name": "Ada <Lovelace> & co",
        "window_name": "Winter 2017/2018",
        "stage_label": "In review",
        "attachments": 2,
        "slack_files": 1,
    }
    values.update(changes)
    return PurgePrompt(**values)  # type: ignore[arg-type]


def test_prompt_has_one_danger_button_that_slack_confirms() -> None:
    blocks = build_purge_prompt(prompt())
    assert_valid_message(blocks)
    assert action_ids(blocks) == [ids.PURGE_CONFIRM]
    [purge] = find_elements(blocks, ids.PURGE_CONFIRM)
    assert purge["value"] == "12"
    assert purge["text"]["text"] == "Purge #12"
    assert purge["style"] == "danger"
    confirm = purge["confirm"]
    assert confirm["style"] == "danger"
    assert confirm["title"]["text"] == "Purge #12?"
    assert (confirm["confirm"]["text"], confirm["deny"]["text"]) == ("Purge", "Cancel")
    text = all_text(blocks)
    assert "*Ada &lt;Lovelace&gt; &amp; co*" in text  # escaped
    assert "2 attachments" in text
    assert "delete 1 file from the card's thread" in text
    assert "cannot be undone" in text
    assert purge_prompt_text(prompt()) == "Purge the personal data of application #12?"


def test_prompt_says_the_person_stays_for_their_other_applications() -> None:
    blocks = build_purge_prompt(prompt(other_refs=(15, 16), slack_files=0, window_name=None))
    assert_valid_message(blocks)
    text = all_text(blocks)
    assert "other application(s) #15, #16 are purged too" in text
    assert "from the card's thread" not in text


def test_anonymised_card_offers_no_claim_or_rate_and_shows_nothing_personal() -> None:
    anonymised = card(
        name="Anonymised applicant #42",
        university="",
        links=(),
        period_text="",
        stage=Stage.IN_REVIEW,
        anonymised=True,
        note="Personal data removed on 2018-09-01.",
    )
    blocks = build_application_card(anonymised)
    assert_valid_message(blocks)
    assert action_ids(blocks) == [ids.DETAILS, ids.STAGE_SELECT]
    text = all_text(blocks)
    assert "*Anonymised applicant #42* · #42" in text
    assert "*University*\nremoved" in text
    assert "*Links:* removed" in text
    assert "Personal data removed on 2018-09-01." in text
    assert "unclaimed" not in text
    assert "Anonymised applicant #42" in card_text(anonymised)
