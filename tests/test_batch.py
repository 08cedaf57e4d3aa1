"""批量办理: several tasks decided at once, each through the checks of a single decision; the items that
cannot pass are reported one by one and left untouched, the rest go through."""

from __future__ import annotations

from sqlalchemy import select

from tests.factories import filing_data, submitted_filing, task_of
from tests.test_web_helpers import fresh, status_of
from workflows import service
from workflows.models import AuditEvent, DistrictYearPlan


def test_batch_with_good_and_bad_items(world, session):  # type: ignore[no-untyped-def]
    reviewer = world.actor("review-440106")
    good = [submitted_filing(session, world, "ent-440106-1", seed=s) for s in (1, 2)]
    who = world.actor("ent-440106-2")
    data = filing_data(3)
    data.trainees[0].job_post = "出纳会计"  # a job-post mismatch: needs the reviewer's explicit confirmation
    mismatch = service.create_filing(session, who, data)
    service.submit_filing(session, who, mismatch.id)
    done = submitted_filing(session, world, "ent-440106-1", seed=4)
    done_task = task_of(session, done).task_id
    service.complete_task(session, reviewer, done_task, "approve", "")  # no longer ready
    ids = [task_of(session, f).task_id for f in good]
    mismatch_task = task_of(session, mismatch).task_id
    results = service.batch_complete(session, reviewer, [ids[0], mismatch_task, done_task, ids[1], "nope"],
                                     "approve", "同意")
    assert [(r.task_id, r.ok) for r in results] == [
        (ids[0], True), (mismatch_task, False), (done_task, False), (ids[1], True), ("nope", False)]
    assert "岗位与培训职业不一致" in (results[1].error or "")
    assert "已被处理" in (results[2].error or "")
    assert "未找到" in (results[4].error or "")
    assert [status_of(session, f.instance_id) for f in good] == ["city_record", "city_record"]
    assert status_of(session, mismatch.instance_id) == "district_review"
    approvals = fresh(session).scalars(select(AuditEvent).where(AuditEvent.action == "approve",
                                                                AuditEvent.comment == "同意")).all()
    assert len(approvals) == 2
    # Each decision records the live figures it was taken on.
    figures = approvals[0].details["figures"]
    assert {r["rule"] for r in figures["results"]} >= {"intermediate_share", "enterprise_concentration", "budget"}


def test_batch_over_budget_item_is_left_untouched(world, session):  # type: ignore[no-untyped-def]
    reviewer = world.actor("review-440106")
    first = submitted_filing(session, world, "ent-440106-1", seed=1)
    second = submitted_filing(session, world, "ent-440106-2", seed=2)
    plan = fresh(session).scalars(select(DistrictYearPlan).where(
        DistrictYearPlan.district_code == "440106",
        DistrictYearPlan.year == first.plan_year)).one()
    session.get(DistrictYearPlan, plan.id).budget_fen = first.subsidy_fen  # room for exactly one
    session.commit()
    tasks = [task_of(session, first).task_id, task_of(session, second).task_id]
    results = service.batch_complete(session, reviewer, tasks, "approve", "")
    assert [r.ok for r in results] == [True, False]
    assert "超出" in (results[1].error or "")
    assert status_of(session, second.instance_id) == "district_review"


def test_batch_refuses_a_bad_request_as_a_whole(world, session):  # type: ignore[no-untyped-def]
    import pytest

    from workflows import errors

    reviewer = world.actor("review-440106")
    filing = submitted_filing(session, world)
    with pytest.raises(errors.ValidationFailed):
        service.batch_complete(session, reviewer, [], "approve", "")
    results = service.batch_complete(session, reviewer, [task_of(session, filing).task_id], "return", "")
    assert not results[0].ok and "必须填写意见" in (results[0].error or "")
    assert status_of(session, filing.instance_id) == "district_review"


def test_an_item_failing_after_its_write_leaves_no_stale_case_for_the_next(world, session, monkeypatch):  # type: ignore[no-untyped-def]
    """The first item's effect fails after its case was written (Core statements, outside the savepoint's
    tracking): the next item sees the first case as it is in the database, not as the rolled-back step
    left it in memory."""
    from workflows import cases, errors
    from workflows.models import WorkflowInstance

    first, second = submitted_filing(session, world, seed=1), submitted_filing(session, world, seed=2)
    ids = [task_of(session, first).task_id, task_of(session, second).task_id]
    seen: list[str] = []
    held: list[WorkflowInstance] = []  # something still holds the first case: it stays in the identity map

    def effect(session_, instance, decision, actor, comment):  # type: ignore[no-untyped-def]
        if instance.id == first.instance_id:
            held.append(instance)
            raise errors.ValidationFailed("注入的失败", {})
        seen.append(session_.get(WorkflowInstance, first.instance_id).status)

    monkeypatch.setitem(cases.EFFECTS, "filing", [*cases.EFFECTS["filing"], effect])
    results = service.batch_complete(session, world.actor("review-440106"), ids, "approve", "同意")
    assert [(r.ok, r.error) for r in results] == [(False, "注入的失败"), (True, None)]
    assert seen == ["district_review"]
    assert status_of(session, first.instance_id) == "district_review"
    assert status_of(session, second.instance_id) == "city_record"
