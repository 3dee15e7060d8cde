"""`hiring-bot sandbox [--port N]`: the real bot against a local Slack stand-in, in the browser.

`hiring-bot` / `make run` come here too when no Slack credentials are configured, so a fresh clone
shows the bot working before anyone creates a Slack app.
"""

from __future__ import annotations

import argparse
import os
import signal
import threading
from pathlib import Path
from typing import Any

from hiring_bot.cli.help import command
from hiring_bot.config import ConfigError, load_settings
from hiring_bot.startup import configure_logging, die

DEFAULT_PORT = 3000


def sandbox(args: argparse.Namespace, *, why: str | None = None) -> int:
    from hiring_bot.sandbox.server import Sandbox, SandboxOptions

    port = args.port if getattr(args, "port", None) is not None else _env_port()
    url = f"http://127.0.0.1:{port}/"
    # The first line says what this is and where: `make run` on a fresh clone lands here.
    print(
        f"hiring-bot sandbox: open {url} — the real bot against a local Slack stand-in", flush=True
    )
    if why:
        print(f"  {why}", flush=True)
    try:
        timezone = load_settings().timezone
    except ConfigError as error:
        die(error.render())
    configure_logging()
    options = SandboxOptions(
        port=port, data_dir=Path.cwd(), timezone=timezone, reset=bool(getattr(args, "reset", False))
    )
    box = Sandbox(options)
    stopping = threading.Event()

    def _stop(_signum: int, _frame: object) -> None:
        stopping.set()

    # Before start: a SIGTERM while it starts up is honoured once there is something to stop.
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    try:
        box.start()
    except OSError as error:
        box.stop()
        die(f"hiring-bot sandbox: cannot serve on 127.0.0.1:{port}: {error.strerror}", 1)
    print(f"  Slack API: {box.standin.spec_note}", flush=True)
    print(
        "  Data: sandbox.db, sandbox-windows.toml, sandbox-slack.json (--reset starts over)",
        flush=True,
    )
    print("  Ctrl-C stops it.", flush=True)
    stopping.wait()
    box.stop()
    return 0


def _env_port() -> int:
    raw = os.environ.get("PORT", "").strip()
    return int(raw) if raw.isdigit() and 0 < int(raw) < 65536 else DEFAULT_PORT


def _port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}")
    return int(text)


def add_parsers(sub: Any) -> None:
    parser = command(
        sub,
        "sandbox",
        summary="run the bot against a local Slack stand-in with a web page (no Slack)",
        description="The whole bot with demo data, against a Slack stand-in served on a web "
        "page at\nhttp://127.0.0.1:$PORT/: try the commands, buttons and cards without a Slack "
        "workspace.\nIts own database (sandbox.db); `hiring-bot run` starts it too when no "
        "Slack setting is set.",
        examples=["hiring-bot sandbox", "hiring-bot sandbox --port 8080 --reset"],
    )
    parser.add_argument(
        "--port", type=_port, default=None, help="HTTP port (default $PORT or 3000)"
    )
    parser.add_argument(
        "--reset",
        action="store_true",
        help="start over with new demo data (removes sandbox.db and the sandbox's other files)",
    )


HANDLERS = {"sandbox": sandbox}
