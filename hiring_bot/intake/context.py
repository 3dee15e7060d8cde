"""What an intake source needs from the running process, without importing the composition root.

``hiring_bot.bootstrap.Deps`` has all of it; tests may hand in anything of this shape.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker

from hiring_bot.clock import Clock
from hiring_bot.config import Settings


class IntakeContext(Protocol):
    @property
    def settings(self) -> Settings: ...

    @property
    def sessions(self) -> sessionmaker[Session]: ...

    @property
    def clock(self) -> Clock: ...
