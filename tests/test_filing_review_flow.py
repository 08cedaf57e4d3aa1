"""The district review of a filing: its due date (review_window_days working days), the reminder the day
before, 催办 by the city (more than once), the reviewers told of arrivals / resubmissions / withdrawals,
and the resubmission's field-by-field difference from the previous round."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.factories import filing_data, submitted_filing, task_of
from tests.test_web_helpers import fresh
from workflows import errors, service
from workflows.clock import add_working_days, china_today
from workflows.models import Notification, WorkflowInstance


def notes(session, kind: str) -> list[Notification]:  # type: ignore[no-untyped-def]
    return list(fresh(session).scalars(select(Notification).where(Notification.kind == kind)
                                       .order_by(Notification.id)))


def test_review_is_due_after_the_window_and_reminded_the_day_before(world, session):  # type: ignore[no-untyped-def]
    filing = submitted_filing(session, world)
    due = task_of(session, filing).due_at  # the row is rewritten by the ticks below: keep the value
    due_day = add_working_days(china_today(), 10)
    assert due is not None
    assert due.astimezone(service_tz()).date() == due_day
    assert [n.title for n in notes(session, "arrived")] == [f"收到新的培训备案，请审核：{instance(session, filing).title}"]
    assert notes(session, "reminder") == []
    service.tick(session, due - timedelta(days=1))
    [reminder] = notes(session, "reminder")
    assert "明天到期" in reminder.title and reminder.instance_id == filing.instance_id
    service.tick(session, due - timedelta(hours=1))
    assert len(notes(session, "reminder")) == 1  # once
    assert instance(session, filing).status == "district_review"


def service_tz():  # type: ignore[no-untyped-def]
    from workflows.clock import CHINA_TZ

    return CHINA_TZ


def instance(session, filing) -> WorkflowInstance:  # type: ignore[no-untyped-def]
    return fresh(session).get(WorkflowInstance, filing.instance_id)


def test_city_urges_a_filing_review_more_than_once(world, session):  # type: ignore[no-untyped-def]
    filing = submitted_filing(session, world)
    city = world.actor("city")
    service.urge_filing(session, city, filing.instance_id, "请本周内完成审核")
    service.urge_filing(session, city, filing.instance_id, "再次催办")
    urged = notes(session, "urge")
    assert [n.body for n in urged] == ["市中心：请本周内完成审核", "市中心：再次催办"]
    assert instance(session, filing).status == "district_review"
    service.complete_task(session, world.actor("review-440106"), task_of(session, filing).task_id, "approve", "")
    with pytest.raises(errors.Conflict):  # with the city now: nothing to urge
        service.urge_filing(session, city, filing.instance_id, "催办")
    with pytest.raises(errors.NotFound):
        service.urge_filing(session, world.actor("review-440112"), filing.instance_id, "催办")


def test_reviewers_told_of_resubmission_and_withdrawal_and_the_diff(world, session):  # type: ignore[no-untyped-def]
    who = world.actor("ent-440106-1")
    filing = submitted_filing(session, world)
    reviewer = world.actor("review-440106")
    service.complete_task(session, reviewer, task_of(session, filing).task_id, "return", "请更换第一名学员")
    data = filing_data(1)
    removed = data.trainees.pop(0)
    data.trainees[0].job_post = "数控车工"
    data.courses[0].hours = data.courses[0].hours + 8
    service.submit_filing(session, who, filing.id, data)
    arrived = notes(session, "arrived")
    assert len(arrived) == 2 and "第2次提交" in arrived[1].title
    assert service.filing_rounds(session, [filing.id]) == {filing.id: 2}
    diff = service.filing_round_diff(session, filing.id)
    assert diff is not None and (diff.previous, diff.current) == (1, 2)
    assert diff.trainees_removed == [f"{removed.name}（{removed.id_number[:4]}**********{removed.id_number[-4:]}）"]
    assert diff.trainees_added == []
    assert any(c.label == "工作岗位" and c.after == "数控车工" for c in diff.trainees_changed)
    assert any(c.label == "学时" for c in diff.courses_changed)
    assert any(c.label == "申请补贴（元）" for c in diff.fields)  # fewer trainees, smaller subsidy
    service.withdraw_filing(session, who, filing.id, "暂不申报")
    [withdrawn] = notes(session, "withdrawn")
    assert "撤回" in withdrawn.title and withdrawn.body == "撤回说明：暂不申报"
    assert withdrawn.user_id == reviewer.id


def test_boundary_events_are_never_current_steps(world, session):  # type: ignore[no-untyped-def]
    filing = submitted_filing(session, world)
    _, current, _ = service.case_diagram(session, world.actor("city"), filing.instance_id)
    assert current == ["district_review"]  # not the reminder timer or the withdraw listener on it


def test_the_review_window_is_a_policy_parameter(world, session):  # type: ignore[no-untyped-def]
    from datetime import date

    from workflows import policy

    admin = world.actor("admin")
    data = policy.input_from(policy.in_force(session))
    data.effective_from = date.today()
    data.review_window_days = 3
    policy.add_version(session, admin, data)
    bad = policy.input_from(policy.in_force(session))
    bad.effective_from, bad.review_window_days = date.today(), 0
    with pytest.raises(errors.ValidationFailed) as refused:
        policy.add_version(session, admin, bad)
    assert "review_window_days" in refused.value.fields
    filing = submitted_filing(session, world)
    assert task_of(session, filing).due_at.astimezone(service_tz()).date() == add_working_days(china_today(), 3)
