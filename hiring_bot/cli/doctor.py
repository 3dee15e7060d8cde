"""`hiring-bot doctor`: is this deployment ready? Each check says ok, or the problem and the fix.

Checks: configuration, database (reachable, migrated to head), windows (file valid, some window
still taking applications), Slack (token accepted, scopes, bot in HIRING_CHANNEL, app-level token
for Socket Mode), IMAP login when IMAP_URL is set, scheduler mode, webhook token. Exit 0 only when
every check passes, 1 when one fails, 2 when the settings cannot even be read. Nothing is written
to Slack; the database is only read.
"""

from __future__ import annotations

import argparse
import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from dotenv import load_dotenv
from slack_sdk.errors import SlackApiError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from hiring_bot.bootstrap import Deps, build_client, build_deps
from hiring_bot.cli.help import command
from hiring_bot.cli.windows_notice import outlook
from hiring_bot.config import ConfigError, Settings, load_settings
from hiring_bot.config_checks import TOKEN_RECIPE, intake_token_problem
from hiring_bot.db.migrate import current_revision, head_revision
from hiring_bot.domain.window_outlook import FIX
from hiring_bot.domain.windows_file import WindowsFileError, load_windows_file
from hiring_bot.slack.scopes import BOT_SCOPES
from hiring_bot.startup import EXIT_CONFIG


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""

    def lines(self) -> list[str]:
        head = f"{'ok' if self.ok else 'PROBLEM':<8} {self.name}: {self.detail}"
        return [head] + ([f"{'':<8} fix: {self.fix}"] if self.fix and not self.ok else [])


def ok(name: str, detail: str) -> Check:
    return Check(name, True, detail)


def problem(name: str, detail: str, fix: str) -> Check:
    return Check(name, False, detail, fix)


def run_checks(settings: Settings) -> Iterator[Check]:
    deps = build_deps(settings, client=build_client(settings, timeout=5))
    try:
        yield from _slack_settings(settings)
        database_ready = False
        for check in _database(deps):
            database_ready = check.ok
            yield check
        yield from _windows(deps, database_ready=database_ready)
        yield from _slack(deps)
        yield from check_mailbox(settings)
        yield _scheduler(settings)
        yield _webhook(settings)
    finally:
        deps.engine.dispose()


def _slack_settings(settings: Settings) -> Iterator[Check]:
    try:
        settings.require_slack()
    except ConfigError as error:
        yield problem("configuration", "; ".join(error.problems), "set them in the environment")
        return
    yield ok("configuration", "every required setting is present and valid")


def _database(deps: Deps) -> Iterator[Check]:
    url = _redact(deps.settings.database_url)
    try:
        with deps.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        current = current_revision(deps.engine)
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or type(error).__name__).splitlines()[0][:160]
        yield problem(
            "database",
            f"{url} cannot be reached ({reason})",
            "check DATABASE_URL and that the database server is running",
        )
        return
    head = head_revision()
    if current != head:
        yield problem(
            "database",
            f"{url} is at schema {current or 'none (empty)'}, the code needs {head}",
            "run `hiring-bot migrate` (on Heroku the release step does it)",
        )
        return
    yield ok("database", f"{url} reachable, schema at {head} (latest)")


def _windows(deps: Deps, *, database_ready: bool) -> Iterator[Check]:
    path = deps.settings.windows_file
    try:
        specs = load_windows_file(path, timezone=deps.settings.timezone)
    except WindowsFileError as error:
        yield problem(
            "windows file",
            "; ".join(error.problems),
            "fix the file (the format is in the README) or set WINDOWS_FILE",
        )
    else:
        yield ok("windows file", f"{path}: {len(specs)} window(s), valid")
    if not database_ready:
        return
    seen = outlook(deps)
    trouble = seen.problem()
    if trouble is None:
        yield ok("windows", f"{seen.accepting} of {seen.total} window(s) take applications")
    else:
        yield problem("windows", trouble, FIX)


def _slack(deps: Deps) -> Iterator[Check]:
    settings = deps.settings
    if not settings.slack_bot_token:
        return  # reported under configuration
    try:
        auth = deps.client.auth_test()
    except SlackApiError as error:
        code = error.response.get("error", "unknown_error")
        yield problem(
            "slack token",
            f"Slack refused SLACK_BOT_TOKEN ({code})",
            "copy the Bot User OAuth Token (xoxb-...) from OAuth & Permissions; reinstall the "
            "app if it was revoked",
        )
        return
    except OSError as error:
        yield problem(
            "slack token",
            f"Slack cannot be reached at {settings.slack_api_url} ({type(error).__name__})",
            "check the network and SLACK_API_URL",
        )
        return
    yield ok("slack token", f"accepted: bot {auth.get('user')} in {auth.get('team')}")
    granted = _scopes(auth.headers)
    missing = sorted(set(BOT_SCOPES) - granted)
    if missing:
        yield problem(
            "slack scopes",
            f"the token lacks {', '.join(missing)} (has: {', '.join(sorted(granted)) or 'none'})",
            "add them under OAuth & Permissions -> Bot Token Scopes (or paste manifest.yml "
            "again), then reinstall the app and copy the new token",
        )
    else:
        yield ok("slack scopes", f"all {len(BOT_SCOPES)} scopes manifest.yml asks for")
    yield from _membership(deps)
    if settings.socket_mode:
        yield _app_token(deps)


