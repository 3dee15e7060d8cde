"""Application stages and the moves allowed between them."""

from __future__ import annotations

from enum import StrEnum


class Stage(StrEnum):
    NEW = "new"
    IN_REVIEW = "in_review"
    SHORTLISTED = "shortlisted"
    INTERVIEWING = "interviewing"
    OFFER = "offer"
    HIRED = "hired"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


# The pipeline moves forward one step at a time; rejected / withdrawn end it from any open stage.
PIPELINE: tuple[Stage, ...] = (
    Stage.NEW,
    Stage.IN_REVIEW,
    Stage.SHORTLISTED,
    Stage.INTERVIEWING,
    Stage.OFFER,
    Stage.HIRED,
)
CLOSED: frozenset[Stage] = frozenset({Stage.HIRED, Stage.REJECTED, Stage.WITHDRAWN})
OPEN: frozenset[Stage] = frozenset(Stage) - CLOSED


def allowed_moves(current: Stage) -> tuple[Stage, ...]:
    """Stages reachable from `current`, in pipeline order."""
    if current in CLOSED:
        return ()
    moves: list[Stage] = []
    index = PIPELINE.index(current)
    if index + 1 < len(PIPELINE):
        moves.append(PIPELINE[index + 1])
    moves.extend([Stage.REJECTED, Stage.WITHDRAWN])
    return tuple(moves)


def parse_stage(text: str) -> Stage | None:
    """Accepts `in_review`, `in-review`, `In Review`; None when it names no stage."""
    key = text.strip().lower().replace("-", "_").replace(" ", "_")
    try:
        return Stage(key)
    except ValueError:
        return None
