"""Slack's Web API spec as the stand-in reads it: where the OpenAPI file is, and what each method
takes (plus the methods and parameters newer than the 2020 spec that slack_sdk sends)."""

from __future__ import annotations

import dataclasses
import functools
import json
import os
from pathlib import Path

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

# What a freshly installed app with the repository's manifest is granted (x-oauth-scopes).
DEFAULT_BOT_SCOPES: tuple[str, ...] = (
    "commands",
    "chat:write",
    "channels:read",
    "groups:read",
    "im:write",
    "users:read",
    "files:write",
    "channels:history",
    "groups:history",
    "im:history",
)

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
