"""Issue 9's races at full size (`make faults`), on SQLite and Postgres: 50 claimers at once
(domain threads and signed HTTP requests), 2-claimer races repeated, purges racing ratings,
parallel first ratings. Each asserts the counts, per trial."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from hiring_bot.bootstrap import Deps
from tests.conftest import HIRING_CHANNEL
from tests.reliability.races import Outcome
from tests.reliability.scenarios import (
    claim_counts,
    claim_race,
    parallel_first_ratings,
    purge_vs_rate,
    reviewer,
)
from tests.slack.review_harness import Harness, ack_answer, harness

__all__ = ["harness"]

pytestmark = pytest.mark.slow


def test_fifty_claimers_one_winner(deps: Deps) -> None:
    trials = [claim_race(deps, 50) for _ in range(5)]
    assert [t.winners for t in trials] == [1] * 5
    problems = [(n, p) for n, t in enumerate(trials) if (p := t.problems())]
    assert not problems, problems


def test_two_claimers_thirty_trials(deps: Deps) -> None:
    trials = [claim_race(deps, 2) for _ in range(30)]
    assert [t.winners for t in trials] == [1] * 30


def test_purge_racing_ratings_twenty_trials(deps: Deps) -> None:
    trials = [purge_vs_rate(deps, raters=5) for _ in range(20)]
    problems = [(n, p) for n, t in enumerate(trials) if (p := t.problems())]
    assert not problems, problems


def test_parallel_first_ratings_twenty_trials(deps: Deps) -> None:
    trials = [parallel_first_ratings(deps, 10) for _ in range(20)]
    problems = [(n, p) for n, t in enumerate(trials) if (p := t.problems())]
    assert not problems, problems


def test_fifty_claimers_over_http(harness: Harness) -> None:
    """50 reviewers send `/intern claim` at once, signed, to the real WSGI app: one claims it,
    49 are told who holds it, one open claim row, one audit entry."""
    people = [reviewer(i) for i in range(50)]
    harness.fake.channel_members[HIRING_CHANNEL] = [
        *harness.fake.channel_members[HIRING_CHANNEL],
        *people,
    ]
    ref = harness.application("Ada Lovelace")
    before = len(harness.fake.responses)
    barrier = threading.Barrier(len(people))
    acks: list[int] = []
    in_acks: list[dict[str, Any]] = []

    def send(user: str) -> None:
        barrier.wait()
        response = harness.command_ack(f"claim {ref}", user=user)
        acks.append(response.status)
        answer = ack_answer(response)
        if answer is not None:
            in_acks.append(answer)

    threads = [threading.Thread(target=send, args=(user,)) for user in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert acks == [200] * len(people)
    # Each answer is in its ack (or, failing that, on the response_url): one per claimer.
    posted = len(people) - len(in_acks)
    answers = [*in_acks, *harness.fake.wait_for_response(before + posted, timeout=60)[before:]]
    assert len(answers) == len(people)
    outcomes = [
        Outcome("ok" if "You claimed" in a["text"] else "refused", a["text"]) for a in answers
    ]
    result = claim_counts(harness.deps, ref, outcomes)
    assert result.winners == 1, [a["text"] for a in answers if "You claimed" in a["text"]]
    assert not result.problems(), result.problems()
