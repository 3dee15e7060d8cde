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
"""

from __future__ import annotations

import base64
import copy
import dataclasses
import email.parser
import email.policy
import functools
import hashlib
import itertools
import json
import os
import re
import threading
import time
import urllib.parse
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

# ---------------------------------------------------------------------------------------------
# Spec loading
# ---------------------------------------------------------------------------------------------

SPEC_FILENAME = "web-api-openapi-v2.json"
SPECS_DIR_ENV = "SLACK_SPECS_DIR"


def find_specs_dir(start: Path | None = None) -> Path:
    """Where Slack's spec files are: ``$SLACK_SPECS_DIR``, else ``../shared/slack-specs`` beside
    the repository (the directory holding pyproject.toml), looked for above ``start`` (default:
    this file, then the working directory — an installed package has no pyproject above it)."""
    override = os.environ.get(SPECS_DIR_ENV, "").strip()
    if override:
        specs = Path(override).expanduser()
        if (specs / SPEC_FILENAME).is_file():
            return specs
        raise FileNotFoundError(f"{SPECS_DIR_ENV}={override} holds no {SPEC_FILENAME}")
    starts = [start] if start is not None else [Path(__file__), Path.cwd()]
    for begin in starts:
        here = begin.resolve()
        for parent in [here, *here.parents]:
            if (parent / "pyproject.toml").is_file():
                specs = parent.parent / "shared" / "slack-specs"
                if (specs / SPEC_FILENAME).is_file():
                    return specs
                raise FileNotFoundError(
                    f"Slack specs not found at {specs} (expected {SPEC_FILENAME})"
                )
    raise FileNotFoundError(
        f"no pyproject.toml above {starts[0].resolve()}; cannot locate ../shared/slack-specs "
        f"(set {SPECS_DIR_ENV})"
    )


@dataclasses.dataclass(frozen=True)
class ParamSpec:
    name: str
    type: str  # "string" | "integer" | "boolean" | "number"
    required: bool = False


@dataclasses.dataclass(frozen=True)
class MethodSpec:
    name: str
    http_methods: frozenset[str]
    params: dict[str, ParamSpec]
    from_spec: bool = True


# Methods newer than the 2020 spec that the bot uses (files_upload_v2, Socket Mode).
EXTRA_METHODS: dict[str, MethodSpec] = {
    "apps.connections.open": MethodSpec(
        name="apps.connections.open",
        http_methods=frozenset({"post"}),
        params={},
        from_spec=False,
    ),
    "files.getUploadURLExternal": MethodSpec(
        name="files.getUploadURLExternal",
        http_methods=frozenset({"post"}),
        params={
            p.name: p
            for p in (
                ParamSpec("filename", "string", required=True),
                ParamSpec("length", "integer", required=True),
                ParamSpec("alt_txt", "string"),
                ParamSpec("snippet_type", "string"),
            )
        },
        from_spec=False,
    ),
    "files.completeUploadExternal": MethodSpec(
        name="files.completeUploadExternal",
        http_methods=frozenset({"post"}),
        params={
            p.name: p
            for p in (
                ParamSpec("files", "string", required=True),
                ParamSpec("channel_id", "string"),
                ParamSpec("channels", "string"),
                ParamSpec("initial_comment", "string"),
                ParamSpec("thread_ts", "string"),
                ParamSpec("blocks", "string"),
            )
        },
        from_spec=False,
    ),
}

# Parameters newer than the spec (slack_sdk sends them); a small explicit allowlist.
EXTRA_PARAMS: dict[str, tuple[ParamSpec, ...]] = {
    "chat.postMessage": (
        ParamSpec("metadata", "string"),
        ParamSpec("markdown_text", "string"),
    ),
    "chat.update": (
        ParamSpec("metadata", "string"),
        ParamSpec("markdown_text", "string"),
        ParamSpec("file_ids", "string"),
        ParamSpec("reply_broadcast", "boolean"),
    ),
    "chat.postEphemeral": (ParamSpec("markdown_text", "string"),),
    "chat.scheduleMessage": (
        ParamSpec("metadata", "string"),
        ParamSpec("markdown_text", "string"),
    ),
    "views.open": (ParamSpec("interactivity_pointer", "string"),),
    "views.push": (ParamSpec("interactivity_pointer", "string"),),
    "conversations.history": (ParamSpec("include_all_metadata", "boolean"),),
    "conversations.replies": (ParamSpec("include_all_metadata", "boolean"),),
}

# Methods that take the app-level token (xapp-...) and refuse bot tokens; every other method
# refuses app-level tokens, as Slack does ("not_allowed_token_type").
APP_TOKEN_METHODS = frozenset({"apps.connections.open"})

# Accepted on every method: Bolt's per-request WebClient sends team_id (default_params) on
# every call, and Slack accepts it for org-wide installs.
GLOBAL_EXTRA_PARAMS: tuple[ParamSpec, ...] = (ParamSpec("team_id", "string"),)

# Parameters the real API requires but the spec leaves optional.
REQUIRED_OVERRIDES: dict[str, tuple[str, ...]] = {
    "conversations.members": ("channel",),
    "conversations.history": ("channel",),
    "chat.delete": ("channel", "ts"),
    "users.info": ("user",),
}

# Parameters the spec types as "string" that carry JSON; value is the expected decoded type.
JSON_PARAMS: dict[str, type] = {
    "blocks": list,
    "attachments": list,
    "view": dict,
    "metadata": dict,
    "files": list,
    "unfurls": dict,
    "user_auth_blocks": list,
    "profile": dict,
}


@functools.cache
def load_spec(path: str | None = None) -> dict[str, MethodSpec]:
    """Parse the OpenAPI file once into ``{method name: MethodSpec}``."""
    spec_path = Path(path) if path else find_specs_dir() / SPEC_FILENAME
    raw = json.loads(spec_path.read_text(encoding="utf-8"))
    methods: dict[str, MethodSpec] = {}
    for api_path, operations in raw["paths"].items():
        name = api_path.lstrip("/")
        params: dict[str, ParamSpec] = {}
        for op in operations.values():
            for p in op.get("parameters", []):
                if p["name"] == "token":
                    continue  # travels as Authorization: Bearer
                params[p["name"]] = ParamSpec(
                    p["name"], p.get("type", "string"), bool(p.get("required", False))
                )
        for extra in (*EXTRA_PARAMS.get(name, ()), *GLOBAL_EXTRA_PARAMS):
            params.setdefault(extra.name, extra)
        for required in REQUIRED_OVERRIDES.get(name, ()):
            if required in params:
                params[required] = dataclasses.replace(params[required], required=True)
        methods[name] = MethodSpec(name, frozenset(operations), params)
    for name, extra_method in EXTRA_METHODS.items():
        extra_params = {p.name: p for p in GLOBAL_EXTRA_PARAMS} | extra_method.params
        methods.setdefault(name, dataclasses.replace(extra_method, params=extra_params))
    return methods


# ---------------------------------------------------------------------------------------------
# Block Kit validation (usable on its own: validate_blocks / validate_view)
# ---------------------------------------------------------------------------------------------

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_MODAL_TITLE = 24
MAX_PRIVATE_METADATA = 3000
MAX_ID_LENGTH = 255

# conversations.history: Slack's default page size and its documented maximum.
HISTORY_DEFAULT_LIMIT = 100
HISTORY_MAX_LIMIT = 999


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, (list, dict, str)) and len(value) == 0)


def _roundtrip_diff(given: Any, parsed: Any, where: str) -> list[str]:
    """Keys/elements present in ``given`` that slack_sdk dropped (unknown attributes/types)."""
    problems: list[str] = []
    if isinstance(given, dict) and isinstance(parsed, dict):
        for key, value in given.items():
            if key not in parsed:
                if not _is_empty(value):
                    problems.append(f"{where}: unknown or unsupported attribute {key!r}")
            else:
                problems.extend(_roundtrip_diff(value, parsed[key], f"{where}.{key}"))
    elif isinstance(given, list) and isinstance(parsed, list):
        for i, (g, p) in enumerate(zip(given, parsed, strict=False)):
            if p is None and g is not None:
                problems.append(f"{where}[{i}]: unknown element {g!r:.120}")
            else:
                problems.extend(_roundtrip_diff(g, p, f"{where}[{i}]"))
    return problems


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _empty_texts(node: Any, where: str) -> list[str]:
    problems = []
    for obj in _walk(node):
        if obj.get("type") in ("plain_text", "mrkdwn") and obj.get("text") == "":
            problems.append(f"{where}: empty {obj['type']} text (must be at least 1 character)")
    return problems


def validate_block(block: Any, where: str) -> list[str]:
    """Problems with one block, via ``Block.parse(...).to_dict()`` (runs every validator)."""
    if not isinstance(block, dict):
        return [f"{where}: block must be an object, got {type(block).__name__}"]
    if "type" not in block:
        return [f"{where}: block has no 'type'"]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parsed = Block.parse(copy.deepcopy(block))
            if parsed is None:
                return [f"{where}: unknown block type {block.get('type')!r}"]
            as_dict = parsed.to_dict()
    except Exception as exc:  # SlackObjectFormationError, TypeError on bad kwargs, ...
        return [f"{where} ({block.get('type')}): {type(exc).__name__}: {exc}"]
    return _roundtrip_diff(block, as_dict, where) + _empty_texts(block, where)


def _id_problems(blocks: list[Any], where: str, action_id_scope: str) -> list[str]:
    problems: list[str] = []
    block_ids: set[str] = set()
    message_action_ids: set[str] = set()
    for i, block in enumerate(blocks):
        if not isinstance(block, dict):
            continue
        block_id = block.get("block_id")
        if isinstance(block_id, str):
            if len(block_id) > MAX_ID_LENGTH:
                problems.append(f"{where}[{i}]: block_id longer than {MAX_ID_LENGTH} characters")
            if block_id in block_ids:
                problems.append(f"{where}[{i}]: duplicate block_id {block_id!r}")
            block_ids.add(block_id)
        block_action_ids: set[str] = set()
        for obj in _walk({k: v for k, v in block.items() if k != "block_id"}):
            action_id = obj.get("action_id")
            if not isinstance(action_id, str):
                continue
            if len(action_id) > MAX_ID_LENGTH:
                problems.append(f"{where}[{i}]: action_id longer than {MAX_ID_LENGTH} characters")
            seen = message_action_ids if action_id_scope == "message" else block_action_ids
            if action_id in seen:
                problems.append(f"{where}[{i}]: duplicate action_id {action_id!r}")
            seen.add(action_id)
    return problems


def validate_blocks(
    blocks: Any,
    *,
    where: str = "blocks",
    max_blocks: int = MAX_MESSAGE_BLOCKS,
    action_id_scope: str = "block",
) -> list[str]:
    """Problems with a list of blocks (a message or a view); ``[]`` when valid."""
    if not isinstance(blocks, list):
        return [f"{where}: must be an array, got {type(blocks).__name__}"]
    problems = []
    if len(blocks) > max_blocks:
        problems.append(f"{where}: {len(blocks)} blocks, more than the maximum of {max_blocks}")
    for i, block in enumerate(blocks):
        problems.extend(validate_block(block, f"{where}[{i}]"))
    problems.extend(_id_problems(blocks, where, action_id_scope))
    return problems


def validate_view(view: Any, *, where: str = "view", action_id_scope: str = "block") -> list[str]:
    """Problems with a modal / Home tab view; ``[]`` when valid."""
    if not isinstance(view, dict):
        return [f"{where}: must be an object, got {type(view).__name__}"]
    problems: list[str] = []
    view_type = view.get("type")
    if view_type not in ("modal", "home"):
        problems.append(f"{where}: type must be 'modal' or 'home', got {view_type!r}")
    blocks = view.get("blocks")
    if blocks is None:
        problems.append(f"{where}: blocks is required")
    else:
        if isinstance(blocks, list) and not blocks:
            problems.append(f"{where}: must contain at least 1 block")
        problems.extend(
            validate_blocks(
                blocks,
                where=f"{where}.blocks",
                max_blocks=MAX_VIEW_BLOCKS,
                action_id_scope=action_id_scope,
            )
        )
    title = view.get("title")
    if view_type == "modal":
        if not isinstance(title, dict) or not title.get("text"):
            problems.append(f"{where}: a modal needs a plain_text title")
        elif len(title["text"]) > MAX_MODAL_TITLE:
            problems.append(f"{where}: modal title longer than {MAX_MODAL_TITLE} characters")
    metadata = view.get("private_metadata")
    if metadata is not None:
        if not isinstance(metadata, str):
            problems.append(f"{where}: private_metadata must be a string")
        elif len(metadata) > MAX_PRIVATE_METADATA:
            problems.append(
                f"{where}: private_metadata longer than {MAX_PRIVATE_METADATA} characters"
            )
    rest = {k: v for k, v in view.items() if k != "blocks"}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # blocks were checked one by one above; give View a placeholder so it checks the rest
            as_dict = View(**copy.deepcopy(rest), blocks=[{"type": "divider"}]).to_dict()
            as_dict.pop("blocks", None)
    except Exception as exc:
        problems.append(f"{where}: {type(exc).__name__}: {exc}")
    else:
        problems.extend(_roundtrip_diff(rest, as_dict, where))
        problems.extend(_empty_texts(rest, where))
    return list(dict.fromkeys(problems))


# ---------------------------------------------------------------------------------------------
# Recorded calls
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass
class Call:
    """One Web API call as the fake received it.

    ``params`` merges query string and body; JSON-carrying parameters (``blocks``, ``view``,
    ``attachments``, ``metadata``, ``files``) are decoded to Python objects; ``token`` is removed.
    ``status`` is the HTTP status answered and ``response`` the JSON body answered (None when the
    server hung past stop()).
    """

    method: str
    params: dict[str, Any]
    http_method: str
    headers: dict[str, str]
    status: int = 200
    response: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return self.status == 200 and bool(self.response and self.response.get("ok"))


@dataclasses.dataclass
class _Fault:
    remaining: int
    method: str | None
    status: int | None = None
    retry_after: int | None = None
    hang_seconds: float | None = None
    # Do the call first, then answer with the fault (``after``) or hang up without a word
    # (``drop``): the ambiguous failures where Slack stored the message but the caller never hears.
    after: bool = False
    drop: bool = False
    error: str | None = None  # an ``{"ok": false, "error": ...}`` answer with HTTP 200


class _Reply(Exception):
    """Control flow: answer the call with this body."""

    def __init__(self, body: dict[str, Any], status: int = 200) -> None:
        super().__init__(body.get("error"))
        self.body = body
        self.status = status


class _Server(ThreadingHTTPServer):
    daemon_threads = False  # server_close() joins handler threads: nothing outlives stop()
    block_on_close = True
    fake: FakeSlack

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that time out and hang up are expected (hang_next); stay quiet.
        return


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"
    timeout = 30

    def do_GET(self) -> None:
        self.server.fake._dispatch(self)

    def do_POST(self) -> None:
        self.server.fake._dispatch(self)

    def log_message(self, format: str, *args: Any) -> None:
        return


# ---------------------------------------------------------------------------------------------
# The fake
# ---------------------------------------------------------------------------------------------

TEAM_ID = "T0LAB00001"
TEAM_NAME = "Research Lab"
BOT_USER_ID = "U0BOT"
BOT_ID = "B0BOT00001"
APP_ID = "A0HIRING01"


class FakeSlack:
    """Fake Slack Web API over HTTP. Use as a context manager or call start()/stop().

    Configure: ``channel_members[channel] = [user ids]``, ``users[user_id] = {...}`` (None means
    ``user_not_found``; unconfigured ids get a synthesized user). Inspect: ``calls``,
    ``responses``, ``messages`` ((channel, ts) -> message, as updated/deleted; what
    ``conversations.history`` serves), ``files``, ``views``, ``violations``. ``app_token`` is the
    app-level token ``apps.connections.open`` takes (see tests/fakes/socket_mode.py).
    """

    def __init__(
        self,
        token: str = "xoxb-test",
        *,
        app_token: str = "xapp-test",
        spec_path: str | None = None,
        action_id_scope: str = "block",
        require_spec: bool = True,
    ) -> None:
        self.token = token
        self.valid_tokens: set[str] = {token}
        self.app_token = app_token
        self.app_tokens: set[str] = {app_token}
        # Set by FakeSocketMode: issues the WebSocket URL apps.connections.open answers with.
        self.socket_mode_url: Callable[[], str] | None = None
        self.spec: dict[str, MethodSpec] | None
        self.spec_note: str
        try:
            self.spec = load_spec(spec_path)
            self.spec_note = f"every Web API call is checked against {SPEC_FILENAME}"
        except FileNotFoundError as missing:
            if require_spec:
                raise
            self.spec = None
            self.spec_note = f"spec checks are off: {missing}"
        # Slack: action_id "should be unique among all other action_ids in the containing block";
        # "message" is stricter (unique across the whole message/view).
        self.action_id_scope = action_id_scope
        self.team_id = TEAM_ID
        self.bot_user_id = BOT_USER_ID
        self.bot_id = BOT_ID
        self.app_id = APP_ID

        self.channel_members: dict[str, list[str]] = {}
        self.users: dict[str, dict[str, Any] | None] = {}
        # Who pressed what: the sender of an interaction registers its trigger_id here, so
        # views.open knows whose screen the modal is on.
        self.trigger_users: dict[str, str] = {}
        # Called (outside the lock) with (path, payload) after each response_url POST.
        self.on_response: Callable[[str, dict[str, Any]], None] | None = None

        self._cond = threading.Condition()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.reset()

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> FakeSlack:
        if self._server is not None:
            return self
        self._stopping.clear()
        server = _Server(("127.0.0.1", 0), _Handler)
        server.fake = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.name = f"FakeSlack:{self.port}"
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        self._stopping.set()  # releases hang_next handlers at once
        server.shutdown()
        server.server_close()  # joins handler threads
        if thread is not None:
            thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeSlack is not started")
        return int(self._server.server_address[1])

    @property
    def base(self) -> str:
        """Server root, e.g. ``http://127.0.0.1:PORT/``."""
        return f"http://127.0.0.1:{self.port}/"

    @property
    def url(self) -> str:
        """Web API base URL for ``WebClient(base_url=...)``; ends with ``/api/``."""
        return f"{self.base}api/"

    # -- state -------------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget calls, responses, violations, faults and posted messages/files/views."""
        with self._cond:
            self.calls: list[Call] = []
            self.responses: list[dict[str, Any]] = []
            self.violations: list[str] = []
            self.messages: dict[tuple[str, str], dict[str, Any]] = {}
            self.files: dict[str, dict[str, Any]] = {}
            self.views: dict[str, dict[str, Any]] = {}
            self.ephemerals: list[dict[str, Any]] = []
            self.modal_stacks: dict[str, list[str]] = {}
            self.version = 0
            self._faults: list[_Fault] = []
            self._last_ts_us = 0
            self._ids = itertools.count(1)
            self._response_urls = itertools.count(1)

    def assert_clean(self) -> None:
        with self._cond:
            violations = list(self.violations)
        if violations:
            listing = "\n  ".join(violations)
            raise AssertionError(f"{len(violations)} Slack API violation(s):\n  {listing}")

    def calls_to(self, method: str) -> list[Call]:
        with self._cond:
            return [c for c in self.calls if c.method == method]

    def last(self, method: str) -> Call:
        calls = self.calls_to(method)
        if not calls:
            seen = sorted({c.method for c in self.calls})
            raise AssertionError(f"no call to {method}; calls seen: {seen}")
        return calls[-1]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Block until at least ``count`` calls to ``method`` arrived; return them."""
        with self._cond:
            if not self._cond.wait_for(
                lambda: sum(c.method == method for c in self.calls) >= count, timeout
            ):
                seen = [c.method for c in self.calls]
                raise AssertionError(
                    f"timed out after {timeout}s waiting for {count} call(s) to {method}; "
                    f"calls seen: {seen}"
                )
            return [c for c in self.calls if c.method == method]

    def response_url(self) -> str:
        """A fresh response_url served by this fake; POSTs land in ``responses``."""
        with self._cond:
            n = next(self._response_urls)
        return f"{self.base}response/{n}"

    def wait_for_response(self, count: int = 1, timeout: float = 5.0) -> list[dict[str, Any]]:
        with self._cond:
            if not self._cond.wait_for(lambda: len(self.responses) >= count, timeout):
                raise AssertionError(
                    f"timed out after {timeout}s waiting for {count} response_url post(s); "
                    f"got {len(self.responses)}"
                )
            return list(self.responses)

    # -- fault injection ---------------------------------------------------------------------

    def fail_next(
        self,
        n: int = 1,
        *,
        status: int = 429,
        retry_after: int = 1,
        method: str | None = None,
    ) -> None:
        """Answer the next ``n`` calls (to ``method`` if given) with HTTP ``status``.

        429 carries ``Retry-After: retry_after`` and ``{"ok": false, "error": "ratelimited"}``.
        ``method`` may also be ``"response_url"`` or ``"upload"``.
        """
        with self._cond:
            self._faults.append(
                _Fault(remaining=n, method=method, status=status, retry_after=retry_after)
            )

    def fail_after_next(self, n: int = 1, *, status: int = 500, method: str | None = None) -> None:
        """Carry out the next ``n`` calls (to ``method`` if given), then answer HTTP ``status``."""
        with self._cond:
            self._faults.append(_Fault(remaining=n, method=method, status=status, after=True))

    def drop_after_next(self, n: int = 1, *, method: str | None = None) -> None:
        """Carry out the next ``n`` calls, then close the connection without answering."""
        with self._cond:
            self._faults.append(_Fault(remaining=n, method=method, drop=True))

    def refuse_next(self, n: int = 1, *, error: str, method: str | None = None) -> None:
        """Answer the next ``n`` calls ``{"ok": false, "error": error}`` (e.g. not_in_channel)."""
        with self._cond:
            self._faults.append(_Fault(remaining=n, method=method, status=200, error=error))

    def clear_faults(self) -> None:
        """Forget the faults not used yet (Slack is back)."""
        with self._cond:
            self._faults.clear()

    def hang_next(self, n: int = 1, *, seconds: float = 10.0, method: str | None = None) -> None:
        """Hold the response to the next ``n`` calls for ``seconds`` (released by stop())."""
        with self._cond:
            self._faults.append(_Fault(remaining=n, method=method, hang_seconds=seconds))

    def _take_fault(self, method: str) -> _Fault | None:
        with self._cond:
            for fault in self._faults:
                if fault.remaining > 0 and fault.method in (None, method):
                    fault.remaining -= 1
                    return fault
        return None

    # -- ids ---------------------------------------------------------------------------------

    def _next_ts(self) -> str:
        """Slack's ``ts``: the wall-clock time in microseconds, unique and strictly increasing.

        Wall-clock (not a fixed epoch) so that callers filtering history with ``oldest`` computed
        from ``time.time()`` see what they would see on Slack. Integer microseconds keep the
        six-digit fraction exact; same-length strings sort like the numbers they hold.
        """
        with self._cond:
            micros = max(time.time_ns() // 1000, self._last_ts_us + 1)
            self._last_ts_us = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _next_id(self, prefix: str) -> str:
        return f"{prefix}0{next(self._ids):09d}"

    @staticmethod
    def dm_channel_for(user_id: str) -> str:
        """The stable ``D…`` id conversations.open returns for a user (or user list)."""
        return "D" + hashlib.sha256(user_id.encode()).hexdigest()[:10].upper()

    # -- HTTP dispatch -----------------------------------------------------------------------

    def _dispatch(self, handler: _Handler) -> None:
        parsed = urllib.parse.urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        headers = dict(handler.headers.items())
        path = parsed.path
        if path.startswith("/api/"):
            kind, name = "api", path[len("/api/") :]
        elif path.startswith("/response/"):
            kind, name = "response", "response_url"
        elif path.startswith("/upload/"):
            kind, name = "upload", "upload"
        else:
            self._send(handler, 404, {"ok": False, "error": "not_found"})
            return

        fault = self._take_fault(name)
        if (
            fault is not None
            and fault.hang_seconds is not None
            and self._stopping.wait(fault.hang_seconds)
        ):
            return  # stopping: drop the connection without answering

        if kind == "upload":
            self._handle_upload(handler, path[len("/upload/") :], body, fault)
        elif kind == "response":
            self._handle_response_url(handler, path, body, headers, fault)
        else:
            self._handle_api(handler, name, parsed.query, body, headers, fault)

    def _send(
        self,
        handler: _Handler,
        status: int,
        body: dict[str, Any] | str,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        if isinstance(body, str):
            data, ctype = body.encode(), "text/plain; charset=utf-8"
        else:
            data, ctype = json.dumps(body).encode(), "application/json; charset=utf-8"
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", ctype)
            handler.send_header("Content-Length", str(len(data)))
            for k, v in (extra_headers or {}).items():
                handler.send_header(k, v)
            handler.end_headers()
            handler.wfile.write(data)
        except OSError:
            pass  # the client gave up (timeouts in hang tests)

    def _fault_reply(self, fault: _Fault | None) -> tuple[int, dict[str, Any], dict[str, str]]:
        assert fault is not None
        assert fault.status is not None
        if fault.error is not None:
            body: dict[str, Any] = {"ok": False, "error": fault.error}
            if fault.error == "missing_scope":
                body.update(needed="chat:write", provided="channels:history")
            return 200, body, {}
        if fault.status == 429:
            return (
                429,
                {"ok": False, "error": "ratelimited"},
                {"Retry-After": str(fault.retry_after if fault.retry_after is not None else 1)},
            )
        return fault.status, {"ok": False, "error": "fatal_error"}, {}

    def _record(self, call: Call) -> None:
        with self._cond:
            self.calls.append(call)
            self.version += 1
            self._cond.notify_all()

    def _violate(self, method: str, problems: list[str]) -> None:
        with self._cond:
            self.violations.extend(f"{method}: {p}" for p in problems)
            self.version += 1

    def touch(self) -> None:
        """Note a change made from outside (the sandbox closing a modal, say)."""
        with self._cond:
            self.version += 1
            self._cond.notify_all()

    # -- for the sandbox, which plays the Slack client around this server ---------------------

    @property
    def lock(self) -> threading.Condition:
        """Hold it to read or change the state consistently with the request threads."""
        return self._cond

    def next_ts(self) -> str:
        return self._next_ts()

    def post_as_bot(self, channel: str, fields: dict[str, Any]) -> dict[str, Any]:
        """A message from the bot, as chat.postMessage stores it (an in_channel response_url
        answer or slash command reply lands here)."""
        with self._cond:
            reply = self._m_chat_postMessage({**fields, "channel": channel})
        self.touch()
        return reply

    def add_ephemeral(self, *, channel: str, user: str, fields: dict[str, Any]) -> str:
        """An ephemeral message for ``user`` that did not come through chat.postEphemeral (an
        ack body or a response_url answer); returns its ts."""
        with self._cond:
            ts = self._next_ts()
            message = self._message(fields, ts)
            message.update(channel=channel, to_user=user, source="response")
            self.ephemerals.append(message)
        self.touch()
        return ts

    def record_violation(self, where: str, problems: list[str]) -> None:
        self._violate(where, problems)

    # -- /api/<method> -----------------------------------------------------------------------

    def _handle_api(
        self,
        handler: _Handler,
        method: str,
        query: str,
        body: bytes,
        headers: dict[str, str],
        fault: _Fault | None,
    ) -> None:
        http_method = handler.command
        raw_params, token, parse_problems = _parse_params(query, body, headers)
        spec = self.spec.get(method) if self.spec is not None else _unchecked(method)
        params, problems = _check_params(spec, raw_params) if spec else (raw_params, [])
        call = Call(method, params, http_method, headers)  # JSON params decoded even on faults
        status, extra_headers = 200, dict[str, str]()
        try:
            if fault is not None and fault.status is not None and not fault.after:
                status, reply, extra_headers = self._fault_reply(fault)
                raise _Reply(reply, status)
            if token is None:
                raise _Reply({"ok": False, "error": "not_authed"})
            wanted, other = (
                (self.app_tokens, self.valid_tokens)
                if method in APP_TOKEN_METHODS
                else (self.valid_tokens, self.app_tokens)
            )
            if token in other:
                raise _Reply({"ok": False, "error": "not_allowed_token_type"})
            if token not in wanted:
                raise _Reply({"ok": False, "error": "invalid_auth"})
            if parse_problems:
                self._violate(method, parse_problems)
                raise _Reply(_error("invalid_arguments", parse_problems))
            if spec is None:
                problems = [f"unknown method {method!r} (not in the Web API spec)"]
                self._violate(method, problems)
                raise _Reply(_error("unknown_method", problems))
            if problems:
                self._violate(method, problems)
                raise _Reply(_error("invalid_arguments", problems))
            block_problems = self._check_blocks(method, params)
            if block_problems:
                self._violate(method, block_problems)
                raise _Reply(_error("invalid_blocks", block_problems))
            reply = self._answer(method, params)
        except _Reply as r:
            reply, status = r.body, r.status
        if fault is not None and fault.after:
            status, reply, extra_headers = self._fault_reply(fault)
        call.status, call.response = status, reply
        self._record(call)
        if fault is not None and fault.drop:
            call.status, call.response = 0, None
            return  # the call happened; the caller's connection closes with no answer
        self._send(handler, status, reply, extra_headers)

    def _check_blocks(self, method: str, params: dict[str, Any]) -> list[str]:
        problems: list[str] = []
        if method.startswith("views.") and "view" in params:
            problems.extend(validate_view(params["view"], action_id_scope=self.action_id_scope))
        if "blocks" in params:
            problems.extend(validate_blocks(params["blocks"], action_id_scope=self.action_id_scope))
        attachments = params.get("attachments")
        if isinstance(attachments, list):
            for i, attachment in enumerate(attachments):
                if isinstance(attachment, dict) and "blocks" in attachment:
                    problems.extend(
                        validate_blocks(
                            attachment["blocks"],
                            where=f"attachments[{i}].blocks",
                            action_id_scope=self.action_id_scope,
                        )
                    )
        if method in ("chat.postMessage", "chat.postEphemeral", "chat.scheduleMessage") and all(
            _is_empty(params.get(k)) for k in ("text", "blocks", "attachments", "markdown_text")
        ):
            problems.append("no_text: one of text, blocks, attachments is required")
        return problems

    # -- realistic answers -------------------------------------------------------------------

    def _answer(self, method: str, p: dict[str, Any]) -> dict[str, Any]:
        handler: Callable[[dict[str, Any]], dict[str, Any]] | None = getattr(
            self, "_m_" + method.replace(".", "_"), None
        )
        if handler is None:
            return {"ok": True}
        with self._cond:
            return handler(p)

    def _m_auth_test(self, p: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://research-lab.slack.com/",
            "team": TEAM_NAME,
            "user": "hiring_bot",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _message(self, p: dict[str, Any], ts: str) -> dict[str, Any]:
        message: dict[str, Any] = {
            "type": "message",
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "team": self.team_id,
            "text": p.get("text", ""),
            "ts": ts,
        }
        for key in ("blocks", "attachments", "thread_ts", "metadata"):
            if key in p:
                message[key] = p[key]
        if "thread_ts" in p and _truthy(p.get("reply_broadcast")):
            message["subtype"] = "thread_broadcast"
        return message

    def _m_chat_postMessage(self, p: dict[str, Any]) -> dict[str, Any]:
        channel = str(p["channel"])
        ts = self._next_ts()
        message = self._message(p, ts)
        self.messages[(channel, ts)] = message
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _m_chat_update(self, p: dict[str, Any]) -> dict[str, Any]:
        channel, ts = str(p["channel"]), str(p["ts"])
        message = self.messages.get((channel, ts)) or self._message({}, ts)
        changes: dict[str, Any] = {
            k: p[k] for k in ("text", "blocks", "attachments", "metadata") if k in p
        }
        message = {**message, **changes}
        self.messages[(channel, ts)] = message
        return {
            "ok": True,
            "channel": channel,
            "ts": ts,
            "text": message.get("text", ""),
            "message": {k: v for k, v in message.items() if k != "ts"},
        }

    def _m_chat_postEphemeral(self, p: dict[str, Any]) -> dict[str, Any]:
        ts = self._next_ts()
        message = self._message(p, ts)
        message.update(channel=str(p["channel"]), to_user=str(p["user"]), source="api")
        self.ephemerals.append(message)
        return {"ok": True, "message_ts": ts}

    def _m_chat_delete(self, p: dict[str, Any]) -> dict[str, Any]:
        channel, ts = str(p["channel"]), str(p["ts"])
        self.messages.pop((channel, ts), None)
        return {"ok": True, "channel": channel, "ts": ts}

    def _m_chat_getPermalink(self, p: dict[str, Any]) -> dict[str, Any]:
        channel, ts = str(p["channel"]), str(p["message_ts"])
        return {
            "ok": True,
            "channel": channel,
            "permalink": (
                f"https://research-lab.slack.com/archives/{channel}/p{ts.replace('.', '')}"
            ),
        }

    def _m_conversations_members(self, p: dict[str, Any]) -> dict[str, Any]:
        channel = str(p["channel"])
        members = list(self.channel_members.get(channel, []))
        limit = int(p.get("limit") or 100)
        if limit <= 0:
            limit = 100
        offset = 0
        cursor = p.get("cursor")
        if cursor:
            try:
                offset = int(base64.b64decode(str(cursor)).decode().split(":", 1)[1])
            except (ValueError, IndexError):
                return {"ok": False, "error": "invalid_cursor"}
        page = members[offset : offset + limit]
        next_offset = offset + limit
        next_cursor = (
            base64.b64encode(f"offset:{next_offset}".encode()).decode()
            if next_offset < len(members)
            else ""
        )
        return {"ok": True, "members": page, "response_metadata": {"next_cursor": next_cursor}}

    def _m_apps_connections_open(self, p: dict[str, Any]) -> dict[str, Any]:
        if self.socket_mode_url is None:
            problem = "no Socket Mode endpoint attached (FakeSocketMode(fake) does that)"
            self.violations.append(f"apps.connections.open: {problem}")
            return _error("internal_error", [problem])
        return {"ok": True, "url": self.socket_mode_url()}

    def _m_conversations_history(self, p: dict[str, Any]) -> dict[str, Any]:
        """Top-level messages (and thread broadcasts) of a channel, newest first, like Slack.

        ``oldest``/``latest`` bound the range (exclusive unless ``inclusive``); no ``latest``
        means no upper bound. ``metadata`` comes back only with ``include_all_metadata``. The
        cursor names the last ts returned, so messages posted between pages shift nothing.
        """
        channel = str(p["channel"])
        oldest = float(p["oldest"]) if not _is_empty(p.get("oldest")) else None
        latest = float(p["latest"]) if not _is_empty(p.get("latest")) else None
        inclusive = _truthy(p.get("inclusive"))
        with_metadata = _truthy(p.get("include_all_metadata"))
        limit = int(p.get("limit") or 0)
        limit = HISTORY_DEFAULT_LIMIT if limit <= 0 else min(limit, HISTORY_MAX_LIMIT)
        before: float | None = None
        if p.get("cursor"):
            try:
                kind, value = base64.b64decode(str(p["cursor"])).decode().split(":", 1)
                if kind != "before":
                    raise ValueError(kind)
                before = float(value)
            except ValueError:
                return {"ok": False, "error": "invalid_cursor"}

        def in_range(ts: float) -> bool:
            if oldest is not None and (ts < oldest or (ts == oldest and not inclusive)):
                return False
            if latest is not None and (ts > latest or (ts == latest and not inclusive)):
                return False
            return before is None or ts < before

        found = sorted(
            (
                message
                for (where, ts), message in self.messages.items()
                if where == channel
                and in_range(float(ts))
                and (
                    message.get("thread_ts") in (None, ts)
                    or message.get("subtype") == "thread_broadcast"
                )
            ),
            key=lambda m: float(m["ts"]),
            reverse=True,
        )
        page = [
            copy.deepcopy({k: v for k, v in m.items() if with_metadata or k != "metadata"})
            for m in found[:limit]
        ]
        has_more = len(found) > limit
        next_cursor = (
            base64.b64encode(f"before:{page[-1]['ts']}".encode()).decode() if has_more else ""
        )
        return {
            "ok": True,
            "messages": page,
            "has_more": has_more,
            "pin_count": 0,
            "channel_actions_ts": None,
            "channel_actions_count": 0,
            "response_metadata": {"next_cursor": next_cursor},
        }

    def _m_conversations_replies(self, p: dict[str, Any]) -> dict[str, Any]:
        """A thread: its parent then its replies, oldest first; ``metadata`` only when asked."""
        channel, parent = str(p["channel"]), str(p["ts"])
        if (channel, parent) not in self.messages:
            return {"ok": False, "error": "thread_not_found"}
        oldest = float(p["oldest"]) if not _is_empty(p.get("oldest")) else None
        with_metadata = _truthy(p.get("include_all_metadata"))
        found = sorted(
            (
                message
                for (where, ts), message in self.messages.items()
                if where == channel
                and (ts == parent or message.get("thread_ts") == parent)
                and (ts == parent or oldest is None or float(ts) > oldest)
            ),
            key=lambda m: float(m["ts"]),
        )
        page = [
            copy.deepcopy({k: v for k, v in m.items() if with_metadata or k != "metadata"})
            for m in found
        ]
        return {"ok": True, "messages": page, "has_more": False}

    def _m_conversations_open(self, p: dict[str, Any]) -> dict[str, Any]:
        if p.get("channel"):
            return {"ok": True, "channel": {"id": str(p["channel"])}, "already_open": True}
        users = str(p.get("users") or "")
        if not users:
            return {"ok": False, "error": "users_list_not_supplied"}
        return {"ok": True, "channel": {"id": self.dm_channel_for(users)}}

    def _m_users_info(self, p: dict[str, Any]) -> dict[str, Any]:
        user_id = str(p["user"])
        if user_id in self.users and self.users[user_id] is None:
            return {"ok": False, "error": "user_not_found"}
        name = user_id.lower()
        user: dict[str, Any] = {
            "id": user_id,
            "team_id": self.team_id,
            "name": name,
            "real_name": f"User {user_id}",
            "deleted": False,
            "is_bot": False,
            "is_admin": False,
            "tz": "America/Los_Angeles",
            "profile": {
                "real_name": f"User {user_id}",
                "display_name": name,
                "email": f"{name}@example.org",
            },
        }
        user.update(self.users.get(user_id) or {})
        return {"ok": True, "user": user}

    def _view_reply(
        self,
        view: dict[str, Any],
        view_id: str,
        user_id: str | None,
        previous_view_id: str | None = None,
        root_view_id: str | None = None,
    ) -> dict[str, Any]:
        stored = {
            **view,
            "id": view_id,
            "team_id": self.team_id,
            "app_id": self.app_id,
            "bot_id": self.bot_id,
            "hash": f"{int(time.time())}.{next(self._ids):08d}",
            "state": {"values": {}},
            "root_view_id": root_view_id or view_id,
            "previous_view_id": previous_view_id,
        }
        if user_id:
            stored["user_id"] = user_id
        self.views[view_id] = stored
        return {"ok": True, "view": stored}

    def _m_views_open(self, p: dict[str, Any]) -> dict[str, Any]:
        view_id = self._next_id("V")
        user_id = self.trigger_users.get(str(p.get("trigger_id") or ""))
        if user_id:
            self.modal_stacks[user_id] = [view_id]
        return self._view_reply(p["view"], view_id, user_id)

    def _m_views_push(self, p: dict[str, Any]) -> dict[str, Any]:
        user_id = self.trigger_users.get(str(p.get("trigger_id") or ""))
        stack = self.modal_stacks.get(user_id, []) if user_id else []
        if user_id and not stack:
            # Slack: views.push needs a modal already open (from the same interaction).
            return {"ok": False, "error": "not_found"}
        if len(stack) >= 3:  # Slack keeps at most three views in a modal stack
            return {"ok": False, "error": "push_limit_reached"}
        view_id = self._next_id("V")
        previous = stack[-1] if stack else None
        root = stack[0] if stack else None
        if user_id:
            stack.append(view_id)
        return self._view_reply(p["view"], view_id, user_id, previous, root)

    def _m_views_update(self, p: dict[str, Any]) -> dict[str, Any]:
        view_id = p.get("view_id")
        if not view_id:
            external = p.get("external_id")
            matches = [v for v in self.views.values() if v.get("external_id") == external]
            if not external or not matches:
                return {"ok": False, "error": "not_found"}
            view_id = matches[0]["id"]
        old = self.views.get(str(view_id), {})
        return self._view_reply(
            p.get("view") or {},
            str(view_id),
            old.get("user_id"),
            old.get("previous_view_id"),
            old.get("root_view_id"),
        )

    def _m_views_publish(self, p: dict[str, Any]) -> dict[str, Any]:
        user_id = str(p["user_id"])
        view_id = "V" + hashlib.sha256(user_id.encode()).hexdigest()[:10].upper()
        return self._view_reply(p["view"], view_id, user_id)

    def _m_files_getUploadURLExternal(self, p: dict[str, Any]) -> dict[str, Any]:
        file_id = self._next_id("F")
        self.files[file_id] = {
            "id": file_id,
            "name": str(p["filename"]),
            "length": int(p["length"]),
            "data": None,
            "shared": False,
        }
        return {"ok": True, "upload_url": f"{self.base}upload/{file_id}", "file_id": file_id}

    def _m_files_completeUploadExternal(self, p: dict[str, Any]) -> dict[str, Any]:
        entries = p["files"]
        out = []
        for entry in entries if isinstance(entries, list) else []:
            file_id = entry.get("id") if isinstance(entry, dict) else None
            record = self.files.get(str(file_id))
            if record is None or record["data"] is None:
                return {"ok": False, "error": "file_not_found"}
            record.update(
                shared=True,
                title=entry.get("title") or record["name"],
                channel=p.get("channel_id"),
                thread_ts=p.get("thread_ts"),
                initial_comment=p.get("initial_comment"),
            )
            out.append({"id": record["id"], "title": record["title"], "name": record["name"]})
        if not out:
            return {"ok": False, "error": "invalid_arguments"}
        channel = p.get("channel_id")
        if channel:
            # Slack shares the files as a message from the bot (in the thread, when given).
            shared: dict[str, Any] = {"text": p.get("initial_comment") or "", "files": out}
            if p.get("thread_ts"):
                shared["thread_ts"] = str(p["thread_ts"])
            ts = self._next_ts()
            self.messages[(str(channel), ts)] = {**self._message(shared, ts), "files": out}
        return {"ok": True, "files": out}

    def _m_files_delete(self, p: dict[str, Any]) -> dict[str, Any]:
        # Slack's answers: ok once, then file_deleted for the same id; file_not_found for an id
        # it never had. The record stays (marked deleted) so tests can see what was removed.
        record = self.files.get(str(p["file"]))
        if record is None:
            return {"ok": False, "error": "file_not_found"}
        if record.get("deleted"):
            return {"ok": False, "error": "file_deleted"}
        record.update(deleted=True, data=None)
        return {"ok": True}

    # -- upload URL --------------------------------------------------------------------------

    def _handle_upload(
        self, handler: _Handler, file_id: str, body: bytes, fault: _Fault | None
    ) -> None:
        if fault is not None and fault.status is not None:
            status, reply, extra = self._fault_reply(fault)
            self._send(handler, status, reply, extra)
            return
        with self._cond:
            record = self.files.get(file_id)
            if record is None:
                self._send(handler, 404, "file not found")
                return
            if handler.command != "POST":
                self._send(handler, 405, "method not allowed")
                return
            record["data"] = body
            if len(body) != record["length"]:
                self.violations.append(
                    f"upload: {file_id} got {len(body)} bytes, files.getUploadURLExternal "
                    f"declared length={record['length']}"
                )
        self._send(handler, 200, f"OK - {len(body)}")

    # -- response_url ------------------------------------------------------------------------

    def _handle_response_url(
        self,
        handler: _Handler,
        path: str,
        body: bytes,
        headers: dict[str, str],
        fault: _Fault | None,
    ) -> None:
        if fault is not None and fault.status is not None:
            status, reply, extra = self._fault_reply(fault)
            self._send(handler, status, reply, extra)
            return
        try:
            payload = json.loads(body or b"{}")
        except ValueError:
            self._violate("response_url", [f"{path}: body is not JSON"])
            self._send(handler, 400, "invalid_payload")
            return
        if not isinstance(payload, dict):
            self._violate("response_url", [f"{path}: body must be a JSON object"])
            self._send(handler, 400, "invalid_payload")
            return
        problems: list[str] = []
        if "blocks" in payload:
            problems = validate_blocks(payload["blocks"], action_id_scope=self.action_id_scope)
        if not any(k in payload for k in ("text", "blocks", "attachments", "delete_original")):
            problems.append("no_text: one of text, blocks, attachments, delete_original required")
        with self._cond:
            self.responses.append(payload)
            self.version += 1
            self._cond.notify_all()
        if self.on_response is not None:
            self.on_response(path, payload)
        if problems:
            self._violate("response_url", [f"{path}: {p}" for p in problems])
            self._send(handler, 400, "invalid_blocks")
            return
        self._send(handler, 200, {"ok": True})


# ---------------------------------------------------------------------------------------------
# Parameter parsing and checking
# ---------------------------------------------------------------------------------------------


def _unchecked(method: str) -> MethodSpec:
    """Without the spec: every method is known and every parameter passes unchecked, except
    that JSON-carrying parameters are still decoded (and their Block Kit validated)."""
    params = {name: ParamSpec(name, "string") for name in JSON_PARAMS}
    return _OpenMethodSpec(method, frozenset({"get", "post"}), params, from_spec=False)


@dataclasses.dataclass(frozen=True)
class _OpenMethodSpec(MethodSpec):
    pass


def _error(error: str, messages: list[str]) -> dict[str, Any]:
    return {"ok": False, "error": error, "response_metadata": {"messages": messages}}


def _parse_params(
    query: str, body: bytes, headers: dict[str, str]
) -> tuple[dict[str, Any], str | None, list[str]]:
    """Merge query string and body (form, multipart or JSON); pull out the token."""
    problems: list[str] = []
    params: dict[str, Any] = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
    ctype = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    if body:
        if ctype.startswith("application/json"):
            try:
                decoded = json.loads(body)
            except ValueError as exc:
                problems.append(f"body is not valid JSON: {exc}")
                decoded = {}
            if isinstance(decoded, dict):
                params.update(decoded)
            else:
                problems.append("JSON body must be an object")
        elif ctype.startswith("multipart/form-data"):
            message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
                f"Content-Type: {ctype}\r\n\r\n".encode() + body
            )
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition")
                if isinstance(name, str):
                    payload = part.get_payload(decode=True)
                    params[name] = (
                        payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
                    )
        else:
            params.update(urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    token = None
    auth = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
    if auth.startswith("Bearer "):
        token = auth[len("Bearer ") :].strip() or None
    form_token = params.pop("token", None)
    if token is None and isinstance(form_token, str) and form_token:
        token = form_token
    return params, token, problems


def _truthy(value: Any) -> bool:
    """A boolean parameter as Slack reads it from JSON or a form ("true"/"1")."""
    return value is True or value == 1 or str(value).lower() in ("true", "1")


_INT_RE = re.compile(r"^-?\d+$")
_NUM_RE = re.compile(r"^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")
_BOOL_STRINGS = {"true", "false", "1", "0"}


def _type_ok(expected: str, value: Any) -> bool:
    if expected == "string":
        return isinstance(value, (str, int, float, bool))
    if expected == "integer":
        if isinstance(value, bool):
            return False
        return isinstance(value, int) or (isinstance(value, str) and bool(_INT_RE.match(value)))
    if expected == "boolean":
        return isinstance(value, bool) or value in (0, 1) or value in _BOOL_STRINGS
    if expected == "number":
        if isinstance(value, bool):
            return False
        return isinstance(value, (int, float)) or (
            isinstance(value, str) and bool(_NUM_RE.match(value))
        )
    return True


def _check_params(spec: MethodSpec, raw: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    problems: list[str] = []
    params: dict[str, Any] = {}
    for name, value in raw.items():
        param = spec.params.get(name)
        if param is None and isinstance(spec, _OpenMethodSpec):
            params[name] = value
            continue
        if param is None:
            problems.append(f"unknown parameter {name!r}")
            params[name] = value
            continue
        if name in JSON_PARAMS and param.type == "string":
            expected = JSON_PARAMS[name]
            decoded = value
            if isinstance(value, str):
                try:
                    decoded = json.loads(value)
                except ValueError:
                    problems.append(f"parameter {name!r} must be JSON, got {value!r:.80}")
                    params[name] = value
                    continue
            if not isinstance(decoded, expected):
                problems.append(
                    f"parameter {name!r} must be a JSON {expected.__name__}, "
                    f"got {type(decoded).__name__}"
                )
            params[name] = decoded
            continue
        if isinstance(value, (dict, list)):
            problems.append(f"parameter {name!r} must be a {param.type}, got a JSON structure")
        elif not _type_ok(param.type, value):
            problems.append(f"parameter {name!r} must be a {param.type}, got {value!r:.80}")
        params[name] = value
    for name, param in spec.params.items():
        if param.required and _is_empty(raw.get(name)):
            problems.append(f"missing required parameter {name!r}")
    return params, problems


SlackStandin = FakeSlack


@contextmanager
def fake_slack(token: str = "xoxb-test", **kwargs: Any) -> Iterator[FakeSlack]:
    """``with fake_slack() as fake:`` — started server, stopped on exit (no assert_clean)."""
    fake = FakeSlack(token, **kwargs)
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()
