"""An exception inside the engine step leaves the case, the task index and the audit trail unchanged."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.factories import filing_data, submitted_filing, task_of
from workflows import service, store
from workflows.filings import checks
from workflows.models import AuditEvent, Filing, TaskIndex, WorkflowInstance


def snapshot(session, filing_id: int) -> tuple:  # type: ignore[no-untyped-def]
    session.expire_all()
    filing = session.get(Filing, filing_id)
    instance = session.get(WorkflowInstance, filing.instance_id)
    tasks = sorted((t.task_id, t.task_name) for t in session.scalars(
        select(TaskIndex).where(TaskIndex.instance_id == instance.id)))
    audits = session.scalars(select(AuditEvent.id).where(AuditEvent.instance_id == instance.id)).all()
    return (instance.state_json, instance.status, instance.version, tasks, audits, filing.check_results,
            filing.subsidy_fen)


def test_error_inside_a_script_task_rolls_back_submission(session, world, monkeypatch):  # type: ignore[no-untyped-def]
    ent = world.actor("ent-440106-1")
    filing = service.create_filing(session, ent, filing_data(1))
    before = snapshot(session, filing.id)

    def explode(session_, filing_id):  # type: ignore[no-untyped-def]
        session_.get(Filing, filing_id).check_results = [{"half": "written"}]
        session_.flush()
        raise RuntimeError("injected failure inside the engine step")

    monkeypatch.setattr(checks, "run_filing_checks", explode)
    with pytest.raises(Exception, match="injected failure"):
        service.submit_filing(session, ent, filing.id)
    assert snapshot(session, filing.id) == before


def test_error_while_saving_rolls_back_a_decision(session, world, monkeypatch):  # type: ignore[no-untyped-def]
    filing = submitted_filing(session, world)
    before = snapshot(session, filing.id)
    task_id = task_of(session, filing).task_id
    real = store._rewrite_task_index

    def explode(*args, **kwargs):  # type: ignore[no-untyped-def]
        real(*args, **kwargs)
        raise RuntimeError("injected failure after the engine advanced")

    monkeypatch.setattr(store, "_rewrite_task_index", explode)
    with pytest.raises(RuntimeError):
        service.complete_task(session, world.actor("review-440106"), task_id, "approve")
    assert snapshot(session, filing.id) == before
    monkeypatch.setattr(store, "_rewrite_task_index", real)
    service.complete_task(session, world.actor("review-440106"), task_id, "approve")
    session.expire_all()
    assert session.get(WorkflowInstance, filing.instance_id).status == "city_record"


def test_a_decision_on_a_case_moved_meanwhile_answers_409_and_leaves_nothing(session, world, monkeypatch):  # type: ignore[no-untyped-def]
    """The step's UPDATE is a compare-and-swap of ``version``: when another step moved the case after this
    one read it (here, between the read and the write), the decision is refused and nothing is kept."""
    from sqlalchemy import update

    from workflows import cases, errors

    filing = submitted_filing(session, world)
    task_id = task_of(session, filing).task_id
    before = snapshot(session, filing.id)
    guard = cases.GUARDS["filing"]

    def moved_meanwhile(session_, instance, decision, confirm):  # type: ignore[no-untyped-def]
        guard(session_, instance, decision, confirm)
        session_.execute(update(WorkflowInstance.__table__).where(WorkflowInstance.__table__.c.id == instance.id)
                         .values(version=WorkflowInstance.__table__.c.version + 1))

    monkeypatch.setitem(cases.GUARDS, "filing", moved_meanwhile)
    with pytest.raises(errors.Conflict):
        service.complete_task(session, world.actor("review-440106"), task_id, "approve")
    assert snapshot(session, filing.id) == before
    monkeypatch.setitem(cases.GUARDS, "filing", guard)
    service.complete_task(session, world.actor("review-440106"), task_id, "approve")
    session.expire_all()
    after = session.get(WorkflowInstance, filing.instance_id)
    assert (after.status, after.version) == ("city_record", before[2] + 1)
