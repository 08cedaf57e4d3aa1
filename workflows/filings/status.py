"""The statuses of ``bpmn/training_filing.bpmn``, each with its label (defined here once), the decisions
its review tasks accept, the status groups the figures count, and what an enterprise may do with a
filing now, read from its ready tasks.

Status codes are the ``status`` properties of the diagram's user tasks and end events; the case's status
is derived from the workflow state (``runner.derive_status``), never set by hand.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows import runner, store
from workflows.engine import get_engine
from workflows.models import TaskIndex, WorkflowInstance

KIND = "filing"
KIND_LABEL = "培训备案"
PROCESS_ID = "training_filing"

# In the order a case moves through them (SPEC section 6).
LABELS: dict[str, str] = {
    "draft": "草稿",
    "district_review": "待区审核",
    "returned": "已退回待修改",
    "city_record": "待市备案",
    "recorded": "已备案",
    "rejected": "未通过",
    "withdrawn": "已撤回",
    "expired": "已逾期关闭",
}
ORDER: tuple[str, ...] = tuple(LABELS)

# Decisions each review form accepts: decision -> (audit label, comment required).
DECISIONS: dict[str, dict[str, tuple[str, bool]]] = {
    "district_review": {"approve": ("通过", False), "return": ("退回修改", True), "reject": ("不予通过", True)},
    "city_record": {"record": ("予以备案", False), "send_back": ("退回区局", True)},
}

# Status groups (SPEC R3-R5, R11): a filing blocks its trainees elsewhere while ACTIVE, counts towards
# the district's year figures while COUNTED, and its subsidy is committed once the district approved it.
DRAFT = "draft"  # private to its enterprise until first submitted (SPEC section 2)
ACTIVE = ("district_review", "returned", "city_record", "recorded")
COUNTED = ("district_review", "city_record", "recorded")
COMMITTED = ("city_record", "recorded")
PENDING = ("district_review",)  # subsidy requested, awaiting the district's decision
AWAITING_RECORD = ("city_record",)  # approved by the district, awaiting the city's record (R5 year shares)

EDIT_FORM = "filing_edit"  # the enterprise's task while drafting or revising
WITHDRAW_MESSAGE = "withdraw"


@dataclass(frozen=True)
class FilingActions:
    """What the enterprise may do with a filing now, from its ready tasks."""

    edit: bool = False
    withdraw: bool = False


def withdraw_tasks(instance: WorkflowInstance) -> frozenset[str]:
    """The tasks during which the case's own diagram version listens for the enterprise's withdrawal
    (the tasks its ``withdraw`` boundary events are attached to)."""
    return runner.tasks_catching(store.version_of(get_engine(), instance).spec, WITHDRAW_MESSAGE)


def actions_of(instance: WorkflowInstance, rows: list[TaskIndex]) -> FilingActions:
    """What may be done with one case, given its ready-task rows."""
    listening = withdraw_tasks(instance)
    return FilingActions(
        edit=any(r.role == "enterprise" and r.form_key == EDIT_FORM for r in rows),
        withdraw=any(r.task_name in listening for r in rows),
    )


def actions(session: Session, instances: list[WorkflowInstance]) -> dict[int, FilingActions]:
    """``actions_of`` for several cases in one query (cases without a ready task may do nothing)."""
    rows: dict[int, list[TaskIndex]] = {i.id: [] for i in instances}
    if rows:
        for row in session.scalars(select(TaskIndex).where(TaskIndex.instance_id.in_(list(rows)))):
            rows[row.instance_id].append(row)
    return {i.id: actions_of(i, rows[i.id]) for i in instances}


def edit_task(session: Session, instance_id: int) -> TaskIndex | None:
    """The enterprise's ready edit task (drafting or revising), if the filing may be edited now."""
    return session.scalars(select(TaskIndex).where(
        TaskIndex.instance_id == instance_id, TaskIndex.role == "enterprise",
        TaskIndex.form_key == EDIT_FORM)).first()
