"""The fake Slack Web API server the tests use: the sandbox's Slack stand-in, one implementation.

It lives in `hiring_bot.sandbox.slack_standin` so that what the tests check is what the sandbox
shows; this module keeps the tests' import path.
"""

from hiring_bot.sandbox.slack_standin import (
    APP_ID,
    BOT_ID,
    BOT_USER_ID,
    SPEC_FILENAME,
    TEAM_ID,
    TEAM_NAME,
    Call,
    FakeSlack,
    MethodSpec,
    ParamSpec,
    SlackStandin,
    fake_slack,
    find_specs_dir,
    load_spec,
    validate_block,
    validate_blocks,
    validate_view,
)

__all__ = [
    "APP_ID",
    "BOT_ID",
    "BOT_USER_ID",
    "SPEC_FILENAME",
    "TEAM_ID",
    "TEAM_NAME",
    "Call",
    "FakeSlack",
    "MethodSpec",
    "ParamSpec",
    "SlackStandin",
    "fake_slack",
    "find_specs_dir",
    "load_spec",
    "validate_block",
    "validate_blocks",
    "validate_view",
]
