"""Quarterly plan and notification screens through the test client, as each role."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests.test_plans_helpers import (  # noqa: F401  (fresh_spec_caches is an autouse fixture)
    AFTER_REMINDER,
    filing_in,
    fresh_spec_caches,
    open_q1,
    plan_notes,
    plan_of,
)
from tests.test_web_helpers import login
from workflows import service
from workflows.models import Notification


def compile_data(plan, action: str = "submit", justification: str = "", **excluded: str) -> dict:  # type: ignore[no-untyped-def]
    data = {action: "1", "notes": "按计划开展", "justification": justification}
    for i, row in enumerate(plan.rows):
        data[f"rows-{i}-row_id"] = str(row.id)
        reason = excluded.get(str(row.filing_id))
        if reason is None:
            data[f"rows-{i}-included"] = "y"
        else:
            data[f"rows-{i}-reason"] = reason
    return data


def test_district_compiles_and_submits(app, session, world):  # type: ignore[no-untyped-def]
    filing = filing_in(session, world, "ent-440106-1", 1)
    open_q1(session)
    plan, instance = plan_of(session)
    district = login(app, "review-440106")
    page = district.get("/plans/")
    assert page.status_code == 200 and "2027年第1季度" in page.get_data(as_text=True)
    page = district.get(f"/plans/{instance.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "编制计划" in html and "中级工及以上占比" in html and "本季度后预算结余" in html
    assert "广州天河智能装备有限公司" in html and 'name="rows-0-included"' in html
    # excluded without a reason: refused, message next to the row, nothing saved
    response = district.post(f"/plans/{instance.id}/compile", data=compile_data(plan, **{str(filing.id): ""}))
    assert response.status_code == 422 and "请填写原因" in response.get_data(as_text=True)
    assert plan_of(session)[1].status == "compiling"
    response = district.post(f"/plans/{instance.id}/compile", data=compile_data(plan, action="save"))
    assert response.status_code == 302
    assert plan_of(session)[0].notes == "按计划开展"
    response = district.post(f"/plans/{instance.id}/compile", data=compile_data(plan))
    assert response.status_code == 302
    assert plan_of(session)[1].status == "city_record"
    html = district.get(f"/plans/{instance.id}").get_data(as_text=True)
    assert "编制计划" not in html and "待市备案" in html and "提交计划" in html


def test_below_70_percent_form_asks_for_a_justification(app, session, world):  # type: ignore[no-untyped-def]
    filing_in(session, world, "ent-440106-1", 1, level=5)
    open_q1(session)
    plan, instance = plan_of(session)
    district = login(app, "review-440106")
    response = district.post(f"/plans/{instance.id}/compile", data=compile_data(plan))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "须填写书面说明" in html
    response = district.post(f"/plans/{instance.id}/compile",
                             data=compile_data(plan, justification="本季度以初级工培训为主。"))
    assert response.status_code == 302
    city = login(app, "city")
    html = city.get("/plans/?quarter=2027Q1").get_data(as_text=True)
    assert "中级工以上占比低于规定" in html
    html = city.get(f"/plans/{instance.id}").get_data(as_text=True)
    assert "本季度以初级工培训为主。" in html and "市级备案" in html


def test_city_overview_open_urge_return_and_record(app, session, world):  # type: ignore[no-untyped-def]
    city = login(app, "city")
    html = city.get("/plans/?quarter=2027Q1").get_data(as_text=True)
    assert html.count("未开启") >= 11
    response = city.post("/plans/open?quarter=2027Q1", data={"district_code": "440106"})
    assert response.status_code == 302
    _, instance = plan_of(session)
    assert city.post("/plans/open?quarter=2027Q1", data={"district_code": ""}).status_code == 302
    html = city.get("/plans/?quarter=2027Q1").get_data(as_text=True)
    assert "未开启" not in html.split("<tbody>")[1] and "催办" in html
    response = city.post(f"/plans/{instance.id}/urge", data={"message": "请今天内报送"})
    assert response.status_code == 302
    assert plan_notes(session, "urge", "district")[-1].body == "市中心：请今天内报送"
    session.expire_all()  # the client changed the case in its own session
    service.submit_plan(session, world.actor("review-440106"), instance.id)
    html = city.get(f"/plans/{instance.id}").get_data(as_text=True)
    assert 'name="decision"' in html and "催办" not in html.split("办理记录")[0].split("市级备案")[-1]
    response = city.post(f"/plans/{instance.id}/decide", data={"decision": "return", "comment": ""})
    assert response.status_code == 422 and "必须填写意见" in response.get_data(as_text=True)
    assert city.post(f"/plans/{instance.id}/decide",
                     data={"decision": "return", "comment": "请核实"}).status_code == 302
    assert plan_of(session)[1].status == "returned"
    service.submit_plan(session, world.actor("review-440106"), instance.id)
    assert city.post(f"/plans/{instance.id}/decide", data={"decision": "record"}).status_code == 302
    assert plan_of(session)[1].status == "recorded"
    diagram = city.get(f"/plans/{instance.id}/diagram.bpmn")
    assert diagram.status_code == 200 and b"quarterly_plan" in diagram.data


def test_plans_are_scoped(app, session, world):  # type: ignore[no-untyped-def]
    open_q1(session)
    _, tianhe = plan_of(session, "440106")
    outsider = login(app, "review-440112")
    for url in (f"/plans/{tianhe.id}", f"/plans/{tianhe.id}/export.xlsx", f"/plans/{tianhe.id}/diagram.bpmn",
                "/plans/quarters/2027Q1/export.xlsx"):
        assert outsider.get(url).status_code == 404, url
    for url, data in ((f"/plans/{tianhe.id}/compile", {"submit": "1"}), (f"/plans/{tianhe.id}/urge", {"message": "x"}),
                      (f"/plans/{tianhe.id}/decide", {"decision": "record"}), ("/plans/open", {"district_code": ""})):
        assert outsider.post(url, data=data).status_code == 404, url
    html = outsider.get("/plans/").get_data(as_text=True)
    assert "2027年第1季度" in html and f"/plans/{tianhe.id}\"" not in html
    enterprise = login(app, "ent-440106-1")
    assert enterprise.get("/plans/").status_code == 404
    assert enterprise.get(f"/plans/{tianhe.id}").status_code == 404
    assert plan_of(session)[1].status == "compiling"


def test_notification_inbox_bell_and_mark_read(app, session, world):  # type: ignore[no-untyped-def]
    open_q1(session)
    service.tick(session, AFTER_REMINDER)
    _, instance = plan_of(session)
    district = login(app, "review-440106")
    page = district.get("/plans/")
    count = re.search(r'class="notify-count"[^>]*>(\d+)<', page.get_data(as_text=True))
    assert count and int(count.group(1)) == 2  # opened + reminder
    html = district.get("/notifications/").get_data(as_text=True)
    assert "季度计划即将到期" in html and "到期提醒" in html
    mine = session.scalars(select(Notification).where(
        Notification.user_id == world.users["review-440106"].id).order_by(Notification.id)).all()
    response = district.post(f"/notifications/{mine[-1].id}/read", data={"open": "1"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/plans/{instance.id}")
    session.expire_all()
    assert mine[-1].read_at is not None and mine[0].read_at is None
    other = login(app, "review-440112")
    assert other.post(f"/notifications/{mine[0].id}/read").status_code == 404
    assert "季度计划即将到期：天河区" not in other.get("/notifications/").get_data(as_text=True)
    assert district.post("/notifications/read-all").status_code == 302
    html = district.get("/notifications/?unread=1").get_data(as_text=True)
    assert "没有未读消息" in html and 'class="notify-count"' not in html


def test_in_process_scheduler_is_off_in_tests_and_starts_once_when_enabled(app, monkeypatch):  # type: ignore[no-untyped-def]
    from flask import Flask

    from webapp import scheduler

    assert scheduler.start_scheduler(app) is None  # TESTING: never a background thread
    started: list[int] = []
    monkeypatch.setattr(scheduler, "_loop", lambda *args: started.append(1))
    demo = Flask("scheduler_demo")
    demo.config.update(SCHEDULER_ENABLED=True, SCHEDULER_INTERVAL_SECONDS=60)
    demo.add_url_rule("/", "home", lambda: "ok")
    assert scheduler.start_scheduler(demo) is not None
    client = demo.test_client()
    client.get("/")
    client.get("/")
    import time

    for _ in range(50):
        if started:
            break
        time.sleep(0.02)
    assert started == [1]


def test_inbox_links_plan_tasks_to_the_plan_page(app, session, world):  # type: ignore[no-untyped-def]
    open_q1(session)
    _, instance = plan_of(session)
    html = login(app, "review-440106").get("/tasks/").get_data(as_text=True)
    assert "编制并提交季度计划" in html and f'href="/plans/{instance.id}"' in html
