"""The posting's research areas: the canonical labels (the vocabulary `/intern list` filters on)
and finding them in an applicant's text."""

from __future__ import annotations

import re

__all__ = ["AREA_LABELS", "find_areas"]

MAX_SCAN_CHARS = 400_000


def _words(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


# Canonical label -> patterns meaning it; labels come back in this order. Acronyms (HTM, ML) must
# be upper case, everything else is matched case-insensitively.
_AREA_PATTERNS: dict[str, tuple[re.Pattern[str], ...]] = {
    "Sequence learning": (
        _words(
            r"\bsequence[\s-]+(?:learning|memory|memories|prediction|modell?ing)\b"
            r"|\btemporal\s+sequences?\b|\bsequential\s+learning\b"
        ),
    ),
    "Sensorimotor inference": (_words(r"\bsensori[\s-]?motor|\bsensory[\s-]motor"),),
    "Neuron/dendrite modeling": (
        _words(
            r"\bdendrit|\bneuron[\s-]+model|\bsingle[\s-]+neuron|\bpyramidal\s+(?:neuron|cell)"
            r"|\bspiking\s+neuron|\bneuron\s*/\s*dendrite|\bcompartment(?:al)?\s+model"
        ),
    ),
    "Goal-oriented behavior": (_words(r"\bgoal[\s-]+(?:oriented|directed|driven)"),),
    "Models of cortex": (_words(r"\bneocort|\bcortical\b|\bcortex\b"),),
    "HTM": (
        re.compile(r"\bHTM\b"),
        _words(r"\bhierarchical\s+temporal\s+memory\b|\bnupic\b|\bthousand\s+brains\b"),
    ),
    "Machine learning": (
        re.compile(r"\bML\b"),
        _words(
            r"\bmachine[\s-]+learning\b|\bdeep[\s-]+learning\b|\bneural\s+net(?:work)?s?\b"
            r"|\breinforcement\s+learning\b"
        ),
    ),
    "Computational neuroscience": (
        _words(
            r"\bcomputational\s+neuro|\btheoretical\s+neuro|\bneural\s+computation\b"
            r"|\bneuroscience\b"
        ),
    ),
}
AREA_LABELS: tuple[str, ...] = tuple(_AREA_PATTERNS)


def find_areas(text: str) -> list[str]:
    """Canonical labels of the posting's research areas named in ``text``, in AREA_LABELS order."""
    text = text[:MAX_SCAN_CHARS]
    return [
        label
        for label, patterns in _AREA_PATTERNS.items()
        if any(pattern.search(text) for pattern in patterns)
    ]
