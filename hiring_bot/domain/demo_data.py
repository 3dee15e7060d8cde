"""Fictional applications for demos and benchmarks: many rows, fast, nobody real.

Rows go in with bulk INSERTs (SQLAlchemy's insertmanyvalues, RETURNING the new ids in order), so a
hundred thousand applications with their candidates, claims, ratings and audit entries take
seconds, not the minutes that one ORM object at a time would. Names are drawn from short lists and
every address is at an `example.edu` domain (RFC 2606), so nothing here can reach a real person.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.orm import Session

from hiring_bot.db.models import (
    Application,
    AuditEntry,
    Base,
    Candidate,
    Claim,
    Review,
    Window,
    sort_key,
)
from hiring_bot.domain.demo_vocabulary import (
    AREAS,
    ELIGIBILITY,
    FIRST_NAMES,
    LAST_NAMES,
    PROGRAMS,
    STAGE_WEIGHTS,
    UNIVERSITIES,
)
from hiring_bot.domain.demo_windows import add_demo_windows
from hiring_bot.domain.rubric import CRITERIA, RECOMMENDATIONS
from hiring_bot.domain.stages import Stage

ACTOR = "seed-demo"
SOURCE = "demo"
BATCH = 5_000
DEFAULT_REVIEWERS: tuple[str, ...] = ("U0DEMOREV1", "U0DEMOREV2", "U0DEMOREV3", "U0DEMOREV4")


@dataclass
class SeedReport:
    windows_added: list[str] = field(default_factory=list)
    applications: int = 0
    claims: int = 0
    reviews: int = 0
    first_ref: int | None = None
    last_ref: int | None = None

    def summary(self) -> str:
        refs = f" (#{self.first_ref}-#{self.last_ref})" if self.first_ref is not None else ""
        added = f"; windows added: {', '.join(self.windows_added)}" if self.windows_added else ""
        return (
            f"seeded {self.applications} fictional applications{refs}, {self.claims} claims, "
            f"{self.reviews} ratings{added}"
        )


def _table(model: type[Base]) -> Table:
    return Base.metadata.tables[model.__tablename__]


def _next_ids(session: Session, model: type[Base], n: int) -> list[int]:
    """Ids for `n` new rows, given explicitly so one executemany inserts them all; Postgres's
    sequence is moved past them so later inserts do not collide."""
    table = _table(model)
    start = int(session.scalar(select(func.max(table.c.id))) or 0) + 1
    ids = list(range(start, start + n))
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT setval(pg_get_serial_sequence(:table, 'id'), :last)"),
            {"table": table.name, "last": ids[-1]},
        )
    return ids


def _weighted(rng: random.Random, pairs: Sequence[tuple[Any, int]]) -> Any:
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights, k=1)[0]


def _chunks(count: int, size: int) -> Iterator[range]:
    for start in range(0, count, size):
        yield range(start, min(count, start + size))


def seed_demo(
    session: Session,
    *,
    count: int,
    now: datetime,
    reviewers: Sequence[str] = DEFAULT_REVIEWERS,
    seed: int = 7,
    with_windows: bool = False,
    today: date | None = None,
) -> SeedReport:
    """Add `count` fictional applications spread over the windows, in the caller's transaction.

    Open windows get most of them; each has a candidate of its own (a unique example.edu
    address), a stage drawn from a realistic funnel, and — past "new" — a claim and one to three
    ratings with criteria. No cards are queued: demo data stays out of the channel.
    """
    if count < 1:
        raise ValueError("count must be at least 1")
    if now.tzinfo is None:
        raise ValueError("seed_demo needs an aware datetime")
    rng = random.Random(seed)
    report = SeedReport()
    if with_windows:
        report.windows_added = add_demo_windows(session, today=today or now.date(), now=now)
    windows = list(session.scalars(select(Window).order_by(Window.application_deadline)))
    # Tags the run so two seedings never collide on (source, source_id) or on an address.
    run = int(session.scalar(select(func.count()).select_from(Application)) or 0)
    reviewers = list(reviewers) or list(DEFAULT_REVIEWERS)

    for chunk in _chunks(count, BATCH):
        people = [(rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES), run + i + 1) for i in chunk]
        candidate_ids = _next_ids(session, Candidate, len(people))
        session.execute(
            insert(_table(Candidate)),
            [
                {
                    "id": candidate_id,
                    "name": f"{first} {last}",
                    "email": f"{first}.{last}.{n}@example.edu".lower(),
                    "created_at": now,
                }
                for candidate_id, (first, last, n) in zip(candidate_ids, people, strict=True)
            ],
        )
        rows = [
            # Core inserts skip the model's events: the name's sort key is written here.
            _application_row(rng, candidate_id, n, windows, reviewers, now)
            | {"sort_name": sort_key(f"{first} {last}")}
            for candidate_id, (first, last, n) in zip(candidate_ids, people, strict=True)
        ]
        application_ids = _next_ids(session, Application, len(rows))
        session.execute(
            insert(_table(Application)),
            [
                {"id": ref, **{k: v for k, v in row.items() if not k.startswith("_")}}
                for ref, row in zip(application_ids, rows, strict=True)
            ],
        )
        claims, reviews, audit = _review_rows(rng, application_ids, rows, reviewers)
        # Plain Core executemany: the ORM's bulk path with RETURNING runs row by row on SQLite.
        if claims:
            session.execute(insert(_table(Claim)), claims)
        if reviews:
            session.execute(insert(_table(Review)), reviews)
        session.execute(insert(_table(AuditEntry)), audit)
        report.applications += len(application_ids)
        report.claims += len(claims)
        report.reviews += len(reviews)
        report.first_ref = report.first_ref or application_ids[0]
        report.last_ref = application_ids[-1]
    return report


def _application_row(
    rng: random.Random,
    candidate_id: int,
    n: int,
    windows: Sequence[Window],
    reviewers: Sequence[str],
    now: datetime,
) -> dict[str, Any]:
    """The application's columns, plus its claim decided up front (keys starting with `_`)."""
    window = rng.choice(windows) if windows and rng.random() < 0.95 else None
    if window is not None:
        opened = datetime.combine(window.application_deadline, time(12), tzinfo=UTC)
        received = min(now, opened - timedelta(days=rng.uniform(0, 90)))
    else:
        received = now - timedelta(days=rng.uniform(0, 120))
    stage = _weighted(rng, STAGE_WEIGHTS)
    areas = sorted(set(rng.sample(AREAS, k=rng.randint(1, 3))))
    links = [f"https://github.com/demo-applicant-{n}"]
    missing = [] if rng.random() < 0.85 else [rng.choice(["resume", "period", "code link"])]
    holder = rng.choice(reviewers)
    claimed_at = min(now, received + timedelta(days=rng.uniform(0.1, 5)))
    open_claim = stage is Stage.IN_REVIEW and rng.random() < 0.7
    return {
        "_holder": holder,
        "_claimed_at": claimed_at,
        "_open_claim": open_claim,
        "candidate_id": candidate_id,
        "window_id": window.id if window is not None else None,
        "source": SOURCE,
        "source_id": f"demo-{n}",
        "message_id": None,
        "subject": "Research internship application",
        "body_text": "A fictional application made by hiring-bot seed-demo.",
        "cover_letter_text": "I would like to work on models of the neocortex (fictional).",
        "resume_text": None,
        "links": links,
        "period_text": window.name if window is not None else "sometime next year",
        "duration_text": rng.choice(["3 months", "4 months", "6 months", None]),
        "areas": areas,
        "university": rng.choice(UNIVERSITIES),
        "program": rng.choice(PROGRAMS),
        "eligibility": _weighted(rng, ELIGIBILITY),
        "eligibility_reason": "",
        "missing": missing,
        "stage": stage.value,
        # The open claim is mirrored on the application, as the review workflow keeps it.
        "claimed_by": holder if open_claim else None,
        "claimed_at": claimed_at if open_claim else None,
        "received_at": received,
        "stage_changed_at": received,
        "created_at": received,
        "updated_at": received,
    }


