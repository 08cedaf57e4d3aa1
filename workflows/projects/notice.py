"""The 公示 of a claim: the diagram's scripts publish it and resolve its objections; anyone (no sign-in)
may object while it runs, and the district must resolve each objection before the claim goes on.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workflows import cases, policy
from workflows.clock import add_working_days, china_today, end_of_day, now
from workflows.errors import Conflict, NotFound
from workflows.models import ProjectObjection, TrainingProject, WorkflowInstance
from workflows.notifications import delivery
from workflows.projects import config
from workflows.projects.lookups import invalid


def publish_notice(session: Session, project_id: int) -> str:
    """Script helper of 发布公示: the notice runs for the policy number of working days after today;
    returns the instant it ends (the diagram's timer)."""
    project = session.get(TrainingProject, int(project_id))
    if project is None:
        raise ValueError(f"project {project_id} not found")
    days = policy.in_force(session).notice_working_days
    project.notice_from = china_today()
    project.notice_until = add_working_days(project.notice_from, days)
    return end_of_day(project.notice_until).isoformat()


def open_objection_count(session: Session, project_id: int) -> int:
    return int(session.scalar(select(func.count()).select_from(ProjectObjection).where(
        ProjectObjection.project_id == int(project_id), ProjectObjection.resolved_at.is_(None))) or 0)


def resolve_objections(session: Session, project_id: int, decision: str, comment: str) -> int:
    """Script helper of 登记处理结果: the district's resolution on every open objection."""
    label = config.DECISIONS["project_objection_review"].get(decision, (decision, False))[0]
    rows = list(session.scalars(select(ProjectObjection).where(
        ProjectObjection.project_id == int(project_id), ProjectObjection.resolved_at.is_(None))))
    for r in rows:
        r.resolution, r.resolved_at = f"{label}：{comment}", now()
    return len(rows)


def raise_objection(session: Session, project_id: int, content: str, contact: str = "") -> ProjectObjection:
    """Anyone (no sign-in) objects to a claim while its 公示 runs; the district reviewer is told and
    must resolve it before the claim goes on."""
    content, contact = (content or "").strip(), (contact or "").strip()
    if not 5 <= len(content) <= 1000:
        raise invalid("content", "请填写异议内容（5至1000字）。")
    if len(contact) > 100:
        raise invalid("contact", "联系方式不能超过100字。")
    with cases.unit_of_work(session):
        project = session.get(TrainingProject, int(project_id))
        instance = session.get(WorkflowInstance, project.instance_id) if project and project.instance_id else None
        if project is None or instance is None or project.notice_until is None:
            raise NotFound("该公示不存在。")
        if instance.status != "publicity" or china_today() > project.notice_until:
            raise Conflict("公示期已结束，不能再提出异议。")
        row = ProjectObjection(project_id=project.id, content=content, contact=contact, created_at=now())
        session.add(row)
        delivery.notify_case(session, instance, "district", f"补贴公示收到异议：{instance.title}",
                             f"异议内容：{content}", "flag")
    return row
