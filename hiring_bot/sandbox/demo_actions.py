"""The page's own controls: move the app's clock (then run the reminder check) and feed a sample
application email through intake."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from hiring_bot.db.models import Window
from hiring_bot.sandbox import demo
from hiring_bot.sandbox.sandbox_base import SandboxBase


class DemoActions(SandboxBase):
    def _windows_for_demo(self) -> tuple[demo.DemoWindow, ...]:
        today = datetime.now(self.options.timezone).date()
        return demo.demo_windows(today)

    def jump_clock(self, body: dict[str, Any]) -> dict[str, Any]:
        """Move the app's clock forward, then have the scheduler run its reminder check."""
        try:
            if body.get("to"):
                target = datetime.fromisoformat(str(body["to"]))
                if target.tzinfo is None:
                    target = target.replace(tzinfo=self.options.timezone)
                now = self.clock.jump_to(target)
            else:
                now = self.clock.advance(timedelta(days=float(body.get("days") or 0)))
        except (TypeError, ValueError) as error:
            return {"ok": False, "error": str(error)}
        self._note(
            "clock", f"clock moved to {now.astimezone(self.options.timezone):%a %d %b %H:%M}"
        )
        ran = self.run_job_now("reminders.check")
        return {"ok": True, "now": now.isoformat(), "reminders": ran}

    def ingest_sample(self) -> dict[str, Any]:
        assert self.deps is not None
        self._samples += 1
        alias = self._windows_for_demo()[0].aliases[0]
        with self.deps.sessions() as session:
            names = list(session.scalars(select(Window.aliases).order_by(Window.starts_on)))
        for aliases in names:
            if aliases:
                alias = aliases[0]
                break
        raw = demo.sample_email(self._samples, window_alias=alias, now=self.clock.now())
        outcome = demo.ingest(self.deps, raw)
        self._note("intake", f"sample email: {outcome.line()}")
        self.run_job_now("outbox.sweep")
        return {"ok": True, "outcome": outcome.line()}
