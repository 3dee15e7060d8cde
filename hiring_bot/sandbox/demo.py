"""Demo data for a fresh sandbox: people, windows around today and a few dozen fictional applicants.

Everything goes through the bot's own code: windows through the windows file and `seed_windows`,
applications as emails through the real intake (`ingest_email`), reviews through the domain's
`claim`, `rate` and `move_stage`. Every name, address and university here is made up.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from hiring_bot.bootstrap import Deps
from hiring_bot.db.engine import session_scope
from hiring_bot.db.models import Application
from hiring_bot.domain.claims import claim
from hiring_bot.domain.errors import DomainError
from hiring_bot.domain.reviews import RatingInput, move_stage, rate
from hiring_bot.domain.stages import Stage
from hiring_bot.domain.windows import seed_windows, window_specs
from hiring_bot.intake.limits import limits_for
from hiring_bot.intake.store import IngestOutcome, in_transaction, ingest_email

HIRING_CHANNEL = "C0HIRING01"


@dataclass(frozen=True)
class Person:
    user_id: str
    name: str
    role: str  # what the page says about them

    @property
    def handle(self) -> str:
        return self.name.split()[0].lower()


ALICE = Person("U0SBALICE", "Alice Moreau", "reviewer")
BOB = Person("U0SBBOB", "Bob Tanaka", "reviewer")
DANA = Person("U0SBDANA", "Dana Whitfield", "admin")
OMAR = Person("U0SBOMAR", "Omar Lindqvist", "outsider (not in the hiring channel)")
PEOPLE = (ALICE, BOB, DANA, OMAR)
REVIEWERS = (ALICE, BOB, DANA)


@dataclass(frozen=True)
class DemoWindow:
    name: str
    aliases: tuple[str, ...]
    application_deadline: date
    decision_deadline: date
    starts_on: date
    ends_on: date


def demo_windows(today: date) -> tuple[DemoWindow, DemoWindow]:
    """One window open for applications (deadline in ten days) and one coming up after it."""
    open_start = today + timedelta(days=75)
    upcoming_start = open_start + timedelta(days=140)
    return (
        DemoWindow(
            name=f"{_season(open_start)} {open_start.year}",
            aliases=(f"{_season(open_start).lower()} {open_start.year}", "next window"),
            application_deadline=today + timedelta(days=10),
            decision_deadline=today + timedelta(days=30),
            starts_on=open_start,
            ends_on=open_start + timedelta(days=110),
        ),
        DemoWindow(
            name=f"{_season(upcoming_start)} {upcoming_start.year}",
            aliases=(f"{_season(upcoming_start).lower()} {upcoming_start.year}", "later window"),
            application_deadline=today + timedelta(days=100),
            decision_deadline=today + timedelta(days=120),
            starts_on=upcoming_start,
            ends_on=upcoming_start + timedelta(days=110),
        ),
    )


def _season(day: date) -> str:
    return ("Winter", "Spring", "Summer", "Fall")[(day.month % 12) // 3]


def write_windows_file(path: Path, windows: tuple[DemoWindow, ...]) -> None:
    lines = ["# Sandbox windows, written relative to the day the sandbox was first started.", ""]
    for window in windows:
        aliases = ", ".join(f'"{alias}"' for alias in window.aliases)
        lines += [
            "[[window]]",
            f'name = "{window.name}"',
            f"aliases = [{aliases}]",
            f"application_deadline = {window.application_deadline.isoformat()}",
            f"decision_deadline = {window.decision_deadline.isoformat()}",
            f"starts_on = {window.starts_on.isoformat()}",
            f"ends_on = {window.ends_on.isoformat()}",
            "",
        ]
    path.write_text("\n".join(lines), encoding="utf-8")


# --- fictional applicants ------------------------------------------------------------------------


def _names(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST = _names(
    "Ada Imre Lena Tomas Priya Mateo Yuki Noor Felix Ines Kwame Sofia Ravi Elin Jonah Mira "
    "Arjun Leila Oskar Nia Pablo Hana Dmitri Zara Luca Amara Theo Selin Kofi Wren Iris Malik"
)
LAST = _names(
    "Varga Okonkwo Brennan Castillo Halvorsen Iyer Nakamura Rahman Becker Duarte Mensah "
    "Rossi Kapoor Lindgren Abbott Sorensen Mehta Haddad Nilsson Adeyemi Ortega Kimura "
    "Volkov Farouk Bianchi Eze Laurent Aydin Asante Hollis Quint Delgado"
)
UNIVERSITIES = (
    "University of Westbrook",
    "Lakeshore Institute of Technology",
    "University of Pine Valley",
    "Eastgate University",
    "Redfield State University",
)
PROGRAMS = ("PhD", "MS", "BS")
AREAS = (
    "sequence learning with recurrent networks",
    "sensorimotor inference in simulated agents",
    "dendrite models of pyramidal neurons",
    "goal-oriented behavior in reinforcement learning",
    "detailed computational models of cortical columns",
    "machine learning for spike sorting",
)
ELIGIBILITY = (
    "I am a US citizen.",
    "I am a Green Card holder.",
    "I am a Canadian citizen.",
    "I am an F-1 student enrolled at a US university.",
    "I would need visa sponsorship to work in the US.",
    "",
)


def applicant_email(
    index: int, *, window_alias: str, received_at: datetime, rng: random.Random
) -> bytes:
    """One fictional application email (plain text letter, a text resume, a code link)."""
    first, last = FIRST[index % len(FIRST)], LAST[(index * 7) % len(LAST)]
    university = UNIVERSITIES[index % len(UNIVERSITIES)]
    program = PROGRAMS[index % len(PROGRAMS)]
    area = AREAS[index % len(AREAS)]
    eligibility = ELIGIBILITY[index % len(ELIGIBILITY)]
    with_code = index % 5 != 4
    with_resume = index % 7 != 6
    handle = f"{first}{last}".lower()
    message = EmailMessage()
    message["From"] = f"{first} {last} <{handle}@example.edu>"
    message["To"] = "internships@example.org"
    message["Subject"] = f"Research Internship application: {first} {last}"
    message["Date"] = format_datetime(received_at)
    message["Message-ID"] = make_msgid(idstring=f"sandbox{index}", domain="example.edu")
    letter = [
        "Dear hiring team,",
        "",
        f"I am applying for the Research Internship for {window_alias}, full time for "
        f"{rng.choice(('three', 'four'))} months. I am a {program} student at {university}, "
        f"where I work on {area}.",
        "",
        "My coursework covers computational neuroscience, probability and machine learning.",
    ]
    if with_code:
        letter += ["", f"My code is on GitHub: https://github.com/{handle}"]
    if eligibility:
        letter += ["", eligibility]
    letter += ["", "Best regards,", f"{first} {last}"]
    message.set_content("\n".join(letter))
    if with_resume:
        resume = (
            f"{first} {last}\n{program}, {university}\n\nResearch: {area}.\n"
            "Courses: Computational Neuroscience, Machine Learning, Linear Algebra.\n"
        )
        message.add_attachment(
            resume.encode(), maintype="text", subtype="plain", filename=f"{last}_resume.txt"
        )
    return message.as_bytes()


SAMPLE_INDEX_START = 1000


def sample_email(n: int, *, window_alias: str, now: datetime) -> bytes:
    """The page's "ingest a sample email": a new fictional applicant each time."""
    rng = random.Random(SAMPLE_INDEX_START + n)
    return applicant_email(
        SAMPLE_INDEX_START + n + rng.randrange(len(FIRST)),
        window_alias=window_alias,
        received_at=now,
        rng=rng,
    )


