"""`/intern window add|edit|close` through the real app: admins only, validated, audited, kept."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy import select

from hiring_bot.db.engine import session_scope
from hiring_bot.db.models import AuditEntry, Window
from hiring_bot.domain.windows import sync_windows
from hiring_bot.domain.windows_file import load_windows_file
from hiring_bot.slack import ids
from tests.conftest import ADMIN, ALICE, HIRING_CHANNEL, OUTSIDER, REPO, RunningApp
from tests.fakes.slack_api import FakeSlack
from tests.slack.review_harness import answer_to

TIMEOUT = 5.0


def command(app: RunningApp, fake: FakeSlack, text: str, *, user: str) -> dict[str, Any]:
    """`/intern <text>`; the ephemeral answer, in the ack or posted to the response_url."""
    before = len(fake.responses)
    response = app.slack.slash_command(
        text, user_id=user, channel_id=HIRING_CHANNEL, response_url=fake.response_url()
    )
    return answer_to(response, fake, before=before, timeout=TIMEOUT)


def open_modal(app: RunningApp, fake: FakeSlack, text: str) -> dict[str, Any]:
    before = len(fake.calls_to("views.open"))
    response = app.slack.slash_command(
        text, user_id=ADMIN, channel_id=HIRING_CHANNEL, response_url=fake.response_url()
    )
    assert response.status == 200, response.text
    view: dict[str, Any] = fake.wait_for("views.open", before + 1, timeout=TIMEOUT)[before].params[
        "view"
    ]
    return view


def values(
    name: str = "Fall 2018",
    aliases: str = "fall, autumn 2018",
    dates: tuple[str, str, str, str] = ("2018-06-30", "2018-07-31", "2018-09-10", "2018-12-14"),
) -> dict[str, Any]:
    state: dict[str, Any] = {
        ids.WINDOW_NAME: {ids.INPUT_ACTION: {"type": "plain_text_input", "value": name}},
        ids.WINDOW_ALIASES: {ids.INPUT_ACTION: {"type": "plain_text_input", "value": aliases}},
    }
    blocks = (
        ids.WINDOW_APPLICATION_DEADLINE,
        ids.WINDOW_DECISION_DEADLINE,
        ids.WINDOW_STARTS_ON,
        ids.WINDOW_ENDS_ON,
    )
    for block_id, day in zip(blocks, dates, strict=True):
        state[block_id] = {ids.INPUT_ACTION: {"type": "datepicker", "selected_date": day}}
    return state


def submit(
    app: RunningApp, view: dict[str, Any], state: dict[str, Any], *, user: str = ADMIN
) -> dict[str, Any] | None:
    response = app.slack.view_submission(
        ids.WINDOW_MODAL, state, user_id=user, private_metadata=view.get("private_metadata", "")
    )
    assert response.status == 200, response.text
    return json.loads(response.text) if response.text.strip() else None


def windows(app: RunningApp) -> dict[str, Window]:
    with session_scope(app.deps.sessions) as session:
        rows = session.scalars(select(Window)).all()
        session.expunge_all()
    return {w.name: w for w in rows}


def audit_actions(app: RunningApp) -> list[tuple[str, str]]:
    with session_scope(app.deps.sessions) as session:
        return [
            (e.actor, e.action) for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        ]


def seed_file_windows(app: RunningApp) -> None:
    with session_scope(app.deps.sessions) as session:
        sync_windows(session, specs=load_windows_file(REPO / "windows.toml"))


def test_admin_adds_a_window_with_the_modal(running_app: RunningApp, fake_slack: FakeSlack) -> None:
    view = open_modal(running_app, fake_slack, "window add")
    assert view["callback_id"] == ids.WINDOW_MODAL

    assert submit(running_app, view, values()) is None  # the modal closes
    fall = windows(running_app)["Fall 2018"]
    assert (fall.source, fall.aliases) == ("slack", ["fall", "autumn 2018"])
    assert (fall.application_deadline, fall.ends_on) == (date(2018, 6, 30), date(2018, 12, 14))
    assert (ADMIN, "window_added") in audit_actions(running_app)
    confirmation = fake_slack.wait_for("chat.postEphemeral", 1, timeout=TIMEOUT)[0].params
    assert (confirmation["channel"], confirmation["user"]) == (HIRING_CHANNEL, ADMIN)
    # Dated as `/intern windows` dates them, not in ISO.
    assert confirmation["text"] == (
        "Added window *Fall 2018*: applications until Sat 30 Jun 2018, decisions by "
        "Tue 31 Jul 2018, runs Mon 10 Sep 2018 – Fri 14 Dec 2018. It is now managed in Slack "
        "(windows.toml no longer changes it)."
    )
    listed = command(running_app, fake_slack, "windows", user=ADMIN)
    assert "Application deadline: Sat 30 Jun 2018" in json.dumps(listed["blocks"])


def test_bad_dates_and_clashing_names_are_inline_errors(
    running_app: RunningApp, fake_slack: FakeSlack
) -> None:
    seed_file_windows(running_app)
    view = open_modal(running_app, fake_slack, "window add")

    answer = submit(
        running_app,
        view,
        values(dates=("2018-06-30", "2018-06-01", "2018-09-10", "2018-12-14")),
    )
    assert answer == {
        "response_action": "errors",
        "errors": {
            ids.WINDOW_DECISION_DEADLINE: (
                "Decision deadline must be on or after the application deadline (2018-06-30)."
            )
        },
    }
    answer = submit(running_app, view, values(name="spring/summer 2018"))
    assert answer is not None
    assert answer["errors"] == {
        ids.WINDOW_NAME: "A window called “spring/summer 2018” already exists."
    }
    assert set(windows(running_app)) == {"Winter 2017/2018", "Spring/Summer 2018"}


def test_edit_is_kept_when_the_file_is_seeded_again(
    running_app: RunningApp, fake_slack: FakeSlack
) -> None:
    seed_file_windows(running_app)
    view = open_modal(running_app, fake_slack, "window edit summer 2018")  # by alias
    initial = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert initial[ids.WINDOW_NAME]["initial_value"] == "Spring/Summer 2018"
    assert initial[ids.WINDOW_APPLICATION_DEADLINE]["initial_date"] == "2018-02-28"

    dates = ("2018-03-07", "2018-03-31", "2018-05-14", "2018-08-31")
    assert submit(running_app, view, values("Spring/Summer 2018", "summer", dates)) is None
    seed_file_windows(running_app)  # a restart seeds windows.toml again

    spring = windows(running_app)["Spring/Summer 2018"]
    assert (spring.source, spring.application_deadline) == ("slack", date(2018, 3, 7))
    assert (ADMIN, "window_edited") in audit_actions(running_app)


def test_close_stops_the_window(running_app: RunningApp, fake_slack: FakeSlack) -> None:
    seed_file_windows(running_app)
    answer = command(running_app, fake_slack, "window close spring/summer 2018", user=ADMIN)
    assert answer["text"].startswith("Closed *Spring/Summer 2018*: no more reminders")
    assert windows(running_app)["Spring/Summer 2018"].closed_at is not None
    assert (ADMIN, "window_closed") in audit_actions(running_app)
    again = command(running_app, fake_slack, "window close spring/summer 2018", user=ADMIN)
    assert again["text"] == "*Spring/Summer 2018* is already closed."


def test_unknown_window_and_usage(running_app: RunningApp, fake_slack: FakeSlack) -> None:
    seed_file_windows(running_app)
    answer = command(running_app, fake_slack, "window edit Fall 2030", user=ADMIN)
    assert answer["text"] == (
        "There is no window called `Fall 2030`. Windows: `Winter 2017/2018`, `Spring/Summer 2018`."
    )
    usage = command(running_app, fake_slack, "window", user=ADMIN)
    assert "Usage: `/intern window add | edit <name> | close <name>`" in usage["text"]


def test_non_admins_are_refused(running_app: RunningApp, fake_slack: FakeSlack) -> None:
    seed_file_windows(running_app)
    for user in (ALICE, OUTSIDER):
        for text in ("window add", "window close winter"):
            answer = command(running_app, fake_slack, text, user=user)
            assert answer["response_type"] == "ephemeral"
            assert "Only" in answer["text"]
    assert fake_slack.calls_to("views.open") == []
    assert windows(running_app)["Winter 2017/2018"].closed_at is None

    # A forged submission from a non-admin is refused inline too, and nothing is saved.
    refusal = submit(running_app, {"private_metadata": ""}, values(), user=ALICE)
    assert refusal == {
        "response_action": "errors",
        "errors": {ids.WINDOW_NAME: "Only an admin can change windows."},
    }
    assert "Fall 2018" not in windows(running_app)
