"""Walk a fake clock across an internship window: each reminder once, on time, with its text."""

from __future__ import annotations

import logging
import threading
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, JobExecutionEvent
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import func, select

from hiring_bot.bootstrap import Deps, build_deps
from hiring_bot.db.engine import make_engine, session_scope
from hiring_bot.db.models import ReminderLedger, Window
from hiring_bot.domain.reminder_schedule import WINDOW_KINDS
from hiring_bot.domain.windows import find_window, sync_windows
from hiring_bot.domain.windows_file import load_windows_file
from hiring_bot.scheduler import jobs
from hiring_bot.scheduler.wiring import JOB_DEFAULTS
from tests.conftest import ALICE, BOB, HIRING_CHANNEL, REPO
from tests.fakes.clock import FakeClock
from tests.fakes.slack_api import Call, FakeSlack
from tests.reminders.factories import LA, add_application, claim, local, rate

SPRING = "Spring/Summer 2018"
COUNTS = "1 unclaimed, 1 claimed but unrated, 1 rated, 1 shortlisted"


def seed_spring(deps: Deps) -> None:
    """The posting's windows from windows.toml, and four applications for Spring/Summer 2018."""
    with session_scope(deps.sessions) as session:
        sync_windows(session, specs=load_windows_file(REPO / "windows.toml"))
        window = find_window(session, SPRING)
        assert window is not None
        add_application(session, window=window, name="Ada Lovelace", received_at=local(2018, 2, 1))
        ben = add_application(
            session, window=window, name="Ben Franklin", received_at=local(2018, 2, 2)
        )
        claim(session, ben, ALICE, local(2018, 2, 12, 10))
        cy = add_application(session, window=window, name="Cy Young", received_at=local(2018, 2, 3))
        claim(session, cy, BOB, local(2018, 2, 5))
        rate(session, cy, BOB)
        add_application(
            session,
            window=window,
            name="Di Prima",
            received_at=local(2018, 2, 4),
            stage="shortlisted",
            stage_changed_at=local(2018, 2, 20, 15),
        )


def walk(
    deps: Deps,
    clock: FakeClock,
    fake_slack: FakeSlack,
    start: datetime,
    end: datetime,
    *,
    step: timedelta = timedelta(hours=1),
) -> list[tuple[datetime, Call]]:
    """Run the check job at every step, as the scheduler would; each post with its instant."""
    posted: list[tuple[datetime, Call]] = []
    seen = len(fake_slack.calls_to("chat.postMessage"))
    instant = start
    while instant <= end:
        clock.set(instant)
        jobs.run_reminders(deps, kinds=WINDOW_KINDS)
        calls = fake_slack.calls_to("chat.postMessage")
        posted += [(instant, call) for call in calls[seen:]]
        seen = len(calls)
        instant += step
    return posted


def summary(posted: list[tuple[datetime, Call]]) -> list[tuple[str, str, str]]:
    return [
        (at.astimezone(LA).strftime("%Y-%m-%d %H:%M %Z"), c.params["channel"], c.params["text"])
        for at, c in posted
    ]


def ledger_count(deps: Deps, status: str = "queued") -> int:
    with deps.sessions() as session:
        return (
            session.scalar(
                select(func.count())
                .select_from(ReminderLedger)
                .where(ReminderLedger.status == status)
            )
            or 0
        )


def test_walk_across_the_spring_window(deps: Deps, clock: FakeClock, fake_slack: FakeSlack) -> None:
    seed_spring(deps)

    posted = walk(deps, clock, fake_slack, local(2018, 2, 13, 0), local(2018, 4, 1, 0))

    app = f"{SPRING}: application deadline"
    dec = f"{SPRING}: decision deadline"
    nudge = "1 shortlisted application waiting"
    assert summary(posted) == [
        ("2018-02-14 09:00 PST", HIRING_CHANNEL, f"{app} in 14 days — {COUNTS}"),
        ("2018-02-21 09:00 PST", HIRING_CHANNEL, f"{app} in 7 days — {COUNTS}"),
        ("2018-02-25 09:00 PST", HIRING_CHANNEL, f"{app} in 3 days — {COUNTS}"),
        ("2018-02-27 09:00 PST", HIRING_CHANNEL, f"{app} tomorrow — {COUNTS}"),
        # after the DST change (11 March) 09:00 local is 16:00 UTC
        ("2018-03-17 09:00 PDT", HIRING_CHANNEL, f"{dec} in 14 days — {COUNTS}"),
        ("2018-03-24 09:00 PDT", HIRING_CHANNEL, f"{dec} in 7 days — {COUNTS}"),
        ("2018-03-24 09:00 PDT", HIRING_CHANNEL, f"{dec} in 7 days; {nudge}"),
        ("2018-03-28 09:00 PDT", HIRING_CHANNEL, f"{dec} in 3 days — {COUNTS}"),
        ("2018-03-28 09:00 PDT", HIRING_CHANNEL, f"{dec} in 3 days; {nudge}"),
        ("2018-03-30 09:00 PDT", HIRING_CHANNEL, f"{dec} tomorrow — {COUNTS}"),
        ("2018-03-30 09:00 PDT", HIRING_CHANNEL, f"{dec} tomorrow; {nudge}"),
    ]
    assert posted[4][0] == datetime.fromisoformat("2018-03-17T16:00:00+00:00")
    assert ledger_count(deps) == 11

    # The message itself: counts as fields, the oldest unclaimed application with a Claim button.
    first = posted[0][1].params["blocks"]
    assert "*Unclaimed*\n1" in [f["text"] for f in first[0]["fields"]]
    claim_rows = [b for b in first if b.get("accessory", {}).get("action_id") == "card_claim"]
    assert len(claim_rows) == 1
    assert "#1 · Ada Lovelace" in claim_rows[0]["text"]["text"]
    assert claim_rows[0]["accessory"]["value"] == "1"
    nudge_blocks = posted[6][1].params["blocks"]
    assert any("Di Prima" in b.get("text", {}).get("text", "") for b in nudge_blocks)

    # Walking the same stretch again (a second clock process, a replay) sends nothing more.
    assert walk(deps, clock, fake_slack, local(2018, 2, 13, 0), local(2018, 3, 1, 0)) == []