def ingest(deps: Deps, raw: bytes, *, actor: str = "intake:email") -> IngestOutcome:
    """The real intake for one raw email, as `hiring-bot ingest` runs it."""
    limits = limits_for(deps.settings)
    now = deps.clock.now()
    with deps.sessions() as session:
        windows = window_specs(session)
    return in_transaction(
        deps.sessions,
        lambda session: ingest_email(
            session, raw=raw, windows=windows, limits=limits, now=now, actor=actor
        ),
    )


def has_applications(deps: Deps) -> bool:
    with deps.sessions() as session:
        return bool(session.scalar(select(func.count()).select_from(Application)))


APPLICANTS = 30


def seed(deps: Deps, *, windows: tuple[DemoWindow, ...]) -> list[int]:
    """Windows, then ~30 applications in varied states; returns the application refs."""
    tz: ZoneInfo = deps.settings.timezone
    seed_windows(deps.sessions, path=deps.settings.windows_file, timezone=tz)
    rng = random.Random(12)
    now = deps.clock.now()
    refs: list[int] = []
    for index in range(APPLICANTS):
        window = windows[0] if index % 6 != 5 else windows[1]
        received = now - timedelta(days=rng.randint(1, 20), hours=rng.randint(0, 23))
        raw = applicant_email(index, window_alias=window.aliases[0], received_at=received, rng=rng)
        outcome = ingest(deps, raw)
        if outcome.status == "stored" and outcome.ref is not None:
            refs.append(outcome.ref)
    _vary_states(deps, refs, now=now)
    return refs


def _vary_states(deps: Deps, refs: list[int], *, now: datetime) -> None:
    """Claims, ratings and stage moves spread over the applications, as a team mid-review."""
    quorum = deps.settings.rating_quorum
    for position, ref in enumerate(refs):
        slot = position % 10
        with session_scope(deps.sessions) as session:
            try:
                if slot in (0, 1, 2, 3):
                    continue  # new, unclaimed
                reviewer = REVIEWERS[position % 2]
                # Claimed some days ago: a few of these are stale by the next reminder run.
                claim(session, ref=ref, actor=reviewer.user_id, now=now - timedelta(days=slot))
                if slot in (4, 5):
                    continue  # claimed, in review, not rated yet
                score = 2 + (position % 4)
                rate(
                    session,
                    ref=ref,
                    actor=reviewer.user_id,
                    values=RatingInput(overall=score, notes=""),
                    now=now,
                    quorum=quorum,
                )
                if slot in (6, 7):
                    continue  # one rating
                other = REVIEWERS[(position + 1) % 2]
                rate(
                    session,
                    ref=ref,
                    actor=other.user_id,
                    values=RatingInput(overall=min(5, score + 1), notes=""),
                    now=now,
                    quorum=quorum,
                )
                target = Stage.SHORTLISTED if slot == 8 else Stage.REJECTED
                move_stage(
                    session,
                    ref=ref,
                    actor=DANA.user_id,
                    target=target,
                    reason="sandbox demo",
                    now=now,
                )
            except DomainError:
                session.rollback()  # e.g. a window closed for this one; leave it as it is
