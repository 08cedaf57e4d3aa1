"""The rest of the admin area (系统管理): users, district year plans, enterprise profiles, deployed process
versions and stuck instances, as service calls and as screens for each role."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.factories import submitted_filing, user
from workflows import errors, service
from workflows.accounts.admin import enterprises, processes, year_plans
from workflows.accounts.admin import users as admin_users
from workflows.demo import credit_code
from workflows.models import DistrictYearPlan, Enterprise, WorkflowInstance


def login(client, username: str) -> None:  # type: ignore[no-untyped-def]
    client.post("/logout")
    assert client.post("/login", data={"username": username, "password": "Demo@2026"}).status_code == 302


def test_users_are_admin_only(session, world):  # type: ignore[no-untyped-def]
    for who in ("city", "review-440106", "ent-440106-1"):
        with pytest.raises(errors.NotFound):
            admin_users.list_users(session, world.actor(who))


def test_create_users_with_their_scope(session, world):  # type: ignore[no-untyped-def]
    root = world.actor("admin")
    with pytest.raises(errors.ValidationFailed) as err:
        admin_users.create_user(session, root, admin_users.UserInput("review-2", "新审核员", "district", "short"))
    assert set(err.value.fields) == {"district_code", "password"}
    with pytest.raises(errors.ValidationFailed) as err:
        admin_users.create_user(session, root, admin_users.UserInput("CITY", "重名", "city", "Kx7#mQ2vRt9w"))
    assert "已被使用" in err.value.fields["username"][0]
    created = admin_users.create_user(session, root, admin_users.UserInput(
        "review-2", "新审核员", "district", "Kx7#mQ2vRt9w", district_code="440112"))
    assert (created.role, created.district_code) == ("district", "440112")
    enterprise = session.scalars(select(Enterprise).where(Enterprise.district_code == "440113")).first()
    clerk = admin_users.create_user(session, root, admin_users.UserInput(
        "clerk-2", "经办人", "enterprise", "Kx7#mQ2vRt9w", enterprise_id=enterprise.id))
    assert (clerk.enterprise_id, clerk.district_code) == (enterprise.id, "440113")


def test_deactivated_user_cannot_sign_in(client, session, world):  # type: ignore[no-untyped-def]
    target = user(session, "review-440112")
    with pytest.raises(errors.ValidationFailed):
        admin_users.set_user_active(session, world.actor("admin"), world.users["admin"].id, False)
    login(client, "admin")
    assert client.post(f"/admin/users/{target.id}/active", data={"active": "0"}).status_code == 302
    client.post("/logout")
    assert client.post("/login", data={"username": "review-440112", "password": "Demo@2026"}).status_code == 401
    session.expire_all()  # the screen changed the row in another session
    admin_users.set_user_active(session, world.actor("admin"), target.id, True)
    login(client, "review-440112")


def test_year_plans_in_yuan_stored_in_fen(client, session, world):  # type: ignore[no-untyped-def]
    year = datetime.now(UTC).year + 2
    login(client, "city")
    page = client.get(f"/admin/year-plans?year={year}")
    assert page.status_code == 200 and "天河区" in page.get_data(as_text=True)
    form = {"year": str(year)}
    for i, code in enumerate(["440103", "440104", "440105", "440106", "440111", "440112", "440113", "440114",
                              "440115", "440117", "440118"]):
        form[f"rows-{i}-district_code"] = code
        form[f"rows-{i}-budget_yuan"] = "12345.67" if code == "440106" else "1000000"
        form[f"rows-{i}-planned_headcount"] = "250"
    assert client.post(f"/admin/year-plans?year={year}", data=form).status_code == 302
    plan = session.scalars(select(DistrictYearPlan).where(DistrictYearPlan.district_code == "440106",
                                                          DistrictYearPlan.year == year)).one()
    assert (plan.budget_fen, plan.planned_headcount) == (1_234_567, 250)
    form["rows-3-budget_yuan"] = "1.234"
    response = client.post(f"/admin/year-plans?year={year}", data=form)
    assert response.status_code == 422 and "两位小数" in response.get_data(as_text=True)
    login(client, "review-440106")
    assert client.get("/admin/year-plans").status_code == 404


def test_year_plan_figures_show_what_approved_filings_use(session, world):  # type: ignore[no-untyped-def]
    filing = submitted_filing(session, world)
    task = service.ready_tasks(session, filing.instance_id)[0]
    service.complete_task(session, world.actor("review-440106"), task.task_id, "approve")
    rows = {r.district_code: r for r in year_plans.year_plans(session, world.actor("city"), filing.plan_year)}
    assert rows["440106"].committed_fen == filing.subsidy_fen and rows["440106"].trainees == 3
    with pytest.raises(errors.ValidationFailed):
        year_plans.save_year_plans(session, world.actor("admin"), 2027, {"440106": (-1, 10)})


def test_enterprise_profiles(client, session, world):  # type: ignore[no-untyped-def]
    city = world.actor("city")
    with pytest.raises(errors.ValidationFailed) as err:
        enterprises.save_enterprise(session, city, enterprises.EnterpriseInput(
            "某公司", "91440106MA5ABCDE1", "440106", "巨型", ["独角兽"]))
    assert set(err.value.fields) == {"credit_code", "size_class", "tags"}
    created = enterprises.save_enterprise(session, city, enterprises.EnterpriseInput(
        "广州南沙新材料有限公司", credit_code("440115", 4401155).lower(), "440115", "中型", ["制造业", "专精特新"],
        "李经理", "020-12345678"))
    assert created.tags == ["专精特新", "制造业"] and created.credit_code.isupper()
    with pytest.raises(errors.ValidationFailed) as err:
        enterprises.save_enterprise(session, city, enterprises.EnterpriseInput(
            "重复", created.credit_code, "440115", "小型", []))
    assert "已登记" in err.value.fields["credit_code"][0]
    login(client, "city")
    response = client.post(f"/admin/enterprises/{created.id}", data={
        "name": created.name, "credit_code": created.credit_code, "district_code": "440115", "size_class": "大型",
        "tags": ["链主企业", "制造业"], "contact_name": "王经理", "contact_phone": "13800000000"})
    assert response.status_code == 302
    session.expire_all()
    edited = session.get(Enterprise, created.id)
    assert (edited.size_class, edited.tags, edited.contact_name) == ("大型", ["链主企业", "制造业"], "王经理")
    listing = client.get("/admin/enterprises?tag=链主企业").get_data(as_text=True)
    assert "广州南沙新材料有限公司" in listing
    login(client, "ent-440106-1")
    assert client.get(f"/admin/enterprises/{created.id}").status_code == 404


def test_process_versions_and_stuck_instances(client, session, world):  # type: ignore[no-untyped-def]
    filing = submitted_filing(session, world)
    rows = processes.process_versions(session, world.actor("admin"))
    row = next(r for r in rows if r.process_id == "training_filing")
    assert (row.instances, row.open_instances, row.current) == (1, 1, True)
    assert processes.stuck_instances(session, world.actor("admin")) == []
    instance = session.get(WorkflowInstance, filing.instance_id)
    instance.next_timer_at = datetime.now(UTC) - timedelta(hours=3)
    session.commit()
    assert [i.id for i in processes.stuck_instances(session, world.actor("admin"))] == [instance.id]
    with pytest.raises(errors.NotFound):
        processes.process_versions(session, world.actor("city"))
    login(client, "admin")
    assert row.version_hash[:12] in client.get("/admin/processes").get_data(as_text=True)
    assert instance.business_key in client.get("/admin/stuck").get_data(as_text=True)
    home = client.get("/admin/").get_data(as_text=True)
    assert "异常案件" in home and "系统管理" in home
    login(client, "city")
    assert client.get("/admin/stuck").status_code == 404
    assert "系统管理" in client.get("/admin/").get_data(as_text=True)
