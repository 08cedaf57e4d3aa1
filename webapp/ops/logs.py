"""JSON log lines on stderr, one per request and one per tick, the same for the web process, the CLI and
gunicorn (gunicorn.conf.py hands ``logconfig_dict()`` to gunicorn's own loggers).

Each line has time, level, logger and message; a request's line adds request_id, user_id, method, path,
status and duration_ms (the request id comes from a sane ``X-Request-ID`` header, else a new one, and is
echoed in the response). Anything passed as ``extra={"fields": {...}}`` is merged in."""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from flask import Flask, g, request

HANDLER_NAME = "json-stderr"
REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
log = logging.getLogger("webapp.request")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC ISO-8601), level, logger, message, then the record's fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            line.update(fields)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is at the time (so pytest's capture and gunicorn's redirects see it)."""

    def __init__(self) -> None:
        super().__init__()
        self.set_name(HANDLER_NAME)
        self.setFormatter(JsonFormatter())

    @property  # type: ignore[override]
    def stream(self):  # type: ignore[no-untyped-def]
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:  # type: ignore[no-untyped-def]
        pass


def configure_logging(level: str = "INFO") -> None:
    """Send every logger's records to stderr as JSON lines; idempotent (one handler on the root logger)."""
    root = logging.getLogger()
    if not any(handler.get_name() == HANDLER_NAME for handler in root.handlers):
        root.addHandler(StderrHandler())
    root.setLevel(level.upper())
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the request line below replaces its own
    logging.getLogger("spiff").setLevel(logging.WARNING)  # SpiffWorkflow logs every task state change at INFO


def logconfig_dict(level: str = "INFO") -> dict[str, Any]:
    """gunicorn's ``logconfig_dict``: its error log as JSON lines on stderr, its access log on stdout."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {
            "stderr": {"()": StderrHandler},
            "stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout"},
        },
        "root": {"level": level.upper(), "handlers": ["stderr"]},
        "loggers": {
            "spiff": {"level": "WARNING"},
            "gunicorn.error": {"level": level.upper(), "handlers": ["stderr"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["stdout"], "propagate": False},
        },
    }


def request_id() -> str:
    """The current request's id (set by the before_request hook)."""
    return str(g.get("request_id", ""))


def install_request_logging(app: Flask) -> None:
    """Give each request an id and log one line when it ends (metrics read the same timing)."""

    @app.before_request
    def _start() -> None:
        offered = request.headers.get("X-Request-ID", "")
        g.request_id = offered if REQUEST_ID.match(offered) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def _finish(response):  # type: ignore[no-untyped-def]
        started = g.get("request_started")
        duration = time.perf_counter() - started if started is not None else 0.0
        response.headers.setdefault("X-Request-ID", request_id())
        observer = app.extensions.get("request_observer")
        if observer is not None:
            observer(request.endpoint or "unknown", request.method, response.status_code, duration)
        log.info("%s %s %s", request.method, request.path, response.status_code, extra={"fields": {
            "request_id": request_id(), "user_id": _user_id(), "method": request.method, "path": request.path,
            "status": response.status_code, "duration_ms": round(duration * 1000, 1),
            "remote_addr": request.remote_addr}})
        return response


def _user_id() -> int | None:
    from flask_login import current_user

    try:
        return int(current_user.id) if current_user.is_authenticated else None
    except Exception:  # no user loaded (e.g. a failed request before the session was read)
        return None

