"""parse_email: realistic applications, odd encodings, non-applications, limits, robustness."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from email.header import Header
from email.message import EmailMessage

import docx
from _intake_windows import WINDOWS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hiring_bot.intake.draft import (
    ApplicationDraft,
    IntakeLimits,
    Rejected,
    Skipped,
)
from hiring_bot.intake.email_parser import parse_email
from tests.fakes.documents import make_pdf

COVER_LETTER = """Dear Numenta team,

I am writing to apply for the Research Internship for Spring/Summer 2018, for 3-4 months full
time. I am a PhD student in Computational Neuroscience at the University of Washington, where I
study sequence learning in recurrent networks and models of dendritic computation in pyramidal
neurons. I have read your papers on HTM and sensorimotor inference with great interest, and I
would love to test these ideas against detailed models of cortex. I am a US citizen.

My code is on GitHub: github.com/JaneDoe-Lab/dendrites (and https://github.com/janedoe-lab).

Best regards,
Jane Doe
--
Jane Doe | PhD student | https://janedoe.example.org/?utm_source=signature
"""


RESUME_LINES = [
    "Jane Doe - Curriculum Vitae",
    "Education: PhD, Computational Neuroscience, University of Washington",
    "Experience: research assistant, machine learning lab",
    "Skills: Python, PyTorch, NEURON simulator",
]


def build_email(
    *,
    sender: str = "Jane Doe <Jane.Doe@Example.EDU>",
    subject: str = "Research internship application",
    body: str | None = COVER_LETTER,
    html: str | None = None,
    attachments: list[tuple[str, str, bytes]] | None = None,
    headers: dict[str, str] | None = None,
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "internships@lab.example"
    msg["Subject"] = subject
    msg["Date"] = "Mon, 06 Nov 2017 09:30:00 -0800"
    msg["Message-ID"] = "<application-1@example.edu>"
    for name, value in (headers or {}).items():
        msg[name] = value
    if body is not None:
        msg.set_content(body)
        if html is not None:
            msg.add_alternative(html, subtype="html")
    elif html is not None:
        msg.set_content(html, subtype="html")
    for filename, content_type, data in attachments or []:
        maintype, subtype = content_type.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg.as_bytes()


def parse(raw: bytes, **kwargs: object) -> ApplicationDraft:
    result = parse_email(raw, windows=WINDOWS, **kwargs)  # type: ignore[arg-type]
    assert isinstance(result, ApplicationDraft), result
    return result


# --- a complete application ----------------------------------------------------------------------


def test_realistic_application_with_pdf_resume_parses_fully() -> None:
    pdf = make_pdf([RESUME_LINES], uri="https://scholar.google.com/citations?user=abc123")
    draft = parse(build_email(attachments=[("Jane_Doe_CV.pdf", "application/pdf", pdf)]))

    assert draft.name == "Jane Doe"
    assert draft.email == "jane.doe@example.edu"
    assert draft.subject == "Research internship application"
    assert draft.message_id == "<application-1@example.edu>"
    assert draft.received_at == datetime(2017, 11, 6, 17, 30, tzinfo=UTC)
    assert draft.cover_letter_text is not None
    assert draft.cover_letter_text.startswith("Dear Numenta team")
    assert "janedoe.example.org" not in draft.cover_letter_text  # signature cut
    assert draft.resume_text is not None
    assert "Curriculum Vitae" in draft.resume_text

    [attachment] = draft.attachments
    assert attachment.role == "resume"
    assert attachment.filename == "Jane_Doe_CV.pdf"
    assert attachment.text_unavailable is None
    assert len(attachment.sha256) == 64

    assert draft.links == [
        "https://github.com/janedoe-lab/dendrites",
        "https://github.com/janedoe-lab",
        "https://janedoe.example.org",
        "https://scholar.google.com/citations?user=abc123",
    ]
    assert draft.code_links == [
        "https://github.com/janedoe-lab/dendrites",
        "https://github.com/janedoe-lab",
    ]
    assert draft.period_text == "Spring/Summer 2018"
    assert draft.window_name == "Spring/Summer 2018"
    assert draft.duration_text == "3-4 months"
    assert draft.areas == [
        "Sequence learning",
        "Sensorimotor inference",
        "Neuron/dendrite modeling",
        "Models of cortex",
        "HTM",
        "Machine learning",
        "Computational neuroscience",
    ]
    assert draft.university == "University of Washington"
    assert draft.program == "PhD"
    assert (draft.eligibility, draft.eligibility_reason) == ("eligible", "states US citizenship")
    assert draft.missing == []
    assert "Dear Numenta" not in repr(draft)  # no body text in logs


def test_docx_resume_and_cover_letter_attachment() -> None:
    document = docx.Document()
    document.add_paragraph("John Smith — Résumé")
    document.add_paragraph("Education: MS student, Carnegie Mellon University")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Skills"
    table.cell(0, 1).text = "deep learning, goal-directed agents"
    paragraph = document.add_paragraph("Code: ")
    # A hyperlink whose target appears only in the relationship, not in the visible text.
    r_id = document.part.relate_to(
        "https://github.com/jsmith",
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink",
        is_external=True,
    )
    link = paragraph._p.makeelement(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}hyperlink",
        {"{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id": r_id},
    )
    paragraph._p.append(link)
    buffer = io.BytesIO()
    document.save(buffer)
    letter = make_pdf([["Dear hiring committee,", "I would like to join in winter.", "Sincerely"]])
    raw = build_email(
        sender="John Smith <jsmith@example.com>",
        body="Please find my cover letter and resume attached.\n\nJohn",
        attachments=[
            ("Cover Letter.pdf", "application/pdf", letter),
            (
                "smith-resume.docx",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                buffer.getvalue(),
            ),
        ],
    )
    draft = parse(raw)
    roles = {a.filename: a.role for a in draft.attachments}
    assert roles == {"Cover Letter.pdf": "cover_letter", "smith-resume.docx": "resume"}
    assert draft.cover_letter_text is not None
    assert "Dear hiring committee" in draft.cover_letter_text
    assert draft.resume_text is not None
    assert "goal-directed" in draft.resume_text
    assert draft.code_links == ["https://github.com/jsmith"]
    assert (draft.period_text, draft.window_name) == ("winter", "Winter 2017/2018")
    assert draft.university == "Carnegie Mellon University"
    assert draft.program == "MS"
    assert "Goal-oriented behavior" in draft.areas
    assert draft.missing == []


def test_largest_document_is_taken_as_resume_when_nothing_is_named() -> None:
    small = make_pdf([["notes"]])
    large = make_pdf([["Some document", *["line of text"] * 30]])
    draft = parse(
        build_email(
            attachments=[
                ("a.pdf", "application/pdf", small),
                ("b.pdf", "application/pdf", large),
            ]
        )
    )
    assert [a.role for a in draft.attachments] == ["other", "resume"]


# --- missing items and unreadable attachments ----------------------------------------------------


def test_missing_items_reported_in_order() -> None:
    draft = parse(build_email(body="Hi, I'd like to apply for the internship. Thanks, Sam"))
    assert draft.missing == ["cover_letter", "resume", "code", "period"]
    assert draft.cover_letter_text is None
    assert draft.period_text is None
    assert (draft.eligibility, draft.eligibility_reason) == ("unknown", "no eligibility statement")


def test_unreadable_attachments_are_kept_and_the_application_created() -> None:
    import pypdf

    writer = pypdf.PdfWriter()
    writer.add_blank_page(100, 100)
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    encrypted = io.BytesIO()
    writer.write(encrypted)
    raw = build_email(
        attachments=[
            ("resume.pdf", "application/pdf", encrypted.getvalue()),
            ("cv-old.pdf", "application/pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog"),
            ("resume.rtf", "application/rtf", b"{\\rtf1 hello}"),
        ]
    )
    draft = parse(raw)
    reasons = {a.filename: a.text_unavailable for a in draft.attachments}
    assert reasons["resume.pdf"] == "text unavailable: encrypted"
    assert (reasons["cv-old.pdf"] or "").startswith("text unavailable: unreadable PDF")
    assert reasons["resume.rtf"] == "text unavailable: unsupported type (RTF)"
    assert all(a.role == "resume" for a in draft.attachments)
    assert draft.resume_text is None
    assert "resume" not in draft.missing


def test_oversized_attachment_is_kept_without_text() -> None:
    pdf = make_pdf([RESUME_LINES])
    limits = IntakeLimits(max_attachment_bytes=100)
    draft = parse(build_email(attachments=[("cv.pdf", "application/pdf", pdf)]), limits=limits)
    [attachment] = draft.attachments
    assert attachment.data == pdf
    assert (attachment.text_unavailable or "").startswith("text unavailable: too large")


# --- headers and bodies --------------------------------------------------------------------------


def test_encoded_word_from_is_decoded() -> None:
    encoded = Header("José Núñez, PhD", "utf-8").encode()
    raw = (
        f"From: {encoded} <Jose.Nunez@Example.com>\r\n"
        "Subject: =?iso-8859-1?q?Candidatura_pr=E1ctica?=\r\n"
        "Date: Tue, 07 Nov 2017 10:00:00 +0100\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "Hola, I want to apply for summer 2018.\r\n"
    ).encode()
    draft = parse(raw)
    assert draft.name == "José Núñez, PhD"
    assert draft.email == "jose.nunez@example.com"
    assert draft.subject == "Candidatura práctica"
    assert draft.received_at == datetime(2017, 11, 7, 9, 0, tzinfo=UTC)
    assert draft.window_name == "Spring/Summer 2018"


def test_raw_8bit_headers_become_text_without_surrogates() -> None:
    raw = "From: Юлия Петрова <julia@example.ru>\nSubject: Стажировка\n\nText body\n".encode()
    draft = parse(raw)
    assert draft.name == "Юлия Петрова"
    assert draft.subject == "Стажировка"


def test_broken_headers_do_not_raise() -> None:
    raw = (
        b"From: =?utf-8?b?!!!notbase64?= <<a@b@c>>, broken <ok@example.org>\n"
        b"Date: Mon, 45 Foo 2017 27:99:00 +9999\n"
        b"Subject: =?x-unknown-charset?q?abc?=\n"
        b"Content-Type: text/plain; charset=x-nonexistent\n\nhello there\n"
    )
    draft = parse(raw)
    assert draft.email == "ok@example.org"
    assert draft.received_at is None
    assert draft.body_text == "hello there"


def test_html_only_body_is_turned_into_text_with_links() -> None:
    html = (
        "<html><head><style>p {color: red}</style></head><body>"
        "<p>Dear team,</p><p>I&#39;d like to intern <b>from March</b> 2018.</p>"
        '<p>My work: <a href="https://GitHub.com/html-only/">my GitHub</a></p>'
        "<script>var x = 1;</script></body></html>"
    )
    draft = parse(build_email(body=None, html=html))
    assert "Dear team," in draft.body_text
    assert "I'd like to intern from March 2018." in draft.body_text
    assert "color" not in draft.body_text
    assert "var x" not in draft.body_text
    assert draft.links == ["https://github.com/html-only"]
    assert draft.period_text == "from March 2018"
    assert draft.window_name == "Winter 2017/2018"


def test_reply_to_used_when_from_is_a_no_reply_address() -> None:
    raw = build_email(
        sender="Careers Form <no-reply@forms.example.com>",
        headers={"Reply-To": "Ana Lima <ANA@example.org>"},
    )
    draft = parse(raw)
    assert (draft.name, draft.email) == ("Ana Lima", "ana@example.org")


def test_from_kept_when_reply_to_is_not_needed() -> None:
    raw = build_email(headers={"Reply-To": "Other <other@example.org>"})
    assert parse(raw).email == "jane.doe@example.edu"


def test_inline_forward_is_the_applicants_not_the_forwarders() -> None:
    body = (
        "FYI, this came to my personal address.\n\n"
        "---------- Forwarded message ---------\n"
        "From: José García <Jose.Garcia@ucb.edu>\n"
        "Date: Mon, 16 Nov 2017 at 09:12\n"
        "Subject: internship application\n"
        "To: Jeff <jeff@lab.example>\n\n" + COVER_LETTER
    )
    draft = parse(
        build_email(sender="Jeff Hawkins <jeff@lab.example>", subject="Fwd: hi", body=body)
    )
    assert (draft.name, draft.email) == ("José García", "jose.garcia@ucb.edu")
    # The identity came from text in the body, which anyone can write: the card says so.
    assert "forwarded_identity" in draft.missing
    assert "FYI" not in (draft.cover_letter_text or "")
    assert draft.cover_letter_text is not None
    assert draft.cover_letter_text.startswith(COVER_LETTER.strip()[:40])


def test_apple_mail_forward_without_a_display_name() -> None:
    body = "Begin forwarded message:\n\nFrom: ana.lima@example.org\nSubject: Internship\n\nHello"
    draft = parse(build_email(sender="Jeff <jeff@lab.example>", body=body))
    assert (draft.name, draft.email) == ("Ana Lima", "ana.lima@example.org")


def test_forward_marker_without_a_usable_sender_keeps_the_outer_sender() -> None:
    body = "---------- Forwarded message ---------\nFrom: somebody\n\n" + COVER_LETTER
    draft = parse(build_email(body=body))
    assert draft.email == "jane.doe@example.edu"
    assert "forwarded_identity" not in draft.missing


def test_sponsorship_request_is_ineligible() -> None:
    body = "Hello, I am an MS student in Germany and I would need visa sponsorship. " * 3
    draft = parse(build_email(body=body))
    assert (draft.eligibility, draft.eligibility_reason) == (
        "ineligible",
        "asks for visa sponsorship",
    )


# --- not applications ----------------------------------------------------------------------------


def test_auto_replies_are_skipped() -> None:
    cases = [
        {"headers": {"Auto-Submitted": "auto-replied"}},
        {"headers": {"X-Autoreply": "yes"}},
        {"headers": {"Precedence": "bulk"}},
        {"subject": "Out of Office: back on Monday"},
        {"subject": "Automatic reply: Research internship"},
    ]
    for case in cases:
        result = parse_email(build_email(**case), windows=WINDOWS)  # type: ignore[arg-type]
        assert isinstance(result, Skipped), case
        assert result.reason


def test_auto_submitted_no_is_an_application() -> None:
    raw = build_email(headers={"Auto-Submitted": "no"})
    assert isinstance(parse_email(raw, windows=WINDOWS), ApplicationDraft)


def test_bounces_and_receipts_are_skipped() -> None:
    report = EmailMessage()
    report["From"] = "Mail Delivery System <MAILER-DAEMON@mx.example.com>"
    report["Subject"] = "Undelivered Mail Returned to Sender"
    report.set_content("This is the mail system at host mx.example.com.")
    result = parse_email(report.as_bytes(), windows=WINDOWS)
    assert isinstance(result, Skipped)
    assert "bounce" in result.reason

    dsn = (
        b"From: postmaster@example.com\nSubject: report\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\n\n'
        b"--b\nContent-Type: text/plain\n\nfailed\n"
        b"--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx\n\n"
        b"Final-Recipient: rfc822; x@y.z\nAction: failed\n--b--\n"
    )
    result = parse_email(dsn, windows=WINDOWS)
    assert result == Skipped("bounce (delivery status report)")

    receipt = dsn.replace(b"report-type=delivery-status", b"report-type=disposition-notification")
    receipt = receipt.replace(b"message/delivery-status", b"message/disposition-notification")
    result = parse_email(receipt, windows=WINDOWS)
    assert result == Skipped("read receipt (disposition notification)")


def test_empty_message_is_skipped() -> None:
    result = parse_email(build_email(body="   \n"), windows=WINDOWS)
    assert result == Skipped("empty message: no text and no attachments")


def test_oversized_message_is_rejected() -> None:
    raw = build_email()
    result = parse_email(raw, windows=WINDOWS, limits=IntakeLimits(max_message_bytes=100))
    assert isinstance(result, Rejected)
    assert "too large" in result.reason


def test_message_without_sender_address_is_rejected() -> None:
    for sender in ("Just A Name", "undisclosed-recipients:;"):
        result = parse_email(build_email(sender=sender), windows=WINDOWS)
        assert result == Rejected("no usable sender address"), sender
    no_from = b"Subject: hello\n\nI would like to apply.\n"
    assert parse_email(no_from, windows=WINDOWS) == Rejected("no usable sender address")


# --- robustness ----------------------------------------------------------------------------------


def _all_strings(result: object) -> list[str]:
    if not isinstance(result, ApplicationDraft):
        return [result.reason] if isinstance(result, Skipped | Rejected) else []
    values = [result.name, result.email, result.subject, result.body_text, *result.links]
    for attachment in result.attachments:
        values += [attachment.filename, attachment.text or "", attachment.text_unavailable or ""]
    return values


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_parse_email_never_raises_on_arbitrary_bytes(raw: bytes) -> None:
    result = parse_email(raw, windows=WINDOWS)
    assert isinstance(result, ApplicationDraft | Skipped | Rejected)
    for value in _all_strings(result):
        value.encode("utf-8")  # no lone surrogates reach storage


_header_line = st.sampled_from(
    [
        "From: A <a@example.com>",
        "From: =?utf-8?b?w6k=?= <b@example.com>",
        "Reply-To: no-reply@x.org",
        "Content-Type: multipart/mixed; boundary=XX",
        "Content-Type: text/html; charset=bogus",
        "Content-Transfer-Encoding: base64",
        "Content-Disposition: attachment; filename*=utf-8''r%C3%A9sum%C3%A9.pdf",
        "Subject: =?utf-8?q?summer_2018?=",
        "--XX",
        "--XX--",
        "",
        "%PDF-1.4",
        "https://github.com/x",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_header_line, st.text(max_size=40)), max_size=30))
def test_parse_email_never_raises_on_mime_like_input(lines: list[str]) -> None:
    raw = "\n".join(lines).encode("utf-8", errors="surrogatepass")
    result = parse_email(raw, windows=WINDOWS)
    assert isinstance(result, ApplicationDraft | Skipped | Rejected)
    for value in _all_strings(result):
        value.encode("utf-8")
