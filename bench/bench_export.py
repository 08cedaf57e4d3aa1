"""Benchmark of the 案件查询 Excel export (GET /cases/export.xlsx): time and peak Python memory for the
whole city's cases, without and with the rosters sheet, on a database built by bench_scale. Prints
figures; asserts nothing about time.

    DATABASE_URL=sqlite:////tmp/bench14.db flask --app webapp init-db && ... seed-demo
    DATABASE_URL=sqlite:////tmp/bench14.db .venv/bin/python bench/bench_export.py --cases 5000
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from config import TestConfig  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=5000)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL")
    if not url:
        raise SystemExit("set DATABASE_URL to a migrated, demo-seeded database")

    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        TESTING = False

    from sqlalchemy import func, select

    from bench.bench_scale import build
    from webapp import create_app
    from webapp.extensions import db
    from workflows import service
    from workflows.dto import Actor
    from workflows.models import Trainee, User, WorkflowInstance

    app = create_app(Cfg)
    with app.app_context():
        have = db.session.scalar(select(func.count()).select_from(WorkflowInstance)) or 0
        if have < args.cases:
            print(f"building {args.cases - have:,} cases")
            build(app, args.cases - have)
        cases = db.session.scalar(select(func.count()).select_from(WorkflowInstance)) or 0
        trainees = db.session.scalar(select(func.count()).select_from(Trainee)) or 0
        city = db.session.scalars(select(User).where(User.username == "city")).one()
        actor = Actor(city.id, city.display_name, "city")
        print(f"database: {cases:,} cases, {trainees:,} trainees ({url.split(':')[0]})")
        print(f"{'export':<22} {'seconds':>8} {'MB out':>8} {'peak MB (Python)':>17}")
        for rosters in (False, True):
            started = time.perf_counter()  # timed without tracemalloc (it slows Python down)
            _, chunks = service.export_cases(db.session, actor, service.CaseFilters(), rosters=rosters)
            size = sum(len(c) for c in chunks)
            elapsed = time.perf_counter() - started
            db.session.remove()
            tracemalloc.start()
            _, chunks = service.export_cases(db.session, actor, service.CaseFilters(), rosters=rosters)
            sum(len(c) for c in chunks)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            label = "cases + rosters" if rosters else "cases"
            print(f"{label:<22} {elapsed:8.2f} {size / 1e6:8.2f} {peak / 1e6:17.1f}")
            db.session.remove()


if __name__ == "__main__":
    main()
