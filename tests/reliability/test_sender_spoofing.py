"""Sender identity is From's addr-spec, never decoded display text or Reply-To (issue 10, point 2).

The reported attack: ``From: =?utf-8?q?x=0D=0AReply-To:_priya.raman@mit.edu?=
<attacker@evil.example>`` was stored as Priya Raman <priya.raman@mit.edu>, because the address was
re-parsed from the decoded display name.
"""

from __future__ import annotations

import base64

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hiring_bot.controlchars import UNSAFE
from hiring_bot.intake.completeness import DISPLAY_NAME_FLAG
from hiring_bot.intake.draft import ApplicationDraft, Rejected
from hiring_bot.intake.email_parser import parse_email

REPORTED_FROM = "=?utf-8?q?x=0D=0AReply-To:_priya.raman@mit.edu?= <attacker@evil.example>"
ATTACKER = "attacker@evil.example"
VICTIM = "priya.raman@mit.edu"
LETTER = (
    "Dear team, I would like to apply for the research internship in Summer 2018. "
    "My code is at https://github.com/someone and my resume is attached.\n"
)


def raw_email(from_header: str, *, extra_headers: str = "") -> bytes:
    """A one-part message with `from_header` as written (EmailMessage would re-encode it)."""
    return (
        f"From: {from_header}\r\n"
        "To: internships@lab.example.org\r\n"
        "Subject: Research internship application\r\n"
        f"{extra_headers}"
        "Message-ID: <spoof-test@evil.example>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "\r\n" + LETTER
    ).encode()


def parse(raw: bytes) -> ApplicationDraft:
    draft = parse_email(raw, windows=[])
    assert isinstance(draft, ApplicationDraft), draft
    return draft


def test_the_reported_header_is_the_attackers_address_with_a_flag() -> None:
    draft = parse(raw_email(REPORTED_FROM))
    assert draft.email == ATTACKER
    assert VICTIM not in draft.email
    # The display name is kept as the text it is, on one line, and flagged.
    assert draft.name == "x Reply-To: priya.raman@mit.edu"
    assert DISPLAY_NAME_FLAG in draft.missing


def test_a_display_name_showing_the_senders_own_address_is_not_flagged() -> None:
    draft = parse(raw_email('"ana@x.org" <ana@x.org>'))
    assert draft.email == "ana@x.org"
    assert DISPLAY_NAME_FLAG not in draft.missing


def test_an_ordinary_sender_is_not_flagged() -> None:
    draft = parse(raw_email("Ana Lima <ana@x.org>"))
    assert (draft.name, draft.email) == ("Ana Lima", "ana@x.org")
    assert DISPLAY_NAME_FLAG not in draft.missing


@pytest.mark.parametrize(
    "from_header",
    [
        "Ana Lima <attacker@evil.example>",
        '"Priya Raman via Google Forms" <attacker@evil.example>',
        "=?utf-8?q?Priya_Raman_via_Forms?= <attacker@evil.example>",
    ],
)
def test_a_reply_to_beside_a_personal_from_never_changes_identity(from_header: str) -> None:
    draft = parse(raw_email(from_header, extra_headers=f"Reply-To: Priya Raman <{VICTIM}>\r\n"))
    assert draft.email == ATTACKER


def test_reply_to_is_the_sender_only_behind_a_no_reply_address() -> None:
    raw = raw_email("Forms <no-reply@forms.example.com>", extra_headers=f"Reply-To: <{VICTIM}>\r\n")
    assert parse(raw).email == VICTIM


@pytest.mark.parametrize(
    "from_header",
    [
        "=?utf-8?q?priya.raman?=@mit.edu",  # the email package decodes words inside atoms too
        "Priya <=?utf-8?q?priya.raman?=@mit.edu>",
        "=?utf-8?q?Priya_=3Cpriya.raman@mit.edu=3E?=",  # an address only after decoding
    ],
)
def test_an_address_that_exists_only_after_decoding_is_no_sender(from_header: str) -> None:
    raw = raw_email(from_header, extra_headers=f"Reply-To: {VICTIM}\r\n")
    assert parse_email(raw, windows=[]) == Rejected("no usable sender address")


# --- generated variants ---------------------------------------------------------------------

_PIECES = st.sampled_from(
    [
        "\r\n",
        "\n",
        "\r",
        "\x00",
        "\u202e",
        "Reply-To: ",
        "From: ",
        "Sender: ",
        VICTIM,
        f"<{VICTIM}>",
        f"Priya Raman <{VICTIM}>",
        "<",
        ">",
        ":",
        ",",
        ";",
        '"',
        "@",
        " ",
        "Priya",
        "=?utf-8?q?",
        "?=",
    ]
)
_DISPLAY = st.lists(st.one_of(_PIECES, st.text(max_size=6)), min_size=1, max_size=8).map("".join)


def _q_word(text: str, *, strict: bool) -> str:
    """A Q encoded word; `strict=False` leaves ``:<>@,`` unencoded like the reported header."""
    keep = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")
    if not strict:
        keep |= set(":<>@,;")
    out = []
    for byte in text.encode("utf-8", "surrogatepass"):
        char = chr(byte)
        out.append("_" if char == " " else char if char in keep else f"={byte:02X}")
    return f"=?utf-8?q?{''.join(out)}?="


def _b_word(text: str) -> str:
    data = base64.b64encode(text.encode("utf-8", "surrogatepass")).decode()
    return f"=?utf-8?b?{data}?="


@st.composite
def spoofed_from(draw: st.DrawFn) -> str:
    display = draw(_DISPLAY)
    kind = draw(st.sampled_from(["q", "q-loose", "b", "two-words"]))
    if kind == "q":
        encoded = _q_word(display, strict=True)
    elif kind == "q-loose":
        encoded = _q_word(display, strict=False)
    elif kind == "b":
        encoded = _b_word(display)
    else:
        cut = len(display) // 2
        encoded = f"{_b_word(display[:cut] or 'x')} {_q_word(display[cut:] or 'y', strict=True)}"
    return f"{encoded} <{ATTACKER}>"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(from_header=spoofed_from(), reply_to=st.booleans())
def test_generated_encoded_word_and_crlf_variants_keep_the_from_address(
    from_header: str, reply_to: bool
) -> None:
    extra = f"Reply-To: Priya Raman <{VICTIM}>\r\n" if reply_to else ""
    draft = parse(raw_email(from_header, extra_headers=extra))
    assert draft.email == ATTACKER
    assert UNSAFE.search(draft.name) is None  # kept as text, on one line, no controls
    if VICTIM in draft.name.lower():
        assert DISPLAY_NAME_FLAG in draft.missing
