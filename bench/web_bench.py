"""The comparison run: hiring_bot at 1k / 10k / 100k applications against bare Bolt echoes.

Goals are ratios to the bare apps measured in the same run (issue "Performance"), so a slower or
faster machine moves both sides together.
"""

from __future__ import annotations

import contextlib
import io
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from bench.samples import application_email
from bench.web_compare import (
    CHANNEL,
    REVIEWER,
    SECRET,
    TOKEN,
    Commander,
    ResponseSink,
    Run,
    Server,
    gunicorn,
    load,
    p50,
    percentile,
)
from tests.fakes.documents import make_pdf


@dataclass(frozen=True)
class Goal:
    name: str
    value: str
    goal: str
    ok: bool


def _fmt(ms: float) -> str:
    return f"{ms:.1f} ms"


def _spread(values: list[float]) -> str:
    """p50 / p99."""
    return f"{_fmt(p50(values))} / {_fmt(percentile(values, 0.99))}"


@contextmanager
def fake_slack() -> Iterator[str]:
    from tests.fakes.slack_api import FakeSlack

    with FakeSlack(token=TOKEN) as fake:
        fake.channel_members[CHANNEL] = [REVIEWER, "U0BOB"]
        yield fake.url


def seeded_database(directory: Path, count: int) -> str:
    from sqlalchemy.orm import sessionmaker

    from hiring_bot.db.engine import make_engine, session_scope
    from hiring_bot.db.migrate import upgrade
    from hiring_bot.domain.demo_data import seed_demo

    url = f"sqlite:///{directory / f'bench-{count}.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(sessionmaker(engine)) as session:
        seed_demo(
            session,
            count=count,
            now=datetime.now(UTC),
            reviewers=(REVIEWER, "U0BOB", "U0CAROL"),
            with_windows=True,
        )
    engine.dispose()
    return url


def hiring_env(database_url: str, slack_url: str) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack_url,
        "HIRING_CHANNEL": CHANNEL,
        "REVIEWER_USER_IDS": f"{REVIEWER},U0BOB,U0CAROL",
        "RUN_SCHEDULER": "0",
        "LOG_LEVEL": "WARNING",
        "DOTENV_PATH": "/nonexistent/.env",
    }


@dataclass
class AppRuns:
    boot_s: float
    readable_1: Run  # one connection, the answer until readable
    ack_8: Run  # eight connections
    rss_mb: float = 0.0


def measure(server: Server, sink: ResponseSink, text: str, requests: int) -> AppRuns:
    one = load(server.port, sink, text, connections=1, requests=requests)
    eight = load(server.port, sink, text, connections=8, requests=requests * 4)
    return AppRuns(server.boot_s, one, eight, server.worker_rss_mb())


def sequential_p50(server: Server, sink: ResponseSink, texts: list[str]) -> float:
    commander = Commander(server.port, sink)
    samples = [commander.send(t) for t in texts]
    commander.close()
    readable = [s.readable_ms for s in samples if s.readable_ms is not None]
    return p50(readable)


def new_refs(database_url: str, n: int) -> list[int]:
    from sqlalchemy import select

    from hiring_bot.db.engine import make_engine
    from hiring_bot.db.models import Application

    engine = make_engine(database_url)
    with engine.connect() as connection:
        refs = list(
            connection.scalars(
                select(Application.id)
                .where(Application.stage == "new", Application.claimed_by.is_(None))
                .order_by(Application.id.desc())
                .limit(n)
            )
        )
    engine.dispose()
    return refs


# `/intern list` with each kind of filter: claim-indexed, name order, a column of its own,
# a correlated look-up, an area (JSON text) and a window.
SCALE_LISTS = (
    "list unclaimed",
    "list mine sort:name",
    "list eligible",
    "list unrated",
    "list ml",
    "list demo open",
)


def scale_p50s(server: Server, sink: ResponseSink, url: str, n: int) -> dict[str, float]:
    refs = new_refs(url, n)
    return {
        **{text: sequential_p50(server, sink, [text] * n) for text in SCALE_LISTS},
        "show": sequential_p50(server, sink, [f"show {r}" for r in refs]),
        "claim": sequential_p50(server, sink, [f"claim {r}" for r in refs]),
        "rate": sequential_p50(server, sink, [f"rate {r} 4" for r in refs]),
    }


