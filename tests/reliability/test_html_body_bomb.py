"""An HTML e-mail body is read within a budget (issue 10): 8 MB of tag soup used to take ~15 s in
the unbounded html.parser; now the start of the letter is kept and the rest dropped in time."""

from __future__ import annotations

import time
from email.message import EmailMessage

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hiring_bot.intake.draft import ApplicationDraft, IntakeLimits
from hiring_bot.intake.email_parser import parse_email

LIMITS = IntakeLimits()
# The body's budget is limits.extract_seconds of CPU (wall time at most 1.25 times that), plus
# decoding and MIME parsing of the 8 MB message.
MAX_SECONDS = 2 * LIMITS.extract_seconds + 1.0
OPENING = "<p>Dear team, I apply for the research internship in Summer 2018.</p>"


def html_email(html: str) -> bytes:
    message = EmailMessage()
    message["From"] = "Ana Lima <ana@example.org>"
    message["To"] = "internships@lab.example.org"
    message["Subject"] = "Research internship application"
    message.set_content(html, subtype="html")
    return message.as_bytes()


def _parse_timed(html: str) -> tuple[ApplicationDraft, float]:
    raw = html_email(html)
    started = time.monotonic()
    draft = parse_email(raw, windows=[], limits=LIMITS)
    elapsed = time.monotonic() - started
    assert isinstance(draft, ApplicationDraft), draft
    return draft, elapsed


def test_8_mb_of_tag_soup_keeps_the_opening_within_the_budget() -> None:
    draft, elapsed = _parse_timed(OPENING + "<p>A</p>" * 1_000_000)
    assert elapsed < MAX_SECONDS
    assert draft.body_text.startswith("Dear team, I apply for the research internship")
    assert draft.period_text  # the opening was read as text: "Summer 2018"


def test_an_ordinary_html_letter_is_read_whole() -> None:
    html = OPENING + "<p>My code: <a href='https://github.com/ana'>GitHub</a></p><p>Ana</p>"
    draft, _ = _parse_timed(html)
    assert draft.body_text.endswith("Ana")
    assert "https://github.com/ana" in draft.links


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    tag=st.sampled_from(["<p>A</p>", "<b>", "<div><span>x</span></div>", "<br/>", "&amp;<i>"]),
    megabytes=st.integers(min_value=2, max_value=8),
)
def test_generated_tag_soup_bodies_are_bounded(tag: str, megabytes: int) -> None:
    html = OPENING + tag * (megabytes * 1_000_000 // len(tag))
    draft, elapsed = _parse_timed(html)
    assert elapsed < MAX_SECONDS
    assert draft.body_text.startswith("Dear team")
