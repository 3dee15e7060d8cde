"""The `/intern list` filter language: words in any order -> `ListFilters`.

Stages, window names and aliases, areas, `mine` / `unclaimed` / `unrated` / `all`, eligibility and
`sort:`; a word that means nothing is refused with the closest known one. Window names resolve
through `windows.window_phrases`, the same rule `find_window` uses.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from hiring_bot.domain.areas import AREA_LABELS
from hiring_bot.domain.errors import InvalidInput, quote
from hiring_bot.domain.stages import Stage
from hiring_bot.domain.windows import name_words, window_phrases

MAX_FILTER_CHARS = 500
SORTS: tuple[str, ...] = ("received", "score", "name")
ELIGIBILITY_WORDS: dict[str, str] = {
    "eligible": "eligible",
    "ineligible": "ineligible",
    "unknown-eligibility": "unknown",
}
FLAG_WORDS: tuple[str, ...] = ("mine", "unclaimed", "unrated", "all")
# Short names people use for the posting's areas, beyond the words of the labels themselves.
AREA_SHORTHANDS: dict[str, str] = {
    "ml": "Machine learning",
    "comp-neuro": "Computational neuroscience",
    "compneuro": "Computational neuroscience",
    "neuro": "Computational neuroscience",
}


@dataclass(frozen=True)
class ListFilters:
    stages: frozenset[Stage] = frozenset()
    window_ids: frozenset[int] = frozenset()
    window_names: tuple[str, ...] = ()
    mine: bool = False
    unclaimed: bool = False
    unrated: bool = False  # not yet rated by the viewer
    areas: frozenset[str] = frozenset()
    eligibility: frozenset[str] = frozenset()
    include_closed: bool = False  # `all`: hired / rejected / withdrawn too
    sort: str = "received"

    def describe(self) -> str:
        """`shortlisted · Winter 2017/2018 · mine · sort: score`, "" when nothing was asked."""
        parts: list[str] = []
        parts += [s.label.lower() for s in sorted(self.stages, key=_stage_order)]
        parts += list(self.window_names)
        parts += [w for w in ("mine", "unclaimed") if getattr(self, w)]
        if self.unrated:
            parts.append("not rated by you")  # others may have rated them
        parts += sorted(self.areas)
        parts += sorted(
            {"eligible": "eligible", "ineligible": "ineligible"}.get(e, "eligibility unknown")
            for e in self.eligibility
        )
        if self.include_closed:
            parts.append("including closed")
        if self.sort != "received":
            parts.append(f"sort: {self.sort}")
        return " · ".join(parts)


def _stage_order(stage: Stage) -> int:
    return list(Stage).index(stage)


@dataclass(frozen=True)
class _Meaning:
    kind: str  # stage | window | area | flag | eligibility
    value: str
    label: str


@dataclass
class _Vocabulary:
    phrases: dict[tuple[str, ...], _Meaning] = field(default_factory=dict)
    longest: int = 1

    def add(self, words: Sequence[str], meaning: _Meaning) -> None:
        key = tuple(w.lower() for w in words if w)
        if key and key not in self.phrases:
            self.phrases[key] = meaning
            self.longest = max(self.longest, len(key))


def _tokens(text: str) -> list[str]:
    return list(name_words(text))


@functools.cache
def _fixed_phrases() -> tuple[_Vocabulary, _Vocabulary]:
    """The words that never change, built once: those that outrank window names, and the rest.

    The order is the precedence (the first meaning of a phrase wins): flags, eligibility and
    stages, then window names and aliases (read per command), then areas.
    """
    before = _Vocabulary()
    for word in FLAG_WORDS:
        before.add([word], _Meaning("flag", word, word))
    for word, value in ELIGIBILITY_WORDS.items():
        before.add([word], _Meaning("eligibility", value, word))
    before.add(["unknown"], _Meaning("eligibility", "unknown", "unknown-eligibility"))
    for stage in Stage:
        meaning = _Meaning("stage", stage.value, stage.value)
        before.add([stage.value], meaning)
        before.add([stage.value.replace("_", "-")], meaning)
        before.add(stage.label.split(), meaning)
    after = _Vocabulary()
    word_owner: dict[str, set[str]] = {}
    for label in AREA_LABELS:
        meaning = _Meaning("area", label, label)
        after.add(_tokens(label), meaning)
        slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
        after.add([slug], meaning)
        for word in re.split(r"[^a-z0-9]+", label.lower()):
            if len(word) >= 3:
                word_owner.setdefault(word, set()).add(label)
    # A word that belongs to one area only ("neuroscience", "cortex") names that area.
    for word, owners in word_owner.items():
        if len(owners) == 1:
            (label,) = owners
            after.add([word], _Meaning("area", label, label))
    for word, label in AREA_SHORTHANDS.items():
        after.add([word], _Meaning("area", label, label))
    return before, after


def _vocabulary(session: Session) -> _Vocabulary:
    before, after = _fixed_phrases()
    vocab = _Vocabulary(dict(before.phrases), before.longest)
    for words, window in window_phrases(session):
        vocab.add(words, _Meaning("window", str(window.id), window.name))
    for key, meaning in after.phrases.items():
        vocab.add(key, meaning)
    return vocab


def parse_filters(session: Session, text: str) -> ListFilters:
    """Words in any order → filters; an unknown word is refused with the closest known one."""
    if len(text) > MAX_FILTER_CHARS:
        raise InvalidInput(
            f"That filter is {len(text)} characters long; keep it under {MAX_FILTER_CHARS}."
        )
    tokens = _tokens(text)
    if not tokens:  # plain `/intern list`: no words to look up, no windows to read
        return ListFilters()
    vocab = _vocabulary(session)
    stages: set[Stage] = set()
    windows: dict[int, str] = {}
    areas: set[str] = set()
    eligibility: set[str] = set()
    flags: set[str] = set()
    sort = "received"
    i = 0
    while i < len(tokens):
        word = tokens[i]
        if word.startswith(("sort:", "sort=")) or word == "sort":
            if word == "sort":
                value = tokens[i + 1] if i + 1 < len(tokens) else ""
                i += 1
            else:
                value = word[5:]
            if value not in SORTS:
                raise InvalidInput(
                    f"Sort by one of {', '.join(f'`sort:{s}`' for s in SORTS)}, not {quote(value)}."
                )
            sort = value
            i += 1
            continue
        meaning, length = _longest_match(vocab, tokens, i)
        if meaning is None:
            raise InvalidInput(_unknown_word(word, vocab))
        if meaning.kind == "stage":
            stages.add(Stage(meaning.value))
        elif meaning.kind == "window":
            windows[int(meaning.value)] = meaning.label
        elif meaning.kind == "area":
            areas.add(meaning.value)
        elif meaning.kind == "eligibility":
            eligibility.add(meaning.value)
        else:
            flags.add(meaning.value)
        i += length
    return ListFilters(
        stages=frozenset(stages),
        window_ids=frozenset(windows),
        window_names=tuple(windows[k] for k in sorted(windows)),
        mine="mine" in flags,
        unclaimed="unclaimed" in flags,
        unrated="unrated" in flags,
        areas=frozenset(areas),
        eligibility=frozenset(eligibility),
        include_closed="all" in flags,
        sort=sort,
    )


def _longest_match(
    vocab: _Vocabulary, tokens: Sequence[str], start: int
) -> tuple[_Meaning | None, int]:
    for length in range(min(vocab.longest, len(tokens) - start), 0, -1):
        meaning = vocab.phrases.get(tuple(tokens[start : start + length]))
        if meaning is not None:
            return meaning, length
    return None, 1


def _unknown_word(token: str, vocab: _Vocabulary) -> str:
    known = sorted(
        {" ".join(k) for k in vocab.phrases if len(k) == 1} | {f"sort:{s}" for s in SORTS}
    )
    # "fall" for the window "Fall 2027": the phrase it starts beats a look-alike word ("all").
    starts = sorted(" ".join(k) for k in vocab.phrases if len(k) > 1 and k[0] == token)
    close = starts or difflib.get_close_matches(token, known, n=1, cutoff=0.6)
    hint = f" Did you mean `{close[0]}`?" if close else ""
    return (
        f"I don't know the filter {quote(token)}.{hint} Filters: a stage, a window name, "
        "`mine`, `unclaimed`, `unrated`, an area, `eligible` / `ineligible` / "
        "`unknown-eligibility`, `sort:received|score|name`, `all`."
    )
