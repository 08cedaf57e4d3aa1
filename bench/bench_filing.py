"""Benchmark of one district-review decision (approve) on a typical filing, at four depths interleaved
round by round (each round runs every depth once, so a load swing on the machine hits all of them):

(a) the engine alone: deserialize, complete the review task, engine steps, serialize;
floor: (a) plus one bare UPDATE + commit on the same database (what any persisted step costs at least);
(b) the use case through workflows.service, with its commit;
(c) the web form through the Flask test client, following the redirect to the inbox (success = the
    inbox page with the confirmation, not a 200 re-render of the form);
(d) the JSON API completion (success = 200 with status city_record).
Each answer is checked; failures are counted. Prints medians, p95 and the ratios to (a) and to the floor
(goals: (b) <= 3x (a), (d) <= 5x (a)); asserts nothing about time.

Run: make bench   (or .venv/bin/python bench/bench_filing.py [--n 100] [--database-url URL])
"""

from __future__ import annotations

import argparse
import gc
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
    parser.add_argument("--n", type=int, default=100, help="rounds (one decision per depth per round)")
    parser.add_argument("--database-url", default="", help="default: a fresh SQLite file")
    args = parser.parse_args()
    n = args.n
    tmp = Path(tempfile.mkdtemp(prefix="bench-"))

    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = args.database_url or f"sqlite:///{tmp / 'bench.db'}"
        UPLOAD_DIR = str(tmp / "uploads")
        CALENDAR_REFRESH_SECONDS = 5  # the production default (the tests' 0 reads the stamp every request)

    from sqlalchemy import text

    from webapp import create_app
    from webapp.extensions import db
    from workflows import policy, runner, service, store
    from workflows.db import Base
    from workflows.engine import get_engine, script_services
    from workflows.models import Filing, WorkflowInstance

    # As the tests do (tests/conftest.py): the bench's filings carry no supporting documents, so they run
    # under a policy requiring no document kind.
    policy.DEFAULT_REQUIRED_ATTACHMENTS = {kind: () for kind in policy.DEFAULT_REQUIRED_ATTACHMENTS}
    policy.DEFAULTS = policy.PolicyParams()
    app = create_app(Cfg)
    with app.app_context():
        Base.metadata.drop_all(db.engine)
        Base.metadata.create_all(db.engine)
        from tests.factories import filing_data, make_world

        world = make_world(db.session, budget_fen=10**12, headcount=100_000)
        ent = world.actor("ent-440106-1")
        reviewer = world.actor("review-440106")
        city = world.actor("city")
        task_ids: list[str] = []
        instance_ids: list[int] = []
        for i in range(3 * n + 1):
            f = service.create_filing(db.session, ent, filing_data(i + 1))
            service.submit_filing(db.session, ent, f.id)
            instance_ids.append(f.instance_id)  # type: ignore[arg-type]
            task_ids.append(service.ready_tasks(db.session, f.instance_id)[0].task_id)  # type: ignore[arg-type]
        engine = get_engine()
        sample = db.session.get(WorkflowInstance, instance_ids[0])
        state, version = store.decode_state(sample.state_json), store.version_of(engine, sample)
        size_review, json_review = len(sample.state_json.encode()), len(state.encode())
        db.session.remove()

        web = app.test_client()
        web.post("/login", data={"username": "review-440106", "password": "Demo@2026"})
        api = app.test_client()
        token = api.post("/api/v1/auth/token", json={"username": "review-440106", "password": "Demo@2026"}
                         ).get_json()["token"]
        headers = {"Authorization": f"Bearer {token}"}

        def engine_alone() -> bool:
            wf = engine.loads(state, version)
            task = runner.ready_human_tasks(wf)[0]
            with script_services({"run_filing_checks": lambda _id: 0, "notify_role": lambda *a, **k: None,
                                  "record_fund_plan": lambda *a: None, "compute_subsidy_fen": lambda *a: 0}):
                runner.complete(wf, task.id, {"decision": "approve", "comment": ""})
            engine.dumps(wf)
            return runner.summarize(wf).status == "city_record"

        def floor() -> bool:
            ok = engine_alone()
            db.session.execute(text("UPDATE workflow_instance SET version = version WHERE id = :id"),
                               {"id": instance_ids[0]})
            db.session.commit()
            db.session.remove()
            return ok

        queue = iter(task_ids[1:])

        def service_depth() -> bool:
            outcome = service.complete_task(db.session, reviewer, next(queue), "approve")
            db.session.remove()
            return outcome.status == "city_record"

        def web_depth() -> bool:
            task_id = next(queue)
            r = web.post(f"/tasks/{task_id}", data={"decision": "approve", "comment": ""}, follow_redirects=True)
            page = r.get_data(as_text=True)
            # The success is the redirect to the inbox with the confirmation, not a 200 re-render of the form.
            return (r.status_code == 200 and len(r.history) == 1 and r.request.path == "/tasks/"
                    and "已办理" in page)

        def api_depth() -> bool:
            r = api.post(f"/api/v1/tasks/{next(queue)}/complete", json={"decision": "approve"}, headers=headers)
            return r.status_code == 200 and r.get_json()["status"] == "city_record"

    # The web and API depths run outside the set-up's app context (each request pushes its own, as a
    # server would); the others inside a fresh one each time.
    def in_context(fn):  # type: ignore[no-untyped-def]
        def run() -> bool:
            with app.app_context():
                return bool(fn())
        return run

    depths = [("(a) engine alone", engine_alone), ("floor: engine + one bare commit", in_context(floor)),
              ("(b) service + commit", in_context(service_depth)), ("(c) web form, redirect to inbox", web_depth),
              ("(d) JSON API completion", api_depth)]
    # As a production worker after loading (gunicorn.conf.py, post_worker_init): what is resident now is kept
    # out of the garbage collector's full passes.
    gc.collect()
    gc.freeze()
    times: dict[str, list[float]] = {name: [] for name, _ in depths}
    failures: dict[str, int] = dict.fromkeys(times, 0)
    for _ in range(n):  # interleaved: each round runs every depth once, so load swings hit them alike
        for name, fn in depths:
            t0 = time.perf_counter()
            ok = fn()
            times[name].append(time.perf_counter() - t0)
            failures[name] += 0 if ok else 1

    with app.app_context():
        done = db.session.get(Filing, db.session.scalar(text("SELECT id FROM filing ORDER BY id LIMIT 1 OFFSET 1")))
        task_id = service.ready_tasks(db.session, done.instance_id)[0].task_id
        service.complete_task(db.session, city, task_id, "record")
        size_recorded = len(db.session.get(WorkflowInstance, done.instance_id).state_json.encode())
        url = db.engine.url.render_as_string(hide_password=True)

    a = statistics.median(times["(a) engine alone"])
    floor_median = statistics.median(times["floor: engine + one bare commit"])
    print(f"{n} interleaved rounds on {url}")
    print(f"{'depth':<36} {'median ms':>9} {'p95 ms':>8} {'/(a)':>6} {'/floor':>7} failures")
    for name, values in times.items():
        m = statistics.median(values)
        print(f"{name:<36} {m * 1000:9.2f} {pct(values, 95) * 1000:8.2f} {m / a:6.2f} {m / floor_median:7.2f} "
              f"{failures[name]}")
    b = statistics.median(times["(b) service + commit"])
    d = statistics.median(times["(d) JSON API completion"])
    print(f"goals: (b) <= 3x (a): {b / a:.2f}x {'met' if b / a <= 3 else 'NOT met'};  "
          f"(d) <= 5x (a): {d / a:.2f}x {'met' if d / a <= 5 else 'NOT met'}")
    print(f"stored state per filing: awaiting review {size_review} B, recorded {size_recorded} B "
          f"(uncompressed JSON awaiting review {json_review} B)")


if __name__ == "__main__":
    main()
