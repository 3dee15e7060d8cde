"""The pure helpers the email parser, webhook and CSV import share."""

from __future__ import annotations

import pytest
from _intake_windows import WINDOWS
from hypothesis import given, settings
from hypothesis import strategies as st

from hiring_bot.domain.areas import find_areas
from hiring_bot.intake.completeness import missing_items
from hiring_bot.intake.draft import WindowSpec
from hiring_bot.intake.education import find_university_and_program
from hiring_bot.intake.eligibility import assess_eligibility
from hiring_bot.intake.links import find_links, is_code_link, normalize_link
from hiring_bot.intake.periods import find_duration, match_window

# The same windows without aliases: matching falls back to dates.
BARE_WINDOWS = tuple(WindowSpec(w.name, (), w.starts_on, w.ends_on) for w in WINDOWS)


# --- links ---------------------------------------------------------------------------------------


def test_links_are_normalised_and_deduplicated_in_order() -> None:
    text = (
        "Code: github.com/JaneDoe, also https://GitHub.com/janedoe/ and "
        "(http://www.github.com/janedoe?utm_source=x&utm_medium=email). "
        "Site: www.jane-doe.dev/blog/. Scholar: <https://scholar.google.com/citations?user=A1&hl=en>"
        " LinkedIn: linkedin.com/in/jane-doe-123/ gitlab.com/jd/proj; bitbucket.org/jd/"
        " Wiki: https://en.wikipedia.org/wiki/Cortex_(anatomy))."
    )
    assert find_links(text) == [
        "https://github.com/janedoe",
        "https://www.jane-doe.dev/blog",
        "https://scholar.google.com/citations?user=A1&hl=en",
        "https://linkedin.com/in/jane-doe-123",
        "https://gitlab.com/jd/proj",
        "https://bitbucket.org/jd",
        "https://en.wikipedia.org/wiki/Cortex_(anatomy)",
    ]


def test_links_ignore_mail_images_and_tracking() -> None:
    text = (
        "mailto:jane@example.com jane@github.com https://example.com/logo.PNG "
        "https://click.mailer.example.com/abc http://www.w3.org/1999/xhtml "
        "http://localhost:8080/x https://EXAMPLE.org:443/Path?fbclid=1"
    )
    assert find_links(text) == ["https://example.org/Path"]


def test_normalize_link_keeps_meaningful_query_and_port() -> None:
    assert normalize_link("HTTP://Example.com:8080/a/?q=1&utm_campaign=z") == (
        "http://example.com:8080/a/?q=1"
    )
    assert normalize_link("github.com/Org/Repo/blob/main/README.md") == (
        "https://github.com/org/repo/blob/main/README.md"
    )
    assert normalize_link("not a link") is None


def test_code_links() -> None:
    assert is_code_link("https://github.com/x")
    assert is_code_link("https://gist.github.com/x/1")
    assert is_code_link("https://gitlab.com/x")
    assert is_code_link("https://bitbucket.org/x")
    assert not is_code_link("https://linkedin.com/in/x")
    assert not is_code_link("https://notgithub.com/x")


_url_parts = st.sampled_from(
    [
        "https://",
        "http://",
        "www.",
        "github.com/",
        "GitHub.com",
        "example.org",
        "/",
        "?utm_source=a",
        "&",
        "=",
        "#",
        ".",
        ",",
        ")",
        "(",
        "<",
        ">",
        " ",
        "\n",
        "'",
        ":",
        "8080",
        "a",
        "Z",
        "é",
        "%20",
        "mailto:",
        "@",
    ]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(_url_parts, st.text(max_size=8)), max_size=40))
def test_find_links_is_idempotent_on_its_output(pieces: list[str]) -> None:
    links = find_links("".join(pieces))
    assert find_links(" ".join(links)) == links
    assert len(links) == len(set(links))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_helpers_never_raise_on_arbitrary_text(text: str) -> None:
    links = find_links(text)
    assert find_links(" ".join(links)) == links
    match_window(text, WINDOWS)
    find_duration(text)
    find_areas(text)
    find_university_and_program(text)
    assess_eligibility(text)


_name_parts = st.sampled_from(
    [
        "Carnegie", "Mellon", "University", "Institute", "of", "and", "Technology", "Science",
        "Universidad", "de", "México", "École", "Jane", "Doe", "Thanks,", "the", "in", ",", ".",
        " ", "\n", "\r\n", "\n\n", "\t", "&", "MIT", "Ph.D.", "É", "ü",
    ]
)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(_name_parts, st.text(max_size=4)), max_size=40))
def test_university_is_one_line_made_of_words_from_the_text(pieces: list[str]) -> None:
    text = " ".join(pieces)
    university, _ = find_university_and_program(text)
    if university is not None:
        assert university.strip() == university
        assert "\n" not in university
        assert "\r" not in university
        assert all(word in text for word in university.replace(",", " ").split())


