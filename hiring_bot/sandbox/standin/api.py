"""``/api/<method>``: token checks, spec and Block Kit checks, then the method's answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hiring_bot.sandbox.standin.block_kit import validate_blocks, validate_view
from hiring_bot.sandbox.standin.faults import _Fault
from hiring_bot.sandbox.standin.params import (
    api_error,
    check_params,
    is_empty,
    parse_params,
    unchecked_spec,
)
from hiring_bot.sandbox.standin.spec import APP_TOKEN_METHODS
from hiring_bot.sandbox.standin.state import Call
from hiring_bot.sandbox.standin.transport import HttpEndpoints, _Handler


class _Reply(Exception):
    """Control flow: answer the call with this body."""

    def __init__(self, body: dict[str, Any], status: int = 200) -> None:
        super().__init__(body.get("error"))
        self.body = body
        self.status = status


class ApiEndpoint(HttpEndpoints):
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
        raw_params, token, parse_problems = parse_params(query, body, headers)
        spec = self.spec.get(method) if self.spec is not None else unchecked_spec(method)
        params, problems = check_params(spec, raw_params) if spec else (raw_params, [])
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
            if token in self.valid_tokens:
                extra_headers["x-oauth-scopes"] = ",".join(self.bot_scopes)
            if parse_problems:
                self._violate(method, parse_problems)
                raise _Reply(api_error("invalid_arguments", parse_problems))
            if spec is None:
                problems = [f"unknown method {method!r} (not in the Web API spec)"]
                self._violate(method, problems)
                raise _Reply(api_error("unknown_method", problems))
            if problems:
                self._violate(method, problems)
                raise _Reply(api_error("invalid_arguments", problems))
            block_problems = self._check_blocks(method, params)
            if block_problems:
                self._violate(method, block_problems)
                raise _Reply(api_error("invalid_blocks", block_problems))
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
            is_empty(params.get(k)) for k in ("text", "blocks", "attachments", "markdown_text")
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
