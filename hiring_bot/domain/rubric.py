"""The posting's rating rubric: an overall score, optional criteria, a recommendation."""

from __future__ import annotations

from dataclasses import dataclass

SCORE_MIN = 1
SCORE_MAX = 5


@dataclass(frozen=True)
class Criterion:
    key: str
    label: str


CRITERIA: tuple[Criterion, ...] = (
    Criterion("ml_research", "Machine-learning research"),
    Criterion("comp_neuro", "Computational neuroscience"),
    Criterion("coding", "Algorithms and coding"),
    Criterion("publications", "Publications"),
    Criterion("htm_theory", "HTM / cortical theory"),
    Criterion("communication", "Communication"),
)
CRITERIA_KEYS: frozenset[str] = frozenset(c.key for c in CRITERIA)

RECOMMENDATIONS: tuple[tuple[str, str], ...] = (
    ("strong_no", "Strong no"),
    ("no", "No"),
    ("neutral", "Neutral"),
    ("yes", "Yes"),
    ("strong_yes", "Strong yes"),
)
RECOMMENDATION_KEYS: frozenset[str] = frozenset(k for k, _ in RECOMMENDATIONS)


def parse_score(text: str) -> int | None:
    """A whole number 1-5, or None: `0`, `6`, `4.5` and `abc` are all refused."""
    stripped = text.strip()
    if not stripped.isdigit():
        return None
    value = int(stripped)
    return value if SCORE_MIN <= value <= SCORE_MAX else None
