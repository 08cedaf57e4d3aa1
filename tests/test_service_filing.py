"""The training filing through the service layer: the real engine on the real database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.factories import filing_data, submitted_filing, task_of
from workflows import errors, service
from workflows.models import AuditEvent, TaskIndex, WorkflowInstance


def status(session, filing) -> str:  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.get(WorkflowInstance, filing.instance_id).status


def test_happy_path_to_recorded(session, world):  # type: ignore[no-untyped-def]
    filing = submitted_filing(session, world)
    assert status(session, filing) == "district_review"
    task = task_of(session, filing)
    assert (task.role, task.district_code, task.form_key) == ("district", "440106", "district_review")
    service.complete_task(session, world.actor("review-440106"), task.task_id, "approve")
    assert status(session, filing) == "city_record"
    service.complete_task(session, world.actor("city"), task_of(session, filing).task_id, "record")
    assert status(session, filing) == "recorded"
    assert service.ready_tasks(session, filing.instance_id) == []
    actions = [e.action for e in service.history(session, filing.instance_id)]
    assert actions == ["create", "submit", "approve", "record"]


def test_return_and_resubmit_twice_then_approve(session, world):  # type: ignore[no-untyped-def]
    filing = submitted_filing(session, world)
    ent, rev = world.actor("ent-440106-1"), world.actor("review-440106")
    for round_ in range(2):
        service.complete_task(session, rev, task_of(session, filing).task_id, "return", f"第{round_ + 1}次退回")
        assert status(session, filing) == "returned"
        row = task_of(session, filing)
        assert row.role == "enterprise" and row.due_at is not None
        service.submit_filing(session, ent, filing.id)
        assert status(session, filing) == "district_review"
    service.complete_task(session, rev, task_of(session, filing).task_id, "approve")
    assert status(session, filing) == "city_record"


def test_reject_requires_comment(session, world):  # type: ignore[no-untyped-def]
    filing = submitted_filing(session, world)
    rev = world.actor("review-440106")
    with pytest.raises(errors.ValidationFailed) as err:
        service.complete_task(session, rev, task_of(session, filing).task_id, "reject", "  ")
    assert "comment" in err.value.fields
    service.complete_task(session, rev, task_of(session, filing).task_id, "reject", "不符合条件")
    assert status(session, filing) == "rejected"


def test_withdraw_before_decision_only(session, world):  # type: ignore[no-untyped-def]
    filing = submitted_filing(session, world)
    ent = world.actor("ent-440106-1")
    service.withdraw_filing(session, ent, filing.id, "计划调整")
    assert status(session, filing) == "withdrawn"
    other = submitted_filing(session, world, seed=2)
    service.complete_task(session, world.actor("review-440106"), task_of(session, other).task_id, "approve")
    with pytest.raises(errors.Conflict):
        service.withdraw_filing(session, ent, other.id)
    assert status(session, other) == "city_record"


def test_city_sends_back_to_district(session, world):  # type: ignore[no-untyped-def]
    filing = submitted_filing(session, world)
    service.complete_task(session, world.actor("review-440106"), task_of(session, filing).task_id, "approve")
    service.complete_task(session, world.actor("city"), task_of(session, filing).task_id, "send_back", "请核实人数")
    assert status(session, filing) == "district_review"
    assert task_of(session, filing).role == "district"


def test_returned_case_expires_by_timer(session, world):  # type: ignore[no-untyped-def]
    filing = submitted_filing(session, world)
    service.complete_task(session, world.actor("review-440106"), task_of(session, filing).task_id, "return", "补材料")
    instance = session.get(WorkflowInstance, filing.instance_id)
    assert instance.next_timer_at is not None
    assert service.tick(session, datetime.now(UTC) + timedelta(days=3)) == 0
    assert status(session, filing) == "returned"
    # 15 working days (the default window counts working days, SPEC 5.1): at most ~6 calendar weeks.
    assert service.tick(session, datetime.now(UTC) + timedelta(days=45)) == 1
    assert status(session, filing) == "expired"
    assert session.scalars(select(TaskIndex).where(TaskIndex.instance_id == filing.instance_id)).all() == []
    assert service.history(session, filing.instance_id)[-1].action == "timer"


def test_completed_task_gives_conflict(session, world):  # type: ignore[no-untyped-def]
    filing = submitted_filing(session, world)
    rev = world.actor("review-440106")
    task_id = task_of(session, filing).task_id
    service.complete_task(session, rev, task_id, "approve")
    with pytest.raises(errors.Conflict):
        service.complete_task(session, rev, task_id, "approve")


def test_other_district_cannot_see_or_act(session, world):  # type: ignore[no-untyped-def]
    filing = submitted_filing(session, world)
    outsider = world.actor("review-440112")
    with pytest.raises(errors.NotFound):
        service.get_case(session, outsider, filing.instance_id)
    with pytest.raises(errors.NotFound):
        service.complete_task(session, outsider, task_of(session, filing).task_id, "approve")
    with pytest.raises(errors.NotFound):
        service.withdraw_filing(session, world.actor("ent-440106-2"), filing.id)
    assert service.inbox(session, outsider) == []


def test_hard_errors_refuse_submission_and_change_nothing(session, world):  # type: ignore[no-untyped-def]
    ent = world.actor("ent-440106-1")
    filing = service.create_filing(session, ent, filing_data(1))
    bad = filing_data(1)
    bad.trainees[0].id_number = bad.trainees[0].id_number[:-1] + ("0" if bad.trainees[0].id_number[-1] != "0" else "1")
    bad.trainees[1].job_post = ""
    audit_before = session.query(AuditEvent).count()
    with pytest.raises(errors.ValidationFailed) as err:
        service.submit_filing(session, ent, filing.id, bad)
    assert "trainees[0].id_number" in err.value.fields
    assert "trainees[1].job_post" in err.value.fields
    assert status(session, filing) == "draft"
    assert session.query(AuditEvent).count() == audit_before
    assert task_of(session, filing).form_key == "filing_edit"


def test_stored_state_is_small_and_round_trips(session, world):  # type: ignore[no-untyped-def]
    from workflows import runner, store
    from workflows.engine import get_engine

    filing = submitted_filing(session, world)
    instance = session.get(WorkflowInstance, filing.instance_id)
    assert len(instance.state_json.encode()) <= 8 * 1024
    assert '"spec"' not in store.decode_state(instance.state_json)
    workflow = store.load_workflow(get_engine(), instance)
    assert [t.name for t in runner.ready_human_tasks(workflow)] == [
        "district_review"]
