"""Benchmark of one district-review decision on a typical filing, at three depths, in one run:

(a) the engine alone: deserialize, complete the review task, engine steps, serialize;
(b) the same use case through workflows.service with its commit on SQLite;
(c) the same through HTTP with the Flask test client;
plus the stored state size of a typical filing. Prints figures; asserts nothing about time.

Run: make bench   (or .venv/bin/python bench/bench_filing.py [--n 200])
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from config import TestConfig  # noqa: E402


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def fmt(name: str, values: list[float]) -> str:
    return f"{name:<44} median {statistics.median(values) * 1000:7.2f} ms   p95 {pct(values, 95) * 1000:7.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=150)
    args = parser.parse_args()
    n = args.n
    tmp = Path(tempfile.mkdtemp(prefix="bench-"))

    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp / 'bench.db'}"
        UPLOAD_DIR = str(tmp / "uploads")

    from webapp import create_app
    from webapp.extensions import db
    from workflows import runner, service, store
    from workflows.db import Base
    from workflows.engine import get_engine, script_services
    from workflows.models import Filing, WorkflowInstance

    app = create_app(Cfg)
    with app.app_context():
        Base.metadata.create_all(db.engine)
        from tests.factories import filing_data, make_world

        world = make_world(db.session, budget_fen=10**12, headcount=100_000)
        ent = world.actor("ent-440106-1")
        reviewer = world.actor("review-440106")
        city = world.actor("city")
        filings = []
        for i in range(3 * n + 1):
            f = service.create_filing(db.session, ent, filing_data(i + 1))
            service.submit_filing(db.session, ent, f.id)
            filings.append(f.id)
        engine = get_engine()

        # Stored state of a typical filing awaiting review.
        sample = db.session.get(WorkflowInstance, db.session.get(Filing, filings[0]).instance_id)
        state, version = store.decode_state(sample.state_json), store.version_of(engine, sample)
        size_review = len(sample.state_json.encode())
        json_review = len(state.encode())

        # (a) engine alone
        engine_times = []
        for _ in range(n):
            t0 = time.perf_counter()
            wf = engine.loads(state, version)
            task = runner.ready_human_tasks(wf)[0]
            with script_services({}):
                runner.complete(wf, task.id, {"decision": "approve", "comment": ""})
            out = engine.dumps(wf)
            engine_times.append(time.perf_counter() - t0)
        size_after = len(store.encode_state(out).encode())

        # (b) service with commit
        service_times = []
        for fid in filings[1:n + 1]:
            instance_id = db.session.get(Filing, fid).instance_id
            task_id = service.ready_tasks(db.session, instance_id)[0].task_id
            db.session.expire_all()
            t0 = time.perf_counter()
            service.complete_task(db.session, reviewer, task_id, "approve")
            service_times.append(time.perf_counter() - t0)

        # (c) HTTP through the test client, as the reviewer
        http_times = []
        client = app.test_client()
        client.post("/login", data={"username": "review-440106", "password": "Demo@2026"})
        http_targets = []
        for fid in filings[n + 1:2 * n + 1]:
            instance_id = db.session.get(Filing, fid).instance_id
            http_targets.append(service.ready_tasks(db.session, instance_id)[0].task_id)
        db.session.remove()
        for task_id in http_targets:
            t0 = time.perf_counter()
            response = client.post(f"/tasks/{task_id}", data={"decision": "approve", "comment": ""})
            http_times.append(time.perf_counter() - t0)
            if response.status_code >= 400:
                raise SystemExit(f"HTTP step failed: {response.status_code}")

        # Full cycle: recorded filing state size.
        done = db.session.get(Filing, filings[1])
        task_id = service.ready_tasks(db.session, done.instance_id)[0].task_id
        service.complete_task(db.session, city, task_id, "record")
        size_recorded = len(db.session.get(WorkflowInstance, done.instance_id).state_json.encode())

    a, b, c = (statistics.median(x) for x in (engine_times, service_times, http_times))
    print(f"n = {n} decisions per depth, SQLite at {tmp / 'bench.db'}")
    print(fmt("(a) engine alone", engine_times))
    print(fmt("(b) service layer + commit (SQLite)", service_times))
    print(fmt("(c) HTTP via test client", http_times))
    print(f"ratios (median): (b)/(a) = {b / a:.2f}  (goal <= 3)   (c)/(a) = {c / a:.2f}  (goal <= 5)")
    print(f"stored state per filing: awaiting review {size_review} B, after approval {size_after} B, "
          f"recorded {size_recorded} B (goal <= 8192 B; the spec is stored once per version; "
          f"uncompressed JSON awaiting review {json_review} B)")


if __name__ == "__main__":
    main()
