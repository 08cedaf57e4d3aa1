"""Quarterly plans through the API, as each role: list with filters and pages, detail with rows, figures,
flags, tasks and history; the district's edits and submission (422 with field paths); the city's record
or return (dedicated endpoint and the generic task endpoint); urge, manual opening, Excel exports; scope."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tests.test_api_helpers import USERS, Api, error_of, fast_passwords, openapi, tokens_for  # noqa: F401
from tests.test_plans_helpers import filing_in as _filing_in
from tests.test_plans_helpers import fresh_spec_caches, open_q1, plan_of  # noqa: F401

DISTRICT, OTHER = "review-440106", "review-440112"


@pytest.fixture()
def api(client, world):  # type: ignore[no-untyped-def]
    return Api(client)


@pytest.fixture()
def tokens(api):  # type: ignore[no-untyped-def]
    return tokens_for(api.client)


def filing_in(session, world, username, seed, **kw):  # type: ignore[no-untyped-def]
    filing = _filing_in(session, world, username, seed, **kw)
    return filing.id


@pytest.fixture()
def opened(session, world):  # type: ignore[no-untyped-def]
    """440106's 2027Q1 plan with two rows: a recorded 四级 filing (3 trainees) and a 五级 one under review (1)."""
    recorded = filing_in(session, world, "ent-440106-1", 1, level=4, trainees=3, record=True)
    reviewing = filing_in(session, world, "ent-440106-2", 2, level=5, trainees=1)
    open_q1(session)
    plan, instance = plan_of(session)
    return {"id": plan.id, "case_id": instance.id, "recorded": recorded, "reviewing": reviewing}


def download(api: Api, template: str, token: str, query: dict | None = None, **path):  # type: ignore[no-untyped-def,type-arg]
    """A binary download: its media type is the documented one (errors go through the JSON checks)."""
    url = "/api/v1" + template.format(**path)
    response = api.client.get(url, headers={"Authorization": f"Bearer {token}"}, query_string=query)
    if response.status_code != 200:
        return api.get(template, token=token, query=query, **path)
    documented = openapi()["paths"][template]["get"]["responses"]["200"]["content"]
    assert response.mimetype in documented, response.mimetype
    return response


def _rows(plan):  # type: ignore[no-untyped-def]
    return {r["filing_id"]: r for r in plan["rows"]}


# --- the whole cycle -------------------------------------------------------------------------------------


