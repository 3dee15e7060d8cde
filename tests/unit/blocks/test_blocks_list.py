from __future__ import annotations

import pytest
from _block_samples import card
from _validate import action_ids, all_text, assert_valid_message, find_elements
from hypothesis import given, settings
from hypothesis import strategies as st

from hiring_bot.domain.stages import Stage
from hiring_bot.slack import ids
from hiring_bot.slack.blocks import ListPage, build_list_message, list_text


def page(n_items: int, *, page_no: int = 0, size: int = 10, total: int = 43) -> ListPage:
    items = tuple(card(ref=page_no * size + i + 1, name=f"Person {i}") for i in range(n_items))
    return ListPage(
        items=items,
        page=page_no,
        page_size=size,
        total=total,
        filters_text="unclaimed Winter 2017/2018",
        state="opaque-state-123",
    )


def test_middle_page_has_both_buttons_carrying_state() -> None:
    blocks = build_list_message(page(10, page_no=1))
    assert_valid_message(blocks)
    assert "showing 11-20 of 43" in all_text(blocks)
    assert "unclaimed Winter 2017/2018" in all_text(blocks)
    assert find_elements(blocks, ids.LIST_PREV)[0]["value"] == "opaque-state-123"
    assert find_elements(blocks, ids.LIST_NEXT)[0]["value"] == "opaque-state-123"


def test_first_page_has_no_previous() -> None:
    blocks = build_list_message(page(10, page_no=0))
    assert ids.LIST_PREV not in action_ids(blocks)
    assert ids.LIST_NEXT in action_ids(blocks)


def test_last_page_has_no_next() -> None:
    blocks = build_list_message(page(3, page_no=4))
    assert_valid_message(blocks)
    assert "showing 41-43 of 43" in all_text(blocks)
    assert ids.LIST_NEXT not in action_ids(blocks)
    assert ids.LIST_PREV in action_ids(blocks)


def test_single_page_has_no_pager() -> None:
    blocks = build_list_message(page(5, total=5))
    assert ids.LIST_NEXT not in action_ids(blocks)
    assert ids.LIST_PREV not in action_ids(blocks)


@pytest.mark.parametrize("size", [1, 47, 48, 49, 50, 51, 100, 500])
def test_never_over_50_blocks(size: int) -> None:
    blocks = build_list_message(page(size, page_no=1, size=size, total=size * 3))
    assert_valid_message(blocks)
    assert ids.LIST_NEXT in action_ids(blocks)


def test_item_menu_offers_claim_only_when_unclaimed() -> None:
    p = ListPage(
        items=(
            card(ref=1),
            card(ref=2, claimed_by="U1ABC"),
            card(ref=3, stage=Stage.REJECTED),
        ),
        page=0,
        page_size=10,
        total=3,
        filters_text="",
        state="s",
    )
    blocks = build_list_message(p)
    assert_valid_message(blocks)
    menus = find_elements(blocks, ids.LIST_ITEM_MENU)
    assert [o["value"] for o in menus[0]["options"]] == ["details:1", "claim:1", "rate:1"]
    assert [o["value"] for o in menus[1]["options"]] == ["details:2", "rate:2"]
    assert find_elements(blocks, ids.DETAILS)[0]["value"] == "3"
    assert "all applications" in all_text(blocks)


def test_empty_page_says_so_and_suggests_wider_filter() -> None:
    blocks = build_list_message(
        ListPage(items=(), page=0, page_size=10, total=0, filters_text="offer <x>", state="s")
    )
    assert_valid_message(blocks)
    text = all_text(blocks)
    assert "No applications match *offer &lt;x&gt;*." in text
    assert "`/intern list`" in text
    assert action_ids(blocks) == []
    assert list_text(ListPage((), 0, 10, 0, "offer", "s")) == "No applications match offer."


def test_state_over_2000_is_refused() -> None:
    with pytest.raises(ValueError, match="state"):
        ListPage(items=(), page=0, page_size=10, total=0, filters_text="", state="x" * 2001)
    big = ListPage(items=(card(),), page=1, page_size=1, total=3, filters_text="", state="x" * 2000)
    assert_valid_message(build_list_message(big))


def test_hostile_filters_text_is_escaped_and_capped() -> None:
    p = ListPage(
        items=(card(),), page=0, page_size=1, total=2, filters_text="<!channel>&" * 2000, state="s"
    )
    blocks = build_list_message(p)
    assert_valid_message(blocks)
    assert "<!channel>" not in all_text(blocks)


@settings(max_examples=40, deadline=None)
@given(
    names=st.lists(st.text(max_size=3000), min_size=0, max_size=60),
    filters=st.text(max_size=3000),
    page_no=st.integers(0, 5),
    size=st.integers(1, 80),
)
def test_list_is_always_valid(names: list[str], filters: str, page_no: int, size: int) -> None:
    p = ListPage(
        items=tuple(card(ref=i + 1, name=n, university=n, areas=(n,)) for i, n in enumerate(names)),
        page=page_no,
        page_size=size,
        total=page_no * size + len(names) + 1,
        filters_text=filters,
        state="s",
    )
    assert_valid_message(build_list_message(p))


def test_a_capped_total_says_so_and_pages_on() -> None:
    capped = ListPage(
        items=tuple(card(ref=991 + i, name=f"Person {i}") for i in range(10)),
        page=99,
        page_size=10,
        total=1000,
        filters_text="",
        state="s",
        total_capped=True,
    )
    blocks = build_list_message(capped)
    assert_valid_message(blocks)
    assert "showing 991-1000 of 1,000+" in all_text(blocks)
    assert ids.LIST_NEXT in action_ids(blocks)  # more match than were counted
    assert ids.LIST_PREV in action_ids(blocks)
    assert list_text(capped).endswith("991-1000 of 1,000+")
    exact = build_list_message(page(3, page_no=4, total=1043))
    assert "of 1043" in all_text(exact)  # an exact total reads as it always did
