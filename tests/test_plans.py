"""Quarterly district plans through the service layer: the real diagram on the real database, with time
travel through ``service.tick(session, at)``."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.factories import task_of
from tests.test_plans_helpers import (  # noqa: F401  (fresh_spec_caches is an autouse fixture)
    AFTER_DUE,
    AFTER_REMINDER,
    BEFORE_REMINDER,
    CN,
    Q1_OPEN,
    edit_of,
    filing_in,
    fresh_spec_caches,
    open_q1,
    plan_notes,
    plan_of,
)
from workflows import deadlines, errors, service
from workflows.clock import frozen_now
from workflows.demo import sample_filing
from workflows.models import DISTRICTS, AuditEvent, QuarterlyPlan, WorkflowInstance
from workflows.notifications import inbox
from workflows.plans import compile as plan_compile
from workflows.plans import queries as plan_queries
from workflows.plans import use_cases as plan_cases

# --------------------------------------------------------------------------------------------------
# Opening


def test_tick_opens_every_district_plan_when_the_quarter_begins(session, world):  # type: ignore[no-untyped-def]
    assert service.tick(session, Q1_OPEN) == 0  # plain tick (tests, other features) opens nothing
    assert session.scalar(select(func.count(QuarterlyPlan.id))) == 0
    service.tick(session, Q1_OPEN, open_periods=True)
    instances = session.scalars(select(WorkflowInstance).where(WorkflowInstance.kind == "quarterly_plan")).all()
    assert sorted(i.business_key for i in instances) == sorted(f"{code}-2027Q1" for code in
                                                               DISTRICTS)
    assert {i.status for i in instances} == {"compiling"}
    _, instance = plan_of(session)
    assert instance.due_at == datetime(2027, 1, 10, 23, 59, 59, tzinfo=CN)
    assert instance.next_timer_at == datetime(2027, 1, 5, 9, 0, tzinfo=CN)
    assert instance.title == "天河区2027年第1季度培训计划"
    row = service.ready_tasks(session, instance.id)[0]
    assert (row.role, row.district_code, row.form_key) == ("district", "440106", "plan_compile")
    assert row.due_at == instance.due_at
    opened = plan_notes(session, "opened")
    assert len(opened) == 11 and "2027年1月10日" in opened[0].body
    # idempotent: a second tick (or a second worker) opens nothing more
    assert open_q1(session) == 0
    service.tick(session, Q1_OPEN + timedelta(days=1), open_periods=True)
    assert session.scalar(select(func.count(QuarterlyPlan.id))) == 11
    assert session.scalar(select(func.count(WorkflowInstance.id)).where(
        WorkflowInstance.kind == "quarterly_plan")) == 11


def test_city_opens_a_plan_by_hand_once(session, world):  # type: ignore[no-untyped-def]
    city = world.actor("city")
    instance = service.open_plan(session, city, "440112", 2027, 2)
    assert instance.business_key == "440112-2027Q2" and instance.status == "compiling"
    assert instance.due_at == datetime(2027, 4, 10, 23, 59, 59, tzinfo=CN)
    with pytest.raises(errors.Conflict):
        service.open_plan(session, city, "440112", 2027, 2)
    with pytest.raises(errors.NotFound):
        service.open_plan(session, world.actor("review-440112"), "440112", 2027, 3)
    assert plan_cases.open_missing(session, city, 2027, 2) == 10


# --------------------------------------------------------------------------------------------------
# Pre-fill and figures


def test_rows_prefilled_from_filings_under_review_or_approved_overlapping_the_quarter(session, world):  # type: ignore[no-untyped-def]
    reviewing = filing_in(session, world, "ent-440106-1", 1)
    recorded = filing_in(session, world, "ent-440106-2", 2, level=3, trainees=4, record=True)
    last_year = filing_in(session, world, "ent-440106-1", 3, start=date(2026, 3, 1))  # runs to Feb 2027
    ended = filing_in(session, world, "ent-440106-1", 4, start=date(2025, 10, 1))      # ended Sep 2026
    draft = service.create_filing(session, world.actor("ent-440106-2"), sample_filing(5, start=date(2027, 1, 1)))
    other_district = filing_in(session, world, "ent-440112-1", 6)
    open_q1(session)
    plan, _ = plan_of(session)
    by_filing = {row.filing_id: row for row in plan.rows}
    assert set(by_filing) == {reviewing.id, recorded.id, last_year.id}
    assert ended.id not in by_filing and draft.id not in by_filing and other_district.id not in by_filing
    row = by_filing[recorded.id]
    session.refresh(recorded)
    assert row.enterprise_name == "广州天河云服科技有限公司"
    assert len(row.credit_code) == 18 and row.credit_code.startswith("91440106")
    assert (row.occupation_code, row.project, row.level_label, row.trainees) == (
        recorded.occupation_code, "企业新型学徒", "三级/高级工", 4)
    assert row.fund_fen == recorded.subsidy_fen > 0
    assert row.filing_status == "recorded" and row.included


def test_figures_r3_r4_r5_and_exclusion(session, world):  # type: ignore[no-untyped-def]
    a = filing_in(session, world, "ent-440106-1", 1, level=4, trainees=3, record=True)
    b = filing_in(session, world, "ent-440106-2", 2, level=5, trainees=1)
    open_q1(session)
    plan, instance = plan_of(session)
    figs = plan_compile.figures(session, plan)
    session.refresh(a)
    session.refresh(b)
    assert (figs["trainees_total"], figs["intermediate_up"]) == (4, 3)
    assert figs["intermediate_share"] == pytest.approx(0.75) and not figs["share_below_min"]
    assert figs["top_enterprises"][0] == {"name": "广州天河智能装备有限公司", "trainees": 3, "share": 0.75,
                                          "over": True}
    assert figs["concentration_flags"] >= 1
    assert figs["budget_fen"] == 300_000_000
    # a's subsidy is committed (recorded) but it is a row of this plan: counted once, as planned
    assert figs["committed_fen"] == 0
    assert figs["planned_fen"] == a.subsidy_fen + b.subsidy_fen
    assert figs["remaining_fen"] == 300_000_000 - a.subsidy_fen - b.subsidy_fen
    # excluding the intermediate filing drops the share to 0% and frees its money
    service.save_plan(session, world.actor("review-440106"), instance.id,
                      edit_of(plan, **{str(a.id): (False, "企业推迟至下季度")}))
    plan, _ = plan_of(session)
    figs = plan_compile.figures(session, plan)
    assert figs["intermediate_share"] == 0 and figs["share_below_min"]
    assert figs["committed_fen"] == a.subsidy_fen  # still committed by the city, no longer planned here
    assert figs["planned_fen"] == b.subsidy_fen
    assert figs["excluded_rows"] == 1


# --------------------------------------------------------------------------------------------------
# Submit, return, resubmit, record


def test_return_and_resubmit_then_record(session, world):  # type: ignore[no-untyped-def]
    filing_in(session, world, "ent-440106-1", 1)
    open_q1(session)
    plan, instance = plan_of(session)
    district, city = world.actor("review-440106"), world.actor("city")
    service.submit_plan(session, district, instance.id, edit_of(plan))
    plan, instance = plan_of(session)
    assert instance.status == "city_record" and plan.submitted_at is not None
    assert service.ready_tasks(session, instance.id)[0].role == "city"
    with pytest.raises(errors.ValidationFailed) as err:
        service.decide_plan(session, city, instance.id, "return", " ")
    assert "comment" in err.value.fields
    for round_ in (1, 2):
        service.decide_plan(session, city, instance.id, "return", f"第{round_}次：请核实培训人数")
        plan, instance = plan_of(session)
        assert instance.status == "returned"
        row = service.ready_tasks(session, instance.id)[0]
        assert (row.role, row.form_key) == ("district", "plan_compile")
        note = plan_notes(session, "returned", "district")[-1]
        assert f"第{round_}次：请核实培训人数" in note.body and note.instance_id == instance.id
        service.submit_plan(session, district, instance.id, edit_of(plan))
        assert plan_of(session)[1].status == "city_record"
    service.decide_plan(session, city, instance.id, "record", "同意备案")
    plan, instance = plan_of(session)
    assert instance.status == "recorded" and instance.completed_at is not None
    assert service.ready_tasks(session, instance.id) == []
    assert plan_notes(session, "decision", "district")[-1].title.startswith("季度计划已备案")
    actions = [e.action for e in service.history(session, instance.id)]
    assert actions == ["open", "submit", "return", "resubmit", "return", "resubmit", "record"]


def test_only_the_city_records_and_only_the_district_compiles(session, world):  # type: ignore[no-untyped-def]
    open_q1(session)
    plan, instance = plan_of(session)
    with pytest.raises(errors.Conflict):
        service.decide_plan(session, world.actor("city"), instance.id, "record")
    with pytest.raises(errors.NotFound):
        service.decide_plan(session, world.actor("review-440106"), instance.id, "record")
    with pytest.raises(errors.NotFound):
        service.submit_plan(session, world.actor("city"), instance.id)
    service.submit_plan(session, world.actor("review-440106"), instance.id)
    with pytest.raises(errors.Conflict):
        service.save_plan(session, world.actor("review-440106"), instance.id, plan_cases.PlanEdit())


# --------------------------------------------------------------------------------------------------
# The 70% rule (R3)


def test_plan_below_70_percent_needs_a_justification_and_is_flagged(session, world):  # type: ignore[no-untyped-def]
    filing_in(session, world, "ent-440106-1", 1, level=4, trainees=1)
    filing_in(session, world, "ent-440106-2", 2, level=5, trainees=3)
    open_q1(session)
    plan, instance = plan_of(session)
    district = world.actor("review-440106")
    audit_before = session.scalar(select(func.count(AuditEvent.id)))
    with pytest.raises(errors.ValidationFailed) as err:
        service.submit_plan(session, district, instance.id, edit_of(plan))
    assert "justification" in err.value.fields and "70%" in err.value.fields["justification"][0]
    plan, instance = plan_of(session)
    assert instance.status == "compiling" and plan.submitted_at is None and plan.notes == ""
    assert session.scalar(select(func.count(AuditEvent.id))) == audit_before
    assert plan_notes(session, "flag") == []
    edit = edit_of(plan)
    edit.justification = "本区制造业企业新招学徒较多，先开展初级工培训，下半年安排中级工培训。"
    service.submit_plan(session, district, instance.id, edit)
    plan, instance = plan_of(session)
    assert instance.status == "city_record"
    assert plan.share_flagged and plan.figures["share_below_min"]
    assert plan.figures["intermediate_share"] == pytest.approx(0.25)
    flags = plan_notes(session, "flag", "city")
    assert len(flags) == 1 and flags[0].instance_id == instance.id
    listed = {it.district_code: it for it in plan_queries.quarter_overview(session, world.actor("city"), 2027, 1)}
    assert listed["440106"].plan.share_flagged


def test_excluded_row_needs_a_reason(session, world):  # type: ignore[no-untyped-def]
    filing = filing_in(session, world, "ent-440106-1", 1)
    open_q1(session)
    plan, instance = plan_of(session)
    row_id = plan.rows[0].id
    with pytest.raises(errors.ValidationFailed) as err:
        service.submit_plan(session, world.actor("review-440106"), instance.id,
                            edit_of(plan, **{str(filing.id): (False, "")}))
    assert f"row_{row_id}" in err.value.fields
    service.submit_plan(session, world.actor("review-440106"), instance.id,
                        edit_of(plan, **{str(filing.id): (False, "企业取消本季度培训")}))
    assert plan_of(session)[1].status == "city_record"


def test_refresh_adds_new_filings_and_keeps_choices(session, world):  # type: ignore[no-untyped-def]
    first = filing_in(session, world, "ent-440106-1", 1)
    open_q1(session)
    plan, instance = plan_of(session)
    district = world.actor("review-440106")
    service.save_plan(session, district, instance.id, edit_of(plan, **{str(first.id): (False, "暂缓")}))
    second = filing_in(session, world, "ent-440106-2", 2)
    assert service.refresh_plan(session, district, instance.id) == (1, 0)
    plan, _ = plan_of(session)
    rows = {r.filing_id: r for r in plan.rows}
    assert set(rows) == {first.id, second.id}
    assert (rows[first.id].included, rows[first.id].reason) == (False, "暂缓")


# --------------------------------------------------------------------------------------------------
# Deadline: reminder, overdue, escalation exactly once


def test_reminder_overdue_and_escalation_exactly_once(session, world):  # type: ignore[no-untyped-def]
    open_q1(session)
    assert service.tick(session, BEFORE_REMINDER) == 0
    assert plan_notes(session, "reminder") == []
    assert service.tick(session, AFTER_REMINDER) == 11
    reminders = plan_notes(session, "reminder", "district")
    assert len(reminders) == 11 and len({n.instance_id for n in reminders}) == 11
    assert "2027年1月10日" in reminders[0].body
    assert service.tick(session, AFTER_REMINDER + timedelta(hours=1)) == 0
    assert len(plan_notes(session, "reminder")) == 11
    _, instance = plan_of(session)
    assert not deadlines.is_overdue(instance, AFTER_REMINDER)
    assert deadlines.is_overdue(instance, AFTER_DUE)
    assert plan_notes(session, "escalation") == []
    assert service.tick(session, AFTER_DUE) == 11
    escalations = plan_notes(session, "escalation", "city")
    assert len(escalations) == 11 and len({n.instance_id for n in escalations}) == 11
    assert "天河区未在2027年1月10日前提交季度计划" in next(
        n.body for n in escalations if n.instance_id == instance.id)
    assert len(plan_notes(session, "overdue", "district")) == 11
    for later in (AFTER_DUE + timedelta(hours=1), AFTER_DUE + timedelta(days=30)):
        assert service.tick(session, later) == 0
    assert len(plan_notes(session, "escalation")) == 11
    _, instance = plan_of(session)
    assert instance.status == "compiling" and instance.next_timer_at is None
    # late submission, return and resubmission never escalate again
    service.submit_plan(session, world.actor("review-440106"), instance.id)
    assert not deadlines.is_overdue(plan_of(session)[1], AFTER_DUE)  # with the city now
    service.decide_plan(session, world.actor("city"), instance.id, "return", "请补充")
    assert deadlines.is_overdue(plan_of(session)[1], AFTER_DUE)
    service.tick(session, AFTER_DUE + timedelta(days=31))
    assert len(plan_notes(session, "escalation")) == 11


def test_plan_submitted_before_the_reminder_gets_none(session, world):  # type: ignore[no-untyped-def]
    open_q1(session)
    _, instance = plan_of(session)
    service.submit_plan(session, world.actor("review-440106"), instance.id)
    service.tick(session, AFTER_DUE)
    mine = [n for n in plan_notes(session, "reminder") + plan_notes(session, "escalation")
            if n.instance_id == instance.id]
    assert mine == []
    assert len(plan_notes(session, "escalation")) == 10


def test_late_opened_plan_sends_one_notice_with_the_due_date(session, world):  # type: ignore[no-untyped-def]
    with frozen_now(datetime(2027, 1, 8, 10, 0, tzinfo=CN)):
        instance = service.open_plan(session, world.actor("city"), "440106", 2027, 1)
    assert instance.next_timer_at == datetime(2027, 1, 8, 10, 0, tzinfo=CN)
    assert service.tick(session, datetime(2027, 1, 8, 10, 1, tzinfo=CN)) == 1
    assert plan_notes(session, "reminder") == []  # the one notice is the opening notice with the due date
    [opened] = plan_notes(session, "opened", "district")
    assert "2027年1月10日" in opened.body


def test_a_plan_opened_after_its_due_date_gets_no_reminder_after_the_overdue_notice(session, world):  # type: ignore[no-untyped-def]
    with frozen_now(datetime(2027, 1, 12, 10, 0, tzinfo=CN)):
        service.open_plan(session, world.actor("city"), "440106", 2027, 1)
    service.tick(session, datetime(2027, 1, 12, 10, 1, tzinfo=CN))
    service.tick(session, datetime(2027, 1, 13, 10, 1, tzinfo=CN))
    assert plan_notes(session, "reminder") == []
    assert len(plan_notes(session, "opened", "district")) == 1


def test_a_late_tick_sends_no_reminder_once_the_due_date_has_passed(session, world):  # type: ignore[no-untyped-def]
    open_q1(session)
    service.tick(session, AFTER_DUE)  # the scheduler was down over the reminder time
    assert plan_notes(session, "reminder") == []
    assert len(plan_notes(session, "overdue", "district")) == 11  # one per district


# --------------------------------------------------------------------------------------------------
# Urge (催办)


def test_city_urges_a_district_any_number_of_times(session, world):  # type: ignore[no-untyped-def]
    open_q1(session)
    _, instance = plan_of(session)
    city = world.actor("city")
    service.urge_plan(session, city, instance.id, "请于明天下班前报送")
    service.urge_plan(session, city, instance.id, "再次催办")
    urges = plan_notes(session, "urge", "district")
    assert [n.body for n in urges] == ["市中心：请于明天下班前报送", "市中心：再次催办"]
    assert {n.user_id for n in urges} == {world.users["review-440106"].id}
    assert [e.action for e in service.history(session, instance.id)].count("urge") == 2
    with pytest.raises(errors.ValidationFailed):
        service.urge_plan(session, city, instance.id, "  ")
    with pytest.raises(errors.NotFound):
        service.urge_plan(session, world.actor("review-440112"), instance.id, "x")
    with pytest.raises(errors.Conflict):
        service.urge_plan(session, world.actor("review-440106"), instance.id, "x")
    service.submit_plan(session, world.actor("review-440106"), instance.id)
    with pytest.raises(errors.Conflict):
        service.urge_plan(session, city, instance.id, "已提交的不能催办")
    assert plan_of(session)[1].status == "city_record"


# --------------------------------------------------------------------------------------------------
# Scope


def test_plans_and_notifications_are_scoped_to_the_district(session, world):  # type: ignore[no-untyped-def]
    open_q1(session)
    _, tianhe = plan_of(session, "440106")
    outsider = world.actor("review-440112")
    with pytest.raises(errors.NotFound):
        plan_queries.get_plan(session, outsider, tianhe.id)
    with pytest.raises(errors.NotFound):
        service.save_plan(session, outsider, tianhe.id, plan_cases.PlanEdit())
    with pytest.raises(errors.NotFound):
        service.submit_plan(session, outsider, tianhe.id)
    with pytest.raises(errors.NotFound):
        plan_queries.get_plan(session, world.actor("ent-440106-1"), tianhe.id)
    assert [it.district_code for it in plan_queries.district_plans(session, outsider)] == ["440112"]
    with pytest.raises(errors.NotFound):
        plan_queries.quarter_overview(session, outsider, 2027, 1)
    service.tick(session, AFTER_REMINDER)
    mine, total = inbox.list_for(session, outsider)
    assert total == len(mine) > 0
    assert {n.instance_id for n in mine if n.case_kind == "quarterly_plan"} == {plan_of(session, "440112")[1].id}
    theirs = plan_notes(session, "reminder", "district")[0]
    if theirs.user_id == outsider.id:
        theirs = plan_notes(session, "reminder", "district")[1]
    with pytest.raises(errors.NotFound):
        inbox.mark_read(session, outsider, theirs.id)
    assert inbox.list_for(session, world.actor("ent-440106-1"))[1] == 0


def test_notifications_reach_all_users_of_the_role_in_scope(session, world):  # type: ignore[no-untyped-def]
    from workflows.accounts.users import create_user

    create_user(session, username="review-440106-b", password="Demo@2026x", display_name="天河区审核员乙",
                role="district", district_code="440106")
    create_user(session, username="city-b", password="Demo@2026x", display_name="市中心乙", role="city")
    session.commit()
    open_q1(session)
    service.tick(session, AFTER_REMINDER)
    service.tick(session, AFTER_DUE)
    _, instance = plan_of(session)
    reminded = {n.user_id for n in plan_notes(session, "reminder") if n.instance_id == instance.id}
    assert len(reminded) == 2
    escalated = {n.user_id for n in plan_notes(session, "escalation") if n.instance_id == instance.id}
    assert len(escalated) == 2
    me = world.actor("review-440106")
    unread = inbox.unread_count(session, me.id)
    assert unread >= 2
    first = inbox.list_for(session, me)[0][0]
    inbox.mark_read(session, me, first.id)
    assert inbox.unread_count(session, me.id) == unread - 1
    assert inbox.mark_all_read(session, me) == unread - 1
    assert inbox.unread_count(session, me.id) == 0


def test_filing_returns_and_decisions_notify_the_enterprise(session, world):  # type: ignore[no-untyped-def]
    filing = filing_in(session, world, "ent-440106-1", 1)
    ent = world.actor("ent-440106-1")
    service.complete_task(session, world.actor("review-440106"), task_of(session, filing).task_id, "return",
                          "请补充导师资质")
    [returned] = inbox.list_for(session, ent)[0]
    assert returned.kind == "returned" and "请补充导师资质" in returned.body
    assert returned.instance_id == filing.instance_id
    service.submit_filing(session, ent, filing.id)
    service.complete_task(session, world.actor("review-440106"), task_of(session, filing).task_id, "approve")
    service.complete_task(session, world.actor("city"), task_of(session, filing).task_id, "send_back", "核实")
    assert inbox.list_for(session, world.actor("review-440106"))[0][0].kind == "returned"
    service.complete_task(session, world.actor("review-440106"), task_of(session, filing).task_id, "approve")
    service.complete_task(session, world.actor("city"), task_of(session, filing).task_id, "record")
    kinds = [n.kind for n in reversed(inbox.list_for(session, ent)[0])]
    assert kinds == ["returned", "decision", "decision", "decision"]
    assert inbox.list_for(session, world.actor("ent-440106-2"))[1] == 0


def test_cli_tick_now_opens_and_reminds(app, session, world):  # type: ignore[no-untyped-def]
    runner = app.test_cli_runner()
    result = runner.invoke(args=["workflows", "tick", "--now", "2027-01-01T00:05:00+08:00"])
    assert result.exit_code == 0, result.output
    assert session.scalar(select(func.count(QuarterlyPlan.id))) == 11
    result = runner.invoke(args=["workflows", "tick", "--now", "2027-01-05T09:30:00+08:00"])
    assert result.exit_code == 0 and "已触发" in result.output
    session.expire_all()
    assert len(plan_notes(session, "reminder")) == 11
