"""Benchmark of the city dashboard (全市概览) at 100,000 cases.

Builds a city quickly by bulk-inserting rows straight into enterprise / workflow_instance / filing /
task_index (not through the engine: the dashboard never deserializes a workflow, so each case carries a
tiny placeholder state), with realistic distributions: districts of different sizes, statuses from drafts
to recorded, skill levels that leave some districts under the 70% line, a few dominant enterprises and
occupations, returned filings past their resubmission window, quarterly plans and semiannual reports.
Then it times each dashboard query (workflows.dashboard) and one HTTP GET of the page, and prints the
median and p95. It asserts nothing about time.

Run: .venv/bin/python bench/bench_dashboard.py [--cases 100000] [--runs 30] [--explain]
     [--state-bytes 12000] [--with-indexes]
With TEST_DATABASE_URL set (PostgreSQL), the same is run there too after SQLite; that database is
emptied first (drop_all/create_all), exactly as the test suite does. --pg-only skips SQLite.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import g  # noqa: E402
from sqlalchemy import func, insert, select, text  # noqa: E402

from config import TestConfig  # noqa: E402
from workflows import policy  # noqa: E402
from workflows.catalogue import reads as catalogue_reads  # noqa: E402
from workflows.dashboard import figures as dashboard_figures  # noqa: E402
from workflows.dashboard import overview as dashboard  # noqa: E402
from workflows.dashboard import scope as dashboard_scope  # noqa: E402
from workflows.dashboard import status as dashboard_status  # noqa: E402

# Relative sizes of the districts (filings), and how skewed towards 五级/初级工 each one trains.
DISTRICT_WEIGHTS = {
    "440103": 5, "440104": 6, "440105": 7, "440106": 16, "440111": 12, "440112": 15,
    "440113": 12, "440114": 8, "440115": 9, "440117": 3, "440118": 7,
}
ENTRY_LEVEL_BIAS = {"440117": 0.45, "440114": 0.38, "440111": 0.34}  # these fall under the 70% line
CONCENTRATION = {"440117": 0.7, "440115": 0.35}  # share of filings going to the 3 largest enterprises
# Year plans sized from what was generated: budget = factor x the subsidy of all the year's filings.
BUDGET_FACTOR = {"440106": 0.72, "440112": 0.6}  # 天河 near its limit, 黄埔 over it; others 1.1
STATUSES = [  # (status, weight, open task role or None)
    ("draft", 6, "enterprise"), ("district_review", 9, "district"), ("returned", 4, "enterprise"),
    ("city_record", 6, "city"), ("recorded", 60, None), ("rejected", 4, None), ("withdrawn", 5, None),
    ("expired", 6, None),
]
TERMINAL = {"recorded", "rejected", "withdrawn", "expired"}
SIZES = [("大型", 5), ("中型", 20), ("小型", 45), ("微型", 30)]
TAGS = [("链主企业", 0.03), ("专精特新", 0.15), ('专精特新"小巨人"', 0.03), ("制造业", 0.45)]
RATES = {5: 5000, 4: 5500, 3: 7000, 2: 8500, 1: 8500}
TASKS = {"enterprise": ("fill", "填写并提交备案"), "district": ("district_review", "区人社局审核"),
         "city": ("city_record", "市中心备案")}
PERIODIC_STATUSES = ["compiling", "city_record", "returned", "recorded", "recorded", "recorded"]


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def fmt(name: str, values: list[float]) -> str:
    return f"  {name:<40} median {statistics.median(values) * 1000:8.2f} ms   p95 {pct(values, 95) * 1000:8.2f} ms"


def timed_round_robin(cases: list[tuple[str, Callable[[], object]]], runs: int) -> dict[str, list[float]]:
    """Time every case ``runs`` times, one of each per round (after one warm-up round), so that load from
    other processes on a shared machine falls on all of them alike."""
    for _, fn in cases:
        fn()
    out: dict[str, list[float]] = {name: [] for name, _ in cases}
    for _ in range(runs):
        for name, fn in cases:
            t0 = time.perf_counter()
            fn()
            out[name].append(time.perf_counter() - t0)
    return out


def _chunks(rows: list[dict], size: int = 5000):  # type: ignore[no-untyped-def]
    for i in range(0, len(rows), size):
        yield rows[i:i + size]


def bulk_insert(session, model, rows: list[dict]) -> None:  # type: ignore[no-untyped-def]
    """COPY on PostgreSQL (psycopg), executemany elsewhere."""
    if not rows:
        return
    if session.get_bind().dialect.name != "postgresql":
        for chunk in _chunks(rows):
            session.execute(insert(model), chunk)
        return
    columns = list(rows[0])
    raw = session.connection().connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(
            f"COPY {model.__tablename__} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([json.dumps(v) if isinstance(v, list | dict) else v for v in row.values()])


def build_city(session, n_cases: int, year: int, seed: int = 7, state_bytes: int = 0) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Bulk-insert ``n_cases`` filings (with their cases and task rows) plus plans and reports."""
    from workflows.demo import credit_code
    from workflows.models import (
        Enterprise,
        Filing,
        QuarterlyPlan,
        SemiannualReport,
        SpecVersion,
        TaskIndex,
        WorkflowInstance,
    )

    rng = random.Random(seed)
    now = datetime.now(UTC)
    spec = SpecVersion(process_id="training_filing", version_hash="bench-placeholder", spec_json="{}", bpmn_xml="")
    session.add(spec)
    session.flush()
    spec_id = spec.id

    districts = list(DISTRICT_WEIGHTS)
    weights = list(DISTRICT_WEIGHTS.values())
    # Enterprises: about one per 12 filings; a few big ones per district take many filings.
    n_ent = max(len(districts), n_cases // 12)
    base_ent = int(session.scalar(select(func.coalesce(func.max(Enterprise.id), 0))) or 0)
    enterprises: list[dict[str, Any]] = []
    by_district: dict[str, list[int]] = {d: [] for d in districts}
    for i in range(n_ent):
        ent_id = base_ent + 1 + i
        district = rng.choices(districts, weights)[0] if i >= len(districts) else districts[i]
        tags = [t for t, p in TAGS if rng.random() < p]
        enterprises.append({
            "id": ent_id, "name": f"广州{i:05d}号示范企业有限公司", "credit_code": credit_code(district, 500000 + i),
            "district_code": district, "size_class": rng.choices([s for s, _ in SIZES], [w for _, w in SIZES])[0],
            "tags": tags, "contact_name": "", "contact_phone": "", "created_at": now,
        })
        by_district[district].append(ent_id)
    bulk_insert(session, Enterprise, enterprises)

    occupations = list(catalogue_reads.occupations(session).values())[:80] or []
    occ = [(o.code, o.name) for o in occupations] or [("6-18-01-01", "车工")]
    years = [year - 1, year, year + 1]

    base_inst = int(session.scalar(select(func.coalesce(func.max(WorkflowInstance.id), 0))) or 0)
    base_filing = int(session.scalar(select(func.coalesce(func.max(Filing.id), 0))) or 0)
    instances, filings, tasks = [], [], []
    # The dashboard never reads it; --state-bytes pads it to a real serialized workflow's size so that
    # any query that does touch workflow_instance rows pays what it would in production.
    state = json.dumps({"placeholder": "x" * max(0, state_bytes - 20)}) if state_bytes else "{}"
    status_names = [s for s, _, _ in STATUSES]
    status_weights = [w for _, w, _ in STATUSES]
    roles = {s: r for s, _, r in STATUSES}
    for i in range(n_cases):
        inst_id, filing_id = base_inst + 1 + i, base_filing + 1 + i
        district = rng.choices(districts, weights)[0]
        pool = by_district[district] or [enterprises[0]["id"]]
        # A few large enterprises take a good part of a district's filings (most in 从化, over the R4 line).
        big = rng.random() < CONCENTRATION.get(district, 0.2)
        ent_id = pool[rng.randrange(min(3, len(pool)))] if big else rng.choice(pool)
        status = rng.choices(status_names, status_weights)[0]
        plan_year = rng.choices(years, [45, 45, 10])[0]
        bias = ENTRY_LEVEL_BIAS.get(district, 0.18)
        level = 5 if rng.random() < bias else rng.choices([4, 3, 2, 1], [55, 30, 12, 3])[0]
        code, name = occ[min(int(rng.expovariate(0.12)), len(occ) - 1)]
        trainees = max(1, min(40, int(rng.lognormvariate(1.6, 0.7))))
        years_billed = rng.choice([1, 1, 2, 2, 3])
        created = now - timedelta(days=rng.randint(0, 700), minutes=rng.randint(0, 1440))
        updated = created + timedelta(days=rng.randint(0, 60))
        due = None
        if status == "returned":
            due = now + timedelta(days=rng.randint(-10, 15))
        instances.append({
            "id": inst_id, "kind": "filing", "business_key": f"F{filing_id:08d}",
            "title": f"广州{ent_id:05d}号示范企业有限公司 · {name}", "spec_version_id": spec_id,
            "state_json": state, "status": status, "current_step": status, "district_code": district,
            "enterprise_id": ent_id, "due_at": due, "next_timer_at": due, "created_at": created,
            "updated_at": updated, "completed_at": updated if status in TERMINAL else None, "version": 1,
        })
        filings.append({
            "id": filing_id, "instance_id": inst_id, "enterprise_id": ent_id, "district_code": district,
            "apprenticeship_type": rng.choices(["enterprise_apprentice", "tech_trainee", "student_apprentice"],
                                               [75, 15, 10])[0],
            "occupation_code": code, "occupation_name": name, "level": level,
            "institution_name": "广州市工贸技师学院", "institution_type": "technical_school",
            "period_start": date(plan_year, rng.randint(1, 12), 1), "period_end": None, "period_reason": "",
            "tutor_enterprise": "", "tutor_institution": "", "career_plan": "", "training_goals": "",
            "retention_measures": "", "plan_year": plan_year, "trainee_count": trainees,
            "subsidy_fen": trainees * RATES[level] * 100 * years_billed, "policy_version_id": None,
            "check_results": [], "submitted_at": None if status == "draft" else created, "created_at": created,
            "updated_at": updated,
        })
        role = roles[status]
        if role:
            form_key, title = TASKS[role]
            task_due = due if role == "enterprise" and status == "returned" else (
                now + timedelta(days=rng.randint(-20, 20)) if role == "district" and rng.random() < 0.5 else None)
            tasks.append({
                "instance_id": inst_id, "task_id": str(uuid.UUID(int=rng.getrandbits(128))),
                "task_name": form_key, "title": title, "form_key": form_key, "role": role, "kind": "filing",
                "district_code": district, "enterprise_id": ent_id, "created_at": updated, "due_at": task_due,
            })
    bulk_insert(session, WorkflowInstance, instances)
    bulk_insert(session, Filing, filings)
    bulk_insert(session, TaskIndex, tasks)

    # Quarterly plans (last year and this year) and semiannual reports, one per district per period.
    periodic, periodic_tasks, plan_rows, report_rows = [], [], [], []
    next_id = base_inst + n_cases + 1
    for y in (year - 1, year):
        for district in districts:
            for kind, periods in (("quarterly_plan", ("Q1", "Q2", "Q3", "Q4")), ("semiannual_report", ("H1", "H2"))):
                for period in periods:
                    status = "recorded" if y < year else rng.choice(PERIODIC_STATUSES)
                    month = (int(period[1]) - 1) * 3 + 1 if period[0] == "Q" else (1 if period == "H1" else 7)
                    due = datetime(y, month, 10, 15, 59, 59, tzinfo=UTC)
                    periodic.append({
                        "id": next_id, "kind": kind, "business_key": f"{district}-{y}{period}", "title": "",
                        "spec_version_id": spec_id, "state_json": "{}", "status": status, "current_step": status,
                        "district_code": district, "enterprise_id": None, "due_at": due, "next_timer_at": None,
                        "created_at": due - timedelta(days=20), "updated_at": due,
                        "completed_at": due if status == "recorded" else None, "version": 1,
                    })
                    if kind == "quarterly_plan":
                        plan_rows.append({"district_code": district, "year": y, "quarter": int(period[1]),
                                          "instance_id": next_id})
                    else:
                        report_rows.append({"district_code": district, "year": y, "half": int(period[1]),
                                            "instance_id": next_id})
                    if status != "recorded":
                        role = "city" if status == "city_record" else "district"
                        periodic_tasks.append({
                            "instance_id": next_id, "task_id": str(uuid.UUID(int=rng.getrandbits(128))),
                            "task_name": "compile", "title": "编制", "form_key": "compile", "role": role,
                            "kind": kind, "district_code": district, "enterprise_id": None, "created_at": due,
                            "due_at": due,
                        })
                    next_id += 1
    bulk_insert(session, WorkflowInstance, periodic)
    bulk_insert(session, TaskIndex, periodic_tasks)
    session.execute(insert(QuarterlyPlan), plan_rows)
    session.execute(insert(SemiannualReport), report_rows)
    _size_plans(session)
    session.commit()
    if session.get_bind().dialect.name == "postgresql":
        for table in ("enterprise", "workflow_instance", "filing", "task_index"):
            session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                 f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"))
        session.execute(text("ANALYZE"))
        session.commit()
    elif session.get_bind().dialect.name == "sqlite":
        session.execute(text("ANALYZE"))
        session.commit()
    return {"enterprises": n_ent, "filings": n_cases, "tasks": len(tasks) + len(periodic_tasks),
            "periodic": len(periodic)}


# The index this benchmark argues for (see the report): the status x district matrix from the index alone.
RECOMMENDED_INDEXES = (
    "CREATE INDEX ix_workflow_instance_kind_district_status ON workflow_instance (kind, district_code, status)",
)


def _size_plans(session) -> None:  # type: ignore[no-untyped-def]
    """Set each district's year plans (made by make_world) to the generated volume, so R3-R5 look real."""
    from sqlalchemy import update

    from workflows.models import DistrictYearPlan, Filing

    sums = session.execute(select(Filing.district_code, Filing.plan_year, func.sum(Filing.trainee_count),
                                  func.sum(Filing.subsidy_fen)).group_by(Filing.district_code, Filing.plan_year))
    for district, year, trainees, fen in sums.tuples():
        factor = BUDGET_FACTOR.get(district, 1.1)
        session.execute(update(DistrictYearPlan).where(
            DistrictYearPlan.district_code == district, DistrictYearPlan.year == year).values(
            planned_headcount=int(int(trainees or 0) * 0.85), budget_fen=int(int(fen or 0) * factor) // 100 * 100))


def run(url: str, label: str, args: argparse.Namespace) -> None:
    n_cases, runs, explain = args.cases, args.runs, args.explain
    tmp = Path(tempfile.mkdtemp(prefix="bench-dash-"))

    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        UPLOAD_DIR = str(tmp / "uploads")

    from webapp import create_app
    from webapp.extensions import db
    from workflows.db import Base

    app = create_app(Cfg)
    with app.app_context():
        Base.metadata.drop_all(db.engine)
        Base.metadata.create_all(db.engine)
        from tests.factories import make_world, user

        world = make_world(db.session)
        year = dashboard_figures.current_year()
        t0 = time.perf_counter()
        sizes = build_city(db.session, n_cases, year, state_bytes=args.state_bytes)
        if args.with_indexes:
            for ddl in RECOMMENDED_INDEXES:
                db.session.execute(text(ddl))
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        built = time.perf_counter() - t0
        extras = [f"state_json ~{args.state_bytes:,} B" if args.state_bytes else "state_json placeholder",
                  "with recommended index" if args.with_indexes else "current indexes"]
        print(f"\n== {label}: {sizes['filings']:,} filings, {sizes['enterprises']:,} enterprises, "
              f"{sizes['tasks']:,} open tasks, {sizes['periodic']} plans/reports; built in {built:.1f} s "
              f"({', '.join(extras)})")

        city, district = world.actor("city"), world.actor("review-440106")
        s = db.session
        scope = dashboard_scope.resolve_scope(city)
        at = datetime.now(UTC)
        params = policy.in_force(s, at)
        groups = dashboard_figures.year_groups(s, city, scope, year)
        print(f"  year_groups rows (district x size class x tag list): {len(groups):,}")
        queries: list[tuple[str, Callable[[], object]]] = [
            ("status_matrix (11 x 8)", lambda: dashboard_status.status_matrix(s, city, scope)),
            ("task_counts", lambda: dashboard_status.task_counts(s, city, scope, at)),
            ("year_groups (one statement: R3 R4 R5 R6)", lambda: dashboard_figures.year_groups(s, city, scope, year)),
            ("year_rows (+ plans, R4 occupation)",
             lambda: dashboard_figures.year_rows(s, city, scope, year, params, groups)),
            ("breakdown (fold of year_groups)", lambda: dashboard_figures.breakdown(groups)),
            ("periodic (plans, reports)", lambda: dashboard_status.periodic(s, city, scope, year, at)),
            ("overview, whole city", lambda: dashboard.overview(s, city, year)),
            ("overview, one district (city staff)", lambda: dashboard.overview(s, city, year, "440106")),
            ("overview, district reviewer", lambda: dashboard.overview(s, district, year)),
        ]
        def get(client, path: str) -> Callable[[], object]:  # type: ignore[no-untyped-def]
            def fn() -> object:
                # Requests run inside this script's app context and would share its flask.g, where
                # Flask-Login caches the user: forget it so each client is its own user.
                g.pop("_login_user", None)
                response = client.get(path)
                assert response.status_code == 200, response.status_code
                s.rollback()
                return response
            return fn

        pages = []
        for username, path, name in (("city", "/dashboard", "GET /dashboard (city, whole city)"),
                                     ("city", "/dashboard?district=440112", "GET /dashboard?district=440112"),
                                     ("review-440106", "/dashboard", "GET /dashboard (district reviewer)")):
            client = app.test_client()
            with client.session_transaction() as sess:
                sess["_user_id"] = str(user(s, username).id)
                sess["_fresh"] = True
            pages.append((name, get(client, path)))

        def query(fn: Callable[[], object]) -> Callable[[], object]:
            def run_once() -> object:
                result = fn()
                s.rollback()
                return result
            return run_once

        cases = [(name, query(fn)) for name, fn in queries] + pages
        print(f"  {runs} rounds after one warm-up; each round runs every line once (shared machine: "
              f"load average {os.getloadavg()[0]:.1f} at start)")
        for name, values in timed_round_robin(cases, runs).items():
            print(fmt(name, values))
        client = app.test_client()
        with client.session_transaction() as sess:
            sess["_user_id"] = str(user(s, "city").id)
            sess["_fresh"] = True
        g.pop("_login_user", None)
        page = client.get("/dashboard").data
        print(f"  page size: {len(page) / 1024:.0f} KiB")

        if explain:
            _explain(s, scope, year)
        s.remove()
        db.engine.dispose()


def _explain(session, scope, year) -> None:  # type: ignore[no-untyped-def]
    """Print the plans of the main statements (EXPLAIN QUERY PLAN on SQLite, EXPLAIN on PostgreSQL)."""
    from sqlalchemy import case

    from workflows.models import Filing, TaskIndex, WorkflowInstance

    dialect = session.get_bind().dialect.name
    statements = {
        "status_matrix": select(WorkflowInstance.district_code, WorkflowInstance.status, func.count())
        .where(WorkflowInstance.kind == "filing").group_by(WorkflowInstance.district_code, WorkflowInstance.status),
        "task_counts": select(TaskIndex.district_code, TaskIndex.role, func.count())
        .group_by(TaskIndex.district_code, TaskIndex.role),
        "year_rows": dashboard_figures._year_filings(
            select(Filing.district_code, func.sum(case((Filing.level <= 4, Filing.trainee_count), else_=0))),
            scope, year).group_by(Filing.district_code),
    }
    prefix = "EXPLAIN QUERY PLAN " if dialect == "sqlite" else "EXPLAIN "
    for name, stmt in statements.items():
        compiled = stmt.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
        rows = session.execute(text(prefix + str(compiled))).all()
        print(f"  plan of {name}:")
        for row in rows:
            print("    " + " | ".join(str(c) for c in row))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--explain", action="store_true", help="print the query plans")
    parser.add_argument("--pg-only", action="store_true", help="skip SQLite (needs TEST_DATABASE_URL)")
    parser.add_argument("--state-bytes", type=int, default=0,
                        help="pad each case's state_json to about this size (a real filing's is ~10-20 KB)")
    parser.add_argument("--with-indexes", action="store_true", help="add the recommended index first")
    args = parser.parse_args()
    if not args.pg_only:
        path = Path(tempfile.mkdtemp(prefix="bench-dash-")) / "bench.db"
        run(f"sqlite:///{path}", "SQLite", args)
    pg = os.environ.get("TEST_DATABASE_URL", "")
    if pg.startswith("postgresql"):
        run(pg, "PostgreSQL", args)
    elif args.pg_only:
        print("TEST_DATABASE_URL (PostgreSQL) is not set", file=sys.stderr)


if __name__ == "__main__":
    main()
