"""Every list is paged in SQL and runs no query per row: a page of 20 rows costs the same number of SQL
statements when there are 20 rows in all as when there are 5,000 (counted with SQLAlchemy's
before_cursor_execute event), for the inbox (web and API), case lists, notifications and the gallery."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import event, insert

from tests.factories import filing_data, user
from tests.test_api_helpers import fast_passwords, token_for  # noqa: F401
from workflows import service
from workflows.clock import now
from workflows.models import (
    Filing,
    Notification,
    ReportCase,
    SemiannualReport,
    TaskIndex,
    WorkflowInstance,
)

REVIEWER = "review-440106"


@contextmanager
def counting(session) -> Iterator[list[str]]:  # type: ignore[no-untyped-def]
    statements: list[str] = []
    engine = session.get_bind().engine

    def count(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


class Bulk:
    """Adds ready review tasks (with their cases and filings), notifications and gallery cases in bulk."""

    def __init__(self, session, world) -> None:  # type: ignore[no-untyped-def]
        self.session = session
        who = world.actor("ent-440106-1")
        filing = service.create_filing(session, who, filing_data(1))
        service.submit_filing(session, who, filing.id)
        template = session.get(WorkflowInstance, filing.instance_id)
        self.spec_version_id, self.enterprise_id = template.spec_version_id, template.enterprise_id
        self.occupation_code = filing.occupation_code
        self.reviewer_id = user(session, REVIEWER).id
        self.added = 0
        report_instance = WorkflowInstance(kind="semiannual_report", business_key="R-bulk", title="半年报告",
                                           spec_version_id=self.spec_version_id, status="recorded",
                                           district_code="440106", state_json="{}")
        session.add(report_instance)
        session.flush()
        report = SemiannualReport(instance_id=report_instance.id, district_code="440106", year=2026, half=1)
        session.add(report)
        session.commit()
        self.report_id = report.id

    def add(self, n: int) -> None:
        s, at, enterprise_id = self.session, now(), self.enterprise_id
        start = self.added
        instances = [{"kind": "filing", "business_key": f"B{start + i:08d}", "title": f"批量企业{start + i} · 电工",
                      "spec_version_id": self.spec_version_id, "status": "district_review", "current_step": "区人社局审核",
                      "district_code": "440106", "enterprise_id": enterprise_id, "state_json": "{}",
                      "created_at": at, "updated_at": at - timedelta(seconds=start + i), "version": 1}
                     for i in range(n)]
        ids = list(s.scalars(insert(WorkflowInstance).returning(WorkflowInstance.id), instances))
        s.execute(insert(Filing), [{"instance_id": iid, "enterprise_id": enterprise_id, "district_code": "440106",
                                    "occupation_code": self.occupation_code, "level": 4, "plan_year": 2026,
                                    "trainee_count": 2, "subsidy_fen": 100, "submitted_at": at} for iid in ids])
        s.execute(insert(TaskIndex), [{"instance_id": iid, "task_id": str(uuid.uuid4()), "task_name": "district_review",
                                       "title": "区人社局审核", "form_key": "district_review", "role": "district",
                                       "kind": "filing", "district_code": "440106", "enterprise_id": enterprise_id,
                                       "created_at": at, "due_at": at + timedelta(days=i % 30)}
                                      for i, iid in enumerate(ids)])
        s.execute(insert(Notification), [{"user_id": self.reviewer_id, "kind": "submitted", "title": f"备案{iid}已提交",
                                          "body": "", "link": "", "instance_id": iid, "case_kind": "filing",
                                          "created_at": at} for iid in ids])
        s.execute(insert(ReportCase), [{"report_id": self.report_id, "seq": start + i, "title": f"案例{start + i}",
                                        "enterprise_name": "企业", "occupation_code": "6-18-01-01"}
                                       for i in range(n)])
        s.commit()
        self.added += n


PAGES = [
    ("web", "/tasks/"), ("web", "/tasks/?task=district_review"), ("web", "/cases/"), ("web", "/cases/?q=%E6%89%B9%E9%87%8F"),
    ("web", "/notifications/"), ("web", "/reports/gallery"),
    ("api", "/api/v1/tasks?per_page=20"), ("api", "/api/v1/tasks?per_page=20&sort=submitted&q=B0000"),
    ("api", "/api/v1/cases?per_page=20"), ("api", "/api/v1/notifications?per_page=20"),
    ("api", "/api/v1/gallery?per_page=20"),
]


ENTERPRISE = "ent-440106-1"
ENTERPRISE_PAGES = [("web", "/filings/"), ("web", "/filings/?status=district_review&page=2")]


def _counts(app, session, username: str = REVIEWER, pages=PAGES) -> dict[str, int]:  # type: ignore[no-untyped-def]
    web = app.test_client()
    assert web.post("/login", data={"username": username, "password": "Demo@2026"}).status_code in (302, 303)
    api = app.test_client()
    headers = {"Authorization": f"Bearer {token_for(api, username)}"}
    out = {}
    for where, url in pages:
        client = web if where == "web" else api
        client.get(url, headers=headers if where == "api" else {})  # warm caches (spec, catalogue)
        session.remove()
        with counting(session) as statements:
            r = client.get(url, headers=headers if where == "api" else {})
        assert r.status_code == 200, (url, r.status_code)
        if where == "api":
            body = r.get_json()
            assert len(body["items"]) >= 1 and body["total"] >= len(body["items"])
        out[url] = len(statements)
    return out


def test_a_page_costs_the_same_statements_at_20_and_at_5000_rows(app, session, world):  # type: ignore[no-untyped-def]
    bulk = Bulk(session, world)
    bulk.add(39)  # 40 ready review tasks with the real one (two pages of the enterprise's filings)
    small = _counts(app, session)
    small.update(_counts(app, session, ENTERPRISE, ENTERPRISE_PAGES))
    bulk.add(4_960)
    large = _counts(app, session)
    large.update(_counts(app, session, ENTERPRISE, ENTERPRISE_PAGES))
    assert large == small, {u: (small[u], large[u]) for u in small if small[u] != large[u]}
    # And the pages really are pages of 20 out of 5,000.
    api = app.test_client()
    headers = {"Authorization": f"Bearer {token_for(api, REVIEWER)}"}
    body = api.get("/api/v1/tasks?per_page=20&page=3", headers=headers).get_json()
    assert body["total"] == 5_000 and len(body["items"]) == 20 and body["page"] == 3
    assert api.get("/api/v1/tasks?per_page=101", headers=headers).status_code == 422


def test_the_enterprise_filings_list_is_a_page_of_20_with_the_total(app, session, world):  # type: ignore[no-untyped-def]
    bulk = Bulk(session, world)
    bulk.add(44)  # 45 filings of the enterprise in all
    web = app.test_client()
    assert web.post("/login", data={"username": ENTERPRISE, "password": "Demo@2026"}).status_code in (302, 303)
    first = web.get("/filings/").get_data(as_text=True)
    assert "共 45 件" in first
    assert first.count('href="/cases/') // 2 == 20  # two links (number, 查看) per row
    assert 'aria-label="分页"' in first and "page=3" in first
    last = web.get("/filings/?page=3").get_data(as_text=True)
    assert last.count('href="/cases/') // 2 == 5
    rows, total = service.list_filings(session, world.actor(ENTERPRISE), "district_review", page=2, per_page=500)
    assert total == 45 and rows == []  # per_page is capped at 100: page 2 of 45 is empty


def test_a_completion_costs_the_same_statements_at_20_and_at_5000_cases(app, session, world):  # type: ignore[no-untyped-def]
    """One JSON API approval: a fixed number of SQL statements, whatever the number of cases: 11 (the
    calendar's revision token, token and user, task and locked case, the filing (read once for the guard,
    the live figures, the running totals and the effects), the district-year facts (year plans, fund totals,
    year shares awaiting the city and the plan year's running totals: one UNION ALL for the R5 guard and
    the live R3/R4/R5 figures), the audit row, one UPDATE of the case (state and audit hash), the task
    index DELETE and INSERT, the running totals, the notifications). The policy version the filing was
    submitted under is read once per process."""
    api = app.test_client()
    headers = {"Authorization": f"Bearer {token_for(api, REVIEWER)}"}
    bulk = Bulk(session, world)
    clerk = world.actor(ENTERPRISE)

    def one(seed: int) -> int:
        filing = service.create_filing(session, clerk, filing_data(seed))
        service.submit_filing(session, clerk, filing.id)
        task_id = service.ready_tasks(session, filing.instance_id)[0].task_id
        session.remove()
        with counting(session) as statements:
            r = api.post(f"/api/v1/tasks/{task_id}/complete", json={"decision": "approve"}, headers=headers)
        assert r.status_code == 200 and r.get_json()["status"] == "city_record", r.get_data(as_text=True)
        return len(statements)

    one(100)  # warm caches (spec, catalogue)
    bulk.add(19)
    small = one(101)
    bulk.add(4_980)
    large = one(102)
    assert small == large <= 11, (small, large)