def _membership(deps: Deps) -> Iterator[Check]:
    channel = deps.settings.hiring_channel
    if not channel:
        return
    try:
        info = deps.client.conversations_info(channel=channel)
    except SlackApiError as error:
        code = error.response.get("error", "unknown_error")
        yield problem(
            "hiring channel",
            f"HIRING_CHANNEL {channel} cannot be seen ({code})",
            "check the ID (channel details -> bottom); a private channel needs the bot invited "
            "first: /invite @hiring-bot",
        )
        return
    name = info["channel"].get("name", channel)
    if not info["channel"].get("is_member"):
        yield problem(
            "hiring channel",
            f"the bot is not a member of #{name} ({channel}), so cards cannot be posted",
            f"in #{name}, type /invite @hiring-bot",
        )
        return
    yield ok("hiring channel", f"the bot is a member of #{name} ({channel})")


def _app_token(deps: Deps) -> Check:
    try:
        deps.client.apps_connections_open(app_token=deps.settings.slack_app_token or "")
    except SlackApiError as error:
        code = error.response.get("error", "unknown_error")
        return problem(
            "socket mode",
            f"Slack refused SLACK_APP_TOKEN ({code})",
            "create an app-level token with connections:write (Basic Information -> "
            "App-Level Tokens)",
        )
    return ok("socket mode", "SLACK_APP_TOKEN accepted")


def _scopes(headers: Any) -> set[str]:
    for key, value in dict(headers or {}).items():
        if key.lower() == "x-oauth-scopes":
            raw = value[0] if isinstance(value, list) else value
            return {s.strip() for s in str(raw).split(",") if s.strip()}
    return set()


def check_mailbox(settings: Settings) -> Iterator[Check]:
    if not settings.imap_url:
        yield ok("mailbox", "IMAP_URL not set: no mailbox polling (email intake by CLI only)")
        return
    from hiring_bot.intake.mailbox import MailboxError, connect, parse_imap_url

    try:
        config = parse_imap_url(settings.imap_url)
        imap = connect(config)
    except MailboxError as error:
        yield problem("mailbox", str(error), "check IMAP_URL (imaps://user:password@host/INBOX)")
        return
    try:
        status, _ = imap.select(config.mailbox, readonly=True)
    finally:
        with contextlib.suppress(OSError):
            imap.logout()
    if status != "OK":
        yield problem(
            "mailbox",
            f"logged in, but there is no mailbox {config.mailbox!r}",
            "name an existing folder at the end of IMAP_URL",
        )
        return
    yield ok("mailbox", f"logged in as {config.user} at {config.host}, {config.mailbox} found")


def _scheduler(settings: Settings) -> Check:
    if settings.run_scheduler:
        return ok("scheduler", "reminders run inside the bot process (RUN_SCHEDULER=1)")
    return ok(
        "scheduler",
        "RUN_SCHEDULER=0: reminders need the clock process (Procfile clock / hiring-bot clock)",
    )


def _webhook(settings: Settings) -> Check:
    if not settings.intake_token:
        return ok("webhook", "off (INTAKE_TOKEN empty): POST /intake/applications answers 503")
    weak = intake_token_problem(settings.intake_token)
    if weak is not None:
        return problem("webhook", weak, f"make one with {TOKEN_RECIPE}")
    return ok("webhook", f"on; the token is {len(settings.intake_token)} characters")


def _redact(url: str) -> str:
    head, sep, tail = url.partition("@")
    if not sep:
        return url
    scheme, _, _creds = head.partition("://")
    return f"{scheme}://***@{tail}"


def doctor(_args: argparse.Namespace) -> int:
    load_dotenv(os.environ.get("DOTENV_PATH", ".env"), override=False)
    try:
        settings = load_settings()
    except ConfigError as error:
        for item in error.problems:
            print(problem("configuration", item, "").lines()[0])
        print("fix the settings above (environment or .env), then run hiring-bot doctor again")
        return EXIT_CONFIG
    checks = []
    for check in run_checks(settings):
        checks.append(check)
        print("\n".join(check.lines()), flush=True)
    failed = [c for c in checks if not c.ok]
    if failed:
        print(f"{len(failed)} problem(s) in {len(checks)} checks")
        return 1
    print(f"all {len(checks)} checks passed")
    return 0


def add_parsers(sub: Any) -> None:
    command(
        sub,
        "doctor",
        summary="check configuration, database, windows, Slack, mailbox: ok or what to fix",
        description="Checks configuration, the database (reachable, migrated), the windows, "
        "Slack (token, scopes,\nthe bot in HIRING_CHANNEL), the mailbox when IMAP_URL is set, "
        "the scheduler mode and the\nwebhook token. Each says ok, or the problem and the fix. "
        "Exit 0 only when all pass.",
        examples=["hiring-bot doctor", "DOTENV_PATH=staging.env hiring-bot doctor"],
    )


HANDLERS = {"doctor": doctor}
