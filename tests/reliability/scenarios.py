"""The race scenarios of issue 9, shared by the quick tests and the slow fault suite.

Each returns what it measured, so a test can assert on it and a failure names the numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from hiring_bot.bootstrap import Deps
from hiring_bot.db.engine import session_scope
from hiring_bot.db.models import Application, AuditEntry, Claim, Review
from hiring_bot.domain import claims, reviews
from hiring_bot.scheduler.retention import purge
from tests.reliability.races import Outcome, kinds, race
from tests.slack.review_factories import add_application


def reviewer(i: int) -> str:
    return f"U0RACER{i:03d}"


def new_application(deps: Deps) -> int:
    with session_scope(deps.sessions) as session:
        return add_application(session, "Ada Lovelace")


@dataclass(frozen=True)
class ClaimRace:
    outcomes: list[Outcome]
    open_claims: int
    claim_audits: int
    holder: str | None

    @property
    def winners(self) -> int:
        return sum(1 for o in self.outcomes if o.kind == "ok")

    def problems(self) -> list[str]:
        """Everything that breaks "one winner, everyone else told who holds it"."""
        found = []
        if self.winners != 1:
            found.append(f"{self.winners} winners")
        if self.open_claims != 1:
            found.append(f"{self.open_claims} open claim rows")
        if self.claim_audits != 1:
            found.append(f"{self.claim_audits} claim audit entries")
        told = f"already claimed by <@{self.holder}>"
        losers = [o for o in self.outcomes if o.kind != "ok"]
        wrong = [o.text for o in losers if o.kind != "refused" or told not in o.text]
        if wrong:
            found.append(f"{len(wrong)} losers not told the holder, e.g. {wrong[0]!r}")
        return found


def claim_race(deps: Deps, count: int) -> ClaimRace:
    ref = new_application(deps)
    now = deps.clock.now()

    def work(i: int) -> str:
        with session_scope(deps.sessions) as session:
            return claims.claim(session, ref=ref, actor=reviewer(i), now=now).message

    outcomes = race(count, work)
    return claim_counts(deps, ref, outcomes)


def claim_counts(deps: Deps, ref: int, outcomes: list[Outcome]) -> ClaimRace:
    with deps.sessions() as session:
        open_claims = session.scalar(
            select(func.count())
            .select_from(Claim)
            .where(Claim.application_id == ref, Claim.released_at.is_(None))
        )
        audits = session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.application_id == ref, AuditEntry.action == "claim")
        )
        holder = session.scalar(select(Application.claimed_by).where(Application.id == ref))
    return ClaimRace(outcomes, int(open_claims or 0), int(audits or 0), holder)


def rate(deps: Deps, ref: int, actor: str, notes: str = "Strong HTM background") -> str:
    values = reviews.RatingInput(overall=4, notes=notes)
    with session_scope(deps.sessions) as session:
        return reviews.rate(
            session, ref=ref, actor=actor, values=values, now=deps.clock.now(), quorum=2
        ).message


@dataclass(frozen=True)
class PurgeRace:
    outcomes: list[Outcome]
    anonymised: bool
    reviews_with_notes: int

    def problems(self) -> list[str]:
        found = []
        if not self.anonymised:
            found.append("the purge did not anonymise the application")
        if self.reviews_with_notes:
            found.append(f"{self.reviews_with_notes} reviews kept notes after the purge")
        errors = [o.text for o in self.outcomes if o.kind == "error"]
        if errors:
            found.append(f"{len(errors)} errors, e.g. {errors[0]!r}")
        return found


def purge_vs_rate(deps: Deps, raters: int) -> PurgeRace:
    """One purge of an application racing `raters` reviewers rating it with notes."""
    ref = new_application(deps)

    def work(i: int) -> str:
        if i == 0:
            report = purge(deps, refs=[ref])
            if report.failed:
                raise RuntimeError(" ".join(report.lines))
            return " ".join(report.lines)
        return rate(deps, ref, reviewer(i))

    outcomes = race(raters + 1, work)
    with deps.sessions() as session:
        anonymised = session.scalar(select(Application.anonymised_at).where(Application.id == ref))
        noted = session.scalar(
            select(func.count())
            .select_from(Review)
            .where(Review.application_id == ref, Review.notes != "")
        )
    return PurgeRace(outcomes, anonymised is not None, int(noted or 0))


@dataclass(frozen=True)
class FirstRatings:
    outcomes: list[Outcome]
    reviews: int

    def problems(self) -> list[str]:
        found = []
        if self.reviews != 1:
            found.append(f"{self.reviews} reviews")
        counted = kinds(self.outcomes)
        if counted.get("ok", 0) != len(self.outcomes):
            bad = [o.text for o in self.outcomes if o.kind != "ok"]
            found.append(f"{len(bad)} of {len(self.outcomes)} failed, e.g. {bad[0]!r}")
        saved = [o for o in self.outcomes if o.text.startswith("Saved")]
        updated = [o for o in self.outcomes if o.text.startswith("Updated")]
        if len(saved) != 1 or len(updated) != len(self.outcomes) - 1:
            found.append(f"{len(saved)} answered Saved and {len(updated)} Updated")
        return found


def parallel_first_ratings(deps: Deps, count: int) -> FirstRatings:
    """One reviewer's first rating of an application sent `count` times at once."""
    ref = new_application(deps)
    outcomes = race(count, lambda _i: rate(deps, ref, "U0ALICE"))
    with deps.sessions() as session:
        found = session.scalar(
            select(func.count()).select_from(Review).where(Review.application_id == ref)
        )
    return FirstRatings(outcomes, int(found or 0))