# --- periods -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I'm applying for Spring/Summer 2018.", ("Spring/Summer 2018", "Spring/Summer 2018")),
        ("available summer 2018", ("summer 2018", "Spring/Summer 2018")),
        ("Winter 2017/2018 would be ideal", ("Winter 2017/2018", "Winter 2017/2018")),
        ("any time this winter", ("winter", "Winter 2017/2018")),
        ("Jan-Apr 2018", ("Jan-Apr 2018", "Winter 2017/2018")),
        ("January to April 2018", ("January to April 2018", "Winter 2017/2018")),
        ("starting June 2018", ("starting June 2018", "Spring/Summer 2018")),
        ("I could start from March", ("start from March", "Winter 2017/2018")),
        ("Summer '18", ("Summer '18", "Spring/Summer 2018")),
        ("fall 2019 maybe", ("fall 2019", None)),
        ("prices fall quickly", (None, None)),
        ("no period here", (None, None)),
    ],
)
def test_match_window(text: str, expected: tuple[str | None, str | None]) -> None:
    assert match_window(text, WINDOWS) == expected


@pytest.mark.parametrize(
    ("text", "window"),
    [
        ("Spring/Summer 2018", "Spring/Summer 2018"),
        ("summer 2018", "Spring/Summer 2018"),
        ("Winter 2017/2018", "Winter 2017/2018"),
        ("Jan-Mar 2018", "Winter 2017/2018"),
        ("June to August 2018", "Spring/Summer 2018"),
        ("starting June 2018", "Spring/Summer 2018"),
        ("from March", "Winter 2017/2018"),
        ("this winter", "Winter 2017/2018"),
    ],
)
def test_match_window_by_dates_without_aliases(text: str, window: str) -> None:
    assert match_window(text, BARE_WINDOWS)[1] == window


def test_match_window_prefers_a_candidate_that_matches() -> None:
    text = "I graduated in spring 2016 and would like to join for summer 2018."
    assert match_window(text, WINDOWS) == ("summer 2018", "Spring/Summer 2018")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("for 3-4 months full time", "3-4 months"),
        ("three to four months", "three to four months"),
        ("I can stay up to a year", "up to a year"),
        ("about 6 months", "6 months"),
        ("I have 6 months of experience", None),
        ("nothing", None),
    ],
)
def test_find_duration(text: str, expected: str | None) -> None:
    assert find_duration(text) == expected


# --- areas, education, eligibility, completeness --------------------------------------------------


