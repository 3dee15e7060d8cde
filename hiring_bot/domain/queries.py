"""Read-side queries: `/intern list` filters and paging, App Home lists, windows.

Filters are words in any order; `parse_filters` turns them into `ListFilters` (or refuses an
unknown word with the closest known one), `list_applications` runs them for one viewer.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Exists, Select, exists, func, select
from sqlalchemy.orm import Session, selectinload

from hiring_bot.db.models import Application, Candidate, Recusal, Review, Window
from hiring_bot.domain.areas import AREA_LABELS
from hiring_bot.domain.errors import InvalidInput, quote
from hiring_bot.domain.reviews import visible_average
from hiring_bot.domain.stages import OPEN, Stage

PAGE_SIZE = 10
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
_STRIP = "\"'“”‘’,;"


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
    return [t.strip(_STRIP).lower() for t in text.split() if t.strip(_STRIP)]


def _vocabulary(session: Session) -> _Vocabulary:
    vocab = _Vocabulary()
    for word in FLAG_WORDS:
        vocab.add([word], _Meaning("flag", word, word))
    for word, value in ELIGIBILITY_WORDS.items():
        vocab.add([word], _Meaning("eligibility", value, word))
    vocab.add(["unknown"], _Meaning("eligibility", "unknown", "unknown-eligibility"))
    for stage in Stage:
        meaning = _Meaning("stage", stage.value, stage.value)
        vocab.add([stage.value], meaning)
        vocab.add([stage.value.replace("_", "-")], meaning)
        vocab.add(stage.label.split(), meaning)
    for window in session.scalars(select(Window).order_by(Window.application_deadline)):
        meaning = _Meaning("window", str(window.id), window.name)
        for name in [window.name, *(window.aliases or [])]:
            vocab.add(_tokens(name), meaning)
    word_owner: dict[str, set[str]] = {}
    for label in AREA_LABELS:
        meaning = _Meaning("area", label, label)
        vocab.add(_tokens(label), meaning)
        slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
        vocab.add([slug], meaning)
        for word in re.split(r"[^a-z0-9]+", label.lower()):
            if len(word) >= 3:
                word_owner.setdefault(word, set()).add(label)
    # A word that belongs to one area only ("neuroscience", "cortex") names that area.
    for word, owners in word_owner.items():
        if len(owners) == 1:
            (label,) = owners
            vocab.add([word], _Meaning("area", label, label))
    for word, label in AREA_SHORTHANDS.items():
        vocab.add([word], _Meaning("area", label, label))
    return vocab


def parse_filters(session: Session, text: str) -> ListFilters:
    """Words in any order → filters; an unknown word is refused with the closest known one."""
    if len(text) > MAX_FILTER_CHARS:
        raise InvalidInput(
            f"That filter is {len(text)} characters long; keep it under {MAX_FILTER_CHARS}."
        )
    tokens = _tokens(text)
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


@dataclass(frozen=True)
class ListResult:
    rows: tuple[Application, ...]
    total: int
    page: int  # 0-based, clamped to the last page
    page_size: int


def _with_relations() -> list[Any]:
    return [
        selectinload(Application.reviews),
        selectinload(Application.candidate),
        selectinload(Application.window),
    ]


def list_applications(
    session: Session,
    *,
    filters: ListFilters,
    viewer: str,
    is_admin: bool,
    quorum: int,
    page: int = 0,
    page_size: int = PAGE_SIZE,
) -> ListResult:
    stmt = select(Application).options(*_with_relations())
    if filters.stages:
        stmt = stmt.where(Application.stage.in_([s.value for s in filters.stages]))
    elif not filters.include_closed:
        stmt = stmt.where(Application.stage.in_([s.value for s in OPEN]))
    if filters.window_ids:
        stmt = stmt.where(Application.window_id.in_(filters.window_ids))
    if filters.mine:
        stmt = stmt.where(Application.claimed_by == viewer)
    if filters.unclaimed:
        stmt = stmt.where(Application.claimed_by.is_(None))
    if filters.eligibility:
        stmt = stmt.where(Application.eligibility.in_(filters.eligibility))
    if filters.unrated:
        stmt = stmt.where(~_rated_by(viewer))
    if not filters.areas and filters.sort != "score":
        return _paged_in_sql(session, stmt, sort=filters.sort, page=page, page_size=page_size)
    # Areas live in a JSON list and score order depends on what this viewer may see: both are
    # decided in Python, over the rows the SQL filters left.
    rows = list(session.scalars(stmt))
    if filters.areas:
        rows = [r for r in rows if filters.areas & set(r.areas or [])]
    rows = _sorted(rows, filters.sort, viewer=viewer, is_admin=is_admin, quorum=quorum)
    total = len(rows)
    last_page = max(0, (total - 1) // page_size)
    page = min(max(0, page), last_page)
    start = page * page_size
    return ListResult(tuple(rows[start : start + page_size]), total, page, page_size)


def _paged_in_sql(
    session: Session, stmt: Select[Application], *, sort: str, page: int, page_size: int
) -> ListResult:
    """Count, order and page in the database, so a long list costs one page of rows."""
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    last_page = max(0, (total - 1) // page_size)
    page = min(max(0, page), last_page)
    if sort == "name":
        stmt = stmt.join(Candidate, Candidate.id == Application.candidate_id).order_by(
            func.lower(Candidate.name), Application.received_at, Application.id
        )
    else:
        stmt = stmt.order_by(Application.received_at, Application.id)
    rows = session.scalars(stmt.offset(page * page_size).limit(page_size))
    return ListResult(tuple(rows), total, page, page_size)


def _rated_by(user_id: str) -> Exists:
    return exists().where(Review.application_id == Application.id, Review.reviewer_id == user_id)


def _sorted(
    rows: list[Application], sort: str, *, viewer: str, is_admin: bool, quorum: int
) -> list[Application]:
    received = sorted(rows, key=lambda a: (a.received_at, a.id))
    if sort == "name":
        return sorted(received, key=lambda a: a.candidate.name.casefold())
    if sort == "score":
        # Only averages the viewer may see take part, so the order leaks no hidden score.
        def key(a: Application) -> tuple[bool, float]:
            avg = visible_average(a.reviews, quorum=quorum, viewer=viewer, is_admin=is_admin)
            return (avg is None, -(avg or 0.0))

        return sorted(received, key=key)
    return received


# --- App Home ------------------------------------------------------------------------------------


def awaiting_rating(session: Session, *, user_id: str) -> list[Application]:
    """Open applications the user holds and has not rated, longest-held first."""
    stmt = (
        select(Application)
        .options(*_with_relations())
        .where(
            Application.claimed_by == user_id,
            Application.stage.in_([s.value for s in OPEN]),
            ~_rated_by(user_id),
        )
        .order_by(Application.claimed_at, Application.id)
    )
    return list(session.scalars(stmt))


def unclaimed_queue(session: Session, *, user_id: str, limit: int = 50) -> list[Application]:
    """Open, unclaimed applications the user has not recused from, oldest first."""
    recused = exists().where(Recusal.application_id == Application.id, Recusal.user_id == user_id)
    stmt = (
        select(Application)
        .options(*_with_relations())
        .where(
            Application.claimed_by.is_(None),
            Application.stage.in_([s.value for s in OPEN]),
            Application.anonymised_at.is_(None),  # nothing left to review
            ~recused,
        )
        .order_by(Application.received_at, Application.id)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def recent_ratings(session: Session, *, user_id: str, limit: int = 20) -> list[Review]:
    stmt = (
        select(Review)
        .options(selectinload(Review.application).selectinload(Application.candidate))
        .where(Review.reviewer_id == user_id)
        .order_by(Review.updated_at.desc(), Review.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


# --- windows -------------------------------------------------------------------------------------


def windows(session: Session, *, open_at: datetime | None = None) -> list[Window]:
    """Every window, by application deadline; only those not closed at `open_at` when given."""
    found = session.scalars(select(Window).order_by(Window.application_deadline, Window.name))
    return [w for w in found if open_at is None or w.closed_at is None or w.closed_at > open_at]


def find_window(session: Session, name: str) -> Window | None:
    """A window by its name or an alias, any case and spacing."""
    wanted = " ".join(_tokens(name))
    if not wanted:
        return None
    for window in windows(session):
        names: Iterable[str] = [window.name, *(window.aliases or [])]
        if any(" ".join(_tokens(n)) == wanted for n in names):
            return window
    return None


@dataclass(frozen=True)
class Deadline:
    window: Window
    label: str
    day: date
    days_left: int


def upcoming_deadlines(
    session: Session, *, today: date, now: datetime, limit: int = 20
) -> list[Deadline]:
    """Application and decision deadlines of windows open at `now`, from today on, soonest first."""
    found: list[Deadline] = []
    for window in windows(session, open_at=now):
        for label, day in (
            ("Application deadline", window.application_deadline),
            ("Decision deadline", window.decision_deadline),
        ):
            if day >= today:
                found.append(Deadline(window, label, day, (day - today).days))
    found.sort(key=lambda d: (d.day, d.window.name))
    return found[:limit]


def other_application_ids(session: Session, *, application: Application) -> list[int]:
    """The same candidate's other applications (other windows, earlier tries)."""
    return list(
        session.scalars(
            select(Application.id)
            .where(
                Application.candidate_id == application.candidate_id,
                Application.id != application.id,
            )
            .order_by(Application.id)
        )
    )


__all__ = [
    "PAGE_SIZE",
    "Deadline",
    "ListFilters",
    "ListResult",
    "awaiting_rating",
    "find_window",
    "list_applications",
    "other_application_ids",
    "parse_filters",
    "recent_ratings",
    "unclaimed_queue",
    "upcoming_deadlines",
    "windows",
]