def test_district_compiles_and_submits_city_returns_then_records(api, tokens, opened):  # type: ignore[no-untyped-def]
    rev, city = tokens[DISTRICT], tokens["city"]
    plan = api.get("/plans/{id}", id=opened["id"], token=rev).get_json()
    assert (plan["case_id"], plan["district_code"], plan["year"], plan["quarter"], plan["quarter_key"]) == (
        opened["case_id"], "440106", 2027, 1, "2027Q1")
    assert (plan["status"], plan["status_label"], plan["title"]) == ("compiling", "待编制", "天河区2027年第1季度培训计划")
    assert plan["due_at"].startswith("2027-01-10T15:59:59") and plan["can_urge"] is False
    rows = _rows(plan)
    assert set(rows) == {opened["recorded"], opened["reviewing"]}
    assert rows[opened["recorded"]]["trainees"] == 3 and rows[opened["recorded"]]["filing_status"] == "recorded"
    figures = plan["figures"]
    assert (figures["trainees_total"], figures["intermediate_up"], figures["intermediate_share"]) == (4, 3, 0.75)
    assert figures["budget_fen"] == 300_000_000 and figures["quarter_rows"] == 2
    assert plan["flags"] == {"share_below_min": False, "concentration": True, "over_budget": False,
                             "flagged_to_city": False}
    assert [(t["form_key"], t["decisions"]) for t in plan["tasks"]] == [("plan_compile", [])]
    assert [h["action"] for h in plan["history"]] == ["open"]
    # The city sees the plan but has nothing to do yet except urging.
    seen = api.get("/plans/{id}", id=opened["id"], token=city).get_json()
    assert seen["tasks"] == [] and seen["can_urge"] is True

    excluded = rows[opened["reviewing"]]["id"]
    edit = {"notes": "本季度按计划开展", "rows": [{"id": excluded, "included": False, "reason": "企业推迟至下季度"}]}
    saved = api.put("/plans/{id}", id=opened["id"], token=rev, json=edit).get_json()
    assert saved["notes"] == "本季度按计划开展" and saved["status"] == "compiling"
    assert _rows(saved)[opened["reviewing"]]["included"] is False
    assert saved["figures"]["intermediate_share"] == 1.0 and saved["figures"]["excluded_rows"] == 1

    submitted = api.post("/plans/{id}/submit", id=opened["id"], token=rev)
    assert submitted.status_code == 200, submitted.get_json()
    body = submitted.get_json()
    assert (body["status"], body["status_label"], body["tasks"]) == ("city_record", "待市备案", [])
    assert body["submitted_at"] and body["notes"] == "本季度按计划开展"  # no body: the saved edits stand
    assert api.put("/plans/{id}", id=opened["id"], token=rev, json=edit).status_code == 409

    # The city's task is in the generic inbox with the plan's decisions; a return needs a comment.
    task = next(t for t in api.get("/tasks", token=city).get_json()["items"] if t["kind"] == "quarterly_plan")
    assert task["case_id"] == opened["case_id"] and task["form_key"] == "plan_record"
    assert {d["code"]: d["comment_required"] for d in task["decisions"]} == {"record": False, "return": True}
    r = api.post("/tasks/{id}/complete", id=task["id"], token=city, json={"decision": "return"})
    assert r.status_code == 422 and "comment" in error_of(r)["fields"]
    r = api.post("/tasks/{id}/complete", id=task["id"], token=city, json={"decision": "return", "comment": "请核实人数"})
    assert r.status_code == 200
    outcome = r.get_json()
    assert (outcome["case_id"], outcome["status"], outcome["status_label"]) == (opened["case_id"], "returned", "已退回")
    assert [(t["form_key"], t["mine"]) for t in outcome["next_tasks"]] == [("plan_compile", False)]
    case = api.get("/cases/{id}", id=outcome["case_id"], token=city).get_json()
    assert case["kind"] == "quarterly_plan" and case["quarterly_plan"]["status"] == "returned"

    back = api.get("/plans/{id}", id=opened["id"], token=rev).get_json()
    assert back["status_label"] == "已退回" and back["history"][-1]["comment"] == "请核实人数"
    assert [t["form_key"] for t in back["tasks"]] == ["plan_compile"]
    assert api.post("/plans/{id}/submit", id=opened["id"], token=rev,
                    json={"notes": "已核实", "rows": []}).get_json()["status"] == "city_record"
    r = api.post("/plans/{id}/decision", id=opened["id"], token=city, json={"decision": "return"})
    assert r.status_code == 422 and "comment" in error_of(r)["fields"]
    r = api.post("/plans/{id}/decision", id=opened["id"], token=city, json={"decision": "record"})
    assert r.status_code == 200
    done = r.get_json()
    assert (done["status"], done["status_label"], done["completed_at"] is not None) == ("recorded", "已备案", True)
    assert done["figures"]["intermediate_share"] == 1.0  # the snapshot of the submission
    assert [h["action"] for h in done["history"]] == ["open", "save", "submit", "return", "resubmit", "record"]
    again = api.post("/plans/{id}/decision", id=opened["id"], token=city, json={"decision": "record"})
    assert again.status_code == 409 and error_of(again)["code"] == "conflict"
    assert api.post("/plans/{id}/urge", id=opened["id"], token=city, json={"message": "催"}).status_code == 409


def test_below_70_percent_needs_a_justification_and_rows_need_reasons(api, tokens, session, world):  # type: ignore[no-untyped-def]
    filing_in(session, world, "ent-440106-1", 1, level=4, trainees=1)
    low = filing_in(session, world, "ent-440106-2", 2, level=5, trainees=3)
    open_q1(session)
    plan, _ = plan_of(session)
    rev = tokens[DISTRICT]
    detail = api.get("/plans/{id}", id=plan.id, token=rev).get_json()
    index = next(i for i, r in enumerate(detail["rows"]) if r["filing_id"] == low)
    assert detail["flags"]["share_below_min"] is True and detail["figures"]["intermediate_share"] == 0.25

    r = api.post("/plans/{id}/submit", id=plan.id, token=rev, json={"notes": "不会保存"})
    assert r.status_code == 422
    err = error_of(r)
    assert err["code"] == "validation_error" and "70%" in err["fields"]["justification"][0]
    unexcused = {"rows": [{"id": detail["rows"][index]["id"], "included": True},
                          {"id": detail["rows"][1 - index]["id"], "included": False}]}
    r = api.post("/plans/{id}/submit", id=plan.id, token=rev, json=unexcused)
    assert r.status_code == 422 and f"rows[{1 - index}].reason" in error_of(r)["fields"]
    after = api.get("/plans/{id}", id=plan.id, token=rev).get_json()
    assert after["status"] == "compiling" and after["notes"] == "" and after["submitted_at"] is None
    assert all(row["included"] for row in after["rows"])  # nothing of a refused submission is kept

    ok = api.post("/plans/{id}/submit", id=plan.id, token=rev,
                  json={"justification": "本区新招学徒较多，先开展初级工培训，下半年安排中级工培训。"})
    assert ok.status_code == 200
    assert ok.get_json()["flags"]["flagged_to_city"] is True and ok.get_json()["share_flagged"] is True
    listed = api.get("/plans", token=tokens["city"], query={"district": "440106"}).get_json()["items"]
    assert listed[0]["share_flagged"] is True and listed[0]["status"] == "city_record"


