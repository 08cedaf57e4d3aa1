"""Optional in-process timer scheduler for single-machine installs (SCHEDULER_ENABLED=1).

A daemon thread runs ``service.tick`` every SCHEDULER_INTERVAL_SECONDS in the web process, started on the
first request (so `flask` commands such as `workflows tick` never start one). Several processes doing this
are safe (each timer still fires once: instances are locked) but wasteful: on a multi-worker or
multi-host deployment use cron with `flask --app webapp workflows tick` instead. Never on in tests.
"""

from __future__ import annotations

import logging
import threading

from flask import Flask

log = logging.getLogger(__name__)
_started: set[int] = set()
_lock = threading.Lock()


def _loop(app: Flask, interval: int, stop: threading.Event) -> None:
    from webapp.extensions import db, db_session
    from workflows import service

    while not stop.is_set():
        with app.app_context():
            try:
                service.refresh_calendar(db_session())
                fired = service.tick(db_session(), open_periods=app.config.get("PERIOD_AUTO_OPEN", True))
                if fired:
                    log.info("scheduler: fired %s timers", fired)
                service.deliver_outbox(db_session())  # e-mails and webhooks, after the steps committed
            except Exception:  # keep the thread alive; the next round retries
                log.exception("scheduler: tick failed")
            finally:
                db.session.remove()
        stop.wait(interval)


def start_scheduler(app: Flask) -> threading.Event | None:
    """Arrange for the background tick thread to start with the first request, when enabled."""
    if not app.config.get("SCHEDULER_ENABLED") or app.testing:
        return None
    stop = threading.Event()
    interval = max(int(app.config.get("SCHEDULER_INTERVAL_SECONDS", 60)), 5)

    @app.before_request
    def _ensure_scheduler() -> None:
        if id(app) in _started:
            return
        with _lock:
            if id(app) in _started:
                return
            _started.add(id(app))
            threading.Thread(target=_loop, args=(app, interval, stop), name="workflow-scheduler",
                             daemon=True).start()
            log.info("scheduler: started, every %s s", interval)

    app.extensions["scheduler_stop"] = stop
    return stop

