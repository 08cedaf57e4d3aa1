"""Model -> JSON-ready dicts for the API (shapes described in ``webapp.api.schemas``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from webapp.api import registry
from workflows import service
from workflows.dto import Actor, CourseData, FilingData, TraineeData
from workflows.engine import now
from workflows.models import DISTRICTS, Enterprise, Filing, TaskIndex, User, WorkflowInstance
from workflows.models.org import ROLES


def iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def user(u: User) -> dict[str, Any]:
    return {"id": u.id, "username": u.username, "display_name": u.display_name, "role": u.role,
            "role_label": ROLES.get(u.role, u.role), "district_code": u.district_code,
            "enterprise_id": u.enterprise_id}


# --- filings -------------------------------------------------------------------------------------------


def filing_data(body: dict[str, Any]) -> FilingData:
    """A validated FilingInput body -> the service layer's FilingData."""
    institution = body.get("institution") or {}
    period = body.get("period") or {}
    tutors = body.get("tutors") or {}
    return FilingData(
        apprenticeship_type=body["apprenticeship_type"],
        occupation_code=body["occupation_code"].strip(),
        level=int(body["level"]),
        institution_name=institution.get("name", ""),
        institution_type=institution.get("type", "technical_school"),
        period_start=_date(period.get("start")),
        period_end=_date(period.get("end")),
        period_reason=body.get("period_reason", ""),
        tutor_enterprise=tutors.get("enterprise", ""),
        tutor_institution=tutors.get("institution", ""),
        career_plan=body.get("career_plan", ""),
        training_goals=body.get("training_goals", ""),
        retention_measures=body.get("retention_measures", ""),
        trainees=[TraineeData(
            name=t["name"], id_number=t["id_number"], job_post=t.get("job_post", ""),
            contract_start=_date(t.get("contract_start")), school=t.get("school", ""),
            graduation_year=t.get("graduation_year"), recruited_on=_date(t.get("recruited_on")),
            major=t.get("major", ""), expected_graduation=_date(t.get("expected_graduation")),
        ) for t in body.get("trainees", [])],
        courses=[CourseData(
            category=c["category"], name=c["name"], hours=int(c.get("hours", 0)),
            textbook_isbn=c.get("textbook_isbn", ""), off_catalogue_reason=c.get("off_catalogue_reason", ""),
        ) for c in body.get("courses", [])],
    )


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def filing(f: Filing) -> dict[str, Any]:
    return {
        "id": f.id,
        "apprenticeship_type": f.apprenticeship_type,
        "occupation_code": f.occupation_code,
        "occupation_name": f.occupation_name,
        "level": f.level,
        "institution": {"name": f.institution_name, "type": f.institution_type},
        "period": {"start": iso(f.period_start), "end": iso(f.period_end)},
        "period_reason": f.period_reason,
        "tutors": {"enterprise": f.tutor_enterprise, "institution": f.tutor_institution},
        "trainees": [{
            "name": t.name, "id_number": t.id_number, "job_post": t.job_post,
            "contract_start": iso(t.contract_start), "school": t.school, "graduation_year": t.graduation_year,
            "recruited_on": iso(t.recruited_on), "major": t.major,
            "expected_graduation": iso(t.expected_graduation),
        } for t in f.trainees],
        "courses": [{
            "category": c.category, "name": c.name, "hours": c.hours, "textbook_isbn": c.textbook_isbn,
            "off_catalogue_reason": c.off_catalogue_reason,
        } for c in f.courses],
        "career_plan": f.career_plan,
        "training_goals": f.training_goals,
        "retention_measures": f.retention_measures,
        "trainee_count": f.trainee_count,
        "subsidy_fen": f.subsidy_fen,
        "plan_year": f.plan_year,
        "submitted_at": iso(f.submitted_at),
        "created_at": iso(f.created_at),
        "updated_at": iso(f.updated_at),
    }


def check(result: dict[str, Any]) -> dict[str, Any]:
    return {"rule": result.get("rule", ""), "severity": result.get("severity", "soft"),
            "result": bool(result.get("ok")), "message": result.get("message", ""),
            "field": result.get("field"), "details": result.get("details") or {}}


# --- tasks and cases -----------------------------------------------------------------------------------


def task(row: TaskIndex) -> dict[str, Any]:
    decisions = service.DECISIONS.get(row.form_key, {})
    return {
        "id": row.task_id,
        "case_id": row.instance_id,
        "name": row.task_name,
        "title": row.title,
        "role": row.role,
        "kind": row.kind,
        "form_key": row.form_key,
        "created_at": iso(row.created_at),
        "due_at": iso(row.due_at),
        "overdue": row.due_at is not None and row.due_at < now(),
        "decisions": [{"code": code, "label": label, "comment_required": needs}
                      for code, (label, needs) in decisions.items()],
    }


def case_summary(instance: WorkflowInstance) -> dict[str, Any]:
    return {
        "id": instance.id,
        "kind": instance.kind,
        "business_key": instance.business_key,
        "title": instance.title,
        "status": instance.status,
        "status_label": service.status_label(instance.kind, instance.status),
        "district_code": instance.district_code,
        "enterprise_id": instance.enterprise_id,
        "due_at": iso(instance.due_at),
        "created_at": iso(instance.created_at),
        "updated_at": iso(instance.updated_at),
    }


def case(session: Session, actor: Actor, instance: WorkflowInstance) -> dict[str, Any]:
    """Everything about one case the actor may see (the caller has checked scope)."""
    enterprise = session.get(Enterprise, instance.enterprise_id) if instance.enterprise_id else None
    filing_row = None
    checks: list[dict[str, Any]] = []
    if instance.kind == "filing":
        filing_row = service.filing_of(session, instance)
        checks = [check(r) for r in service.visible_checks(actor, filing_row)]
    out = {
        **case_summary(instance),
        "kind_label": service.KIND_LABELS.get(instance.kind, instance.kind),
        "district_name": DISTRICTS.get(instance.district_code or ""),
        "completed_at": iso(instance.completed_at),
        "enterprise": ({"id": enterprise.id, "name": enterprise.name, "credit_code": enterprise.credit_code}
                       if enterprise else None),
        "filing": filing(filing_row) if filing_row is not None else None,
        "checks": checks,
        "tasks": [task(r) for r in service.ready_tasks(session, instance.id) if service.may_complete(actor, r)],
        "history": [{"at": iso(e.created_at), "actor": e.actor_name, "action": e.action, "task_name": e.task_name,
                     "comment": e.comment, "status_before": e.status_before, "status_after": e.status_after}
                    for e in service.history(session, instance.id)],
    }
    section = registry.CASE_SECTIONS.get(instance.kind)
    if section is not None:
        key, builder = section
        out[key] = builder(session, instance, actor)
    return out
