from __future__ import annotations

from datetime import UTC, datetime

from _block_samples import LA, card, details
from _validate import all_text, assert_safe_mrkdwn, assert_valid_message, assert_valid_view

from hiring_bot.slack import ids
from hiring_bot.slack.blocks import (
    AttachmentInfo,
    AuditLine,
    build_application_details,
    build_details_modal,
    details_text,
)


def test_details_show_everything_escaped() -> None:
    blocks = build_application_details(details())
    assert_valid_message(blocks)
    text = all_text(blocks)
    assert "ada@example.org" in text
    assert "Research internship application" in text
    assert ">I have worked on sequence memory &amp; temporal pooling." in text
    assert "scan.pdf — _text unavailable: no text layer_" in text
    assert "Mon 20 Nov 2017 09:30 PST · intake (email) received by email" in text
    assert "Tue 21 Nov 2017 09:02 PST · <@U123> claimed" in text


def test_history_names_people_as_mentions_and_escapes_everything_else() -> None:
    when = datetime(2018, 1, 10, 9, 1, tzinfo=LA)
    lines = (
        AuditLine(when, "U0ADMIN", "assigned it to", actor_is_user=True, target_user="U0BOB"),
        AuditLine(when, "<!channel> & co", "moved it to <b>"),  # labels are never markup
        AuditLine(when, "U0ALICE", "claimed"),  # not flagged as a user: shown as text
    )
    text = all_text(build_application_details(details(audit=lines)))
    assert "Wed 10 Jan 2018 09:01 PST · <@U0ADMIN> assigned it to <@U0BOB>" in text
    assert "&lt;!channel&gt; &amp; co moved it to &lt;b&gt;" in text
    assert "· U0ALICE claimed" in text
    assert_safe_mrkdwn(text)


def test_details_modal_is_valid() -> None:
    view = build_details_modal(details(), private_metadata="42")
    assert_valid_view(view, kind="modal")
    assert view["callback_id"] == ids.DETAILS_MODAL
    assert view["private_metadata"] == "42"
    assert "submit" not in view


def test_huge_details_are_truncated() -> None:
    big = "<b>&" * 50_000
    d = details(
        card=card(name=big),
        email=big,
        subject=big,
        cover_letter_excerpt="\n".join([big] * 10),
        resume_excerpt="a\n" * 20_000,
        attachments=tuple(AttachmentInfo(big, False, big) for _ in range(100)),
        audit=tuple(
            AuditLine(datetime(2018, 1, 1, tzinfo=UTC), big, big, target_user=big)
            for _ in range(500)
        ),
    )
    assert_valid_message(build_application_details(d))
    assert_valid_view(build_details_modal(d))
    assert len(details_text(d)) <= 3000


def test_empty_excerpts() -> None:
    blocks = build_application_details(
        details(cover_letter_excerpt="", resume_excerpt="  ", attachments=(), audit=())
    )
    assert_valid_message(blocks)
    text = all_text(blocks)
    assert "*Cover letter (excerpt)*\n_none_" in text
    assert "*Attachments:* none" in text
