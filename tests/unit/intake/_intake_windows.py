"""The posting's two windows as the parser sees them, shared by the intake unit tests."""

from __future__ import annotations

from datetime import date

from hiring_bot.intake.draft import WindowSpec

WINDOWS = (
    WindowSpec(
        name="Winter 2017/2018",
        aliases=("winter 2017", "winter 2018", "winter"),
        starts_on=date(2017, 12, 1),
        ends_on=date(2018, 3, 31),
    ),
    WindowSpec(
        name="Spring/Summer 2018",
        aliases=("spring 2018", "summer 2018", "spring/summer 2018"),
        starts_on=date(2018, 4, 1),
        ends_on=date(2018, 9, 30),
    ),
)
