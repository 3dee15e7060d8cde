"""The Slack stand-in's sandbox duties: spec discovery, running without the spec, what a person
sees (ephemerals per user, modal stacks per user), and the sandbox's adjustable clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from hiring_bot.clock import Clock
from hiring_bot.sandbox.clock import AdjustableClock
from hiring_bot.sandbox.slack_standin import SPEC_FILENAME, SlackStandin, find_specs_dir
from tests.conftest import SHARED

MODAL = {
    "type": "modal",
    "title": {"type": "plain_text", "text": "Rate #1"},
    "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "*hello*"}}],
}


def client(standin: SlackStandin) -> WebClient:
    return WebClient(token=standin.token, base_url=standin.url, timeout=5)


def test_specs_dir_comes_from_the_environment_when_set(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SLACK_SPECS_DIR", str(SHARED / "slack-specs"))
    assert find_specs_dir() == SHARED / "slack-specs"
    monkeypatch.setenv("SLACK_SPECS_DIR", str(tmp_path))
    with pytest.raises(FileNotFoundError, match=SPEC_FILENAME):
        find_specs_dir()


def test_specs_dir_is_found_beside_the_repository_from_the_working_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("SLACK_SPECS_DIR", raising=False)
    repo = tmp_path / "clone"
    (repo / "sub").mkdir(parents=True)
    (repo / "pyproject.toml").write_text("")
    with pytest.raises(FileNotFoundError, match="shared/slack-specs"):
        find_specs_dir(repo / "sub")
    specs = tmp_path / "shared" / "slack-specs"
    specs.mkdir(parents=True)
    (specs / SPEC_FILENAME).write_text("{}")
    assert find_specs_dir(repo / "sub") == specs


def test_without_the_spec_it_runs_and_says_checks_are_off(tmp_path: Path) -> None:
    missing = str(tmp_path / "nowhere" / SPEC_FILENAME)
    with pytest.raises(FileNotFoundError):
        SlackStandin(spec_path=missing)
    with SlackStandin(spec_path=missing, require_spec=False) as standin:
        assert standin.spec is None
        assert standin.spec_note.startswith("spec checks are off")
        web = client(standin)
        posted = web.chat_postMessage(channel="C1", text="hi", blocks=[{"type": "divider"}])
        assert posted["ok"]
        # Parameters are not checked without the spec ...
        assert web.api_call("chat.postMessage", json={"channel": "C1", "text": "x", "odd": 1})["ok"]
        assert standin.violations == []
        # ... but Block Kit still is.
        with pytest.raises(SlackApiError) as bad:
            web.chat_postMessage(channel="C1", text="x", blocks=[{"type": "sectionz"}])
        assert bad.value.response["error"] == "invalid_blocks"
        assert len(standin.violations) == 1


def test_ephemerals_are_kept_for_the_user_they_were_for() -> None:
    with SlackStandin() as standin:
        client(standin).chat_postEphemeral(channel="C1", user="U0ALICE", text="only Alice")
        assert [(m["to_user"], m["text"]) for m in standin.ephemerals] == [
            ("U0ALICE", "only Alice")
        ]
        assert standin.messages == {}
        standin.assert_clean()


def test_modal_stack_follows_open_push_and_update_for_the_triggering_user() -> None:
    with SlackStandin() as standin:
        web = client(standin)
        standin.trigger_users["t1"] = "U0ALICE"
        standin.trigger_users["t2"] = "U0ALICE"
        first = web.views_open(trigger_id="t1", view=MODAL)["view"]
        assert standin.modal_stacks == {"U0ALICE": [first["id"]]}
        pushed = web.views_push(trigger_id="t2", view=MODAL)["view"]
        assert pushed["previous_view_id"] == first["id"]
        assert pushed["root_view_id"] == first["id"]
        assert standin.modal_stacks["U0ALICE"] == [first["id"], pushed["id"]]
        updated = web.views_update(
            view_id=first["id"], view={**MODAL, "blocks": [{"type": "divider"}]}
        )
        assert updated["view"]["user_id"] == "U0ALICE"
        assert standin.views[first["id"]]["blocks"] == [{"type": "divider"}]
        assert standin.modal_stacks["U0ALICE"] == [first["id"], pushed["id"]]
        # A push with nothing open for that user is refused as Slack refuses it.
        standin.trigger_users["t3"] = "U0BOB"
        with pytest.raises(SlackApiError) as refused:
            web.views_push(trigger_id="t3", view=MODAL)
        assert refused.value.response["error"] == "not_found"
        standin.assert_clean()


def test_version_grows_with_every_change() -> None:
    with SlackStandin() as standin:
        before = standin.version
        client(standin).chat_postMessage(channel="C1", text="hi")
        assert standin.version > before
        after_post = standin.version
        standin.touch()
        assert standin.version == after_post + 1


def test_adjustable_clock_moves_forward_only() -> None:
    real = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
    clock: Clock = AdjustableClock(lambda: real)
    assert isinstance(clock, AdjustableClock)
    assert clock.now() == real
    assert clock.advance(timedelta(days=2)) == real + timedelta(days=2)
    assert clock.jump_to(real + timedelta(days=9)) == real + timedelta(days=9)
    assert clock.offset == timedelta(days=9)
    with pytest.raises(ValueError, match="forward"):
        clock.jump_to(real)
    with pytest.raises(ValueError, match="aware"):
        clock.jump_to(datetime(2027, 1, 1))
    assert clock.now() == real + timedelta(days=9)
