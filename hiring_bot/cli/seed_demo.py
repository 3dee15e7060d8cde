"""`hiring-bot seed-demo --count N [--windows upcoming]`: fictional applications for demos and
benchmarks (see hiring_bot.domain.demo_data). No cards are posted for them."""

from __future__ import annotations

import argparse
import time
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from hiring_bot.bootstrap import build_deps
from hiring_bot.cli.help import command
from hiring_bot.db.engine import session_scope
from hiring_bot.db.migrate import upgrade
from hiring_bot.domain.demo_data import seed_demo
from hiring_bot.startup import configure_logging, die, load_settings_or_exit

PROG = "hiring-bot seed-demo"
MAX_COUNT = 1_000_000


def count(raw: str) -> int:
    text = raw.strip().replace("_", "").replace(",", "")
    if not text.isdigit() or not 1 <= int(text) <= MAX_COUNT:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a count between 1 and {MAX_COUNT:,}")
    return int(text)


def seed_demo_command(args: argparse.Namespace) -> int:
    settings = load_settings_or_exit()
    configure_logging()
    deps = build_deps(settings)
    reviewers = sorted(settings.reviewer_user_ids | settings.admin_user_ids)
    started = time.perf_counter()
    try:
        upgrade(deps.engine)
        with session_scope(deps.sessions) as session:
            report = seed_demo(
                session,
                count=args.count,
                now=deps.clock.now(),
                reviewers=reviewers or (),
                seed=args.seed,
                with_windows=args.windows == "upcoming",
            )
    except SQLAlchemyError as exc:
        die(f"{PROG}: the database refused the demo data ({type(exc).__name__}); nothing added", 1)
    finally:
        deps.engine.dispose()
    print(f"{report.summary()} in {time.perf_counter() - started:.1f} s")
    return 0


def add_parsers(sub: Any) -> None:
    parser = command(
        sub,
        "seed-demo",
        summary="add N fictional applications (claims, ratings) for demos and benchmarks",
        description="Add fictional applications across the windows, with claims and ratings, "
        "in one transaction;\nno cards are posted. Addresses are at example.edu.",
        examples=["hiring-bot seed-demo --count 1000 --windows upcoming"],
    )
    parser.add_argument("--count", type=count, required=True, help="how many applications")
    parser.add_argument(
        "--windows",
        choices=["existing", "upcoming"],
        default="existing",
        help="'upcoming' first adds two demo windows relative to today (one open, one later)",
    )
    parser.add_argument("--seed", type=int, default=7, help="random seed (same seed, same data)")


HANDLERS = {"seed-demo": seed_demo_command}