def test_window_start_reminder_seven_days_before(
    deps: Deps, clock: FakeClock, fake_slack: FakeSlack
) -> None:
    seed_spring(deps)
    posted = walk(deps, clock, fake_slack, local(2018, 5, 6, 0), local(2018, 5, 15, 0))
    assert summary(posted) == [
        ("2018-05-07 09:00 PDT", HIRING_CHANNEL, f"{SPRING}: start in 7 days — {COUNTS}")
    ]


def _one_window_file(tmp_path: Path, deadline: date) -> Path:
    path = tmp_path / "windows.toml"
    path.write_text(
        f"""[[window]]
name = "DST"
aliases = []
application_deadline = {deadline.isoformat()}
decision_deadline = {(deadline + timedelta(days=30)).isoformat()}
starts_on = {(deadline + timedelta(days=60)).isoformat()}
ends_on = {(deadline + timedelta(days=150)).isoformat()}
""",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    ("deadline", "expected_utc"),
    [
        # Spring forward on Sunday 11 March 2018: T-3 is that very day.
        (
            date(2018, 3, 14),
            ["2018-02-28 17:00", "2018-03-07 17:00", "2018-03-11 16:00", "2018-03-13 16:00"],
        ),
        # Fall back on Sunday 4 November 2018: T-1 is that very day.
        (
            date(2018, 11, 5),
            ["2018-10-22 16:00", "2018-10-29 16:00", "2018-11-02 16:00", "2018-11-04 17:00"],
        ),
    ],
    ids=["spring-forward", "fall-back"],
)
def test_dst_change_week_keeps_0900_local(
    deps: Deps,
    clock: FakeClock,
    fake_slack: FakeSlack,
    tmp_path: Path,
    deadline: date,
    expected_utc: list[str],
) -> None:
    path = _one_window_file(tmp_path, deadline)
    with session_scope(deps.sessions) as session:
        sync_windows(session, specs=load_windows_file(path))
    start = local(deadline.year, deadline.month, deadline.day, 0) - timedelta(days=15)
    end = local(deadline.year, deadline.month, deadline.day, 23)
    posted = walk(deps, clock, fake_slack, start, end, step=timedelta(minutes=15))

    assert [at.strftime("%Y-%m-%d %H:%M") for at, _ in posted] == expected_utc
    assert [at.astimezone(LA).strftime("%H:%M") for at, _ in posted] == ["09:00"] * 4
    assert [c.params["text"].split(" — ")[0] for _, c in posted] == [
        "DST: application deadline in 14 days",
        "DST: application deadline in 7 days",
        "DST: application deadline in 3 days",
        "DST: application deadline tomorrow",
    ]


