from __future__ import annotations

from datetime import UTC, datetime

from _block_samples import card
from _validate import action_ids, all_text, assert_valid_message, find_elements
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hiring_bot.domain.stages import Stage, allowed_moves
from hiring_bot.slack import ids
from hiring_bot.slack.blocks import (
    assignment_dm_text,
    build_application_card,
    build_assignment_dm,
    card_text,
)


def test_new_card_is_valid_and_has_claim_rate_details_and_stage_menu() -> None:
    blocks = build_application_card(card())
    assert_valid_message(blocks)
    assert action_ids(blocks) == [ids.CLAIM, ids.RATE, ids.DETAILS, ids.STAGE_SELECT]
    for aid in (ids.CLAIM, ids.RATE, ids.DETAILS):
        assert find_elements(blocks, aid)[0]["value"] == "42"
    text = all_text(blocks)
    assert "*Ada Lovelace* · #42 · _Winter 2017/2018_" in text
    assert "Stanford University" in text
    assert "PhD, Computer Science" in text
    assert "January - April 2018 (4 months)" in text
    assert "sequence learning, sensorimotor inference" in text
    assert ":white_check_mark: Complete" in text
    assert ":white_check_mark: Eligible — US citizen" in text
    assert "unclaimed" in text
    assert "0 ratings" in text


def test_claimed_card_offers_unclaim_and_names_holder() -> None:
    blocks = build_application_card(card(claimed_by="U024BE7LH", stage=Stage.IN_REVIEW))
    assert_valid_message(blocks)
    assert ids.UNCLAIM in action_ids(blocks)
    assert ids.CLAIM not in action_ids(blocks)
    assert "claimed by <@U024BE7LH>" in all_text(blocks)


def test_stage_menu_lists_only_allowed_moves() -> None:
    for stage in Stage:
        blocks = build_application_card(card(stage=stage))
        assert_valid_message(blocks)
        menus = find_elements(blocks, ids.STAGE_SELECT)
        moves = allowed_moves(stage)
        if not moves:
            assert menus == []
            continue
        values = [o["value"] for o in menus[0]["options"]]
        assert values == [ids.stage_option_value(42, s) for s in moves]


def test_closed_stage_has_no_claim_or_rate() -> None:
    for stage in (Stage.HIRED, Stage.REJECTED, Stage.WITHDRAWN):
        blocks = build_application_card(card(stage=stage, claimed_by="U1ABC"))
        assert action_ids(blocks) == [ids.DETAILS]


def test_average_only_when_given() -> None:
    hidden = all_text(build_application_card(card(ratings_count=1, average=None)))
    assert "1 rating" in hidden
    assert "avg" not in hidden
    shown = all_text(build_application_card(card(ratings_count=2, average=3.5)))
    assert "2 ratings" in shown
    assert "avg 3.5" in shown


def test_missing_items_are_listed() -> None:
    text = all_text(build_application_card(card(missing=("resume", "code"))))
    assert "Missing: resume, code link" in text
    assert "Complete" not in text


def test_eligibility_flags() -> None:
    text = all_text(build_application_card(card(eligibility="ineligible", eligibility_reason="x")))
    assert ":warning: Not eligible — x" in text
    text = all_text(build_application_card(card(eligibility="unknown", eligibility_reason="")))
    assert ":grey_question: Eligibility unknown" in text


def test_links_github_first_and_unsafe_links_not_linked() -> None:
    blocks = build_application_card(
        card(links=("https://blog.example.org", "javascript:alert(1)", "https://github.com/ada"))
    )
    assert_valid_message(blocks)
    text = all_text(blocks)
    assert text.index("GitHub: ada") < text.index("blog.example.org")
    assert "<javascript" not in text


def test_other_refs_and_note() -> None:
    text = all_text(
        build_application_card(card(other_refs=(12, 7), note="Claim released after 7 days"))
    )
    assert "Also applied: #12, #7" in text
    assert ":information_source: Claim released after 7 days" in text


