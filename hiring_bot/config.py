"""Settings built from the environment, in one place, with every problem reported at once."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hiring_bot.config_checks import intake_token_problem, is_placeholder, placeholder_problems
from hiring_bot.logformat import LogFormat, log_format_problem, log_style

DEFAULT_DATABASE_URL = "sqlite:///hiring_bot.db"
DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_TIMEZONE = "America/Los_Angeles"
ENV_HELP = "Set them in the environment or in .env (copy .env.example to .env and fill it in)."

_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{2,}$")


class ConfigError(Exception):
    """Every configuration problem found, each with how to fix it."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems

    def render(self) -> str:
        lines = [
            "hiring-bot: configuration problem" + ("s" if len(self.problems) > 1 else "") + ":"
        ]
        lines += [f"  - {p}" for p in self.problems]
        lines.append(ENV_HELP)
        return "\n".join(lines)


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str = DEFAULT_SLACK_API_URL
    hiring_channel: str | None = None
    port: int = 3000
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo(DEFAULT_TIMEZONE))
    admin_user_ids: frozenset[str] = frozenset()
    reviewer_user_ids: frozenset[str] = frozenset()
    intake_token: str | None = None
    imap_url: str | None = None
    run_scheduler: bool = True
    windows_file: Path = Path("windows.toml")
    stale_claim_days: int = 3
    claim_ttl_days: int = 7
    reminder_offsets_days: tuple[int, ...] = (14, 7, 3, 1)
    rating_quorum: int = 2
    retention_days: int | None = None
    web_concurrency: int = 2
    max_message_mb: int = 25
    max_attachment_mb: int = 10
    max_pdf_pages: int = 30
    log_format: LogFormat = "plain"

    @property
    def socket_mode(self) -> bool:
        return bool(self.slack_app_token)

    def require_slack(self, *, socket_mode: bool | None = None) -> None:
        """Raise ConfigError naming every Slack variable the bot cannot run without."""
        socket = self.socket_mode if socket_mode is None else socket_mode
        problems = []
        if not self.slack_bot_token:
            problems.append(
                "SLACK_BOT_TOKEN is not set: the bot token (xoxb-...) from OAuth & Permissions"
            )
        if not socket and not self.slack_signing_secret:
            problems.append("SLACK_SIGNING_SECRET is not set: Basic Information -> App Credentials")
        if socket and not self.slack_app_token:
            problems.append(
                "SLACK_APP_TOKEN is not set: an app-level token (xapp-...) for Socket Mode"
            )
        if not self.hiring_channel:
            problems.append("HIRING_CHANNEL is not set: the ID (C...) of the hiring channel")
        if problems:
            raise ConfigError(problems)