def _review_rows(
    rng: random.Random,
    application_ids: Sequence[int],
    rows: list[dict[str, Any]],
    reviewers: Sequence[str],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    claims: list[dict[str, Any]] = []
    reviews: list[dict[str, Any]] = []
    audit: list[dict[str, Any]] = []
    for application_id, row in zip(application_ids, rows, strict=True):
        audit.append(
            {
                "at": row["received_at"],
                "actor": ACTOR,
                "action": "application.created",
                "application_id": application_id,
                "before": None,
                "after": {"source": SOURCE, "stage": row["stage"]},
                "detail": "fictional demo data",
            }
        )
        if row["stage"] == Stage.NEW.value:
            continue
        holder, claimed_at, open_claim = row["_holder"], row["_claimed_at"], row["_open_claim"]
        claims.append(
            {
                "application_id": application_id,
                "user_id": holder,
                "claimed_at": claimed_at,
                "released_at": None if open_claim else claimed_at + timedelta(days=1),
                "released_by": None if open_claim else holder,
                "release_reason": None if open_claim else "rated",
            }
        )
        raters = rng.sample(list(reviewers), k=min(len(reviewers), rng.randint(0, 3)))
        if open_claim and holder in raters:
            raters.remove(holder)  # an open claim is one its holder has not rated yet
        for reviewer in raters:
            overall = rng.randint(1, 5)
            reviews.append(
                {
                    "application_id": application_id,
                    "reviewer_id": reviewer,
                    "overall": overall,
                    "criteria": {
                        c.key: max(1, min(5, overall + rng.randint(-1, 1)))
                        for c in CRITERIA
                        if rng.random() < 0.7
                    },
                    "recommendation": RECOMMENDATIONS[overall - 1][0],
                    "notes": "",
                    "created_at": claimed_at,
                    "updated_at": claimed_at,
                }
            )
    return claims, reviews, audit
