"""Benchmark at scale: build N filing cases (with audit rows, trainees, courses, ready tasks and
notifications) into DATABASE_URL, then time the screens and the API in interleaved rounds, as the city
and as a district reviewer. Prints figures; asserts nothing about time.

The database must be migrated and seeded with the demo data first::

    DATABASE_URL=postgresql+psycopg://root@127.0.0.1:5432/h13_bench flask --app webapp init-db
    DATABASE_URL=... flask --app webapp seed-demo
    DATABASE_URL=... .venv/bin/python bench/bench_scale.py --cases 100000 [--build-only] [--rounds 15]

Building: the demo's real filing cases (one per status: draft, under district review, waiting for the
city, recorded, returned, rejected, withdrawn) are the templates; each new case is a copy of one of them
with fresh ids (its workflow state gets new task ids and its own filing id, so every case moves on
through the real engine), bulk-inserted (COPY on PostgreSQL, executemany on SQLite) for new enterprises
spread over the districts. Some cases go to the demo enterprises, so the demo users (password Demo@2026)
sign in and see new cases and ready tasks of their scope. Each case's history is padded with draft
saves to about ten audit rows. The running totals are recomputed at the end (``flask workflows
reconcile`` finds no difference).

Before timing, every district-year with filings gets a budget the built cases cannot use up
(``BENCH_BUDGET_FEN``), so the approvals are measured rather than refused by R5.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import random
import re
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from config import TestConfig  # noqa: E402

# Shares of the statuses among the built cases (about 30% have a ready task, as in the 100k).
MIX = {"recorded": 0.55, "district_review": 0.12, "city_record": 0.06, "returned": 0.05, "draft": 0.08,
       "rejected": 0.07, "withdrawn": 0.07}
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
FILING_ID_RE = re.compile(r'"filing_id":\s*\d+')
BATCH = 5000
AUDIT_PER_CASE = 10
BENCH_BUDGET_FEN = 10**13  # 1,000 亿元 a district-year: approvals are measured, never refused by R5


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


# --------------------------------------------------------------------------------------------------
# Bulk building (raw DB-API: COPY on PostgreSQL)


class Writer:
    def __init__(self, raw: Any, dialect: str) -> None:
        self.raw, self.dialect = raw, dialect

    def value(self, v: Any) -> Any:
        if isinstance(v, dict | list):
            return json.dumps(v, ensure_ascii=False)
        if isinstance(v, datetime) and self.dialect == "sqlite":
            return v.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        return v

    def rows(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        cur = self.raw.cursor()
        n = 0
        if self.dialect == "postgresql":
            with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([self.value(v) for v in row])
                    n += 1
        else:
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
            batch: list[list[Any]] = []
            for row in rows:
                batch.append([self.value(v) for v in row])
                n += 1
                if len(batch) >= BATCH:
                    cur.executemany(sql, batch)
                    batch = []
            if batch:
                cur.executemany(sql, batch)
        return n

    def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        cur = self.raw.cursor()
        cur.execute(sql.replace("%s", "?") if self.dialect == "sqlite" else sql, list(params))
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    def scalar(self, sql: str) -> Any:
        cur = self.raw.cursor()
        cur.execute(sql)
        return cur.fetchone()[0]


def _parse_dt(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value.replace(tzinfo=value.tzinfo or UTC) if isinstance(value, datetime) else None
    return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)


def build(app: Any, n: int, seed: int = 13) -> dict[str, int]:
    """Add ``n`` filing cases copied from the demo's templates; returns row counts."""
    from webapp.extensions import db
    from workflows import store
    from workflows.filings import totals
    from workflows.filings.use_cases import new_receipt_code  # each filing's verification code is its own
    from workflows.security import pii  # trainees' ID numbers are stored encrypted, with their blind index

    rng = random.Random(seed)
    engine = db.engine
    raw = engine.raw_connection()
    w = Writer(raw.driver_connection, engine.dialect.name)
    templates: dict[str, dict[str, Any]] = {}
    for inst in w.fetch("SELECT * FROM workflow_instance WHERE kind = 'filing' ORDER BY id"):
        if inst["status"] in MIX and inst["status"] not in templates:
            filing = w.fetch("SELECT * FROM filing WHERE instance_id = %s", [inst["id"]])[0]
            templates[inst["status"]] = {
                "instance": inst, "state": store.decode_state(inst["state_json"]), "filing": filing,
                "tasks": w.fetch("SELECT * FROM task_index WHERE instance_id = %s", [inst["id"]]),
                "audit": w.fetch("SELECT * FROM audit_event WHERE instance_id = %s ORDER BY id", [inst["id"]]),
                "trainees": w.fetch("SELECT * FROM trainee WHERE filing_id = %s", [filing["id"]]),
                "courses": w.fetch("SELECT * FROM course WHERE filing_id = %s", [filing["id"]]),
            }
    missing = set(MIX) - set(templates)
    if missing:
        raise SystemExit(f"the database has no demo filing in {sorted(missing)}: run `flask seed-demo` first")
    users = w.fetch("SELECT id, role, district_code, enterprise_id FROM user_account")
    reviewers = {u["district_code"]: u["id"] for u in users if u["role"] == "district"}
    clerks = {u["enterprise_id"]: u["id"] for u in users if u["role"] == "enterprise"}
    districts = [r["code"] for r in w.fetch("SELECT code FROM district ORDER BY code")]
    demo_enterprises = w.fetch("SELECT id, name, district_code FROM enterprise ORDER BY id")

    def next_id(table: str) -> int:
        return int(w.scalar(f"SELECT COALESCE(MAX(id), 0) FROM {table}")) + 1

    ids = {t: next_id(t) for t in ("enterprise", "workflow_instance", "filing", "task_index", "audit_event",
                                   "trainee", "course", "notification")}
    # Enterprises: about 25 cases each, spread over the districts.
    new_enterprises = []
    for i in range(max(n // 25, 1)):
        district = districts[i % len(districts)]
        eid = ids["enterprise"] + i
        new_enterprises.append((eid, f"广州{['华南', '珠江', '羊城', '南粤', '穗港'][i % 5]}{i:05d}制造有限公司",
                                f"91{district}{eid:010d}"[:18].ljust(18, "X"), district,
                                rng.choice(["大型", "中型", "小型", "微型"]), [], "", "", datetime.now(UTC)))
    w.rows("enterprise", ["id", "name", "credit_code", "district_code", "size_class", "tags", "contact_name",
                          "contact_phone", "created_at"], new_enterprises)
    pool = [(e[0], e[1], e[3]) for e in new_enterprises]
    demo = [(e["id"], e["name"], e["district_code"]) for e in demo_enterprises]
    statuses, weights = list(MIX), list(MIX.values())
    start = datetime.now(UTC) - timedelta(days=700)
    inst_rows, filing_rows, task_rows, audit_rows, trainee_rows, course_rows, note_rows = [], [], [], [], [], [], []
    counts = dict.fromkeys(("instances", "tasks", "audit", "trainees", "courses", "notifications"), 0)

    def flush() -> None:
        counts["instances"] += w.rows("workflow_instance", list(inst_rows[0]), [list(r.values()) for r in inst_rows])
        w.rows("filing", list(filing_rows[0]), [list(r.values()) for r in filing_rows])
        if task_rows:
            counts["tasks"] += w.rows("task_index", list(task_rows[0]), [list(r.values()) for r in task_rows])
        counts["audit"] += w.rows("audit_event", list(audit_rows[0]), [list(r.values()) for r in audit_rows])
        if trainee_rows:
            counts["trainees"] += w.rows("trainee", list(trainee_rows[0]), [list(r.values()) for r in trainee_rows])
        if course_rows:
            counts["courses"] += w.rows("course", list(course_rows[0]), [list(r.values()) for r in course_rows])
        if note_rows:
            counts["notifications"] += w.rows("notification", list(note_rows[0]),
                                              [list(r.values()) for r in note_rows])
        raw.driver_connection.commit()
        for rows in (inst_rows, filing_rows, task_rows, audit_rows, trainee_rows, course_rows, note_rows):
            rows.clear()

    t0 = time.perf_counter()
    for i in range(n):
        status = rng.choices(statuses, weights)[0]
        tpl = templates[status]
        ent_id, ent_name, district = rng.choice(demo) if i % 100 == 0 else rng.choice(pool)
        iid, fid = ids["workflow_instance"] + i, ids["filing"] + i
        mapping: dict[str, str] = {}
        state = UUID_RE.sub(lambda m, ids_of=mapping: ids_of.setdefault(m.group(0), str(uuid.uuid4())),
                            tpl["state"])
        state = FILING_ID_RE.sub(f'"filing_id":{fid}', state)
        at = start + timedelta(seconds=i * 600 * 100_000 / max(n, 1) + rng.random() * 60)
        src = tpl["instance"]
        occupation = tpl["filing"]["occupation_name"] or "培训备案"
        inst_rows.append({**src, "id": iid, "business_key": f"F{fid:08d}", "title": f"{ent_name} · {occupation}",
                          "district_code": district, "enterprise_id": ent_id, "created_at": at,
                          "updated_at": at + timedelta(hours=2), "version": 1,
                          "completed_at": (at + timedelta(hours=2)) if src["completed_at"] else None,
                          "state_json": store.encode_state(state)})
        filing_rows.append({**tpl["filing"], "id": fid, "instance_id": iid, "enterprise_id": ent_id,
                            "district_code": district, "created_at": at, "updated_at": at + timedelta(hours=2),
                            "submitted_at": at + timedelta(hours=1) if tpl["filing"]["submitted_at"] else None,
                            "trainee_count": tpl["filing"]["trainee_count"],
                            "receipt_code": new_receipt_code() if tpl["filing"].get("receipt_code") else None})
        for t in tpl["tasks"]:
            task_rows.append({**t, "id": ids["task_index"] + counts["tasks"] + len(task_rows), "instance_id": iid,
                              "task_id": mapping.get(t["task_id"], str(uuid.uuid4())), "district_code": district,
                              "enterprise_id": ent_id, "created_at": at + timedelta(hours=1)})
        # The template's history, padded with draft saves after its first row (the creation) to about
        # AUDIT_PER_CASE rows per case, as a clerk who saves the draft several times leaves it.
        history = tpl["audit"][:1] + [dict(tpl["audit"][0], action="save", comment="保存草稿", task_name="",
                                           task_id="", status_before="draft", status_after="draft")
                                      for _ in range(max(AUDIT_PER_CASE - len(tpl["audit"]), 0))] + tpl["audit"][1:]
        for k, a in enumerate(history):
            audit_rows.append({**a, "id": ids["audit_event"] + counts["audit"] + len(audit_rows), "instance_id": iid,
                               "task_id": mapping.get(a["task_id"], a["task_id"]),
                               "created_at": at + timedelta(minutes=2 * k)})
        for t in tpl["trainees"]:
            number = f"9{fid:09d}{len(trainee_rows) % 100:02d}{rng.randrange(10**6):06d}"[:18]
            trainee_rows.append({**t, "id": ids["trainee"] + counts["trainees"] + len(trainee_rows), "filing_id": fid,
                                 "id_number_cipher": pii.encrypt(number), "id_number_index": pii.blind_index(number)})
        for c in tpl["courses"]:
            course_rows.append({**c, "id": ids["course"] + counts["courses"] + len(course_rows), "filing_id": fid})
        for user_id in (reviewers.get(district), clerks.get(ent_id)):
            if user_id is not None and status != "draft":
                note_rows.append({"id": ids["notification"] + counts["notifications"] + len(note_rows),
                                  "user_id": user_id, "kind": "submitted", "title": f"备案 F{fid:08d} 已提交",
                                  "body": "", "link": "", "instance_id": iid, "case_kind": "filing",
                                  "created_at": at + timedelta(hours=1), "read_at": None})
        if len(inst_rows) >= BATCH:
            flush()
            print(f"  built {i + 1:,} cases ({time.perf_counter() - t0:.0f} s)", flush=True)
    if inst_rows:
        flush()
    if engine.dialect.name == "postgresql":
        cur = raw.driver_connection.cursor()
        for table in ids:
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
        raw.driver_connection.commit()
        raw.driver_connection.autocommit = True
        cur.execute("VACUUM ANALYZE")
        raw.driver_connection.autocommit = False
    raw.close()
    db.session.remove()
    written = totals.reconcile(db.session, fix=True)
    print(f"  running totals recomputed ({len(written)} rows changed); {time.perf_counter() - t0:.0f} s in all")
    return counts


def ensure_budgets(app: Any) -> None:
    """Give every district-year that has filings a budget the built cases cannot use up (the demo's
    budgets are spent many times over by N cases, and an approval refused by R5 measures nothing)."""
    from sqlalchemy import select, update

    from webapp.extensions import db
    from workflows.models import DistrictYearPlan, Filing

    with app.app_context():
        s = db.session
        pairs = set(s.execute(select(Filing.district_code, Filing.plan_year).where(
            Filing.plan_year.is_not(None), Filing.district_code.is_not(None)).distinct()).tuples())
        have = set(s.execute(select(DistrictYearPlan.district_code, DistrictYearPlan.year)).tuples())
        s.add_all(DistrictYearPlan(district_code=d, year=y, budget_fen=BENCH_BUDGET_FEN, planned_headcount=10**6)
                  for d, y in sorted(pairs - have))
        s.execute(update(DistrictYearPlan).where(DistrictYearPlan.budget_fen < BENCH_BUDGET_FEN)
                  .values(budget_fen=BENCH_BUDGET_FEN))
        s.commit()
        s.remove()


# --------------------------------------------------------------------------------------------------
# Timing


def prepare(app: Any) -> list[tuple[str, Callable[[], tuple[int, bool]]]]:
    """The timed checks against one app (signed-in clients, tokens, the case and quarter they read). A check
    whose own timing must leave out its set-up (the submission: its documents) sets ``elapsed`` on itself."""
    from sqlalchemy import select

    from webapp.extensions import db
    from workflows import service
    from workflows.errors import ValidationFailed
    from workflows.models import Filing, TaskIndex, User, WorkflowInstance

    city_web, rev_web = app.test_client(), app.test_client()
    for client, who in ((city_web, "city"), (rev_web, "review-440106")):
        r = client.post("/login", data={"username": who, "password": "Demo@2026"})
        assert r.status_code in (302, 303), f"login {who}: {r.status_code}"
    tokens = {}
    for who in ("city", "review-440106", "ent-440106-1"):
        r = app.test_client().post("/api/v1/auth/token", json={"username": who, "password": "Demo@2026"})
        assert r.status_code in (200, 201), r.get_json()
        tokens[who] = {"Authorization": f"Bearer {r.get_json()['token']}"}
    with app.app_context():
        s = db.session
        case_id = s.scalar(select(WorkflowInstance.id).where(WorkflowInstance.district_code == "440106",
                                                             WorkflowInstance.status == "recorded").limit(1))
        today = datetime.now(UTC)
        quarter = f"{today.year}Q{(today.month - 1) // 3 + 1}"
        ent = s.scalar(select(User).where(User.username == "ent-440106-1"))
        assert ent is not None
        ent_id = ent.enterprise_id
        s.remove()
    api = app.test_client()
    rev_api = tokens["review-440106"]

    def approval() -> tuple[int, bool]:
        with app.app_context():
            task_id = db.session.scalar(select(TaskIndex.task_id).where(
                TaskIndex.district_code == "440106", TaskIndex.form_key == "district_review").limit(1))
            db.session.remove()
        r = api.post(f"/api/v1/tasks/{task_id}/complete", headers=rev_api,
                     json={"decision": "approve", "confirm_mismatches": True})
        return r.status_code, r.status_code == 200 and r.get_json()["status"] == "city_record"

    counter = iter(range(10**6))
    from tests.test_uploads_samples import pdf

    PDF = pdf()  # noqa: N806  (a real one-page PDF, as the upload checks want)

    def submission() -> tuple[int, bool]:
        from tests.factories import filing_data

        seed = 1_000_000 + int(time.time()) % 100_000 * 100 + next(counter)  # fresh trainees each run (R11)
        data = filing_data(seed)
        with app.app_context():
            from workflows.dto import Actor

            actor = Actor(ent.id, "bench", "enterprise", "440106", ent_id)
            filing = service.create_filing(db.session, actor, data)
            # The documents the policy requires (labour contract, training agreement), as a clerk uploads them
            # before submitting; not part of the timed submission.
            for kind in ("labour_contract", "training_agreement"):
                service.add_filing_attachment(
                    db.session, actor, filing.id, service.IncomingDocument(io.BytesIO(PDF), "材料.pdf", None, kind),
                    upload_dir=app.config["UPLOAD_DIR"], limits=service.UploadLimits())
            t0 = time.perf_counter()
            try:
                service.submit_filing(db.session, actor, filing.id)
                ok = True
            except ValidationFailed:
                ok = False
            submission.elapsed = time.perf_counter() - t0  # type: ignore[attr-defined]  # (measure reads it)
            ok = ok and db.session.get(Filing, filing.id) is not None
            db.session.remove()
        return 200, ok

    checks: list[tuple[str, Callable[[], tuple[int, bool]]]] = []

    def get(client: Any, url: str, headers: dict[str, str] | None = None, want: str = ""
            ) -> Callable[[], tuple[int, bool]]:
        def run() -> tuple[int, bool]:
            r = client.get(url, headers=headers or {})
            return r.status_code, r.status_code == 200 and (not want or want in r.get_data(as_text=True))
        return run

    checks = [
        ("city: inbox page 1", get(city_web, "/tasks/", want="待办")),
        ("city: inbox page 50", get(city_web, "/tasks/?page=50", want="待办")),
        ("reviewer: inbox page 1", get(rev_web, "/tasks/", want="待办")),
        ("reviewer: inbox deep page", get(rev_web, "/tasks/?page=40", want="待办")),
        ("city: GET /api/v1/tasks", get(api, "/api/v1/tasks?per_page=20", tokens["city"], '"total"')),
        ("reviewer: GET /api/v1/tasks", get(api, "/api/v1/tasks?per_page=20", rev_api, '"total"')),
        ("city: case list page 1", get(city_web, "/cases/", want="案件")),
        ("city: case list page 500", get(city_web, "/cases/?page=500", want="案件")),
        ("reviewer: case list page 1", get(rev_web, "/cases/", want="案件")),
        ("city: search", get(city_web, "/cases/?q=%E7%8F%A0%E6%B1%9F0123", want="案件")),
        ("city: filter (district + status)", get(city_web, "/cases/?district=440106&status=recorded", want="案件")),
        ("city: case detail", get(city_web, f"/cases/{case_id}", want="办理记录")),
        ("city: dashboard", get(city_web, "/dashboard", want="")),
        ("city: quarter export", get(city_web, f"/plans/quarters/{quarter}/export.xlsx", want="")),
        ("reviewer: notifications", get(rev_web, "/notifications/", want="")),
        ("reviewer: approval (API)", approval),
        ("enterprise: submission (service)", submission),
    ]
    return checks


Result = tuple[str, list[float], int, int]  # what, seconds per round, last status, failures


def measure(apps: Sequence[Any], rounds: int) -> list[list[Result]]:
    """Every check of every app, in interleaved rounds: check by check, one app after the other, so a swing in
    the machine's load touches every database alike."""
    suites = [prepare(app) for app in apps]
    # As a production worker after loading (gunicorn.conf.py, post_worker_init): what is resident now is kept
    # out of the garbage collector's full passes, which otherwise stop a request now and then to walk it.
    gc.collect()
    gc.freeze()
    times = [{name: [] for name, _ in suite} for suite in suites]
    bad = [dict.fromkeys(t, 0) for t in times]
    last: list[dict[str, int]] = [{} for _ in suites]
    for _ in range(rounds):
        for i in range(len(suites[0])):
            for k, suite in enumerate(suites):
                name, fn = suite[i]
                t0 = time.perf_counter()
                status, ok = fn()
                elapsed = getattr(fn, "elapsed", None) or (time.perf_counter() - t0)
                times[k][name].append(elapsed)
                last[k][name] = status
                if not ok:
                    bad[k][name] += 1
    return [[(name, times[k][name], last[k][name], bad[k][name]) for name, _ in suite]
            for k, suite in enumerate(suites)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--no-build", action="store_true", help="time the database as it is")
    parser.add_argument("--compare", default="", metavar="URL",
                        help="a second database (e.g. one of 1,000 cases) timed in the same interleaved rounds")
    args = parser.parse_args()
    import os

    url = os.environ.get("DATABASE_URL")
    if not url:
        raise SystemExit("set DATABASE_URL to a migrated, demo-seeded database")

    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        TESTING = False
        CALENDAR_REFRESH_SECONDS = 5  # the production default (the tests' 0 reads the stamp every request)

    from webapp import create_app
    from webapp.extensions import db
    from workflows.models import AuditEvent, TaskIndex, WorkflowInstance

    app = create_app(Cfg)
    with app.app_context():
        from sqlalchemy import func, select

        have = db.session.scalar(select(func.count()).select_from(WorkflowInstance)) or 0
        if not args.no_build and have < args.cases:
            print(f"building {args.cases - have:,} cases into {db.engine.url.render_as_string(hide_password=True)}")
            build(app, args.cases - have)
        have = db.session.scalar(select(func.count()).select_from(WorkflowInstance)) or 0
        audit = db.session.scalar(select(func.count()).select_from(AuditEvent)) or 0
        tasks = db.session.scalar(select(func.count()).select_from(TaskIndex)) or 0
        db.session.remove()
    print(f"database: {have:,} cases, {audit:,} audit rows, {tasks:,} ready tasks ({url.split(':')[0]})")
    if args.build_only:
        return
    apps = [app]
    if args.compare:
        class Other(Cfg):
            SQLALCHEMY_DATABASE_URI = args.compare

        apps.append(create_app(Other))
        with apps[1].app_context():
            n = db.session.scalar(select(func.count()).select_from(WorkflowInstance)) or 0
            db.session.remove()
        print(f"compared with: {n:,} cases ({args.compare.split(':')[0]})")
    for each in apps:
        ensure_budgets(each)
    results = measure(apps, args.rounds)
    print(f"{args.rounds} interleaved rounds; times in ms")
    if len(results) == 1:
        print(f"{'what':<36} {'median':>8} {'p95':>8}  status  failures")
        for name, values, status, failures in results[0]:
            print(f"{name:<36} {statistics.median(values) * 1000:8.1f} {pct(values, 95) * 1000:8.1f}  {status:>6}  "
                  f"{failures}")
    else:
        print(f"{'what':<36} {'median':>8} {'p95':>8} {'cmp med':>8} {'cmp p95':>8} {'ratio':>6}  status  failures")
        for (name, values, status, failures), (_, other, _, other_bad) in zip(*results, strict=True):
            ratio = statistics.median(values) / max(statistics.median(other), 1e-9)
            print(f"{name:<36} {statistics.median(values) * 1000:8.1f} {pct(values, 95) * 1000:8.1f} "
                  f"{statistics.median(other) * 1000:8.1f} {pct(other, 95) * 1000:8.1f} {ratio:6.2f}  {status:>6}  "
                  f"{failures}+{other_bad}")
    slow = [name for name, values, _, _ in results[0] if pct(values, 95) > 0.100]
    print("p95 over 100 ms: " + (", ".join(slow) if slow else "none"))


if __name__ == "__main__":
    main()
