"""A Web API call's parameters: merged from query string and body (form, multipart or JSON), the
token pulled out, then checked against the method's spec (types, required, unknown names)."""

from __future__ import annotations

import dataclasses
import email.parser
import email.policy
import json
import re
import urllib.parse
from typing import Any

from hiring_bot.sandbox.standin.spec import JSON_PARAMS, MethodSpec, ParamSpec


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, (list, dict, str)) and len(value) == 0)


def truthy(value: Any) -> bool:
    """A boolean parameter as Slack reads it from JSON or a form ("true"/"1")."""
    return value is True or value == 1 or str(value).lower() in ("true", "1")


def unchecked_spec(method: str) -> MethodSpec:
    """Without the spec: every method is known and every parameter passes unchecked, except
    that JSON-carrying parameters are still decoded (and their Block Kit validated)."""
    params = {name: ParamSpec(name, "string") for name in JSON_PARAMS}
    return _OpenMethodSpec(method, frozenset({"get", "post"}), params, from_spec=False)


@dataclasses.dataclass(frozen=True)
class _OpenMethodSpec(MethodSpec):
    pass


def api_error(error: str, messages: list[str]) -> dict[str, Any]:
    return {"ok": False, "error": error, "response_metadata": {"messages": messages}}


def parse_params(
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


def check_params(spec: MethodSpec, raw: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
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
        if param.required and is_empty(raw.get(name)):
            problems.append(f"missing required parameter {name!r}")
    return params, problems