def test_no_email_or_cover_letter_on_the_channel_card() -> None:
    text = all_text(build_application_card(card()))
    assert "@" not in text.replace("<@", "")
    assert "Cover letter" not in text


def test_user_text_is_escaped() -> None:
    blocks = build_application_card(
        card(
            name="<script>alert(1)</script> & <!channel>",
            university="A&M <b>",
            window_name="<@U999>",
            areas=("<x>",),
            note="<!here>",
        )
    )
    assert_valid_message(blocks)
    text = all_text(blocks)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;!channel&gt;" in text
    assert "A&amp;M &lt;b&gt;" in text
    assert "<!channel>" not in text
    assert "<!here>" not in text
    assert "<@U999>" not in text


def test_huge_inputs_are_truncated() -> None:
    big = "x" * 100_000
    blocks = build_application_card(
        card(
            name=big,
            window_name=big,
            period_text=big,
            duration_text=big,
            university=big,
            program=big,
            areas=(big,) * 200,
            links=tuple(f"https://github.com/{i}/{big}" for i in range(50)),
            missing=("cover_letter", "resume", "code", "period"),
            eligibility_reason=big,
            other_refs=tuple(range(1, 500)),
            note=big,
            ref=10**12,
        )
    )
    assert_valid_message(blocks)
    assert "and 489 more" in all_text(blocks)


def test_card_text_fallback() -> None:
    assert card_text(card()) == "Application #42: Ada Lovelace (Winter 2017/2018) — New"
    assert "&lt;b&gt;" in card_text(card(name="<b>"))


odd_text = st.text(
    alphabet=st.characters(exclude_categories=["Cs"]), max_size=4000
) | st.sampled_from(["", " ", "<", ">", "&", "&amp;", "<@U1>", "<!channel>", "*_~`", "\n\n"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=odd_text,
    window=st.none() | odd_text,
    university=odd_text,
    areas=st.lists(odd_text, max_size=12).map(tuple),
    links=st.lists(odd_text, max_size=8).map(tuple),
    missing=st.lists(st.sampled_from(["cover_letter", "resume", "code", "period"])).map(tuple),
    claimed_by=st.none() | odd_text,
    stage=st.sampled_from(list(Stage)),
    ratings=st.integers(0, 10_000),
    average=st.none() | st.floats(1, 5),
    ref=st.integers(1, 10**15),
    note=st.none() | odd_text,
)
def test_card_is_always_valid(
    name: str,
    window: str | None,
    university: str,
    areas: tuple[str, ...],
    links: tuple[str, ...],
    missing: tuple[str, ...],
    claimed_by: str | None,
    stage: Stage,
    ratings: int,
    average: float | None,
    ref: int,
    note: str | None,
) -> None:
    blocks = build_application_card(
        card(
            ref=ref,
            name=name,
            window_name=window,
            university=university,
            program=name,
            period_text=university,
            areas=areas,
            links=links,
            missing=missing,
            claimed_by=claimed_by,
            stage=stage,
            ratings_count=ratings,
            average=average,
            eligibility_reason=name,
            note=note,
            received_at=datetime(2018, 1, 1, tzinfo=UTC),
        )
    )
    assert_valid_message(blocks)
    assert len(card_text(card(name=name))) <= 3000


def test_assignment_dm_has_the_summary_and_rate_and_details() -> None:
    blocks = build_assignment_dm(card(name="Ada <b>"), assigned_by="U0ADMIN")
    assert_valid_message(blocks)
    assert action_ids(blocks) == [ids.RATE, ids.DETAILS]
    assert [e["value"] for e in find_elements(blocks, ids.DETAILS)] == ["42"]
    text = all_text(blocks)
    assert "<@U0ADMIN> assigned you application *#42*" in text
    assert "*Ada &lt;b&gt;* · #42" in text  # the card's summary, escaped
    assert "Stanford University" in text
    assert "ada@example.org" not in text  # details stay behind the button
    assert assignment_dm_text(card(), assigned_by="U0ADMIN") == (
        "<@U0ADMIN> assigned you application #42: Ada Lovelace"
    )
