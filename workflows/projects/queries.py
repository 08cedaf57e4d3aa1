"""Read-only views of training projects: a project's page (and API body), the public notices (公示)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows import cases, features, policy
from workflows.dto import Actor
from workflows.models import (
    Enterprise,
    Filing,
    ProjectChange,
    ProjectObjection,
    TaskIndex,
    Trainee,
    TrainingProject,
    WorkflowInstance,
)
from workflows.models.project import CHANGE_KINDS, OUTCOMES, PAYMENT_KINDS
from workflows.projects import config, funds
from workflows.projects.advance import max_advance_fen
from workflows.projects.assessment import assessed
from workflows.projects.lookups import get_project
from workflows.projects.refund import refund_due_fen
from workflows.rules import ids

LEVELS = ids.LEVELS


@dataclass
class ProjectView:
    project: TrainingProject
    instance: WorkflowInstance
    filing: Filing
    enterprise_name: str
    status_label: str
    trainees: list[dict]
    changes: list[dict]
    payments: list[dict]
    objections: list[dict]
    money: list[dict]
    max_advance_fen: int
    refund_due_fen: int
    tasks: list[TaskIndex]

    def to_dict(self) -> dict:
        p = self.project
        return {
            "id": p.id, "case_id": self.instance.id, "business_key": self.instance.business_key,
            "title": self.instance.title, "status": self.instance.status, "status_label": self.status_label,
            "filing_id": p.filing_id, "filing_case_id": self.filing.instance_id,
            "enterprise_name": self.enterprise_name, "district_code": p.district_code,
            "occupation_code": self.filing.occupation_code, "occupation_name": self.filing.occupation_name,
            "level": self.filing.level, "rate_yuan": p.rate_yuan,
            "planned_start": p.planned_start.isoformat(), "planned_end": p.planned_end.isoformat(),
            "actual_start": _iso(p.actual_start), "period_end": p.period_end.isoformat(),
            "stopped_on": _iso(p.stopped_on), "advance_requested_fen": p.advance_requested_fen,
            "max_advance_fen": self.max_advance_fen, "final_fen": p.final_fen, "claim_fen": p.claim_fen,
            "refund_due_fen": self.refund_due_fen, "notice_from": _iso(p.notice_from),
            "notice_until": _iso(p.notice_until), "trainees": self.trainees, "changes": self.changes,
            "payments": self.payments, "objections": self.objections, "money": self.money,
            "tasks": [{"id": t.task_id, "name": t.task_name, "title": t.title, "form_key": t.form_key,
                       "role": t.role} for t in self.tasks],
        }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def project_view(session: Session, actor: Actor, project_id: int) -> ProjectView:
    """Everything a project's page and API body show, in the actor's scope. ID numbers are masked; the
    public's objections are shown to district and city staff only."""
    project = get_project(session, actor, project_id)
    instance = cases.get_case(session, actor, project.instance_id or 0)
    filing = session.get(Filing, project.filing_id)
    assert filing is not None
    enterprise = session.get(Enterprise, project.enterprise_id)
    people = {t.id: t for t in session.scalars(select(Trainee).where(
        Trainee.id.in_([pt.trainee_id for pt in project.trainees] or [0])))}
    in_assessment = {t.id for t in assessed(project)}
    trainees = []
    for pt in project.trainees:
        person = people.get(pt.trainee_id)
        seg = funds.segment(project, pt)
        trainees.append({
            "id": pt.id, "name": person.name if person else "",
            "id_number": ids.mask_id_number(person.id_number if person else ""),
            "started": pt.started, "joined_on": _iso(pt.joined_on), "released_on": _iso(pt.released_on),
            "replaces_id": pt.replaces_id, "assessed": pt.id in in_assessment, "outcome": pt.outcome,
            "outcome_label": OUTCOMES.get(pt.outcome, ""), "certificate_no": pt.certificate_no,
            "level_reached": pt.level_reached, "months": seg[1] if seg else 0})
    changes = [{"id": c.id, "kind": c.kind, "kind_label": CHANGE_KINDS.get(c.kind, c.kind),
                "effective_on": c.effective_on.isoformat(), "trainee_id": c.project_trainee_id,
                "new_end": _iso(c.new_end), "reason": c.reason, "state": c.state}
               for c in session.scalars(select(ProjectChange).where(ProjectChange.project_id == project.id)
                                        .order_by(ProjectChange.id))]
    payments = [{"id": p.id, "kind": p.kind, "kind_label": PAYMENT_KINDS.get(p.kind, p.kind),
                 "amount_fen": p.amount_fen, "paid_on": p.paid_on.isoformat(), "voucher_no": p.voucher_no,
                 "recorded_by": p.recorded_by} for p in project.payments]
    objections: list[dict] = []
    if actor.role in ("district", "city", "admin"):
        objections = [{"id": o.id, "content": o.content, "contact": o.contact,
                       "created_at": o.created_at.isoformat(), "resolution": o.resolution,
                       "resolved": o.resolved_at is not None}
                      for o in session.scalars(select(ProjectObjection).where(
                          ProjectObjection.project_id == project.id).order_by(ProjectObjection.id))]
    money = [{"year": y, **{c: getattr(m, c) for c in funds.COLUMNS}}
             for y, m in sorted(funds.figures(project).items())]
    tasks = [t for t in session.scalars(select(TaskIndex).where(TaskIndex.instance_id == instance.id))
             if cases.may_complete(actor, t)]
    return ProjectView(
        project, instance, filing, enterprise.name if enterprise else "",
        features.status_label(config.KIND, instance.status), trainees, changes, payments, objections, money,
        max_advance_fen(project, policy.in_force(session).advance_max_share), refund_due_fen(project), tasks)


@dataclass(frozen=True)
class Notice:
    """One claim under public notice: nothing personal (no names, no ID numbers)."""

    project_id: int
    business_key: str
    enterprise_name: str
    occupation_name: str
    level_label: str
    trainee_count: int
    amount_fen: int
    notice_from: date | None
    notice_until: date | None


def public_notices(session: Session) -> list[Notice]:
    """Claims whose 公示 is running now (status 公示中), newest first."""
    rows = session.execute(
        select(TrainingProject, WorkflowInstance.business_key, Enterprise.name, Filing.occupation_name, Filing.level)
        .join(WorkflowInstance, TrainingProject.instance_id == WorkflowInstance.id)
        .join(Enterprise, TrainingProject.enterprise_id == Enterprise.id)
        .join(Filing, TrainingProject.filing_id == Filing.id)
        .where(WorkflowInstance.kind == config.KIND, WorkflowInstance.status == "publicity")
        .order_by(TrainingProject.notice_from.desc(), TrainingProject.id.desc())).all()
    return [Notice(p.id, key, name, occupation, LEVELS.get(level, str(level)),
                   sum(1 for t in p.trainees if t.outcome == "passed"), p.final_fen, p.notice_from, p.notice_until)
            for p, key, name, occupation, level in rows]