def test_find_areas_uses_canonical_labels_in_order() -> None:
    text = (
        "computational neuroscience; deep learning; HTM; cortical columns; goal-directed "
        "behaviour; dendritic spikes; sensorimotor loops; temporal sequences"
    )
    assert find_areas(text) == [
        "Sequence learning",
        "Sensorimotor inference",
        "Neuron/dendrite modeling",
        "Goal-oriented behavior",
        "Models of cortex",
        "HTM",
        "Machine learning",
        "Computational neuroscience",
    ]
    assert find_areas("html and xml, bs and ms") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I am a PhD student at Stanford University.", ("Stanford University", "PhD")),
        (
            "Master's student at the University of California, Berkeley. I study ML.",
            ("University of California, Berkeley", "MS"),
        ),
        (
            "I recently graduated from Carnegie Mellon University with a BS.",
            ("Carnegie Mellon University", "Recent graduate"),
        ),
        ("Undergraduate at MIT", ("MIT", "BS")),
        ("MS in EE, Georgia Institute of Technology", ("Georgia Institute of Technology", "MS")),
        ("hello ms smith", (None, None)),
    ],
)
def test_find_university_and_program(text: str, expected: tuple[str | None, str | None]) -> None:
    assert find_university_and_program(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Universidad Nacional Autónoma de México", "Universidad Nacional Autónoma de México"),
        ("I am a PhD student at ETH Zurich.", "ETH Zurich"),
        ("University of California, Berkeley", "University of California, Berkeley"),
        ("Undergraduate at UC San Diego, class of 2019", "UC San Diego"),
        ("Georgia Institute of Technology", "Georgia Institute of Technology"),
        ("École Polytechnique Fédérale de Lausanne", "École Polytechnique Fédérale de Lausanne"),
        (
            "MS at the Massachusetts Institute of Technology (MIT).",
            "Massachusetts Institute of Technology",
        ),
        (
            "I study at Hanoi University of Science and Technology.",
            "Hanoi University of Science and Technology",
        ),
        (
            "University of Science and Technology of China",
            "University of Science and Technology of China",
        ),
        ("The University of Texas at Austin", "University of Texas at Austin"),
        ("Technische Universität München", "Technische Universität München"),
        ("College of William and Mary", "College of William and Mary"),
        # "and" joins two places, not two fields of the name.
        ("University of Washington and Microsoft Research", "University of Washington"),
        ("Berkeley and Stanford University", "Stanford University"),
        # Soft line wraps inside the name, as in wrapped plain-text email.
        ("Carnegie\nMellon University", "Carnegie Mellon University"),
        (
            "I recently graduated from Carnegie\nMellon University with a BS.",
            "Carnegie Mellon University",
        ),
        ("I recently graduated from Carnegie\r\nMellon University", "Carnegie Mellon University"),
        (
            "I study at the Hanoi\nUniversity of Science and Technology.",
            "Hanoi University of Science and Technology",
        ),
        (
            "Hanoi University of Science\nand Technology",
            "Hanoi University of Science and Technology",
        ),
        ("I am at the University of\nWashington.", "University of Washington"),
        ("Georgia Institute\nof Technology", "Georgia Institute of Technology"),
        # A line of its own before the name is a signature or a heading, not part of the name.
        ("Jane Doe\nStanford University", "Stanford University"),
        ("Thanks,\nJane\nStanford University", "Stanford University"),
        ("Thank you for your time.\nJane\nStanford University", "Stanford University"),
        ("Best regards, Jane Doe\nUniversity of Washington", "University of Washington"),
        ("EDUCATION\nStanford University", "Stanford University"),
        ("Education\nStanford University", "Stanford University"),
        ("Ph.D. in Computational Biology\nStanford University", "Stanford University"),
        (
            "Research assistant in the Department of Neuroscience\nStanford University",
            "Stanford University",
        ),
        # Nor does the line after belong to it.
        ("I am at the University of Washington\nJane Doe", "University of Washington"),
        ("Stanford University\nJane Doe", "Stanford University"),
    ],
)
def test_university_names_are_whole(text: str, expected: str) -> None:
    assert find_university_and_program(text)[0] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I am a US citizen.", ("eligible", "states US citizenship")),
        ("I'm a citizen of the United States", ("eligible", "states US citizenship")),
        ("I hold a Green Card.", ("eligible", "states Green Card / permanent residence")),
        ("I am a permanent resident", ("eligible", "states Green Card / permanent residence")),
        ("I am a Canadian citizen", ("eligible", "states Canadian citizenship")),
        ("Mexican citizen here", ("eligible", "states Mexican citizenship")),
        ("I'm enrolled at a US university", ("eligible", "enrolled at a US university")),
        ("As an F-1 student I can work on CPT", ("eligible", "enrolled at a US university")),
        ("I will need visa sponsorship.", ("ineligible", "asks for visa sponsorship")),
        ("Could you sponsor my H-1B visa?", ("ineligible", "asks for visa sponsorship")),
        (
            "I am not a US citizen and require sponsorship",
            ("ineligible", "asks for visa sponsorship"),
        ),
        (
            "I'm a permanent resident; no visa sponsorship needed... I require sponsorship? no.",
            ("eligible", "states Green Card / permanent residence"),
        ),
        ("non-US citizen", ("unknown", "no eligibility statement")),
        ("Hello!", ("unknown", "no eligibility statement")),
    ],
)
def test_assess_eligibility(text: str, expected: tuple[str, str]) -> None:
    assert assess_eligibility(text) == expected


def test_assess_eligibility_no_sponsorship_needed_is_unknown() -> None:
    status, reason = assess_eligibility("I do not require visa sponsorship.")
    assert status == "unknown"
    assert "no visa sponsorship" in reason


def test_missing_items() -> None:
    assert missing_items(has_cover_letter=False, has_resume=False, links=[], period_text=None) == [
        "cover_letter",
        "resume",
        "code",
        "period",
    ]
    assert (
        missing_items(
            has_cover_letter=True,
            has_resume=True,
            links=["https://linkedin.com/in/x", "https://gitlab.com/x"],
            period_text="summer 2018",
        )
        == []
    )
    assert missing_items(
        has_cover_letter=True,
        has_resume=True,
        links=["https://linkedin.com/in/x"],
        period_text=" ",
    ) == ["code", "period"]
