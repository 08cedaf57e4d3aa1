"""gunicorn settings for `make serve` and the systemd unit (docs/DEPLOY.md): bind 0.0.0.0:$PORT, workers
from the CPU count, timeouts that allow 600 MB uploads through nginx, access log on stdout and the error
log as JSON lines on stderr (webapp.ops.logs), Prometheus multiprocess metrics when
PROMETHEUS_MULTIPROC_DIR is set. Every value can be overridden by an environment variable or on the
command line."""

from __future__ import annotations

import multiprocessing
import os
import shutil
from pathlib import Path

from webapp.ops.logs import logconfig_dict as _logconfig_dict

bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
# Sync workers: one per core + 1. A request is CPU-bound (the engine, the ORM; it waits on the database for
# about a tenth of its time) and nginx buffers requests and responses, so a slow client never holds one;
# more workers than that only share the same cores and cost more CPU per request (bench/bench_load.py on
# 2 cores with PostgreSQL beside: 5 workers averaged 120 completions/s at 16 clients, 3 workers 135,
# 2 workers 141). With PostgreSQL on another host, raise WEB_CONCURRENCY a little.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))  # an upload's checks (video, PDF) may take a while
graceful_timeout = 30
keepalive = 5
max_requests = 2000  # recycle workers now and then (guards against slow leaks)
max_requests_jitter = 200
accesslog = "-"  # stdout
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%({x-request-id}o)s"'
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
logconfig_dict = _logconfig_dict(loglevel)
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")


def on_starting(server):  # type: ignore[no-untyped-def]
    """Start every run with an empty metrics folder (counters of a previous run would be added in)."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        path = Path(folder)
        if path.is_dir():
            for child in path.iterdir():
                if child.is_file() and child.suffix == ".db":
                    child.unlink()
                elif child.is_dir():
                    shutil.rmtree(child)
        path.mkdir(parents=True, exist_ok=True)


def child_exit(server, worker):  # type: ignore[no-untyped-def]
    """Tell prometheus_client a worker is gone (its live gauges stop counting; counters stay summed)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def post_worker_init(worker):  # type: ignore[no-untyped-def]
    """Once the app is loaded in a worker: move everything it holds for good (the BPMN specs, catalogues,
    the password deny-list, SQLAlchemy's caches) out of the cyclic garbage collector's sight. A full
    collection otherwise walks those 200,000 objects every few dozen requests (about 160 ms each, a third
    of a completion's CPU under load, and the pauses show as slow requests)."""
    import gc

    gc.collect()
    gc.freeze()
