"""The reviewer's day through the screens: the inbox's search, filters, sort, columns and batch action;
the task page's decision bar, step indicator, live figures, resubmission diff, the district's decision
on the city's page, and 认领 / 转办 / 退回组."""

from __future__ import annotations

import re

from tests.factories import filing_data, submitted_filing, task_of
from tests.test_assignment import colleague
from tests.test_web_helpers import field_error, login, status_of, text
from workflows import service


def plain(response) -> str:  # type: ignore[no-untyped-def]
    return re.sub(r"</?strong>", "", text(response))


def rows_of(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr>(.*?)</tr>", body, re.S)


def test_inbox_columns_search_filters_and_batch(app, world, session):  # type: ignore[no-untyped-def]
    first = submitted_filing(session, world, "ent-440106-1", seed=1)
    second = submitted_filing(session, world, "ent-440106-2", seed=2)
    who = world.actor("ent-440106-1")
    reviewer = world.actor("review-440106")
    service.complete_task(session, reviewer, task_of(session, first).task_id, "return", "请修改")
    service.submit_filing(session, who, first.id, filing_data(1))
    service.claim_task(session, reviewer, task_of(session, second).task_id)
    page = login(app, "review-440106")
    html = text(page.get("/tasks/"))
    rows = rows_of(html)
    assert len(rows) == 2
    joined = " ".join(rows)
    for words in ("第2次提交", "第1次提交", "四级/中级工", "万元", "天河区审核员", "未认领", "天"):
        assert words in joined, words
    assert 'name="task_ids"' in html and "批量通过" in html
    resubmitted = rows_of(text(page.get("/tasks/?resubmitted=1")))
    assert len(resubmitted) == 1 and "第2次提交" in resubmitted[0]
    mine = rows_of(text(page.get("/tasks/?assignee=me")))
    assert len(mine) == 1 and "天河区审核员" in mine[0]
    assert len(rows_of(text(page.get("/tasks/?assignee=none")))) == 1
    found = rows_of(text(page.get(f"/tasks/?q={key_of(session, first)}")))
    assert len(found) == 1
    assert "没有符合条件的待办" in text(page.get("/tasks/?q=不存在的企业"))
    assert len(rows_of(text(page.get("/tasks/?sort=-submitted")))) == 2

    # Batch: the claimed one belongs to this reviewer, the other is free: both approved at once.
    ids = [task_of(session, f).task_id for f in (first, second)]
    done = page.post("/tasks/batch", data={"task_ids": ids, "decision": "approve", "comment": "同意"})
    assert done.status_code == 302
    assert [status_of(session, f.instance_id) for f in (first, second)] == ["city_record", "city_record"]
    assert "已批量办理 2 项" in text(page.get("/tasks/"))


def key_of(session, filing) -> str:  # type: ignore[no-untyped-def]
    from workflows.models import WorkflowInstance

    return session.get(WorkflowInstance, filing.instance_id).business_key


def test_batch_reports_items_left_untouched(app, world, session):  # type: ignore[no-untyped-def]
    good = submitted_filing(session, world, "ent-440106-1", seed=1)
    who = world.actor("ent-440106-2")
    data = filing_data(2)
    data.trainees[0].job_post = "出纳会计"
    bad = service.create_filing(session, who, data)
    service.submit_filing(session, who, bad.id)
    page = login(app, "review-440106")
    assert "1" in text(page.get("/tasks/?flagged=1"))
    flagged = rows_of(text(page.get("/tasks/?flagged=1")))
    assert len(flagged) >= 1
    ids = [task_of(session, good).task_id, task_of(session, bad).task_id]
    page.post("/tasks/batch", data={"task_ids": ids, "decision": "approve", "comment": ""})
    html = text(page.get("/tasks/"))
    assert "已批量办理 1 项" in html and "1 项未办理，保持原状" in html and "岗位与培训职业不一致" in html
    assert status_of(session, bad.instance_id) == "district_review"


def test_city_filters_by_district_and_sees_the_district_decision(app, world, session):  # type: ignore[no-untyped-def]
    tianhe = submitted_filing(session, world, "ent-440106-1", seed=1)
    huangpu = submitted_filing(session, world, "ent-440112-1", seed=2)
    service.complete_task(session, world.actor("review-440106"), task_of(session, tianhe).task_id, "approve",
                          "材料齐全，同意")
    service.complete_task(session, world.actor("review-440112"), task_of(session, huangpu).task_id, "approve", "")
    city = login(app, "city")
    assert len(rows_of(text(city.get("/tasks/")))) == 2
    only = rows_of(text(city.get("/tasks/?district=440106")))
    assert len(only) == 1 and "天河区" in only[0]
    page = text(city.get(f"/tasks/{task_of(session, tianhe).task_id}"))
    assert "区人社局审核意见" in page and "材料齐全，同意" in page and "天河区审核员" in page
    assert "企业提交" in page and "区审核" in page and "市备案" in page and 'aria-current="step"' in page


def test_task_page_bar_figures_steps_and_refusal_focus(app, world, session):  # type: ignore[no-untyped-def]
    filing = submitted_filing(session, world)
    reviewer = world.actor("review-440106")
    service.complete_task(session, reviewer, task_of(session, filing).task_id, "return", "请补充")
    data = filing_data(1)
    data.trainees.pop()
    service.submit_filing(session, world.actor("ent-440106-1"), filing.id, data)
    task_id = task_of(session, filing).task_id
    page = login(app, "review-440106")
    html = text(page.get(f"/tasks/{task_id}"))
    assert 'class="decision-bar' in html and 'value="approve"' in html and 'value="return"' in html
    assert "本区年度指标（实时）" in html and "本区剩余预算" in html and "批准后剩余" in html
    assert "中级工及以上占比（R3）" in html and "本企业占比（R4）" in html
    assert "本次修改内容（第2次提交，对比第1次）" in html and "删除学员" in html
    assert "退回 1 次" in html and "区人社局退回企业修改" in html
    refused = page.post(f"/tasks/{task_id}", data={"decision": "return", "comment": ""})
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert "必须填写意见" in field_error(refused, "comment")
    bar = body.split('id="decision"', 1)[1]
    assert re.search(r'<textarea id="comment"[^>]*aria-invalid="true" autofocus', bar)
    assert status_of(session, filing.instance_id) == "district_review"


def test_claim_transfer_release_on_the_task_page(app, world, session):  # type: ignore[no-untyped-def]
    filing = submitted_filing(session, world)
    task_id = task_of(session, filing).task_id
    colleague(session)
    first, second = login(app, "review-440106"), login(app, "review-440106-2")
    assert "尚未认领" in text(first.get(f"/tasks/{task_id}"))
    assert first.post(f"/tasks/{task_id}/claim").status_code == 302
    html = plain(first.get(f"/tasks/{task_id}"))
    assert "由 天河区审核员 认领办理" in html and "退回组" in html and "review-440106-2同事" in html
    refused = second.post(f"/tasks/{task_id}", data={"decision": "approve", "comment": ""})
    assert refused.status_code == 422 and "只能由天河区审核员办理" in text(refused)
    moved = first.post(f"/tasks/{task_id}/transfer", data={"transfer-to": "review-440106-2",
                                                          "transfer-comment": "请你审核"})
    assert moved.status_code == 302
    assert "由 review-440106-2同事 认领办理" in plain(second.get(f"/tasks/{task_id}"))
    assert second.post(f"/tasks/{task_id}/release").status_code == 302
    assert "尚未认领" in text(second.get(f"/tasks/{task_id}"))


def test_case_page_steps_diagram_section_and_urge(app, world, session):  # type: ignore[no-untyped-def]
    filing = submitted_filing(session, world)
    city = login(app, "city")
    html = text(city.get(f"/cases/{filing.instance_id}"))
    assert 'aria-label="办理进度"' in html and '<details class="card diagram-section' in html and "流程图" in html
    assert "催办" in html
    assert city.post(f"/cases/{filing.instance_id}/urge", data={"message": ""}).status_code == 302
    assert "请填写催办内容" in text(city.get(f"/cases/{filing.instance_id}"))
    city.post(f"/cases/{filing.instance_id}/urge", data={"message": "请本周完成"})
    assert "已催办" in text(city.get(f"/cases/{filing.instance_id}"))
    reviewer = login(app, "review-440106")
    assert "请本周完成" in text(reviewer.get("/notifications/"))
    assert "催办" not in text(reviewer.get(f"/cases/{filing.instance_id}")).split("办理记录")[0].split("待办理")[1]
