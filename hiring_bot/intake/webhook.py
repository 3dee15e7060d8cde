"""POST /intake/applications: applications from a careers form, as JSON.

Request (``Content-Type: application/json``, ``Authorization: Bearer $INTAKE_TOKEN``)::

    {"name": "Ada Lovelace", "email": "ada@example.edu",
     "cover_letter": "I would like to join ...",
     "resume": {"filename": "resume.pdf", "content_base64": "JVBERi0xLjQK..."},
     "links": ["https://github.com/ada"], "period": "Spring/Summer 2018",
     "eligibility": "US citizen", "id": "form-submission-123"}

Only ``name`` and ``email`` are required. Answers: 201 ``{"ref": 42}``; 200
``{"ref": 42, "duplicate": true}`` when this application was received before; 400
``{"error": ..., "fields": {"email": "is not an email address", ...}}``; 401 for a missing or wrong
token; 413 over the size limit; 415 when the body is not JSON; 503 when INTAKE_TOKEN is not set.

A duplicate is recognised by the sender's ``id`` when given (source id ``id:<id>``), otherwise by a
hash of the email address, the matched window (or the stated period) and the cover letter.
"""

from __future__ import annotations

import hmac
import logging
import urllib.parse
from collections.abc import Callable
from typing import Any

from hiring_bot import boundedjson
from hiring_bot.domain.windows import window_specs
from hiring_bot.intake.context import IntakeContext
from hiring_bot.intake.draft import IntakeLimits
from hiring_bot.intake.form import build_draft, check_json, form_source_id
from hiring_bot.intake.limits import limits_for
from hiring_bot.intake.store import SOURCE_WEBHOOK, StoreResult, in_transaction, store_application

log = logging.getLogger(__name__)

PATH = "/intake/applications"
ACTOR = "intake:webhook"
# The shape of hiring_bot.web.Route (not imported: web.py imports this module).
Route = Callable[[dict[str, Any]], tuple[int, dict[str, Any]]]
# Sends outbox rows soon after their commit (web.py hands in hiring_bot.slack.delivery's).
Deliver = Callable[[list[int]], None]


def _limit(limits: IntakeLimits) -> int:
    # base64 makes the resume a third larger; the JSON around it is small.
    return limits.max_attachment_bytes * 4 // 3 + 1024 * 1024


def intake_route(
    deps: IntakeContext, *, deliver: Deliver, limits: IntakeLimits | None = None
) -> Route:
    """The WSGI route for POST /intake/applications (registered in web.build_web).

    ``deliver`` is called with the new card's outbox row after the application is committed.
    """
    intake_limits = limits or limits_for(deps.settings)
    told_no_window: list[bool] = []  # once per process: an application that matched no window

    def route(environ: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        token = deps.settings.intake_token
        if not token:
            return 503, {"error": "intake webhook is not configured: set INTAKE_TOKEN"}
        if _token_in_query(environ.get("QUERY_STRING", "")):
            # A URL ends up in access logs, proxies and browser history: never take a token there.
            return 400, {"error": "send the token in the Authorization header, not in the URL"}
        if not _authorised(environ.get("HTTP_AUTHORIZATION", ""), token):
            return 401, {"error": "missing or wrong bearer token"}
        content_type = environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
        if content_type != "application/json":
            return 415, {"error": "send the application as JSON (Content-Type: application/json)"}
        length_text = environ.get("CONTENT_LENGTH", "") or ""
        if not length_text.strip().isdigit():
            return 411, {"error": "a Content-Length header is required"}
        length, limit = int(length_text), _limit(intake_limits)
        if length > limit:
            return 413, {"error": f"request body is {length} bytes; the limit is {limit} bytes"}
        raw = environ["wsgi.input"].read(length) if length else b""
        try:
            body = boundedjson.loads(raw)
        except boundedjson.JSONRefused as refused:
            return 400, {"error": str(refused)}
        fields, errors = check_json(body, limits=intake_limits)
        if fields is None:
            status = 413 if errors.too_large else 400
            return status, {"error": "the application has problems", "fields": errors.errors}

        with deps.sessions() as session:
            windows = window_specs(session)
        draft = build_draft(fields, windows=windows, limits=intake_limits)
        source_id = form_source_id(fields, draft)
        now = deps.clock.now()

        def store(session: Any) -> StoreResult:
            return store_application(
                session,
                draft=draft,
                source=SOURCE_WEBHOOK,
                source_id=source_id,
                received_at=draft.received_at or now,
                actor=ACTOR,
            )

        result = in_transaction(deps.sessions, store)
        if result.outcome == "duplicate":
            return 200, {"ref": result.application_id, "duplicate": True}
        log.info("application #%s received via the webhook", result.application_id)
        if draft.window_name is None and not told_no_window:
            told_no_window.append(True)
            log.warning(
                "application #%s matched no internship window (%d window(s) in force): check the "
                "windows with /intern windows or `hiring-bot doctor`",
                result.application_id,
                len(windows),
            )
        if result.outbox_id is not None:
            deliver([result.outbox_id])
        return 201, {"ref": result.application_id}

    return route


def _token_in_query(query: str) -> bool:
    names = {name.lower() for name, _ in urllib.parse.parse_qsl(query, keep_blank_values=True)}
    return bool(names & {"token", "access_token", "intake_token", "bearer"})


def _authorised(header: str, token: str) -> bool:
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer":
        return False
    # Constant time: the comparison must not tell an attacker how much of the token was right.
    return hmac.compare_digest(given.strip().encode(), token.encode())
