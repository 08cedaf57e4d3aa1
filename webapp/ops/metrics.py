"""Prometheus metrics (``GET /metrics``): requests by endpoint and status with latency histograms, timers
fired and failed, and — read from the database at scrape time — ready tasks by role, open cases by kind
and status, cases whose timer failed.

Counters live in this process. Under gunicorn with several workers (or with `workflows tick` run by cron)
set PROMETHEUS_MULTIPROC_DIR to one empty folder for all of them (gunicorn.conf.py clears it at start and
tells prometheus_client when a worker exits): every process writes its counters there and a scrape of any
worker adds them up. Without it each worker reports only its own requests."""

from __future__ import annotations

import hmac
import ipaddress
import os
from collections.abc import Iterator

from flask import Flask
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from workflows import service

REQUESTS = Counter("apprenticeship_http_requests", "HTTP requests by endpoint, method and status",
                   ["endpoint", "method", "status"])
LATENCY = Histogram("apprenticeship_http_request_duration_seconds", "Request latency by endpoint", ["endpoint"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60))
TIMERS_FIRED = Counter("apprenticeship_timers_fired", "Cases whose due timers fired in a tick")
TIMERS_FAILED = Counter("apprenticeship_timers_failed", "Cases whose due timers failed in a tick")
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def observe_request(endpoint: str, method: str, status: int, seconds: float) -> None:
    """Count one finished request (called by the request-log hook)."""
    REQUESTS.labels(endpoint, method, str(status)).inc()
    LATENCY.labels(endpoint).observe(seconds)


def observe_tick(report: service.TickReport) -> None:
    """Count one tick's fired and failed timers."""
    TIMERS_FIRED.inc(report.fired)
    TIMERS_FAILED.inc(report.failed)


class _Figures(Collector):
    """The database's figures, read once per scrape."""

    def __init__(self, figures: service.OperationsFigures | None) -> None:
        self.figures = figures

    def collect(self) -> Iterator[Metric]:
        yield GaugeMetricFamily("apprenticeship_database_up", "1 when the figures below could be read",
                                value=0 if self.figures is None else 1)
        if self.figures is None:
            return
        ready = GaugeMetricFamily("apprenticeship_ready_tasks", "Ready human tasks by role", labels=["role"])
        for role, n in sorted(self.figures.ready_tasks_by_role.items()):
            ready.add_metric([role], n)
        yield ready
        cases = GaugeMetricFamily("apprenticeship_open_cases", "Cases not finished, by kind and status",
                                  labels=["kind", "status"])
        for (kind, status), n in sorted(self.figures.open_cases.items()):
            cases.add_metric([kind, status], n)
        yield cases
        yield GaugeMetricFamily("apprenticeship_failed_cases", "Cases whose last timer failed (异常案件)",
                                value=self.figures.failed_cases)


class _ThisProcess(Collector):
    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


def render(figures: service.OperationsFigures | None) -> bytes:
    """The Prometheus text exposition: counters (every process's in multiprocess mode) plus the database's
    figures (``apprenticeship_database_up`` 0 and no figures when it could not be read)."""
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())
    registry.register(_Figures(figures))
    return generate_latest(registry)


def may_read(app: Flask, remote_addr: str | None, authorization: str) -> bool:
    """METRICS_TOKEN set: the request must carry ``Authorization: Bearer <token>``; unset: loopback only."""
    token = str(app.config.get("METRICS_TOKEN") or "")
    if token:
        scheme, _, offered = authorization.partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(offered.strip().encode(), token.encode())
    try:
        return ipaddress.ip_address(remote_addr or "").is_loopback
    except ValueError:
        return False