# --- lists, filters, pages -------------------------------------------------------------------------------


def test_list_filters_and_pages_in_scope(api, tokens, opened):  # type: ignore[no-untyped-def]
    def listed(who, **query):  # type: ignore[no-untyped-def]
        r = api.get("/plans", token=tokens[who], query=query)
        assert r.status_code == 200
        return r.get_json()

    mine = listed(DISTRICT)
    assert mine["total"] == 1 and [p["id"] for p in mine["items"]] == [opened["id"]]
    assert mine["items"][0]["case_id"] == opened["case_id"] and mine["items"][0]["overdue"] is False
    assert listed(DISTRICT, district="440112")["total"] == 0  # the filter cannot widen the scope
    assert listed(OTHER)["items"][0]["district_code"] == "440112"
    everything = listed("city", year=2027, quarter=1)
    assert everything["total"] == 11 and len(everything["items"]) == 11
    assert [p["district_code"] for p in everything["items"]] == sorted(p["district_code"] for p in everything["items"])
    assert listed("city", district="440106")["items"][0]["id"] == opened["id"]
    assert listed("admin", status="compiling")["total"] == 11
    assert listed("city", status="recorded")["total"] == 0
    assert listed("city", quarter=2)["total"] == 0 and listed("city", year=2026)["total"] == 0
    page = listed("city", per_page=4, page=3)
    assert (page["page"], page["per_page"], page["total"], len(page["items"])) == (3, 4, 11, 3)
    for query in ({"quarter": 5}, {"status": "draft"}, {"district": "110000"}, {"per_page": 101}, {"year": "x"}):
        r = api.get("/plans", token=tokens["city"], query=query)
        assert r.status_code == 422 and set(error_of(r)["fields"]) == set(query), query


# --- every endpoint as every role ------------------------------------------------------------------------


def test_every_plan_endpoint_as_every_role(api, tokens, opened):  # type: ignore[no-untyped-def]
    """440106's plan, compiling: only its district edits, the city urges; everyone else gets 404."""
    pid = opened["id"]
    owner = {DISTRICT}
    sees = {DISTRICT, "city", "admin"}
    for who in USERS:
        t = tokens[who]
        role = who.split("-")[0]
        expectations = [
            (api.get("/plans", token=t), 404 if role == "ent" else 200),
            (api.get("/plans/{id}", id=pid, token=t), 200 if who in sees else 404),
            (download(api, "/plans/{id}/export.xlsx", t, id=pid), 200 if who in sees else 404),
            (download(api, "/plans/export.xlsx", t, query={"year": 2027, "quarter": 1}),
             200 if who in ("city", "admin") else 404),
            (api.put("/plans/{id}", id=pid, token=t, json={"notes": "x"}), 200 if who in owner else 404),
            (api.post("/plans/{id}/refresh", id=pid, token=t), 200 if who in owner else 404),
            *([] if who in owner else [(api.post("/plans/{id}/submit", id=pid, token=t), 404)]),  # owner: below
            (api.post("/plans/{id}/decision", id=pid, token=t, json={"decision": "record"}),
             409 if who == "city" else 404),  # not at the city's step yet
            (api.post("/plans/{id}/urge", id=pid, token=t, json={"message": "请尽快报送"}),
             200 if who in ("city", "admin") else 404),
            (api.post("/plans/open", token=t, json={"district_code": "440112", "year": 2027, "quarter": 2}),
             {"city": 201, "admin": 409}.get(who, 404)),
        ]
        got = [r.status_code for r, _ in expectations]
        assert got == [status for _, status in expectations], who
    assert api.post("/plans/{id}/submit", id=pid, token=tokens[DISTRICT]).status_code == 200
    for who in USERS:
        expected = 200 if who == "city" else 404
        r = api.post("/plans/{id}/decision", id=pid, token=tokens[who], json={"decision": "record"})
        assert r.status_code == expected, who
        r = api.get("/cases/{id}", id=opened["case_id"], token=tokens[who])
        assert r.status_code == (200 if who in sees else 404), who
        if r.status_code == 200:
            assert r.get_json()["quarterly_plan"]["id"] == pid and r.get_json()["filing"] is None


