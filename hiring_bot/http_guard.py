"""What /slack/events does before Bolt sees a request: a bounded read and the signature check.

Bolt's WSGI adapter reads the whole body whatever its size, parses it (JSON, forms) and builds its
context *before* its signature middleware runs, so an unsigned request could cost memory, raise
on a bad timestamp or a raw control character (a 500) and have its body logged. Here the body is
read only up to a small limit, the timestamp and signature are checked with slack_sdk's own
verifier, and only then is the payload's shape checked and the request handed on. Bolt still
verifies the signature itself; this is a gate in front of it, not a replacement.
"""

from __future__ import annotations

import io
import json
import logging
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from slack_sdk.signature import SignatureVerifier

from hiring_bot import boundedjson
from hiring_bot.slack_payload_shape import envelope_problem

log = logging.getLogger(__name__)

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

# Slack's payloads are a few KB (a modal's state with every input filled is well under 100 KB).
MAX_SLACK_BODY_BYTES = 1024 * 1024
# Unix seconds: ten digits today; a bound keeps int() cheap and the value sane.
_MAX_TIMESTAMP_DIGITS = 12
_READ_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Refusal:
    status: int
    body: dict[str, Any]


INVALID_SIGNATURE = Refusal(401, {"error": "invalid request"})


def read_bounded(environ: dict[str, Any], *, limit: int) -> bytes | Refusal:
    """The body, read only once its declared length is known to be within ``limit``."""
    length_text = (environ.get("CONTENT_LENGTH") or "").strip()
    if not length_text.isascii() or not length_text.isdigit():
        # Chunked or undeclared bodies are not what Slack sends; refusing them keeps reads bounded.
        return Refusal(411, {"error": "a Content-Length header is required"})
    length = int(length_text)
    if length > limit:
        return Refusal(413, {"error": f"request body is over the {limit}-byte limit"})
    stream = environ.get("wsgi.input")
    chunks: list[bytes] = []
    remaining = length
    while remaining > 0 and stream is not None:
        chunk = stream.read(min(remaining, _READ_CHUNK))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    if remaining > 0:
        return Refusal(400, {"error": "the body is shorter than its Content-Length"})
    return b"".join(chunks)


class SlackRequestGate:
    """Admits a request to Bolt only when it is bounded, signed and shaped like a Slack payload."""

    def __init__(self, signing_secret: str, *, limit: int = MAX_SLACK_BODY_BYTES) -> None:
        self.verifier = SignatureVerifier(signing_secret=signing_secret)
        self.limit = limit

    def admit(self, environ: dict[str, Any]) -> Refusal | None:
        """None when the request may go on (its body replaced by the bytes read here)."""
        body = read_bounded(environ, limit=self.limit)
        if isinstance(body, Refusal):
            return body
        timestamp = (environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP") or "").strip()
        signature = (environ.get("HTTP_X_SLACK_SIGNATURE") or "").strip()
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            # Slack signs UTF-8 text; bytes that are not cannot carry a valid signature.
            return INVALID_SIGNATURE
        if not _is_timestamp(timestamp) or not signature.isascii():
            return INVALID_SIGNATURE
        if not self.verifier.is_valid(body=text, timestamp=timestamp, signature=signature):
            return INVALID_SIGNATURE
        problem = payload_problem(text, environ.get("CONTENT_TYPE") or "")
        if problem is not None:
            return Refusal(400, {"error": problem})
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        return None


def _is_timestamp(value: str) -> bool:
    return value.isascii() and value.isdigit() and len(value) <= _MAX_TIMESTAMP_DIGITS


def payload_problem(text: str, content_type: str) -> str | None:
    """Why Bolt could not parse this signed body (mirroring its rules), or None when it can."""
    if not text:
        return None
    media_type = content_type.split(";")[0].strip().lower()
    try:
        if media_type == "application/json" or text.startswith("{"):
            return _object_problem(boundedjson.loads(text))
        if "payload" in text:
            payload = dict(urllib.parse.parse_qsl(text, keep_blank_values=True)).get("payload")
            if payload is not None:
                return _object_problem(boundedjson.loads(payload))
    except boundedjson.JSONRefused as refused:
        return str(refused)
    return None


def _object_problem(value: Any) -> str | None:
    if not isinstance(value, dict):
        return "the payload must be a JSON object"
    problem = envelope_problem(value)
    return None if problem is None else f"malformed Slack payload: {problem}"


class GuardedSlackHandler:
    """Bolt's WSGI handler behind the gate; a payload Bolt cannot even parse is a 400, not a 500."""

    def __init__(self, handler: WSGIApp, gate: SlackRequestGate) -> None:
        self.handler = handler
        self.gate = gate

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        refusal = self.gate.admit(environ)
        if refusal is None:
            try:
                # Bolt's adapter calls start_response only after the app has answered, so an
                # exception here means nothing has been sent yet.
                return self.handler(environ, start_response)
            except Exception as exc:
                # Signed, yet Bolt's request parsing tripped over its shape (a "team" that is a
                # number, "authorizations" that is a string...). Only the type is logged: the
                # message could quote the payload.
                log.warning("malformed Slack payload refused: %s", type(exc).__name__)
                refusal = Refusal(400, {"error": "malformed Slack payload"})
        payload = json.dumps(refusal.body).encode()
        start_response(
            f"{refusal.status} {HTTPStatus(refusal.status).phrase}",
            [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))],
        )
        return [payload]