def normalise_database_url(url: str) -> str:
    """Heroku hands out postgres:// URLs; SQLAlchemy needs the psycopg 3 dialect named."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _check_database_url(url: str) -> str | None:
    if url.startswith("sqlite:///") or url == "sqlite://":
        return None
    if url.startswith("postgresql+psycopg://"):
        parts = urlsplit(url)
        if not parts.hostname and "host=" not in (parts.query or ""):
            return "DATABASE_URL has no host: expected postgres://user:pass@host:5432/dbname"
        if not parts.path.strip("/"):
            return "DATABASE_URL names no database: expected postgres://user:pass@host:5432/dbname"
        return None
    return (
        "DATABASE_URL is not a SQLite or PostgreSQL URL: use sqlite:///hiring_bot.db "
        "or postgres://user:pass@host:5432/dbname"
    )


def _int(env: Mapping[str, str], name: str, default: int, problems: list[str], *, low: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < low:
        problems.append(f"{name} must be a whole number >= {low}, got {raw!r}")
        return default
    return int(raw)


def _ids(env: Mapping[str, str], name: str, problems: list[str]) -> frozenset[str]:
    raw = env.get(name, "")
    ids = [part.strip() for part in re.split(r"[,\s]+", raw) if part.strip()]
    bad = [i for i in ids if not _USER_ID.match(i)]
    if bad:
        problems.append(f"{name} must list Slack user IDs (U...), comma-separated; not {bad!r}")
    return frozenset(i for i in ids if _USER_ID.match(i))


def _flag(env: Mapping[str, str], name: str, default: bool, problems: list[str]) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    problems.append(f"{name} must be 1 or 0, got {raw!r}")
    return default


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Build Settings from `env` (default: os.environ); raise ConfigError listing every problem."""
    env = os.environ if env is None else env
    problems: list[str] = []

    def text(name: str) -> str | None:
        value = env.get(name, "").strip()
        return value or None

    database_url = normalise_database_url(text("DATABASE_URL") or DEFAULT_DATABASE_URL)
    if (problem := _check_database_url(database_url)) is not None:
        problems.append(problem)

    port = _int(env, "PORT", 3000, problems, low=1)
    if port > 65535:
        problems.append(f"PORT must be between 1 and 65535, got {port}")

    tz_name = text("HIRING_TIMEZONE") or DEFAULT_TIMEZONE
    timezone = ZoneInfo(DEFAULT_TIMEZONE)
    try:
        timezone = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(
            f"HIRING_TIMEZONE {tz_name!r} is not an IANA time zone name (e.g. America/Los_Angeles)"
        )

    api_url = text("SLACK_API_URL") or DEFAULT_SLACK_API_URL
    if urlsplit(api_url).scheme not in {"http", "https"}:
        problems.append(f"SLACK_API_URL must be an http(s) URL, got {api_url!r}")
    elif not api_url.endswith("/"):
        api_url += "/"

    problems += placeholder_problems(env)
    bot_token = text("SLACK_BOT_TOKEN")
    if bot_token and not bot_token.startswith("xoxb-"):
        problems.append("SLACK_BOT_TOKEN must be a bot token starting with xoxb-")
    app_token = text("SLACK_APP_TOKEN")
    if app_token and not app_token.startswith("xapp-"):
        problems.append("SLACK_APP_TOKEN must be an app-level token starting with xapp-")
    channel = text("HIRING_CHANNEL")
    if channel and not is_placeholder(channel) and not _CHANNEL_ID.match(channel):
        problems.append(
            f"HIRING_CHANNEL must be a channel ID such as C0123456789 (not a name), got {channel!r}"
        )
    imap_url = text("IMAP_URL")
    if imap_url and urlsplit(imap_url).scheme not in {"imap", "imaps", "imap+starttls"}:
        problems.append("IMAP_URL must look like imaps://user:password@host/INBOX")

    offsets_raw = text("REMINDER_OFFSETS_DAYS")
    offsets: tuple[int, ...] = (14, 7, 3, 1)
    if offsets_raw:
        parts = [p.strip() for p in offsets_raw.split(",") if p.strip()]
        if parts and all(p.isdigit() and int(p) > 0 for p in parts):
            offsets = tuple(sorted({int(p) for p in parts}, reverse=True))
        else:
            problems.append(
                "REMINDER_OFFSETS_DAYS must be positive day counts like 14,7,3,1; "
                f"got {offsets_raw!r}"
            )

    if (weak := intake_token_problem(text("INTAKE_TOKEN"))) is not None:
        problems.append(weak)

    if (bad_format := log_format_problem(text("LOG_FORMAT"))) is not None:
        problems.append(bad_format)

    retention_raw = text("RETENTION_DAYS")
    retention = _int(env, "RETENTION_DAYS", 0, problems, low=1) if retention_raw else None

    settings = Settings(
        database_url=database_url,
        slack_bot_token=bot_token,
        slack_signing_secret=text("SLACK_SIGNING_SECRET"),
        slack_app_token=app_token,
        slack_api_url=api_url,
        hiring_channel=channel,
        port=port,
        timezone=timezone,
        admin_user_ids=_ids(env, "ADMIN_USER_IDS", problems),
        reviewer_user_ids=_ids(env, "REVIEWER_USER_IDS", problems),
        intake_token=text("INTAKE_TOKEN"),
        imap_url=imap_url,
        run_scheduler=_flag(env, "RUN_SCHEDULER", True, problems),
        windows_file=Path(text("WINDOWS_FILE") or "windows.toml"),
        stale_claim_days=_int(env, "STALE_CLAIM_DAYS", 3, problems, low=1),
        claim_ttl_days=_int(env, "CLAIM_TTL_DAYS", 7, problems, low=1),
        reminder_offsets_days=offsets,
        rating_quorum=_int(env, "RATING_QUORUM", 2, problems, low=1),
        retention_days=retention,
        web_concurrency=_int(env, "WEB_CONCURRENCY", 2, problems, low=1),
        max_message_mb=_int(env, "MAX_MESSAGE_MB", 25, problems, low=1),
        max_attachment_mb=_int(env, "MAX_ATTACHMENT_MB", 10, problems, low=1),
        max_pdf_pages=_int(env, "MAX_PDF_PAGES", 30, problems, low=1),
        log_format=log_style(env).format,
    )
    if problems:
        raise ConfigError(problems)
    return settings
