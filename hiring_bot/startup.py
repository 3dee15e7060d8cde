"""Shared start-up for every entry point (CLI, gunicorn factory): .env, settings, logging, a clean
exit on bad config."""

from __future__ import annotations

import logging
import os
import sys
from typing import NoReturn

from dotenv import load_dotenv

from hiring_bot.config import ConfigError, Settings, load_settings
from hiring_bot.logformat import build_formatter, log_style
from hiring_bot.logsafety import install_log_safety

EXIT_CONFIG = 2


def die(message: str, code: int = EXIT_CONFIG) -> NoReturn:
    print(message, file=sys.stderr)
    raise SystemExit(code)


def configure_logging() -> None:
    name = os.environ.get("LOG_LEVEL", "INFO").upper()
    level = logging.getLevelNamesMapping().get(name, logging.INFO)
    handler = logging.StreamHandler()  # stderr
    handler.setFormatter(build_formatter(log_style()))
    logging.basicConfig(level=level, handlers=[handler])
    # APScheduler logs every job it adds and every run of the minute-by-minute sweeps at INFO;
    # scheduler/wiring.py logs the job list once instead. Its warnings and job errors still show,
    # and LOG_LEVEL=DEBUG shows everything.
    if level > logging.DEBUG:
        logging.getLogger("apscheduler").setLevel(max(level, logging.WARNING))
    install_log_safety()


def load_settings_or_exit(
    *, require_slack: bool = False, socket_mode: bool | None = None
) -> Settings:
    """Entry points only: read .env (never overriding the real environment), then validate."""
    load_dotenv(os.environ.get("DOTENV_PATH", ".env"), override=False)
    try:
        settings = load_settings()
        if require_slack:
            settings.require_slack(socket_mode=socket_mode)
    except ConfigError as error:
        die(error.render())
    return settings
