"""Review and record through the screens: inbox, task page with check results, decisions, conflicts,
the case detail with history and diagram; and concurrent completions through the service."""

from __future__ import annotations

import re
import threading

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import filing_data, submitted_filing, task_of
from tests.test_web_helpers import (
    actions_of,
    field_error,
    filings_of,
    form_fields,
    fresh,
    location,
    login,
    ready_task,
    status_of,
    text,
)
from webapp.extensions import db
from workflows import errors, service
from workflows.models import AuditEvent, TaskIndex


def test_every_role_story_from_draft_to_recorded(app, world, session):  # type: ignore[no-untyped-def]
    # 企业: fills the form with trainee and course rows and submits.
    ent = login(app, "ent-440106-1")
    data = filing_data(1)
    data.trainees[0].job_post = "出纳会计"  # does not match 车工: the reviewer is told
    response = ent.post("/filings/new", data=form_fields(data, "submit"))
    assert response.status_code == 302
    [filing] = filings_of(session, world.users["ent-440106-1"].enterprise_id)
    case = filing.instance_id
    assert status_of(session, case) == "district_review"

    # 区人社局: the inbox counts it; the task page shows the filing and the check results.
    reviewer = login(app, "review-440106")
    inbox = text(reviewer.get("/tasks/"))
    assert "区人社局审核" in inbox and "广州天河智能装备有限公司" in inbox and "天河区" in inbox
    assert re.search(r"全部待办</span>\s*<span class=\"stat-value\">1<", reviewer.get("/tasks/").get_data(as_text=True))
    task_id = ready_task(session, case).task_id
    assert f"/tasks/{task_id}" in inbox
    page = reviewer.get(f"/tasks/{task_id}")
    html = text(page)
    assert page.status_code == 200
    for words in ("自动校验结果", "硬性规则", "提示", "未发现硬性问题", "出纳会计", data.trainees[1].name,
                  service.mask_id_number(data.trainees[2].id_number), "通用素质必修课", "审核结论", "退回修改",
                  "不予通过"):
        assert words in html, words
    assert data.trainees[2].id_number not in html  # masked until the reviewer reveals them
    assert 'name="confirm_mismatches" type="checkbox" value="trainees[0].job_post"' in page.get_data(as_text=True)

    # Return without a comment: refused next to the comment, nothing changes.
    response = reviewer.post(f"/tasks/{task_id}", data={"decision": "return", "comment": "  "})
    assert response.status_code == 422
    assert "必须填写意见" in field_error(response, "comment")
    assert status_of(session, case) == "district_review"
    comment = "第1名学员的岗位与培训职业不一致，请核实后修改。"
    response = reviewer.post(f"/tasks/{task_id}", data={"decision": "return", "comment": comment})
    assert response.status_code == 302 and location(response).endswith("/tasks/")
    assert status_of(session, case) == "returned"
    assert "已办理" in text(reviewer.get("/tasks/"))

    # 企业: sees it to revise, with the comment shown prominently on the form.
    inbox = text(ent.get("/tasks/"))
    assert "修改后重新提交" in inbox and f"/filings/{filing.id}/edit" in inbox
    assert "已退回待修改" in text(ent.get("/filings/"))
    edit = ent.get(f"/filings/{filing.id}/edit")
    assert edit.status_code == 200
    notice = re.search(r'<section class="card return-notice".*?</section>', edit.get_data(as_text=True), re.S)
    assert notice is not None and comment in notice.group(0) and "区人社局退回意见" in notice.group(0)
    data.trainees[0].job_post = "数控车床操作工"
    response = ent.post(f"/filings/{filing.id}/edit", data=form_fields(data, "submit"))
    assert response.status_code == 302
    assert "备案已重新提交" in text(ent.get(location(response)))
    assert status_of(session, case) == "district_review"

    # 区人社局 approves; 市中心 records.
    task_id = ready_task(session, case).task_id
    response = reviewer.post(f"/tasks/{task_id}", data={"decision": "approve", "comment": ""})
    assert response.status_code == 302
    assert status_of(session, case) == "city_record"
    city = login(app, "city")
    inbox = text(city.get("/tasks/"))
    assert "市级备案" in inbox and "广州天河智能装备有限公司" in inbox
    task_id = ready_task(session, case).task_id
    assert "予以备案" in text(city.get(f"/tasks/{task_id}"))
    response = city.post(f"/tasks/{task_id}", data={"decision": "record", "comment": "同意备案"})
    assert response.status_code == 302
    assert status_of(session, case) == "recorded"
    assert actions_of(session, case) == ["create", "submit", "return", "resubmit", "approve", "record"]

    # Everyone in scope sees 已备案 and the whole history.
    for client in (ent, reviewer, city):
        detail = client.get(f"/cases/{case}")
        html = text(detail)
        assert detail.status_code == 200
        assert 'class="status status-recorded">已备案' in html
        for words in ("创建备案草稿", "提交备案", "退回企业修改", comment, "重新提交", "区人社局审核通过",
                      "予以备案", "同意备案", "天河区审核员", "本案件已办结"):
            assert words in html, words
        assert "待区审核</span> → <span class=\"status status-returned\">已退回待修改" in html