@contextmanager
def environment(env: dict[str, str]) -> Iterator[None]:
    """Run in-process CLI commands with `env` set, restoring what was there after."""
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def reminder_pass_s(database_url: str) -> float:
    """A full `hiring-bot reminders --dry-run` plan, timed in-process (imports excluded)."""
    from hiring_bot.cli import main as cli_main

    env = {**hiring_env(database_url, "http://127.0.0.1:9/"), "LOG_LEVEL": "ERROR"}
    at = datetime.now(UTC).isoformat()
    with environment(env), contextlib.redirect_stdout(io.StringIO()):
        cli_main(["reminders", "--dry-run", "--at", at])  # warm: imports, engine
        started = time.perf_counter()
        cli_main(["reminders", "--dry-run", "--at", at])
        return time.perf_counter() - started


def one_page_pdf(i: int) -> bytes:
    return make_pdf([[f"Applicant {i}", "Education: PhD, Stanford University", "Skills: Python"]])


def pdf_email(i: int) -> bytes:
    message = EmailMessage()
    message["From"] = f"Applicant {i} <pdf{i}@university{i % 17}.edu>"
    message["To"] = "internships@lab.example"
    message["Subject"] = f"Internship application {i}"
    message["Message-ID"] = f"<bench-pdf-{i}@university.example>"
    message.set_content(
        "I am a PhD student in computational neuroscience applying for the Spring/Summer 2018 "
        f"internship. Code: https://github.com/pdf{i}. Resume attached. I am a US citizen.\n"
    )
    message.add_attachment(
        one_page_pdf(i), maintype="application", subtype="pdf", filename="resume.pdf"
    )
    return message.as_bytes()


def stdlib_parse_s(messages: list[bytes], *, pdf: bool) -> float:
    """The floor: the standard library's parse of each message (plus pypdf on its PDF)."""
    from pypdf import PdfReader

    parser = BytesParser(policy=policy.default)
    started = time.perf_counter()
    for raw in messages:
        message = parser.parsebytes(raw)
        for part in message.walk():
            if part.is_multipart():
                continue
            content = part.get_content()
            if pdf and part.get_content_type() == "application/pdf":
                for page in PdfReader(io.BytesIO(content)).pages:
                    page.extract_text()
    return time.perf_counter() - started


def ingest_s(directory: Path, messages: list[bytes], name: str) -> float:
    """`hiring-bot ingest` of the messages as .eml files, timed in-process (cards not posted)."""
    from hiring_bot.cli import main as cli_main

    folder = directory / name
    folder.mkdir()
    for i, raw in enumerate(messages):
        (folder / f"{i:05d}.eml").write_bytes(raw)
    env = hiring_env(f"sqlite:///{directory / (name + '.db')}", "http://127.0.0.1:9/")
    env.pop("SLACK_BOT_TOKEN")  # ingest only queues the cards
    with environment(env), contextlib.redirect_stdout(io.StringIO()):
        cli_main(["migrate"])
        started = time.perf_counter()
        cli_main(["ingest", str(folder)])
        return time.perf_counter() - started