def test_restart_catches_up_once_and_drops_what_is_past_its_grace(
    deps: Deps,
    clock: FakeClock,
    fake_slack: FakeSlack,
    caplog: pytest.LogCaptureFixture,
) -> None:
    seed_spring(deps)
    before = walk(deps, clock, fake_slack, local(2018, 2, 14, 0), local(2018, 2, 20, 23))
    assert [c.params["text"].split(" — ")[0] for _, c in before] == [
        f"{SPRING}: application deadline in 14 days"
    ]

    # Down from the 20th until the afternoon of the 25th: T-7 (21st) was missed, T-3 (25th,
    # 09:00) is due. A new process (new engine, new deps) starts and catches up.
    clock.set(local(2018, 2, 25, 14))
    engine = make_engine(deps.settings.database_url)
    try:
        restarted = build_deps(deps.settings, engine=engine, client=deps.client, clock=clock)
        with caplog.at_level(logging.INFO):
            jobs.startup_job(restarted)
            jobs.startup_job(restarted)  # a second restart right after: nothing new
    finally:
        engine.dispose()
    caught_up = fake_slack.calls_to("chat.postMessage")[len(before) :]
    # (The start-up job also released Alice's claim, now 13 days old: the counts show it.)
    assert [c.params["text"] for c in caught_up] == [
        f"{SPRING}: application deadline in 3 days — "
        "2 unclaimed, 0 claimed but unrated, 1 rated, 1 shortlisted"
    ]
    dropped = [r.getMessage() for r in caplog.records if "dropped" in r.getMessage()]
    with deps.sessions() as session:
        spring = find_window(session, SPRING)
        assert spring is not None
        spring_id = spring.id
    key = f"application_deadline:w{spring_id}:T-7:{HIRING_CHANNEL}"
    assert len([m for m in dropped if key in m]) == 1
    # Logged by key, never with candidate data.
    assert not any("Ada" in r.getMessage() or "Lovelace" in r.getMessage() for r in caplog.records)

    after = walk(deps, clock, fake_slack, local(2018, 2, 25, 15), local(2018, 3, 1, 12))
    assert [c.params["text"].split(" — ")[0] for _, c in after] == [
        f"{SPRING}: application deadline tomorrow"
    ]


def test_two_threads_at_the_same_instant_send_once(
    deps: Deps, clock: FakeClock, fake_slack: FakeSlack
) -> None:
    seed_spring(deps)
    clock.set(local(2018, 2, 14, 9))
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            jobs.run_reminders(deps, kinds=WINDOW_KINDS)
        except BaseException as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    posts = fake_slack.calls_to("chat.postMessage")
    assert [c.params["text"] for c in posts] == [
        f"{SPRING}: application deadline in 14 days — {COUNTS}"
    ]
    assert ledger_count(deps) == 1


def test_two_background_schedulers_send_once(
    deps: Deps, clock: FakeClock, fake_slack: FakeSlack
) -> None:
    seed_spring(deps)
    clock.set(local(2018, 2, 21, 10))  # T-7 went out at 09:00 while "nobody" was running
    done = threading.Semaphore(0)
    failures: list[JobExecutionEvent] = []

    def listener(event: JobExecutionEvent) -> None:
        if event.job_id == "reminders.startup":
            if event.exception is not None:
                failures.append(event)
            done.release()

    schedulers = []
    for _ in range(2):
        scheduler = BackgroundScheduler(timezone=deps.settings.timezone, job_defaults=JOB_DEFAULTS)
        jobs.register_jobs(scheduler, deps)
        scheduler.add_listener(listener, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
        schedulers.append(scheduler)
    try:
        for scheduler in schedulers:
            scheduler.start()
        assert done.acquire(timeout=30)
        assert done.acquire(timeout=30)
    finally:
        for scheduler in schedulers:
            scheduler.shutdown(wait=True)
    assert failures == []
    # Everything the catch-up found, once: Alice's 9-day-old claim is released first (so the
    # counts below already show it), then the window reminder and the (Wednesday) digest. The
    # two schedulers may share the work, so the order of the two posts is not fixed.
    posts = fake_slack.calls_to("chat.postMessage")
    assert sorted(c.params["text"] for c in posts) == [
        "Digest: 0 new applications, 2 unclaimed",
        f"{SPRING}: application deadline in 7 days — "
        "2 unclaimed, 0 claimed but unrated, 1 rated, 1 shortlisted",
    ]
    assert {c.params["channel"] for c in posts} == {HIRING_CHANNEL}
    assert ledger_count(deps, "queued") == 2
    assert ledger_count(deps, "done") == 1  # the release
    # The catch-up on start also dropped T-14 (past its grace), once however many ran.
    with deps.sessions() as session:
        dropped = session.scalars(
            select(ReminderLedger.key).where(ReminderLedger.status == "dropped")
        ).all()
    assert len(dropped) == len(set(dropped))
    assert any(key.startswith("application_deadline:") and ":T-14:" in key for key in dropped)


def test_closed_window_gets_no_reminders(
    deps: Deps, clock: FakeClock, fake_slack: FakeSlack
) -> None:
    seed_spring(deps)
    with session_scope(deps.sessions) as session:
        window = session.scalars(select(Window).where(Window.name == SPRING)).one()
        window.closed_at = local(2018, 2, 10)
    posted = walk(deps, clock, fake_slack, local(2018, 2, 13, 0), local(2018, 2, 28, 0))
    assert posted == []


def test_reminder_offsets_come_from_settings(
    deps: Deps, clock: FakeClock, fake_slack: FakeSlack
) -> None:
    seed_spring(deps)
    custom = replace(deps, settings=replace(deps.settings, reminder_offsets_days=(10, 2)))
    posted = walk(custom, clock, fake_slack, local(2018, 2, 13, 0), local(2018, 3, 1, 0))
    assert [(at.astimezone(LA).day, c.params["text"].split(" — ")[0]) for at, c in posted] == [
        (18, f"{SPRING}: application deadline in 10 days"),
        (26, f"{SPRING}: application deadline in 2 days"),
    ]
