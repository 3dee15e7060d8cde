"""Fault injection: the next N calls answered with an HTTP error (429 with ``Retry-After``, 5xx)
or held (a hang, released by stop())."""

from __future__ import annotations

import dataclasses
from typing import Any

from hiring_bot.sandbox.standin.state import StandinState


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


class FaultInjection(StandinState):
    _faults: list[_Fault]

    def _reset_faults(self) -> None:
        self._faults = []

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
