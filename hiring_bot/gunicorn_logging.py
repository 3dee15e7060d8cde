"""gunicorn's error and access logs in the app's own format (``--logger-class`` in the Procfile,
``logger_class`` for the in-process server of ``hiring-bot web`` / ``run``).

gunicorn's loggers do not propagate to the root and bring their own formatters (with a bracketed
timestamp Heroku would repeat); this keeps gunicorn's handlers and streams (error log on stderr,
access log where ``--access-logfile`` says) and gives them the formatter and the log-safety
filters every other handler has. Access lines also carry method, path, status, bytes and
duration as fields, so logfmt and JSON readers need not parse the message. The query string is
never among them (a careless sender puts tokens there).
"""

from __future__ import annotations

import traceback
from typing import Any

from gunicorn import glogging

from hiring_bot.logformat import FIELDS, build_formatter, log_style
from hiring_bot.logsafety import install_log_safety


class Logger(glogging.Logger):  # type: ignore[misc]
    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        formatter = build_formatter(log_style())
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(formatter)
        install_log_safety()

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        if not self.access_log_enabled:
            return
        atoms = self.atoms(resp, req, environ, request_time)
        fields = {
            "method": atoms["m"],
            "path": atoms["U"],
            "status": atoms["s"],
            "bytes": atoms["B"] if atoms["B"] is not None else 0,
            "duration_s": atoms["L"],
        }
        try:
            self.access_log.info(
                self.cfg.access_log_format,
                self.atoms_wrapper_class(atoms),
                extra={FIELDS: fields},
            )
        except Exception:
            self.error(traceback.format_exc())
