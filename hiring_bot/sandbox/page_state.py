"""The JSON the page polls: the channel, DMs, ephemerals, modals and Home tab of one person, what
went wrong, the clock and the deadlines worth jumping to."""

from __future__ import annotations

from datetime import datetime, timedelta
from datetime import time as clock_time
from typing import Any

from sqlalchemy import select

from hiring_bot.db.models import Window
from hiring_bot.sandbox import demo
from hiring_bot.sandbox.sandbox_base import BOT_NAME, SandboxBase


class PageState(SandboxBase):
    def state(self, user_id: str) -> dict[str, Any]:
        standin = self.standin
        dm_ids = {standin.dm_channel_for(user_id), user_id}
        with standin.lock:
            channel = sorted(
                (
                    {**m, "channel": c}
                    for (c, _ts), m in standin.messages.items()
                    if c == demo.HIRING_CHANNEL
                ),
                key=lambda m: float(m["ts"]),
            )
            dms = sorted(
                ({**m, "channel": c} for (c, _ts), m in standin.messages.items() if c in dm_ids),
                key=lambda m: float(m["ts"]),
            )
            ephemerals = [m for m in standin.ephemerals if m.get("to_user") == user_id]
            stack = [standin.views[v] for v in standin.modal_stacks.get(user_id, [])]
            home = next(
                (
                    v
                    for v in standin.views.values()
                    if v.get("type") == "home" and v.get("user_id") == user_id
                ),
                None,
            )
            violations = list(standin.violations)
            version = standin.version
        with self._lock:
            errors = {v["id"]: self.view_errors.get(v["id"], {}) for v in stack}
            activity = list(self.activity[-40:])
            problems = list(self.problems)
            warnings = list(self.warnings)
            version = version * 100_000 + self._version
        return {
            "version": version,
            "me": user_id,
            "people": [
                {"id": p.user_id, "name": p.name, "role": p.role, "handle": p.handle}
                for p in demo.PEOPLE
            ],
            "bot": {"id": standin.bot_user_id, "name": BOT_NAME},
            "channel": {"id": demo.HIRING_CHANNEL, "name": "hiring"},
            "messages": channel,
            "dms": dms,
            "ephemerals": ephemerals,
            "modals": stack,
            "modal_errors": errors,
            "home": home,
            "violations": violations,
            "problems": problems,
            "warnings": warnings,
            "spec_note": standin.spec_note,
            "activity": activity,
            "clock": self._clock_state(),
            "deadlines": self._deadlines(),
        }

    def version(self) -> int:
        """Grows with any change the page shows (a poll with the same version gets no body)."""
        with self.standin.lock:
            outside = self.standin.version
        with self._lock:
            return outside * 100_000 + self._version

    def _clock_state(self) -> dict[str, Any]:
        now = self.clock.now().astimezone(self.options.timezone)
        return {
            "now": now.isoformat(),
            "label": f"{now:%a %d %b %Y %H:%M %Z}",
            "offset_days": round(self.clock.offset.total_seconds() / 86400, 2),
        }

    def _deadlines(self) -> list[dict[str, str]]:
        if self.deps is None:
            return []
        tz = self.options.timezone
        out = []
        with self.deps.sessions() as session:
            for window in session.scalars(select(Window).order_by(Window.starts_on)):
                for label, day in (
                    ("application deadline", window.application_deadline),
                    ("decision deadline", window.decision_deadline),
                ):
                    before = datetime.combine(day - timedelta(days=1), datetime.min.time(), tz)
                    out.append(
                        {
                            "label": f"day before {window.name} {label} ({day:%d %b})",
                            "to": (before + timedelta(hours=9, minutes=1)).isoformat(),
                        }
                    )
        now = self.clock.now()
        # The daily jobs (digest, stale-claim DMs, claim releases) act at 09:00 local.
        morning = datetime.combine(now.astimezone(tz).date(), clock_time(9, 1), tz)
        if morning <= now:
            morning += timedelta(days=1)
        daily = {
            "label": f"next morning, 09:01 {morning:%a %d %b} (digest, stale-claim DMs)",
            "to": morning.isoformat(),
        }
        return [daily, *(d for d in out if datetime.fromisoformat(d["to"]) > now)]
