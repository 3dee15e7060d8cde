"""Quick versions of issue 9's races (2- and 10-way), on SQLite and Postgres, in `make test`.

Real threads, each with its own session and connection, released together by a barrier.
"""

from __future__ import annotations

from hiring_bot.bootstrap import Deps
from tests.reliability.scenarios import claim_race, parallel_first_ratings, purge_vs_rate


def test_two_claimers_one_winner_every_time(deps: Deps) -> None:
    trials = [claim_race(deps, 2) for _ in range(10)]
    problems = [(n, p) for n, t in enumerate(trials) if (p := t.problems())]
    assert not problems, problems


def test_ten_claimers_one_winner(deps: Deps) -> None:
    trials = [claim_race(deps, 10) for _ in range(3)]
    assert [t.winners for t in trials] == [1, 1, 1]
    problems = [p for t in trials if (p := t.problems())]
    assert not problems, problems


def test_ratings_racing_a_purge_leave_no_notes(deps: Deps) -> None:
    trials = [purge_vs_rate(deps, raters=3) for _ in range(5)]
    problems = [(n, p) for n, t in enumerate(trials) if (p := t.problems())]
    assert not problems, problems


def test_parallel_first_ratings_by_one_reviewer_answer_updated(deps: Deps) -> None:
    trials = [parallel_first_ratings(deps, 6) for _ in range(3)]
    problems = [(n, p) for n, t in enumerate(trials) if (p := t.problems())]
    assert not problems, problems
