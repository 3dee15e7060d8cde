"""The composition root: settings in, engine + Slack client + Bolt app + WSGI app out.

Nothing here runs at import time; every entry point (CLI, gunicorn factory, tests) calls build_deps.
"""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from sqlalchemy import Engine

from hiring_bot.background import BackgroundWork
from hiring_bot.clock import Clock, SystemClock
from hiring_bot.config import Settings
from hiring_bot.db.engine import make_engine, make_session_factory
from hiring_bot.deps import Deps
from hiring_bot.domain.people import ReviewerDirectory
from hiring_bot.slack.members import slack_member_fetcher
from hiring_bot.slack.pacing import ChannelPacer


def build_client(settings: Settings, *, timeout: int = 10) -> WebClient:
    """A WebClient on SLACK_API_URL that rides out rate limits, 5xx and dropped connections."""
    return WebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=timeout,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=3),
            ServerErrorRetryHandler(max_retry_count=2),
        ],
    )


def build_directory(settings: Settings, *, client: WebClient, clock: Clock) -> ReviewerDirectory:
    """The reviewer directory, asking Slack for the hiring channel's members through `client`."""
    return ReviewerDirectory(
        settings=settings, clock=clock, fetch_members=slack_member_fetcher(client)
    )


def build_deps(
    settings: Settings,
    *,
    engine: Engine | None = None,
    client: WebClient | None = None,
    clock: Clock | None = None,
    pacer: ChannelPacer | None = None,
    background: BackgroundWork | None = None,
) -> Deps:
    engine = engine or make_engine(settings.database_url)
    client = client or build_client(settings)
    clock = clock or SystemClock()
    return Deps(
        settings=settings,
        engine=engine,
        sessions=make_session_factory(engine),
        client=client,
        directory=build_directory(settings, client=client, clock=clock),
        clock=clock,
        pacer=pacer or ChannelPacer(),
        background=background or BackgroundWork(),
    )


__all__ = ["Deps", "build_client", "build_deps", "build_directory"]
