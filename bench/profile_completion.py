"""Profile one JSON API completion (a district approval) on the real service path: SQL statements per
completion (SQLAlchemy's before_cursor_execute), CPU ms per completion (process time, so waiting on the
database is not counted) and, with --profile, the cProfile top functions by cumulative time.

Run: .venv/bin/python bench/profile_completion.py [--n 50] [--database-url URL] [--profile] [--sql]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from config import TestConfig  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--profile", action="store_true", help="cProfile (CPU clock) of the completions")
    parser.add_argument("--pyinstrument", action="store_true", help="pyinstrument's sampled call tree (if installed)")
    parser.add_argument("--decision", default="approve", choices=("approve", "return"))
    parser.add_argument("--sql", action="store_true", help="print the statements of one completion")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="prof-"))

    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = args.database_url or f"sqlite:///{tmp / 'prof.db'}"
        UPLOAD_DIR = str(tmp / "uploads")
        CALENDAR_REFRESH_SECONDS = 5  # the production default (the tests' 0 reads the stamp every request)

    from sqlalchemy import event
    from sqlalchemy.engine.default import CACHE_HIT

    from webapp import create_app
    from webapp.extensions import db
    from workflows import policy, service
    from workflows.db import Base

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
        task_ids: list[str] = []
        for i in range(args.n + 5):
            f = service.create_filing(db.session, ent, filing_data(i + 1))
            service.submit_filing(db.session, ent, f.id)
            task_ids.append(service.ready_tasks(db.session, f.instance_id)[0].task_id)  # type: ignore[arg-type]
        db.session.remove()
        bind = db.engine

    api = app.test_client()
    token = api.post("/api/v1/auth/token", json={"username": "review-440106", "password": "Demo@2026"}
                     ).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    statements: list[str] = []

    uncached: Counter[str] = Counter()

    def count(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        statements.append(statement)
        hit = getattr(context, "cache_hit", None)
        if hit is not None and hit is not CACHE_HIT:  # compiled again: CPU spent every time
            uncached[f"{hit.name}: {' '.join(statement.split())[:110]}"] += 1

    event.listen(bind, "before_cursor_execute", count)
    queue = iter(task_ids)
    body = {"decision": args.decision, "comment": "请补充材料"}
    expected = "city_record" if args.decision == "approve" else "returned"
    for _ in range(3):  # warm-up
        api.post(f"/api/v1/tasks/{next(queue)}/complete", json=body, headers=headers)
    uncached.clear()
    per: list[int] = []
    cpu: list[float] = []
    wall: list[float] = []
    profiler = cProfile.Profile(time.process_time) if args.profile else None  # CPU, not waits
    sampler = None
    if args.pyinstrument:
        from pyinstrument import Profiler

        sampler = Profiler(interval=0.0002)
        sampler.start()
    for i in range(args.n):
        statements.clear()
        task_id = next(queue)
        c0, t0 = time.process_time(), time.perf_counter()
        if profiler:
            profiler.enable()
        r = api.post(f"/api/v1/tasks/{task_id}/complete", json=body, headers=headers)
        if profiler:
            profiler.disable()
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - t0)
        assert r.status_code == 200 and r.get_json()["status"] == expected, r.get_data(as_text=True)
        per.append(len(statements))
        if args.sql and i == 0:
            for s in statements:
                print("  ", " ".join(s.split())[:160])
    event.remove(bind, "before_cursor_execute", count)
    if sampler is not None:
        sampler.stop()
        print(sampler.output_text(unicode=False, color=False, show_all=False))
    print(f"{args.n} API completions on {bind.url.render_as_string(hide_password=True)}")
    print(f"SQL statements per completion: {Counter(per).most_common()}")
    print(f"CPU per completion: median {statistics.median(cpu) * 1000:.2f} ms; wall median "
          f"{statistics.median(wall) * 1000:.2f} ms")
    for what, times in uncached.most_common():
        print(f"  compiled {times}x (not from the statement cache): {what}")
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_callees(r"cases.py.*\(step\)|store.py.*\(save\)|runner.py.*\(complete\)|cases.py.*\(complete_task\)|_dispatch|_rewrite_task_index|core.py.*\(view\)")


if __name__ == "__main__":
    main()
