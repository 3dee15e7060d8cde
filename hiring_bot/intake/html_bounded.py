"""``html_to_text`` for an attachment, within a ``Budget``: fed in slices, charged per tag and text.

html.parser is pure Python and slow on tag soup (8 MB of ``<p>A</p>`` takes about 15 s), so an
HTML resume is parsed a slice at a time and stops when its elements or its time run out.
"""

from __future__ import annotations

import logging
import re

from hiring_bot.intake.bounded import Budget, TooLarge
from hiring_bot.intake.html_text import _TextCollector

__all__ = ["html_text_prefix", "html_text_within"]

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
    _feed(collector, html, budget)
    return _text_of(collector)


def html_text_prefix(html: str, budget: Budget) -> tuple[str, list[str], TooLarge | None]:
    """(text, link targets, why it stopped): the text of as much of `html` as the budget reads.

    For an e-mail body, where the start of the letter is worth keeping even when the rest is
    a bomb; the third item is None when the whole body was read.
    """
    collector = _BudgetedCollector(budget)
    stopped: TooLarge | None = None
    try:
        _feed(collector, html, budget)
    except TooLarge as exc:
        stopped = exc
    text, hrefs = _text_of(collector)
    return text, hrefs, stopped


def _feed(collector: _BudgetedCollector, html: str, budget: Budget) -> None:
    try:
        for start in range(0, len(html), _SLICE_CHARS):
            budget.check_time()
            collector.feed(html[start : start + _SLICE_CHARS])
        collector.close()
    except TooLarge:
        raise
    except Exception as exc:  # html.parser is lenient; what it read so far is the text
        log.debug("HTML only partly parsed (%s)", type(exc).__name__)


def _text_of(collector: _BudgetedCollector) -> tuple[str, list[str]]:
    text = "".join(collector.chunks).replace("\xa0", " ")
    lines = [re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip(), collector.hrefs
