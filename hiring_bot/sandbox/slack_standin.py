"""A stand-in for Slack's Web API: the test suite's fake Slack and the sandbox's Slack are this one.

`FakeSlack` (alias `SlackStandin`) runs a real HTTP server on 127.0.0.1 (ephemeral port) that
`slack_sdk.WebClient` can talk to (``WebClient(token=fake.token, base_url=fake.url)``). It

* checks every call against Slack's published OpenAPI spec
  (``../shared/slack-specs/web-api-openapi-v2.json``): the method exists, required parameters are
  present, parameter types match, no unknown parameters;
* validates every ``blocks`` / ``view`` through ``slack_sdk.models`` plus Slack's caps;
* records every call (``fake.calls``) and answers realistically (ids, wall-clock ``ts`` that
  strictly increase, a per-channel history for ``conversations.history``);
* serves ``response_url`` endpoints and the ``files.getUploadURLExternal`` upload URLs, and
  keeps the uploaded files (``fake.files``) so ``files.delete`` answers as Slack does (ok,
  ``file_not_found``, ``file_deleted``);
* answers ``apps.connections.open`` (app-level token) with a URL of an attached
  ``tests/fakes/socket_mode.py`` FakeSocketMode server;
* injects faults for the next N calls: 429 with ``Retry-After``, 5xx, or a hang.

Problems are appended to ``fake.violations`` and answered the way Slack would
(``{"ok": false, "error": "invalid_arguments" | "invalid_blocks" | "unknown_method", ...}``);
``fake.assert_clean()`` raises if any were seen, so a test fixture calls it at teardown; the
sandbox shows them on its page instead.

Beyond what a single test needs, it keeps what a person watching the sandbox sees: ephemeral
messages per user (``ephemerals``), who each ``trigger_id`` belongs to (``trigger_users``, set by
whoever sends the interaction) and each user's modal stack (``modal_stacks``, as views.open /
views.push / views.update leave it). ``version`` grows with every change, so a page can poll.

The spec is found through ``SLACK_SPECS_DIR`` or as ``../shared/slack-specs`` next to the
repository (see ``find_specs_dir``). ``FakeSlack(require_spec=False)`` runs without it: Block Kit
is still validated, parameter checks are off and ``spec_note`` says so.

The parts live in ``hiring_bot.sandbox.standin`` (spec, params, block_kit, state, faults,
transport, api and one module per method family); this module keeps the import path.
"""

from hiring_bot.sandbox.standin.block_kit import (
    MAX_ID_LENGTH,
    MAX_MESSAGE_BLOCKS,
    MAX_MODAL_TITLE,
    MAX_PRIVATE_METADATA,
    MAX_VIEW_BLOCKS,
    validate_block,
    validate_blocks,
    validate_view,
)
from hiring_bot.sandbox.standin.conversations import (
    HISTORY_DEFAULT_LIMIT,
    HISTORY_MAX_LIMIT,
)
from hiring_bot.sandbox.standin.fake import (
    FakeSlack,
    SlackStandin,
    fake_slack,
)
from hiring_bot.sandbox.standin.spec import (
    APP_TOKEN_METHODS,
    EXTRA_METHODS,
    EXTRA_PARAMS,
    GLOBAL_EXTRA_PARAMS,
    JSON_PARAMS,
    REQUIRED_OVERRIDES,
    SPEC_FILENAME,
    SPECS_DIR_ENV,
    MethodSpec,
    ParamSpec,
    find_specs_dir,
    load_spec,
)
from hiring_bot.sandbox.standin.state import (
    APP_ID,
    BOT_ID,
    BOT_USER_ID,
    TEAM_ID,
    TEAM_NAME,
    Call,
)

__all__ = [
    "APP_ID",
    "APP_TOKEN_METHODS",
    "BOT_ID",
    "BOT_USER_ID",
    "EXTRA_METHODS",
    "EXTRA_PARAMS",
    "GLOBAL_EXTRA_PARAMS",
    "HISTORY_DEFAULT_LIMIT",
    "HISTORY_MAX_LIMIT",
    "JSON_PARAMS",
    "MAX_ID_LENGTH",
    "MAX_MESSAGE_BLOCKS",
    "MAX_MODAL_TITLE",
    "MAX_PRIVATE_METADATA",
    "MAX_VIEW_BLOCKS",
    "REQUIRED_OVERRIDES",
    "SPECS_DIR_ENV",
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
