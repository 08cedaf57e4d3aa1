"""Finding a training project (by its case, by its filing, in the actor's scope) and what the steps'
use cases share: the locked case with the ready task of a step that the actor may complete
(``ready_task``; ``running_task`` for the 培训实施 hub of 预支 / 变更 / 结业考核), and the refusals
of bad input (``invalid``, ``check_paid_on``, ``check_voucher``).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows import cases
from workflows.clock import china_today
from workflows.dto import Actor
from workflows.errors import Conflict, NotFound, ValidationFailed
from workflows.models import TaskIndex, TrainingProject, WorkflowInstance
from workflows.projects import config


def project_of_instance(session: Session, instance_id: int) -> TrainingProject:
    project = session.scalars(select(TrainingProject).where(TrainingProject.instance_id == instance_id)).first()
    if project is None:
        raise NotFound("未找到该培训项目。")
    return project


def get_project(session: Session, actor: Actor, project_id: int) -> TrainingProject:
    """A project in the actor's scope (its case's scope), or NotFound."""
    project = session.get(TrainingProject, int(project_id))
    if project is None or project.instance_id is None:
        raise NotFound("未找到该培训项目。")
    cases.get_case(session, actor, project.instance_id)
    return project


def project_for_filing(session: Session, filing_id: int) -> TrainingProject | None:
    return session.scalars(select(TrainingProject).where(TrainingProject.filing_id == filing_id)).first()


def ready_task(session: Session, actor: Actor, project_id: int, form_key: str,
               refusal: str) -> tuple[TrainingProject, WorkflowInstance, TaskIndex]:
    """The project in scope, its case locked, and the ready task of ``form_key`` the actor may complete."""
    project = get_project(session, actor, project_id)
    instance = cases.locked(session, project.instance_id, "未找到该培训项目。")
    row = session.scalars(select(TaskIndex).where(TaskIndex.instance_id == instance.id,
                                                  TaskIndex.form_key == form_key)).first()
    if row is None:
        raise Conflict(refusal)
    if not cases.may_complete(actor, row):
        raise NotFound("未找到该任务。")
    return project, instance, row


def running_task(session: Session, actor: Actor,
                 project_id: int) -> tuple[TrainingProject, WorkflowInstance, TaskIndex]:
    return ready_task(session, actor, project_id, config.RUNNING_FORM, "项目当前不在实施阶段，不能办理该事项。")


def invalid(field_name: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, {field_name: [message]})


def check_paid_on(paid_on: date | None, field_name: str = "paid_on") -> date:
    if paid_on is None:
        raise invalid(field_name, "请填写日期。")
    if paid_on > china_today():
        raise invalid(field_name, "日期不能晚于今天。")
    return paid_on


def check_voucher(voucher_no: str) -> str:
    voucher = (voucher_no or "").strip()
    if not voucher or len(voucher) > 60:
        raise invalid("voucher_no", "请填写凭证号（不超过60字）。")
    return voucher
