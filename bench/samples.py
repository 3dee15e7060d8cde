"""Inputs for the benchmark: the shared corpus plus generated, realistic applications."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "emails"

_PERIODS = ("Spring/Summer 2018", "summer 2018", "Jan-Apr 2018", "winter", "starting June 2018")
_AREAS = (
    "sequence learning and HTM",
    "sensorimotor inference",
    "dendrite modeling in pyramidal neurons",
    "goal-oriented behavior with reinforcement learning",
    "detailed computational models of cortex",
)


def corpus_emails() -> list[bytes]:
    if not CORPUS.is_dir():
        return []
    return [p.read_bytes() for p in sorted(CORPUS.iterdir()) if p.name != "SOURCES.md"]


def application_email(i: int) -> bytes:
    message = EmailMessage()
    message["From"] = f"Applicant {i} <applicant{i}@university{i % 17}.edu>"
    message["To"] = "internships@lab.example"
    message["Subject"] = f"Research internship application {i}"
    message["Message-ID"] = f"<bench-{i}@university.example>"
    message["Date"] = "Mon, 15 Jan 2018 10:00:00 -0800"
    message.set_content(
        "Dear hiring team,\n\n"
        f"I am a PhD student in Computational Neuroscience at Stanford University working on "
        f"{_AREAS[i % len(_AREAS)]}. I would like to apply for the {_PERIODS[i % len(_PERIODS)]} "
        "internship for 3-4 months. I am a US citizen.\n\n"
        f"My code is at https://github.com/applicant{i} and my resume is attached.\n\n"
        "Relevant coursework: machine learning, probabilistic graphical models, neural coding.\n"
        * 3
    )
    message.add_attachment(
        (
            f"Applicant {i}\nEducation: PhD, Stanford University\nhttps://github.com/applicant{i}\n"
            * 40
        ).encode(),
        maintype="text",
        subtype="plain",
        filename="resume.txt",
    )
    return message.as_bytes()
