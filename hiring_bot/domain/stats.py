"""Review statistics: the funnel by stage, reviewer load, leniency and disagreements."""

from __future__ import annotations

from dataclasses import dataclass
from statistics import fmean

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from hiring_bot.db.models import Application, Review, Window
from hiring_bot.domain.redaction import shown_name
from hiring_bot.domain.stages import PIPELINE, Stage

DISAGREEMENT_POINTS = 2
# Fewer ratings than this and a reviewer's difference from the team says more about the few
# applications they happened to rate than about how lenient they are: no delta is given.
MIN_RATINGS_FOR_LENIENCY = 3


@dataclass(frozen=True)
class ReviewerLoad:
    user_id: str
    claimed: int
    rated: int


@dataclass(frozen=True)
class Leniency:
    user_id: str
    mean: float
    delta: float | None  # mean minus the team mean; None: fewer than MIN_RATINGS_FOR_LENIENCY
    count: int


@dataclass(frozen=True)
class Disagreement:
    ref: int
    name: str
    min_score: int
    max_score: int


@dataclass(frozen=True)
class Stats:
    """What `/intern stats` shows (rendered by `hiring_bot.slack.blocks.stats`)."""

    window_name: str | None  # None: all windows
    funnel: tuple[tuple[Stage, int], ...]
    reviewer_load: tuple[ReviewerLoad, ...] = ()
    leniency: tuple[Leniency, ...] = ()
    team_mean: float | None = None
    team_count: int = 0  # the ratings the team mean is made of
    disagreements: tuple[Disagreement, ...] = ()
    # True when team mean, leniency and disagreements count only what the viewer has rated.
    scores_limited: bool = False


def review_stats(session: Session, *, window_id: int | None, viewer: str, is_admin: bool) -> Stats:
    """Funnel by stage, reviewer load, leniency vs the team mean, disagreements of 2+ points.

    Disagreements, the team mean and leniency are made of scores, so a reviewer's figures count
    only applications they rated: a colleague's mean over one rating is that rating, and showing
    it would break independent rating.
    """
    scope = select(Application.id)
    if window_id is not None:
        scope = scope.where(Application.window_id == window_id)
    ids = scope.scalar_subquery()

    counts = dict(
        session.execute(
            select(Application.stage, func.count())
            .where(Application.id.in_(ids))
            .group_by(Application.stage)
        ).all()
    )
    order = [*PIPELINE, Stage.REJECTED, Stage.WITHDRAWN]
    funnel = tuple((s, int(counts.get(s.value, 0))) for s in order)

    claimed: dict[str, int] = {
        str(holder): int(count)
        for holder, count in session.execute(
            select(Application.claimed_by, func.count())
            .where(Application.id.in_(ids), Application.claimed_by.is_not(None))
            .group_by(Application.claimed_by)
        ).all()
    }
    reviews = list(
        session.scalars(
            select(Review)
            .where(Review.application_id.in_(ids))
            .options(selectinload(Review.application).selectinload(Application.candidate))
        )
    )
    rated_count: dict[str, int] = {}
    for review in reviews:
        rated_count[review.reviewer_id] = rated_count.get(review.reviewer_id, 0) + 1
    people = sorted(set(claimed) | set(rated_count))
    load = tuple(ReviewerLoad(u, int(claimed.get(u, 0)), rated_count.get(u, 0)) for u in people)

    if not is_admin:
        mine = {r.application_id for r in reviews if r.reviewer_id == viewer}
        reviews = [r for r in reviews if r.application_id in mine]
    by_reviewer: dict[str, list[int]] = {}
    by_application: dict[int, list[Review]] = {}
    for review in reviews:
        by_reviewer.setdefault(review.reviewer_id, []).append(review.overall)
        by_application.setdefault(review.application_id, []).append(review)
    team_mean = fmean([r.overall for r in reviews]) if reviews else None
    leniency: tuple[Leniency, ...] = ()
    if team_mean is not None:
        leniency = tuple(
            sorted(
                (_leniency(u, scores, team_mean) for u, scores in by_reviewer.items()),
                # Most lenient first; those with too few ratings after, most ratings first.
                key=lambda x: (x.delta is None, -(x.delta or 0.0), -x.count, x.user_id),
            )
        )
    disagreements = []
    for app_id, app_reviews in sorted(by_application.items()):
        scores = [r.overall for r in app_reviews]
        if len(scores) < 2 or max(scores) - min(scores) < DISAGREEMENT_POINTS:
            continue
        application = app_reviews[0].application
        disagreements.append(
            Disagreement(app_id, shown_name(application), min(scores), max(scores))
        )
    window = session.get(Window, window_id) if window_id is not None else None
    return Stats(
        window_name=window.name if window is not None else None,
        funnel=funnel,
        reviewer_load=load,
        leniency=leniency,
        team_mean=team_mean,
        team_count=len(reviews),
        disagreements=tuple(disagreements),
        scores_limited=not is_admin,
    )


def _leniency(user_id: str, scores: list[int], team_mean: float) -> Leniency:
    mean = fmean(scores)
    enough = len(scores) >= MIN_RATINGS_FOR_LENIENCY
    return Leniency(user_id, mean, mean - team_mean if enough else None, len(scores))
