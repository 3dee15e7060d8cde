"""`Deps`: what a listener, job or command may use, built once per process by the composition root.

It sits below the transports (slack/, scheduler/) so they can be handed one without importing the
composition root (hiring_bot/bootstrap.py), which imports them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hiring_bot.background import BackgroundWork
from hiring_bot.clock import Clock, SystemClock

if TYPE_CHECKING:
    from slack_sdk import WebClient
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from hiring_bot.config import Settings
    from hiring_bot.domain.people import ReviewerDirectory
    from hiring_bot.slack.pacing import ChannelPacer


@dataclass
class Deps:
    """Everything a listener, job or command may need, built once per process."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    client: WebClient
    directory: ReviewerDirectory  # who reviews / administers: one member-list cache per process
    pacer: ChannelPacer  # chat.postMessage spacing per channel
    clock: Clock = field(default_factory=SystemClock)
    # Shared by copies made with dataclasses.replace: one pool per process.
    background: BackgroundWork = field(default_factory=BackgroundWork)
