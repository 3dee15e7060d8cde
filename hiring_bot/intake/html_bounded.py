"""``html_to_text`` for an attachment, within a ``Budget``: fed in slices, charged per tag and text.

html.parser is pure Python and slow on tag soup (8 MB of ``<p>A</p>`` takes about 15 s), so an
HTML resume is parsed a slice at a time and stops when its elements or its time run out.
"""

from __future__ import annotations

import logging
import re

from hiring_bot.intake.bounded import Budget, TooLarge
from hiring_bot.intake.html_text import _TextCollector

__all__ = ["html_text_within"]

log = logging.getLogger(__name__)

_SLICE_CHARS = 4096  # small enough that one slice of pathological markup stays quick


class _BudgetedCollector(_TextCollector):
    def __init__(self, budget: Budget) -> None:
        super().__init__()
        self._budget = budget

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._budget.take_element()
        super().handle_starttag(tag, attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._budget.take_element()
        super().handle_startendtag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        self._budget.take_element()
        super().handle_endtag(tag)

    def handle_data(self, data: str) -> None:
        self._budget.take_element()
        super().handle_data(data)


def html_text_within(html: str, budget: Budget, *, max_chars: int) -> tuple[str, list[str]]:
    """(text, link targets) as ``html_to_text`` gives them; ``TooLarge`` past the budget."""
    if len(html) > max_chars:
        raise TooLarge(f"over {max_chars} characters of HTML")
    collector = _BudgetedCollector(budget)
    try:
        for start in range(0, len(html), _SLICE_CHARS):
            budget.check_time()
            collector.feed(html[start : start + _SLICE_CHARS])
        collector.close()
    except TooLarge:
        raise
    except Exception as exc:  # html.parser is lenient; what it read so far is the text
        log.debug("HTML attachment only partly parsed (%s)", type(exc).__name__)
    text = "".join(collector.chunks).replace("\xa0", " ")
    lines = [re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip(), collector.hrefs