def test_mismatches_need_a_confirmation_each(app, world, session):  # type: ignore[no-untyped-def]
    ent = world.actor("ent-440106-1")
    data = filing_data(1)
    data.trainees[0].job_post = "出纳会计"
    data.trainees[2].job_post = "行政前台"
    filing = service.create_filing(session, ent, data)
    service.submit_filing(session, ent, filing.id)
    task_id = task_of(session, filing).task_id
    reviewer = login(app, "review-440106")
    page = reviewer.get(f"/tasks/{task_id}")
    assert page.get_data(as_text=True).count('name="confirm_mismatches"') == 2

    response = reviewer.post(f"/tasks/{task_id}", data={"decision": "approve",
                                                       "confirm_mismatches": ["trainees[0].job_post"]})
    assert response.status_code == 422
    assert "还有1名学员" in field_error(response, "confirm_mismatches")
    ticked = re.search(r'<input[^>]*value="trainees\[0\]\.job_post"[^>]*>', response.get_data(as_text=True))
    assert ticked is not None and "checked" in ticked.group(0)  # what was ticked stays ticked
    assert status_of(session, filing.instance_id) == "district_review"

    response = reviewer.post(f"/tasks/{task_id}", data={
        "decision": "approve", "confirm_mismatches": ["trainees[0].job_post", "trainees[2].job_post"]})
    assert response.status_code == 302
    assert status_of(session, filing.instance_id) == "city_record"


def test_stale_task_post_shows_conflict_and_changes_nothing(app, world, session):  # type: ignore[no-untyped-def]
    filing = submitted_filing(session, world)
    task_id = task_of(session, filing).task_id
    first, second = login(app, "review-440106"), login(app, "review-440106")  # two browser tabs
    assert first.get(f"/tasks/{task_id}").status_code == 200
    assert second.get(f"/tasks/{task_id}").status_code == 200
    assert second.post(f"/tasks/{task_id}", data={"decision": "approve"}).status_code == 302
    before = actions_of(session, filing.instance_id)

    response = first.post(f"/tasks/{task_id}", data={"decision": "return", "comment": "请补充材料"})
    assert response.status_code == 302
    assert location(response).endswith(f"/cases/{filing.instance_id}")
    page = first.get(location(response))
    assert "该任务已被他人处理" in text(page)
    assert status_of(session, filing.instance_id) == "city_record"
    assert actions_of(session, filing.instance_id) == before
    # Opening the old task page again says the same.
    again = first.get(f"/tasks/{task_id}", follow_redirects=True)
    assert "该任务已被他人处理" in text(again) and "待市备案" in text(again)


def test_city_sends_back_with_a_required_comment(app, world, session):  # type: ignore[no-untyped-def]
    filing = submitted_filing(session, world)
    service.complete_task(session, world.actor("review-440106"), task_of(session, filing).task_id, "approve")
    city = login(app, "city")
    task_id = ready_task(session, filing.instance_id).task_id
    response = city.post(f"/tasks/{task_id}", data={"decision": "send_back"})
    assert response.status_code == 422 and "必须填写意见" in field_error(response, "comment")
    response = city.post(f"/tasks/{task_id}", data={"decision": "nonsense", "comment": "x"})
    assert response.status_code == 422 and field_error(response, "decision")
    response = city.post(f"/tasks/{task_id}", data={"decision": "send_back", "comment": "请核实学员人数"})
    assert response.status_code == 302
    assert status_of(session, filing.instance_id) == "district_review"
    assert "请核实学员人数" in text(login(app, "review-440106").get(
        f"/tasks/{ready_task(session, filing.instance_id).task_id}"))


