"""The training project and the funds through the API as each role, the public notice page without
sign-in, the case pages linked both ways, the funds reconciliation command and the budget floor."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tests.test_api_helpers import Api, fast_passwords, tokens_for  # noqa: F401
from tests.test_projects_engine import assert_reconciled, at, decide, recorded_project, status
from tests.test_web_helpers import login
from webapp.cli import register_cli  # noqa: F401 - the app registers it; imported to fail loudly if renamed
from workflows import service
from workflows.clock import frozen_now
from workflows.models import FundTotal, TrainingProject


@pytest.fixture()
def api(client, world):  # type: ignore[no-untyped-def]
    return Api(client)


def test_the_process_through_the_api_as_each_role(session, world, api) -> None:  # type: ignore[no-untyped-def]
    project = recorded_project(session, world, start=date(2026, 9, 1), end=date(2027, 9, 30), when="2026-08-10")
    pid, case_id = project.id, project.instance_id
    tokens = tokens_for(api.client, ("ent-440106-1", "ent-440106-2", "review-440106", "review-440112", "city",
                                     "admin"))
    ent, other_ent = api.as_(tokens["ent-440106-1"]), api.as_(tokens["ent-440106-2"])
    district, other_district, city = (api.as_(tokens["review-440106"]), api.as_(tokens["review-440112"]),
                                      api.as_(tokens["city"]))

    body = ent.get("/projects/{id}", id=pid).get_json()
    assert body["status"] == "class_report" and body["status_label"] == "待开班报告"
    assert all("*" in t["id_number"] for t in body["trainees"])
    assert other_ent.get("/projects/{id}", id=pid).status_code == 404
    assert other_district.get("/projects/{id}", id=pid).status_code == 404
    # The case kind is in the case lists.
    listed = city.get("/cases", query={"kind": "training_project"}).get_json()
    assert [c["id"] for c in listed["items"]] == [case_id]

    ids = [t["id"] for t in body["trainees"]]
    assert ent.post("/projects/{id}/class-report", id=pid,
                    json={"actual_start": "2026-08-01", "trainee_ids": ids}).status_code == 422
    assert city.post("/projects/{id}/class-report", id=pid,
                     json={"actual_start": "2026-09-01", "trainee_ids": ids}).status_code == 404
    reply = ent.post("/projects/{id}/class-report", id=pid, json={"actual_start": "2026-09-01", "trainee_ids": ids})
    assert reply.status_code == 200 and reply.get_json()["status"] == "running"
    assert ent.post("/projects/{id}/class-report", id=pid,
                    json={"actual_start": "2026-09-01", "trainee_ids": ids}).status_code == 409

    ceiling = reply.get_json()["max_advance_fen"]
    assert ent.post("/projects/{id}/advance", id=pid, json={"amount_fen": ceiling + 1}).status_code == 422
    assert ent.post("/projects/{id}/advance", id=pid, json={"amount_fen": ceiling}).get_json()["status"] \
        == "advance_review"
    task = district.get("/projects/{id}", id=pid).get_json()["tasks"][0]
    assert task["form_key"] == "project_advance_review"
    assert other_district.post("/tasks/{id}/complete", id=task["id"], json={"decision": "approve"}).status_code == 404
    assert district.post("/tasks/{id}/complete", id=task["id"], json={"decision": "approve"}).status_code == 200
    assert ent.post("/projects/{id}/payments", id=pid, json={
        "kind": "advance", "amount_fen": ceiling, "paid_on": "2026-09-10", "voucher_no": "YZ-1"}).status_code == 404
    paid = city.post("/projects/{id}/payments", id=pid, json={
        "kind": "advance", "amount_fen": ceiling, "paid_on": "2026-09-10", "voucher_no": "YZ-1"})
    assert paid.status_code == 200 and paid.get_json()["status"] == "running"
    assert_reconciled(session)

    # A leave through the API; the district decides.
    assert ent.post("/projects/{id}/changes", id=pid, json={
        "kind": "leave", "effective_on": "2026-11-01", "trainee_id": ids[2], "reason": ""}).status_code == 422
    assert ent.post("/projects/{id}/changes", id=pid, json={
        "kind": "leave", "effective_on": "2026-11-01", "trainee_id": ids[2], "reason": "离职"}).status_code == 200
    task = district.get("/projects/{id}", id=pid).get_json()["tasks"][0]
    assert district.post("/tasks/{id}/complete", id=task["id"], json={"decision": "approve"}).status_code == 200
    assert_reconciled(session)

    # The funds: district own only, city any or all, enterprises none; figures in fen.
    year = 2026
    own = district.get("/funds", query={"year": year}).get_json()["items"]
    assert [r["district_code"] for r in own] == ["440106"]
    row = own[0]
    stored = session.get(FundTotal, ("440106", year))
    session.refresh(stored)
    assert (row["committed_fen"], row["advanced_fen"], row["paid_fen"], row["released_fen"]) == (
        stored.committed_fen, stored.advanced_fen, stored.paid_fen, stored.released_fen)
    assert row["remaining_fen"] == row["budget_fen"] - row["committed_fen"] - row["paid_fen"]
    assert row["advanced_fen"] == row["paid_fen"] > 0  # the advance fills 2026 first (after the leave)
    assert district.get("/funds", query={"year": year, "district": "440112"}).status_code == 404
    assert len(city.get("/funds", query={"year": year}).get_json()["items"]) == 11
    assert city.get("/funds", query={"year": year, "district": "440112"}).get_json()["items"][0]["committed_fen"] == 0
    assert ent.get("/funds", query={"year": year}).status_code in (403, 404)


def test_public_notice_page_without_sign_in_and_objection(app, session, world) -> None:  # type: ignore[no-untyped-def]
    ent = world.actor("ent-440106-1")
    project = recorded_project(session, world, start=date(2025, 8, 1), end=date(2026, 8, 31), trainees=1)
    pid = project.id
    with frozen_now(at("2025-08-05")):
        only = service.project_view(session, ent, pid).trainees[0]["id"]
        service.report_class_start(session, ent, pid, date(2025, 8, 1), [only])
    with frozen_now(at("2026-11-30")):
        service.submit_assessment(session, ent, pid, [service.AssessmentResult(only, "passed", "C-77", 4)])
        decide(session, world, project, "project_assessment_review", "approve")
        service.submit_claim(session, ent, pid)
    decide(session, world, project, "project_claim_review", "approve")  # now: the notice runs from today
    assert status(session, project) == "publicity"
    anonymous = app.test_client()
    page = anonymous.get("/public/notices")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "公示" in html and "C-77" not in html
    trainee_name = service.project_view(session, ent, pid).trainees[0]["name"]
    assert trainee_name not in html and "5,958.33" in html  # 1 trainee x 5,500 x 13 months / 12
    # Anyone may object during the window; the district reviewer is told.
    short = anonymous.post(f"/public/notices/{pid}/objection", data={"content": "短"})
    assert short.status_code == 422
    sent = anonymous.post(f"/public/notices/{pid}/objection", data={"content": "该企业学员未实际参训", "contact": ""})
    assert sent.status_code == 302
    session.expire_all()
    assert service.project_view(session, world.actor("review-440106"), pid).objections[0]["content"] \
        == "该企业学员未实际参训"
    assert service.project_view(session, ent, pid).objections == []  # the enterprise does not see who objected


def test_case_pages_link_filing_and_project_both_ways(app, session, world) -> None:  # type: ignore[no-untyped-def]
    project = recorded_project(session, world, trainees=1)
    filing_case = session.get(TrainingProject, project.id).filing_id
    from workflows.models import Filing

    filing_instance = session.get(Filing, filing_case).instance_id
    city = login(app, "city")
    page = city.get(f"/cases/{filing_instance}").get_data(as_text=True)
    assert f"/cases/{project.instance_id}" in page and "培训项目" in page
    page = city.get(f"/cases/{project.instance_id}").get_data(as_text=True)
    assert f"/cases/{filing_instance}" in page and "分年度资金" in page and "待开班报告" in page


def test_funds_reconcile_command_and_budget_floor(app, session, world) -> None:  # type: ignore[no-untyped-def]
    project = recorded_project(session, world, trainees=1)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["funds", "reconcile"])
    assert result.exit_code == 0 and "一致" in result.output
    row = session.scalars(select(FundTotal).where(FundTotal.year == 2025)).one()
    row.committed_fen += 1
    session.commit()
    result = runner.invoke(args=["funds", "reconcile"])
    assert result.exit_code == 1 and "440106 2025年" in result.output
    result = runner.invoke(args=["funds", "reconcile", "--repair"])
    assert result.exit_code == 0
    assert runner.invoke(args=["funds", "reconcile"]).exit_code == 0
    # A budget below committed + paid needs a confirmation naming the figures.
    admin = world.actor("admin")
    committed = session.get(FundTotal, ("440106", 2025)).committed_fen
    with pytest.raises(service_validation()) as refused:
        service.save_year_plans(session, admin, 2025, {"440106": (committed - 1, 10)})
    message = refused.value.fields["440106.budget"][0]
    assert "已占用" in message and f"{committed // 100:,}" in message
    service.save_year_plans(session, admin, 2025, {"440106": (committed - 1, 10)}, confirm_below_committed=True)
    assert project.id


def service_validation() -> type[Exception]:
    from workflows.errors import ValidationFailed

    return ValidationFailed


def test_the_screens_of_each_role(app, session, world) -> None:  # type: ignore[no-untyped-def]
    """开班报告 and 预支 on the enterprise's screens, the district's decision on the task page, the
    city's payment record; every step's money reconciles."""
    from tests.test_web_helpers import text

    project = recorded_project(session, world, start=date(2026, 9, 1), end=date(2027, 9, 30), when="2026-08-10")
    pid, case_id = project.id, project.instance_id
    ent = login(app, "ent-440106-1")
    session.expire_all()
    [row] = service.ready_tasks(session, case_id)
    page = ent.get(f"/tasks/{row.task_id}")
    assert page.status_code == 302 and f"/projects/tasks/{row.task_id}" in page.headers["Location"]
    page = ent.get(f"/projects/tasks/{row.task_id}")
    assert page.status_code == 200 and "开班报告" in text(page)
    trainee_ids = [t["id"] for t in service.project_view(session, world.actor("ent-440106-1"), pid).trainees]
    bad = ent.post(f"/projects/tasks/{row.task_id}", data={"report-actual_start": "2026-08-01",
                                                           "report-trainees": trainee_ids})
    assert bad.status_code == 422 and "不能早于" in text(bad)
    done = ent.post(f"/projects/tasks/{row.task_id}", data={"report-actual_start": "2026-09-01",
                                                            "report-trainees": trainee_ids})
    assert done.status_code == 302
    assert status(session, project) == "running"
    session.expire_all()
    [row] = service.ready_tasks(session, case_id)
    reply = ent.post(f"/projects/tasks/{row.task_id}", data={"which": "advance", "advance-amount_yuan": "100.00"})
    assert reply.status_code == 302, (row.form_key, text(reply)[:3000])
    assert status(session, project) == "advance_review"
    district = login(app, "review-440106")
    session.expire_all()
    [row] = service.ready_tasks(session, case_id)
    page = district.get(f"/tasks/{row.task_id}")
    assert page.status_code == 200 and "同意预支" in text(page)
    assert district.post(f"/tasks/{row.task_id}", data={"decision": "approve", "comment": ""}).status_code == 302
    city = login(app, "city")
    session.expire_all()
    [row] = service.ready_tasks(session, case_id)
    assert city.post(f"/projects/tasks/{row.task_id}", data={"payment-amount_yuan": "100.00",
                                                             "payment-paid_on": "2026-09-10",
                                                             "payment-voucher_no": "YZ-7"}).status_code == 302
    assert status(session, project) == "running"
    assert_reconciled(session)
    dashboard = text(city.get("/dashboard?year=2026"))
    assert "培训补贴资金" in dashboard and "已预支" in dashboard