def test_unknown_plans_rows_and_bodies(api, tokens, opened):  # type: ignore[no-untyped-def]
    rev = tokens[DISTRICT]
    for pid in (999_999, 2**31 - 1):
        assert api.get("/plans/{id}", id=pid, token=rev).status_code == 404
    assert api.client.get("/api/v1/plans/0", headers={"Authorization": f"Bearer {rev}"}).status_code == 404
    r = api.put("/plans/{id}", id=opened["id"], token=rev, json={"rows": [{"id": 999_999, "included": True}]})
    assert r.status_code == 409 and error_of(r)["code"] == "conflict"
    for body, field in (({"rows": [{"id": 1}]}, "rows[0].included"), ({"notes": "长" * 4001}, "notes"),
                        ({"rows": [{"id": 1, "included": "no"}]}, "rows[0].included"), ({"x": 1}, "x"),
                        ({"rows": [{"id": 1, "included": False, "reason": "x" * 1001}]}, "rows[0].reason")):
        r = api.put("/plans/{id}", id=opened["id"], token=rev, json=body)
        assert r.status_code == 422 and field in error_of(r)["fields"], (body, error_of(r))
    city = tokens["city"]
    for body, field in (({"district_code": "440106", "year": 2027}, "quarter"),
                        ({"district_code": "999999", "year": 2027, "quarter": 1}, "district_code"),
                        ({"district_code": "440106", "year": 2027, "quarter": 0}, "quarter")):
        r = api.post("/plans/open", token=city, json=body)
        assert r.status_code == 422 and field in error_of(r)["fields"], body
    r = api.post("/plans/open", token=city, json={"district_code": "440106", "year": 2027, "quarter": 1})
    assert r.status_code == 409
    r = api.post("/plans/{id}/urge", id=opened["id"], token=city, json={"message": "   "})
    assert r.status_code == 422 and "message" in error_of(r)["fields"]
    r = api.post("/plans/{id}/decision", id=opened["id"], token=city, json={"decision": "send_back"})
    assert r.status_code == 422 and "decision" in error_of(r)["fields"]


def test_city_opens_urges_and_the_district_is_told(api, tokens, session, world):  # type: ignore[no-untyped-def]
    city, rev = tokens["city"], tokens[OTHER]
    # 2027.0 is an integer to JSON Schema; the use case gets a real int (found by schemathesis).
    r = api.post("/plans/open", token=city, json={"district_code": "440112", "year": 2027.0, "quarter": 3.0})
    assert r.status_code == 201
    plan = r.get_json()
    assert r.headers["Location"] == f"/api/v1/plans/{plan['id']}"
    assert (plan["quarter_key"], plan["status"], plan["history"][0]["action"]) == ("2027Q3", "compiling", "open")
    assert plan["due_at"].startswith("2027-07-10")
    urged = api.post("/plans/{id}/urge", id=plan["id"], token=city, json={"message": "请于本周内报送"})
    assert urged.status_code == 200 and urged.get_json()["history"][-1]["action"] == "urge"
    inbox = api.get("/notifications", token=rev).get_json()["items"]
    assert [n["kind"] for n in inbox][:2] == ["urge", "opened"]
    assert inbox[0]["case_id"] == plan["case_id"] and inbox[0]["web_path"] == f"/plans/{plan['case_id']}"
    assert "请于本周内报送" in inbox[0]["body"]


def test_exports_are_excel_in_the_notice_columns(api, tokens, opened):  # type: ignore[no-untyped-def]
    r = download(api, "/plans/{id}/export.xlsx", tokens[DISTRICT], id=opened["id"])
    assert r.status_code == 200
    assert r.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in r.headers["Content-Disposition"] and "UTF-8''" in r.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(r.data)).active
    header = [c.value for c in next(sheet.iter_rows(min_row=1, max_row=6)) if c.value]
    values = [c.value for row in sheet.iter_rows() for c in row if c.value]
    assert header and "企业名称" in values and "统一社会信用代码" in values and "广州天河智能装备有限公司" in values
    quarter = download(api, "/plans/export.xlsx", tokens["city"], query={"year": 2027, "quarter": 1})
    assert quarter.status_code == 200 and len(load_workbook(io.BytesIO(quarter.data)).sheetnames) == 12
    r = api.get("/plans/export.xlsx", token=tokens["city"], query={"year": 2027})
    assert r.status_code == 422 and "quarter" in error_of(r)["fields"]
    assert openapi()["paths"]["/plans/{id}/export.xlsx"]["get"]["responses"]["200"]["content"] == {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}}