def run_comparison(directory: Path, *, quick: bool) -> list[Goal]:
    requests = 60 if quick else 200
    goals: list[Goal] = []
    sink = ResponseSink()
    try:
        with fake_slack() as slack_url:
            bare: dict[str, AppRuns] = {}
            for mode in ("default", "pbr", "lazy"):
                env = {
                    "BARE_MODE": mode,
                    "SLACK_SIGNING_SECRET": SECRET,
                    "SLACK_API_URL": slack_url,
                }
                with gunicorn(f"bare-{mode}", "bench.bare_bolt:create_app()", env) as server:
                    bare[mode] = measure(server, sink, "echo", requests)

            url_1k = seeded_database(directory, 1_000)
            url_10k = seeded_database(directory, 10_000)
            url_100k = seeded_database(directory, 100_000)
            with gunicorn(
                "hiring_bot", "hiring_bot.web:create_app()", hiring_env(url_10k, slack_url)
            ) as server:
                lists = measure(server, sink, "list", requests)
                show = load(server.port, sink, "show 5000", connections=1, requests=requests)
            with gunicorn(
                "hiring_bot 1k", "hiring_bot.web:create_app()", hiring_env(url_1k, slack_url)
            ) as server:
                small = scale_p50s(server, sink, url_1k, 30 if quick else 60)
            with gunicorn(
                "hiring_bot 100k", "hiring_bot.web:create_app()", hiring_env(url_100k, slack_url)
            ) as server:
                large = scale_p50s(server, sink, url_100k, 30 if quick else 60)
                crowd = load(
                    server.port, sink, "list", connections=64, requests=64 * (3 if quick else 8)
                )
                rss_100k = server.worker_rss_mb()
                boot = server.boot_s
            reminders = reminder_pass_s(url_100k)
    finally:
        sink.close()

    d, pbr, lazy = bare["default"], bare["pbr"], bare["lazy"]
    lr = lists.readable_1.readable()
    goals.append(
        Goal(
            "/intern list (10k) readable p50 vs default-runner echo ack p50",
            f"{_fmt(p50(lr))} vs {_fmt(p50(d.readable_1.acks()))}",
            "<= 0.25x",
            p50(lr) <= 0.25 * p50(d.readable_1.acks()),
        )
    )
    goals.append(
        Goal(
            "/intern list (10k) readable p99 vs process_before_response echo p99",
            f"{_fmt(percentile(lr, 0.99))} vs {_fmt(percentile(pbr.readable_1.readable(), 0.99))}",
            "<= 2x",
            percentile(lr, 0.99) <= 2 * percentile(pbr.readable_1.readable(), 0.99),
        )
    )
    goals.append(
        Goal(
            "/intern list requests/s at 8 connections vs process_before_response echo",
            f"{lists.ack_8.rps():.0f} vs {pbr.ack_8.rps():.0f}",
            ">= 0.4x",
            lists.ack_8.rps() >= 0.4 * pbr.ack_8.rps(),
        )
    )
    sr = show.readable()
    goals.append(
        Goal(
            "/intern show 5000 readable p50 / p99",
            f"{_fmt(p50(sr))} / {_fmt(percentile(sr, 0.99))}",
            "-",
            True,
        )
    )
    for label, runs in (
        ("hiring_bot list", lists),
        ("bare default", d),
        ("bare pbr", pbr),
        ("bare lazy", lazy),
    ):
        a1, a8 = runs.readable_1.acks(), runs.ack_8.acks()
        goals.append(
            Goal(
                f"ack p50 / p99, 1 and 8 connections: {label}",
                f"{_spread(a1)}; {_spread(a8)}",
                "-",
                True,
            )
        )
    goals.append(
        Goal(
            "bare lazy respond() readable p50 / p99",
            _spread(lazy.readable_1.readable()),
            "-",
            True,
        )
    )
    goals.append(
        Goal(
            "64 connections, 100k applications: answers later than 3 s / non-2xx",
            f"{crowd.late()} / {crowd.non_2xx()} of {len(crowd.samples)}",
            "0 / 0",
            crowd.late() == 0 and crowd.non_2xx() == 0,
        )
    )
    for key in small:
        goals.append(
            Goal(
                f"{key} p50 at 100k vs at 1k",
                f"{_fmt(large[key])} vs {_fmt(small[key])}",
                "<= 1.5x",
                large[key] <= 1.5 * small[key],
            )
        )
    goals.append(
        Goal(
            "full reminder pass at 100k",
            f"{reminders * 1000:.0f} ms",
            "<= 1000 ms",
            reminders <= 1.0,
        )
    )
    goals.append(
        Goal(
            "web worker RSS at 100k vs bare pbr worker",
            f"{rss_100k:.0f} MB vs {pbr.rss_mb:.0f} MB",
            "<= 1.5x",
            rss_100k <= 1.5 * pbr.rss_mb,
        )
    )
    goals.append(
        Goal(
            "boot to first /healthz 200 vs bare echo",
            f"{boot:.2f} s vs {pbr.boot_s:.2f} s",
            "<= 3x",
            boot <= 3 * pbr.boot_s,
        )
    )
    goals += ingest_goals(directory, 300 if quick else 1000)
    return goals


def ingest_goals(directory: Path, count: int) -> list[Goal]:
    plain = [application_email(i) for i in range(count)]
    pdfs = [pdf_email(i) for i in range(count // 2)]
    floor_plain = stdlib_parse_s(plain, pdf=False)
    floor_pdf = stdlib_parse_s(pdfs, pdf=True)
    took_plain = ingest_s(directory, plain, "plain")
    took_pdf = ingest_s(directory, pdfs, "pdf")
    rate = count / took_plain
    return [
        Goal("ingest, plain emails", f"{rate:.0f} msg/s", ">= 500 msg/s", rate >= 500),
        Goal(
            "ingest time vs stdlib parse, plain emails",
            f"{took_plain / floor_plain:.1f}x ({floor_plain * 1000 / count:.2f} ms/msg floor)",
            "<= 3x",
            took_plain <= 3 * floor_plain,
        ),
        Goal(
            "ingest time vs stdlib parse + pypdf, one-page PDF resumes",
            f"{took_pdf / floor_pdf:.1f}x ({floor_pdf * 1000 / len(pdfs):.2f} ms/msg floor)",
            "<= 2x",
            took_pdf <= 2 * floor_pdf,
        ),
    ]


def print_goals(goals: list[Goal]) -> None:
    print("| measure | value | goal | |")
    print("|---|---|---|---|")
    for g in goals:
        print(f"| {g.name} | {g.value} | {g.goal} | {'ok' if g.ok else 'MISSED'} |")
