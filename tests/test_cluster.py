"""Several hosts, one PostgreSQL: two gunicorn servers (two workers each, one SECRET_KEY) and two
`workflows tick` processes against one database. Every review decision is sent to both servers at
once — exactly one wins, the other gets 409 — then both tick processes fire the resubmission deadlines at
the same moment. Every case ends consistent: its status column is what its workflow state says, its
task rows are its ready tasks, its audit rows chain from status to status and end at its status, each
decision is audited once and each timer fired once. Multiprocess metrics add up both workers of a server.

Skipped on SQLite (one writer at a time, no SELECT ... FOR UPDATE: the point is concurrent writers);
CI sets TEST_DATABASE_URL, so it runs there."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from config import TestConfig
from tests.databases import drop_database, empty_database, postgres_base
from tests.factories import make_world, submitted_filing, task_of
from webapp import create_app
from webapp.extensions import db
from workflows import runner, store
from workflows.engine import get_engine
from workflows.models import AuditEvent, TaskIndex, WorkflowInstance

ROOT = Path(__file__).resolve().parent.parent
CASES = 8
pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def call(base: str, method: str, path: str, body: dict | None = None, token: str = "") -> tuple[int, dict]:
    request = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body else None,
                                     headers={"Content-Type": "application/json",
                                              **({"Authorization": f"Bearer {token}"} if token else {})})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def wait_ready(base: str, server: subprocess.Popen) -> None:
    for _ in range(300):
        assert server.poll() is None, server.communicate()
        try:
            if call(base, "GET", "/readyz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{base} never became ready")


@pytest.fixture()
def cluster_db(tmp_path: Path):  # type: ignore[no-untyped-def]
    if postgres_base() is None:
        pytest.skip("needs TEST_DATABASE_URL pointing at PostgreSQL (SQLite has one writer at a time; CI sets it)")
    url = empty_database("postgresql", tmp_path, "cluster")
    yield url
    drop_database(url)


def test_two_servers_and_two_tick_processes_keep_every_case_consistent(cluster_db: str, tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": cluster_db, "APP_ENV": "development", "SECRET_KEY": "c" * 48,
           "PII_KEY": TestConfig.PII_KEY,  # one key for every process (not a development key file each)
           "SCHEDULER_ENABLED": "0", "PERIOD_AUTO_OPEN": "0", "UPLOAD_DIR": str(tmp_path / "shared-uploads"),
           "WEB_CONCURRENCY": "2", "LOG_LEVEL": "WARNING"}
    env.pop("TEST_DATABASE_URL", None)
    flask = [sys.executable, "-m", "flask", "--app", "webapp"]
    init = subprocess.run([*flask, "init-db"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert init.returncode == 0, init.stderr

    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = cluster_db
        UPLOAD_DIR = str(tmp_path / "shared-uploads")

    app = create_app(Cfg)
    with app.app_context():
        session = db.session()
        world = make_world(session)
        tasks = [task_of(session, submitted_filing(session, world, seed=n)).task_id for n in range(1, CASES + 1)]
        session.commit()
        db.session.remove()

    servers, bases = [], []
    for n in range(2):
        port = free_port()
        metrics_dir = tmp_path / f"metrics-{n}"
        metrics_dir.mkdir()
        servers.append(subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "webapp:create_app()"], cwd=ROOT,
            env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)},
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True))
        bases.append(f"http://127.0.0.1:{port}")
    try:
        for base, server in zip(bases, servers, strict=True):
            wait_ready(base, server)
        status, body = call(bases[0], "POST", "/api/v1/auth/token", {"username": "review-440106",
                                                                      "password": "Demo@2026"})
        assert status == 200, body
        token = body["token"]

        def decide(index: int, task_id: str, base: str) -> int:
            decision = {"decision": "return", "comment": "请补充材料"} if index % 2 == 0 else \
                {"decision": "approve", "confirm_mismatches": True}
            return call(base, "POST", f"/api/v1/tasks/{task_id}/complete", decision, token)[0]

        with ThreadPoolExecutor(max_workers=8) as pool:
            futures = {(i, base): pool.submit(decide, i, task_id, base)
                       for i, task_id in enumerate(tasks) for base in bases}
            outcome = {key: future.result() for key, future in futures.items()}
        for i in range(CASES):
            assert sorted(outcome[(i, base)] for base in bases) == [200, 409], (i, outcome)

        # Both tick processes at the same instant, past every resubmission deadline.
        later = (datetime.now(UTC) + timedelta(days=40)).isoformat()
        ticks = [subprocess.Popen([*flask, "workflows", "tick", "--now", later], cwd=ROOT, env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
        fired = 0
        for tick in ticks:
            out, err = tick.communicate(timeout=300)
            assert tick.returncode == 0, out + err
            fired += int(re.search(r"已触发 (\d+) 个", out).group(1))  # type: ignore[union-attr]
        assert fired == CASES // 2

        # Multiprocess metrics: a scrape of either worker counts both workers' requests.
        for _ in range(6):
            call(bases[0], "GET", "/healthz")
        metrics = urllib.request.urlopen(bases[0] + "/metrics", timeout=30).read().decode()
        served = re.search(r'apprenticeship_http_requests_total\{endpoint="ops.healthz",method="GET",'
                           r'status="200"\} (\S+)', metrics)
        assert served and float(served.group(1)) >= 6, metrics[-3000:]
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.communicate(timeout=60)

    with app.app_context():
        session = db.session()
        instances = list(session.scalars(select(WorkflowInstance).order_by(WorkflowInstance.id)))
        assert len(instances) == CASES
        statuses = []
        for instance in instances:
            workflow = store.load_workflow(get_engine(), instance)
            assert runner.derive_status(workflow)[0] == instance.status
            ready = {task.id for task in runner.ready_human_tasks(workflow)}
            rows = set(session.scalars(select(TaskIndex.task_id).where(TaskIndex.instance_id == instance.id)))
            assert rows == ready, instance.business_key
            audit = list(session.scalars(select(AuditEvent).where(AuditEvent.instance_id == instance.id)
                                         .order_by(AuditEvent.id)))
            moves = [event for event in audit if event.status_before or event.status_after]
            for before, after in zip(moves, moves[1:], strict=False):
                assert after.status_before == before.status_after, [(e.action, e.status_before, e.status_after)
                                                                    for e in audit]
            assert moves[-1].status_after == instance.status
            decided = [event for event in audit if event.task_id in tasks]
            assert len(decided) == 1, [(e.action, e.task_id) for e in audit]
            timers = [event for event in audit if event.action == "timer"]
            assert len(timers) == (1 if instance.status == "expired" else 0)
            statuses.append(instance.status)
        assert statuses.count("expired") == CASES // 2 and statuses.count("city_record") == CASES // 2, statuses
        db.session.remove()
        db.engine.dispose()
