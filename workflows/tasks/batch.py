"""Deciding several tasks at once (批量办理): each item goes through exactly the checks of a single
decision (``cases.decide``) in its own savepoint, so the items that cannot pass (an unconfirmed job-post
mismatch, over budget, no longer ready, someone else's) are reported one by one and left untouched while
the rest go through; one commit at the end."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from workflows import cases
from workflows.dto import Actor
from workflows.errors import ServiceError, ValidationFailed
from workflows.models import AuditEvent, TaskIndex, WorkflowInstance

MAX_ITEMS = 100


@dataclass(frozen=True)
class ItemResult:
    task_id: str
    ok: bool
    error: str | None = None


def batch_complete(session: Session, actor: Actor, task_ids: list[str], decision: str,
                   comment: str = "") -> list[ItemResult]:
    """Decide every task in ``task_ids`` with the same decision and comment; one result per item, in
    order. Job-post mismatches are never confirmed in a batch: such filings need the single review."""
    cases.require_features()
    ids = [str(t).strip() for t in task_ids]
    if not ids:
        raise ValidationFailed("请至少选择一项任务。", {"task_ids": ["请至少选择一项任务。"]})
    if len(ids) > MAX_ITEMS:
        message = f"一次最多批量办理{MAX_ITEMS}项。"
        raise ValidationFailed(message, {"task_ids": [message]})
    results: list[ItemResult] = []
    seen: set[str] = set()
    with cases.unit_of_work(session):
        for task_id in ids:
            if task_id in seen:
                results.append(ItemResult(task_id, False, "重复的任务。"))
                continue
            seen.add(task_id)
            savepoint = session.begin_nested()
            try:
                cases.decide(session, actor, task_id, decision, comment, confirm_mismatches=False)
                savepoint.commit()
            except (ServiceError, StaleDataError) as exc:
                savepoint.rollback()
                # A step writes its case with Core statements, which the savepoint does not track: forget
                # every loaded object, so nothing the item rolled back lingers in memory for the next one.
                session.expire_all()
                results.append(ItemResult(task_id, False, exc.message if isinstance(exc, ServiceError)
                                          else "该任务已被他人处理，请刷新后查看最新状态。"))
            else:
                results.append(ItemResult(task_id, True))
    return results


def labels(session: Session, actor: Actor, task_ids: list[str]) -> dict[str, str]:
    """How to name tasks in a batch report: the case number and title of each (ready or already
    completed), for the cases in the actor's scope."""
    ids = sorted({str(t) for t in task_ids})
    if not ids:
        return {}
    found: dict[str, str] = {}
    for source in (TaskIndex, AuditEvent):
        stmt = cases.scope_cases(select(source.task_id, WorkflowInstance.business_key, WorkflowInstance.title)
                                 .join(WorkflowInstance, WorkflowInstance.id == source.instance_id), actor)
        for task_id, key, title in session.execute(stmt.where(source.task_id.in_(ids))).tuples():
            found.setdefault(task_id, f"{key} {title}")
    return found
