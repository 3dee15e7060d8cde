"""seed-demo: fictional data that looks like a hiring round and keeps the workflow's invariants."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from hiring_bot.cli import main as cli_main
from hiring_bot.db.engine import session_scope
from hiring_bot.db.models import Application, Candidate, Claim, OutboxMessage, Review, Window
from hiring_bot.domain.demo_data import seed_demo
from hiring_bot.domain.stages import Stage
from tests.db import TestDatabase

NOW = datetime(2026, 12, 3, 17, 0, tzinfo=UTC)
REVIEWERS = ("U0ALICE", "U0BOB", "U0CAROL")


def _seed(db: TestDatabase, count: int, **kwargs: object) -> None:
    with session_scope(sessionmaker(db.engine)) as session:
        seed_demo(session, count=count, now=NOW, reviewers=REVIEWERS, **kwargs)  # type: ignore[arg-type]


def test_seeded_round_keeps_the_review_invariants(db: TestDatabase) -> None:
    _seed(db, 600, with_windows=True)
    with Session(db.engine) as session:
        assert session.scalar(select(func.count()).select_from(Application)) == 600
        assert session.scalar(select(func.count()).select_from(Candidate)) == 600
        names = set(session.scalars(select(Window.name)))
        assert {"Demo open window 2026", "Demo upcoming window 2027"} <= names
        emails = list(session.scalars(select(Candidate.email)))
        assert all(e.endswith("@example.edu") for e in emails)
        stages = set(session.scalars(select(Application.stage)))
        assert {Stage.NEW.value, Stage.IN_REVIEW.value, Stage.REJECTED.value} <= stages
        # Every application showing a holder has exactly that open claim, unrated by its holder.
        held = session.execute(
            select(Application.id, Application.claimed_by).where(
                Application.claimed_by.is_not(None)
            )
        ).all()
        assert held
        for ref, holder in held:
            open_claims = list(
                session.scalars(
                    select(Claim.user_id).where(
                        Claim.application_id == ref, Claim.released_at.is_(None)
                    )
                )
            )
            assert open_claims == [holder]
            assert (
                session.scalar(
                    select(Review.id).where(
                        Review.application_id == ref, Review.reviewer_id == holder
                    )
                )
                is None
            )
        # New applications carry no claims or ratings; scores stay on the 1-5 scale.
        assert (
            session.scalar(
                select(func.count())
                .select_from(Review)
                .join(Application, Application.id == Review.application_id)
                .where(Application.stage == Stage.NEW.value)
            )
            == 0
        )
        assert set(session.scalars(select(Review.overall))) <= {1, 2, 3, 4, 5}
        # Demo data stays out of the channel.
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_seeding_twice_adds_more_and_later_rows_get_fresh_ids(db: TestDatabase) -> None:
    _seed(db, 50)
    _seed(db, 50, seed=8)
    with session_scope(sessionmaker(db.engine)) as session:
        assert session.scalar(select(func.count()).select_from(Application)) == 100
        # The next ordinary insert must not collide with the explicit ids (Postgres sequences).
        person = Candidate(email="later@example.edu", name="Later Person", created_at=NOW)
        session.add(person)
        session.flush()
        assert person.id == 101


def test_the_command_seeds_and_refuses_a_bad_count(
    db: TestDatabase, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", db.url)
    monkeypatch.setenv("DOTENV_PATH", "/nonexistent/.env")
    assert cli_main(["seed-demo", "--count", "25", "--windows", "upcoming"]) == 0
    assert "seeded 25 fictional applications" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exit_:
        cli_main(["seed-demo", "--count", "0"])
    assert exit_.value.code == 2
    assert "is not a count between 1" in capsys.readouterr().err