def test_reject_closes_the_case(app, world, session):  # type: ignore[no-untyped-def]
    filing = submitted_filing(session, world)
    reviewer = login(app, "review-440106")
    task_id = task_of(session, filing).task_id
    response = reviewer.post(f"/tasks/{task_id}", data={"decision": "reject", "comment": "不符合备案条件"})
    assert response.status_code == 302
    assert status_of(session, filing.instance_id) == "rejected"
    ent = login(app, "ent-440106-1")
    detail = text(ent.get(f"/cases/{filing.instance_id}"))
    assert "未通过" in detail and "不符合备案条件" in detail
    assert ent.get(f"/filings/{filing.id}/withdraw", follow_redirects=True).status_code == 200


def test_enterprise_task_link_leads_to_the_form(app, world, session):  # type: ignore[no-untyped-def]
    ent_actor = world.actor("ent-440106-1")
    filing = service.create_filing(session, ent_actor, filing_data(1))
    task_id = task_of(session, filing).task_id
    ent = login(app, "ent-440106-1")
    response = ent.get(f"/tasks/{task_id}")
    assert response.status_code == 302 and location(response).endswith(f"/filings/{filing.id}/edit")
    assert f"/filings/{filing.id}/edit" in text(ent.get("/tasks/"))
    assert "填写并提交备案" in text(ent.get(f"/cases/{filing.instance_id}"))


def test_case_detail_has_the_diagram_with_the_current_step(app, world, session):  # type: ignore[no-untyped-def]
    filing = submitted_filing(session, world)
    reviewer = login(app, "review-440106")
    html = reviewer.get(f"/cases/{filing.instance_id}").get_data(as_text=True)
    div = re.search(r'<div class="diagram"[^>]*>', html).group(0)
    assert f'data-xml-url="/cases/{filing.instance_id}/diagram.bpmn"' in div
    current = re.search(r"data-current='([^']*)'", div).group(1)
    done = re.search(r"data-done='([^']*)'", div).group(1)
    assert '"district_review"' in current and '"fill_filing"' in done and '"start"' in done
    assert "bpmn-navigated-viewer.production.min.js" in html and "js/diagram.js" in html
    assert "diagram-js.css" in html
    xml = reviewer.get(f"/cases/{filing.instance_id}/diagram.bpmn")
    assert xml.status_code == 200
    assert xml.content_type.startswith("application/xml")
    assert b'id="district_review"' in xml.data and b"bpmndi:BPMNDiagram" in xml.data


def test_two_concurrent_completions_one_success_one_conflict(app, world, session):  # type: ignore[no-untyped-def]
    filing = submitted_filing(session, world)
    task_id = task_of(session, filing).task_id
    reviewer = world.actor("review-440106")
    session.commit()
    engine = db.engine
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def complete(decision: str, comment: str) -> None:
        with Session(engine) as own:
            barrier.wait()
            try:
                service.complete_task(own, reviewer, task_id, decision, comment)
                outcomes.append("ok:" + decision)
            except errors.Conflict:
                outcomes.append("conflict")
            except Exception as exc:  # noqa: BLE001  (reported by the assertion below)
                outcomes.append(f"error: {exc!r}")

    threads = [threading.Thread(target=complete, args=args)
               for args in (("approve", ""), ("return", "请补充材料"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(o.split(":")[0] for o in outcomes) == ["conflict", "ok"], outcomes
    winner = next(o.split(":")[1] for o in outcomes if o.startswith("ok"))
    assert status_of(session, filing.instance_id) == {"approve": "city_record", "return": "returned"}[winner]
    decisions = fresh(session).scalars(select(AuditEvent.action).where(
        AuditEvent.instance_id == filing.instance_id, AuditEvent.action.in_(["approve", "return"]))).all()
    assert decisions == [winner]
    assert len(fresh(session).scalars(select(TaskIndex).where(
        TaskIndex.instance_id == filing.instance_id)).all()) == 1
