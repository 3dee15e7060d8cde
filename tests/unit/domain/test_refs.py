from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hiring_bot.domain.errors import InvalidInput
from hiring_bot.domain.refs import parse_ref, require_ref


@pytest.mark.parametrize("text", ["42", "#42", " #42 ", "# 42", "  42\t", "042"])
def test_references_people_type(text: str) -> None:
    assert parse_ref(text) == 42


@pytest.mark.parametrize("text", ["", "#", "abc", "4.5", "-3", "0", "#0", "42a", "1" * 13, None])
def test_not_references(text: str | None) -> None:
    assert parse_ref(text) is None


def test_require_ref_explains() -> None:
    with pytest.raises(InvalidInput, match="Which application"):
        require_ref("  ")
    with pytest.raises(InvalidInput, match="is not an application reference") as info:
        require_ref("<b>")
    assert "&lt;b&gt;" in info.value.message


@given(st.integers(min_value=1, max_value=10**12 - 1))
def test_any_positive_id_round_trips(ref: int) -> None:
    assert parse_ref(f"#{ref}") == ref
    assert parse_ref(str(ref)) == ref
