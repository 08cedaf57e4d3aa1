"""The training project after 备案 on the real engine and database, without Flask: every step, the money
after each one equal to the reconciliation, a replacement passing the hard checks, the 公示 across the
2026 National Day holiday, objections, the refund path with its escalation."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from sqlalchemy import select

from tests.factories import filing_data
from workflows import service
from workflows.clock import CHINA_TZ, frozen_now
from workflows.dto import TraineeData
from workflows.errors import Conflict, ValidationFailed
from workflows.models import FundTotal, Notification, TrainingProject, WorkflowInstance
from workflows.projects import funds
from workflows.rules import money


def at(day: str, hour: int = 10) -> datetime:
    return datetime.combine(date.fromisoformat(day), time(hour, 0), CHINA_TZ)


def totals(session, district: str = "440106") -> dict[int, tuple[int, int, int, int]]:  # type: ignore[no-untyped-def]
    return {r.year: (r.committed_fen, r.advanced_fen, r.paid_fen, r.released_fen)
            for r in session.scalars(select(FundTotal).where(FundTotal.district_code == district))}


def assert_reconciled(session) -> None:  # type: ignore[no-untyped-def]
    """The running totals equal the figures recomputed from the cases (read fresh)."""
    session.expire_all()
    assert funds.reconcile(session) == []


def task(session, instance_id: int, form_key: str):  # type: ignore[no-untyped-def]
    rows = [t for t in service.ready_tasks(session, instance_id) if t.form_key == form_key]
    assert rows, f"no ready {form_key}: {[t.form_key for t in service.ready_tasks(session, instance_id)]}"
    return rows[0]


def recorded_project(session, world, start: date = date(2025, 8, 1), end: date = date(2026, 8, 31),  # type: ignore[no-untyped-def]
                     trainees: int = 3, seed: int = 1, when: str = "2025-07-10") -> TrainingProject:
    ent = world.actor("ent-440106-1")
    with frozen_now(at(when)):
        data = filing_data(seed, period_start=start, period_end=end)
        data.trainees = data.trainees[:trainees]
        for course in data.courses:  # periods longer than a year need 600 hours per started training year
            course.hours *= 2
        for trainee in data.trainees:  # apprentices are employees under contract before training starts
            trainee.contract_start = min(trainee.contract_start or start, start)
        filing = service.create_filing(session, ent, data)
        service.submit_filing(session, ent, filing.id)
        service.complete_task(session, world.actor("review-440106"),
                              task(session, filing.instance_id, "district_review").task_id, "approve",
                              confirm_mismatches=True)
        service.complete_task(session, world.actor("city"), task(session, filing.instance_id, "city_record").task_id,
                              "record")
    project = service.project_for_filing(session, filing.id)
    assert project is not None
    return project


def status(session, project: TrainingProject) -> str:  # type: ignore[no-untyped-def]
    instance = session.get(WorkflowInstance, project.instance_id)
    session.refresh(instance)
    return instance.status


def decide(session, world, project, form_key: str, decision: str, who: str = "review-440106",  # type: ignore[no-untyped-def]
           comment: str = "") -> None:
    service.complete_task(session, world.actor(who), task(session, project.instance_id, form_key).task_id,
                          decision, comment)


def test_whole_process_money_reconciles_after_every_step(session, world) -> None:  # type: ignore[no-untyped-def]
    ent, district, city = world.actor("ent-440106-1"), world.actor("review-440106"), world.actor("city")
    project = recorded_project(session, world)
    pid = project.id
    # Started in the 予以备案 transaction, one per filing, status from the diagram.
    assert status(session, project) == "class_report"
    assert session.scalar(select(WorkflowInstance.kind).where(WorkflowInstance.id == project.instance_id)) \
        == "training_project"
    # 13 months (2025-08 .. 2026-08) x 3 trainees x 5,500 / 12: 5 months in 2025, 8 in 2026.
    assert totals(session) == {2025: (687500, 0, 0, 0), 2026: (1100000, 0, 0, 0)}
    assert_reconciled(session)

    with frozen_now(at("2025-08-05")):
        rows = service.project_view(session, ent, pid).trainees
        with pytest.raises(ValidationFailed):
            service.report_class_start(session, ent, pid, date(2025, 7, 1), [rows[0]["id"]])
        service.report_class_start(session, ent, pid, date(2025, 8, 1), [r["id"] for r in rows])
    assert status(session, project) == "running"
    assert_reconciled(session)

    # 预支: at most 40% of the started trainees' subsidy.
    with frozen_now(at("2025-08-20")):
        ceiling = service.max_advance_fen(session.get(TrainingProject, pid), 0.4)
        assert ceiling == int(1787500 * 0.4)
        with pytest.raises(ValidationFailed):
            service.request_advance(session, ent, pid, ceiling + 1)
        service.request_advance(session, ent, pid, ceiling)
        assert status(session, project) == "advance_review"
        decide(session, world, project, "project_advance_review", "approve")
        assert status(session, project) == "advance_payment"
        with pytest.raises(ValidationFailed):
            service.record_advance_payment(session, city, pid, ceiling + 1, date(2025, 8, 20), "YZ-1")
        service.record_advance_payment(session, city, pid, ceiling, date(2025, 8, 20), "YZ-1")
    assert status(session, project) == "running"
    # The advance fills the earliest year first; committed + paid + released = the plan.
    assert totals(session)[2025] == (687500 - 687500, 687500, 687500, 0)
    assert totals(session)[2026] == (1100000 - 27500, 27500, 27500, 0)
    assert_reconciled(session)
    with frozen_now(at("2025-08-21")), pytest.raises(Conflict):
        service.request_advance(session, ent, pid, 100)

    # 变更: trainee 3 leaves on 2025-11-15 (4 months billed), trainee 2 is replaced on 2025-12-01.
    view = service.project_view(session, ent, pid)
    t2, t3 = view.trainees[1]["id"], view.trainees[2]["id"]
    with frozen_now(at("2025-11-15")):
        service.request_change(session, ent, pid, service.ChangeRequest(
            kind="leave", effective_on=date(2025, 11, 15), trainee_id=t3, reason="本人离职"))
        assert status(session, project) == "change_review"
        decide(session, world, project, "project_change_review", "approve")
    assert status(session, project) == "running"
    assert_reconciled(session)
    released = money.subsidy_fen(1, 5500, 13 - 4)  # billed 2025-08 .. 2025-11
    assert sum(v[3] for v in totals(session).values()) == released
    # The leaver is no longer held by this filing: another enterprise may file them from that date.
    leaver = session.get(TrainingProject, pid).trainees[2]
    assert leaver.released_on == date(2025, 11, 15)

    replacement = TraineeData(name="替补甲", id_number=service.id_number("440106", date(1999, 5, 5), 7),
                              job_post=filing_data(1).trainees[0].job_post, contract_start=date(2025, 11, 1))
    with frozen_now(at("2025-12-01")):
        # The replacement passes the same hard checks as at 备案: a bad ID and a late contract are refused.
        bad = TraineeData(name="替补乙", id_number="440106199905050000", job_post="车工",
                          contract_start=date(2026, 1, 1))
        with pytest.raises(ValidationFailed) as refused:
            service.request_change(session, ent, pid, service.ChangeRequest(
                kind="replace", effective_on=date(2025, 12, 1), trainee_id=t2, replacement=bad, reason="替换"))
        assert "replacement.id_number" in refused.value.fields
        service.request_change(session, ent, pid, service.ChangeRequest(
            kind="replace", effective_on=date(2025, 12, 1), trainee_id=t2, replacement=replacement,
            reason="原学员调岗"))
        decide(session, world, project, "project_change_review", "approve")
    assert_reconciled(session)
    view = service.project_view(session, ent, pid)
    assert [t["name"] for t in view.trainees][-1] == "替补甲"
    assert view.trainees[-1]["id_number"].startswith("4401") and "*" in view.trainees[-1]["id_number"]

    # 结业考核 only after the period.
    with frozen_now(at("2026-08-20")), pytest.raises(Conflict):
        service.submit_assessment(session, ent, pid, [])
    assessed = [t for t in service.project_view(session, ent, pid).trainees if t["assessed"]]
    assert len(assessed) == 2  # trainee 1 and the replacement
    results = [service.AssessmentResult(t["id"], "passed", f"GZ2026{i:04d}", 4) for i, t in enumerate(assessed)]
    with frozen_now(at("2026-09-10")):
        service.submit_assessment(session, ent, pid, results)
        assert status(session, project) == "assessment_review"
        decide(session, world, project, "project_assessment_review", "approve")
        assert status(session, project) == "claim"
        service.submit_claim(session, ent, pid)
    p = session.get(TrainingProject, pid)
    final = money.subsidy_fen(1, 5500, 13) + money.subsidy_fen(1, 5500, 9)  # replacement: 2025-12 .. 2026-08
    assert p.final_fen == final and p.claim_fen == final - ceiling
    assert all(r["certificate_no"] for r in p.claim_roster) and all("*" in r["id_number"] for r in p.claim_roster)
    assert_reconciled(session)

    # District review, then 公示 for 5 working days: published Tue 2026-09-29, the National Day holiday
    # (10-01 .. 10-07) does not count, Sat 10-10 is a working day: the notice ends on Mon 2026-10-12.
    with frozen_now(at("2026-09-29")):
        decide(session, world, project, "project_claim_review", "approve")
    assert status(session, project) == "publicity"
    p = session.get(TrainingProject, pid)
    assert (p.notice_from, p.notice_until) == (date(2026, 9, 29), date(2026, 10, 12))
    notices = service.public_notices(session)
    assert [(n.trainee_count, n.amount_fen) for n in notices] == [(2, final)]
    assert service.tick(session, at("2026-10-12", 23)) == 0
    assert status(session, project) == "publicity"
    assert service.tick(session, at("2026-10-13", 0)) == 1
    assert status(session, project) == "claim_confirm"  # no objection: straight to the city

    with frozen_now(at("2026-10-14")):
        decide(session, world, project, "project_claim_confirm", "confirm", who="city")
        with pytest.raises(ValidationFailed):
            service.record_claim_payment(session, city, pid, final, date(2026, 10, 14), "BZ-1")
        service.record_claim_payment(session, city, pid, final - ceiling, date(2026, 10, 14), "BZ-1")
    assert status(session, project) == "completed"
    assert_reconciled(session)
    figures = totals(session)
    assert sum(v[0] for v in figures.values()) == 0  # nothing committed any more
    assert sum(v[1] for v in figures.values()) == 0  # the advance is settled
    assert sum(v[2] for v in figures.values()) == final
    assert sum(v[2] + v[3] for v in figures.values()) == 1787500
    assert district.role == "district"


def test_objection_in_the_window_reaches_the_district_before_the_claim_goes_on(session, world) -> None:  # type: ignore[no-untyped-def]
    ent = world.actor("ent-440106-1")
    project = recorded_project(session, world, trainees=1)
    pid = project.id
    with frozen_now(at("2025-08-05")):
        service.report_class_start(session, ent, pid, date(2025, 8, 1),
                                   [service.project_view(session, ent, pid).trainees[0]["id"]])
    with frozen_now(at("2026-09-10")):
        only = service.project_view(session, ent, pid).trainees[0]["id"]
        service.submit_assessment(session, ent, pid, [service.AssessmentResult(only, "passed", "C-1", 4)])
        decide(session, world, project, "project_assessment_review", "approve")
        service.submit_claim(session, ent, pid)
        decide(session, world, project, "project_claim_review", "approve")
    with frozen_now(at("2026-09-14")):
        with pytest.raises(ValidationFailed):
            service.raise_objection(session, pid, "短")
        service.raise_objection(session, pid, "该企业学员实际未参加培训", "13800000000")
    told = session.scalars(select(Notification).where(Notification.kind == "flag")).all()
    assert told and all(n.user_id == world.users["review-440106"].id for n in told)
    service.tick(session, at("2026-10-01"))  # 2026-09-10 + 5 working days = 2026-09-17
    assert status(session, project) == "objection_review"
    with frozen_now(at("2026-10-09")), pytest.raises(Conflict):
        service.raise_objection(session, pid, "公示期已过再提异议")
    with frozen_now(at("2026-10-09")):
        decide(session, world, project, "project_objection_review", "dismiss", comment="经核实学员均已参训")
    assert status(session, project) == "claim_confirm"
    assert_reconciled(session)


def test_stop_with_advance_opens_refund_with_deadline_and_escalation(session, world) -> None:  # type: ignore[no-untyped-def]
    ent, city = world.actor("ent-440106-1"), world.actor("city")
    project = recorded_project(session, world, trainees=2)
    pid = project.id
    with frozen_now(at("2025-08-05")):
        ids = [t["id"] for t in service.project_view(session, ent, pid).trainees]
        service.report_class_start(session, ent, pid, date(2025, 8, 1), ids)
        service.request_advance(session, ent, pid, 300000)
        decide(session, world, project, "project_advance_review", "approve")
        service.record_advance_payment(session, city, pid, 300000, date(2025, 8, 5), "YZ-9")
    # 终止 on 2025-10-01: two months trained each; the rest of the plan is released at once.
    with frozen_now(at("2025-10-01")):
        service.request_change(session, ent, pid, service.ChangeRequest(kind="stop", effective_on=date(2025, 10, 1),
                                                                       reason="企业停产"))
        decide(session, world, project, "project_change_review", "approve")
    assert status(session, project) == "stopped"
    assert_reconciled(session)
    entitled = money.subsidy_fen(2, 5500, 2)
    assert sum(v[0] + v[2] for v in totals(session).values()) == entitled
    with frozen_now(at("2025-10-02")):
        with pytest.raises(Conflict):
            service.request_advance(session, ent, pid, 1)
        service.submit_assessment(session, ent, pid, [service.AssessmentResult(ids[0], "absent"),
                                                      service.AssessmentResult(ids[1], "failed")])
        decide(session, world, project, "project_assessment_review", "approve")
        service.submit_claim(session, ent, pid)
        decide(session, world, project, "project_claim_review", "approve")
    service.tick(session, at("2025-10-20"))  # 2025-10-02 + 5 working days (National Day 2025) has passed
    assert status(session, project) == "claim_confirm"
    with frozen_now(at("2025-10-21")):
        decide(session, world, project, "project_claim_confirm", "confirm", who="city")
        service.record_claim_payment(session, city, pid, 0, date(2025, 10, 21), "无需拨付")
    assert status(session, project) == "refund"  # the advance exceeds the final amount (0)
    assert_reconciled(session)
    assert sum(v[1] for v in totals(session).values()) == 300000  # still out until refunded
    instance = session.get(WorkflowInstance, project.instance_id)
    assert instance.due_at is not None and instance.due_at.astimezone(CHINA_TZ).date() == date(2026, 1, 21)
    assert service.is_overdue(instance, at("2026-01-22")) and not service.is_overdue(instance, at("2026-01-20"))
    service.tick(session, at("2026-01-22"))  # reminder and overdue escalation fire
    kinds = {n.kind for n in session.scalars(select(Notification).where(Notification.instance_id == instance.id))}
    assert {"reminder", "overdue", "escalation"} <= kinds
    city_told = session.scalars(select(Notification).where(Notification.user_id == world.users["city"].id,
                                                           Notification.kind == "escalation")).all()
    assert city_told
    with frozen_now(at("2026-01-25")):
        with pytest.raises(ValidationFailed):
            service.report_refund(session, ent, pid, 1, date(2026, 1, 25), "TK-1")
        service.report_refund(session, ent, pid, 300000, date(2026, 1, 25), "TK-1")
        assert status(session, project) == "refund_confirm"
        service.confirm_refund(session, city, pid, 300000, date(2026, 1, 25), "TK-1")
    assert status(session, project) == "completed"
    assert_reconciled(session)
    figures = totals(session)
    assert sum(v[0] + v[1] + v[2] for v in figures.values()) == 0
    assert sum(v[3] for v in figures.values()) == money.subsidy_fen(2, 5500, 13)


def test_not_started_and_leaving_trainees_are_released_from_the_active_filing_rule(session, world) -> None:  # type: ignore[no-untyped-def]
    ent = world.actor("ent-440106-1")
    project = recorded_project(session, world, trainees=2)
    pid = project.id
    with frozen_now(at("2025-08-05")):
        ids = [t["id"] for t in service.project_view(session, ent, pid).trainees]
        service.report_class_start(session, ent, pid, date(2025, 8, 1), ids[:1])  # the second never started
    assert_reconciled(session)
    # The trainee who did not start may be filed by another enterprise for a class after 2025-08-01.
    other = world.actor("ent-440106-2")
    first = filing_data(1).trainees[1]
    data = filing_data(7, period_start=date(2025, 9, 1), period_end=date(2026, 8, 31))
    data.trainees = [first]
    with frozen_now(at("2025-08-10")):
        filing = service.create_filing(session, other, data)
        service.submit_filing(session, other, filing.id)  # no "already in an active filing" refusal
    # The one who started is still held.
    data2 = filing_data(8, period_start=date(2025, 9, 1), period_end=date(2026, 8, 31))
    data2.trainees = [filing_data(1).trainees[0]]
    with frozen_now(at("2025-08-10")):
        second = service.create_filing(session, other, data2)
        with pytest.raises(ValidationFailed):
            service.submit_filing(session, other, second.id)


def test_one_project_per_filing_and_linked_both_ways(session, world) -> None:  # type: ignore[no-untyped-def]
    project = recorded_project(session, world, trainees=1)
    assert session.scalars(select(TrainingProject)).all() == [project]
    assert service.project_of_instance(session, project.instance_id).id == project.id
    view = service.project_view(session, world.actor("city"), project.id)
    assert view.filing.id == project.filing_id and view.to_dict()["filing_case_id"] == view.filing.instance_id
    # Other districts and enterprises do not see it.
    with pytest.raises(service_errors()):
        service.project_view(session, world.actor("review-440104"), project.id)
    with pytest.raises(service_errors()):
        service.project_view(session, world.actor("ent-440106-2"), project.id)


def service_errors() -> type[Exception]:
    from workflows.errors import NotFound

    return NotFound


def test_a_policy_version_sets_the_projects_parameters(session, world) -> None:  # type: ignore[no-untyped-def]
    """开班报告 days, the advance share, the 公示 length and the risk line are policy parameters."""
    from workflows import policy

    admin = world.actor("admin")
    with frozen_now(at("2025-06-01")):
        data = policy.input_from(policy.in_force(session))
        data.effective_from = date(2025, 6, 1)
        data.start_report_days, data.advance_max_pct, data.notice_working_days = 10, 25.0, 3
        data.fund_risk_pct = 50.0
        policy.add_version(session, admin, data)
        data.start_report_days = 0
        data.effective_from = date(2025, 6, 2)
        with pytest.raises(ValidationFailed) as refused:
            policy.add_version(session, admin, data)
        assert "start_report_days" in refused.value.fields
    params = policy.in_force(session, at("2025-07-01"))
    assert (params.start_report_days, params.advance_max_share, params.notice_working_days, params.fund_risk_share) \
        == (10, 0.25, 3, 0.5)
    project = recorded_project(session, world, trainees=1)
    instance = session.get(WorkflowInstance, project.instance_id)
    assert instance.due_at is not None and instance.due_at.astimezone(CHINA_TZ).date() == date(2025, 8, 11)
    with frozen_now(at("2025-08-05")):
        assert service.max_advance_fen(project, policy.in_force(session).advance_max_share) == \
            int(money.subsidy_fen(1, 5500, 13) * 0.25)
        rows = service.fund_figures(session, world.actor("city"), 2025, "440106", policy.in_force(session).fund_risk_share)
    assert rows[0].risk is False  # 2,291.67 of a 3,000,000.00 budget
