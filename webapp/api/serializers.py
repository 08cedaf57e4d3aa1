"""Model -> JSON-ready dicts for the API (shapes described in ``webapp.api.schemas``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from webapp.api import registry
from workflows import service
from workflows.clock import now
from workflows.dto import Actor, CourseData, FilingData, TraineeData
from workflows.models import (
    DISTRICTS,
    AuditEvent,
    Enterprise,
    Filing,
    Notification,
    QuarterlyPlan,
    TaskIndex,
    User,
    WorkflowInstance,
)
from workflows.models.org import ROLES
from workflows.models.report_models import PublicityItem, ReportAttachment, ReportCase, SemiannualReport


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
            contract_start=_date(t.get("contract_start")),
            contract_end=_date(t.get("contract_end")), school=t.get("school", ""),
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


def filing(f: Filing, people: list[service.PersonShown]) -> dict[str, Any]:
    """The filing with its trainees as the reader may see them (``people``: service.trainees_shown)."""
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
            "name": p.name, "id_number": p.id_number, "job_post": t.job_post,
            "contract_start": iso(t.contract_start),
            "contract_end": iso(t.contract_end), "school": t.school, "graduation_year": t.graduation_year,
            "recruited_on": iso(t.recruited_on), "major": t.major,
            "expected_graduation": iso(t.expected_graduation),
        } for t, p in zip(f.trainees, people, strict=True)],
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
        "id_numbers": "full" if people and people[0].full else "masked",
    }


def check(result: dict[str, Any]) -> dict[str, Any]:
    return {"rule": result.get("rule", ""), "severity": result.get("severity", "soft"),
            "result": bool(result.get("ok")), "message": result.get("message", ""),
            "field": result.get("field"), "details": result.get("details") or {}}


# --- tasks and cases -----------------------------------------------------------------------------------


def task(row: TaskIndex | service.ReadyTask, case_id: int = 0,
         assignee: tuple[str, str] | None | bool = False) -> dict[str, Any]:
    """A task; ``assignee`` (username, name) / None adds who it is assigned to (False: not given)."""
    decisions = service.DECISIONS.get(row.form_key, {})
    extra: dict[str, Any] = {}
    if assignee is not False:
        extra["assignee"] = ({"username": assignee[0], "name": assignee[1]}
                             if isinstance(assignee, tuple) else None)
    return {
        "id": row.task_id if isinstance(row, TaskIndex) else row.id,
        "case_id": row.instance_id if isinstance(row, TaskIndex) else case_id,
        "name": row.task_name if isinstance(row, TaskIndex) else row.name,
        "title": row.title,
        "role": row.role,
        "kind": row.kind,
        "form_key": row.form_key,
        "created_at": iso(row.created_at),
        "due_at": iso(row.due_at),
        "overdue": row.due_at is not None and row.due_at < now(),
        "decisions": [{"code": code, "label": label, "comment_required": needs}
                      for code, (label, needs) in decisions.items()],
        **extra,
    }


def task_outcome(actor: Actor, outcome: service.Outcome) -> dict[str, Any]:
    """The slim reply to a decision: the case's id and new status, and the tasks it now waits on
    (``mine``: the caller may complete it). The whole case is ``GET /cases/{id}``."""
    return {
        "case_id": outcome.case_id,
        "status": outcome.status,
        "status_label": service.status_label(outcome.kind, outcome.status),
        "next_tasks": [{**task(t, outcome.case_id), "mine": service.may_complete(actor, t)} for t in outcome.tasks],
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


def case(session: Session, actor: Actor, instance: WorkflowInstance, revealed: bool = False) -> dict[str, Any]:
    """Everything about one case the actor may see (the caller has checked scope). ID numbers are masked
    unless ``revealed`` (the caller logged a reveal) or the enterprise is editing its own filing."""
    enterprise = session.get(Enterprise, instance.enterprise_id) if instance.enterprise_id else None
    filing_row = None
    people: list[service.PersonShown] = []
    checks: list[dict[str, Any]] = []
    if instance.kind == "filing":
        filing_row = service.filing_of(session, instance)
        checks = [check(r) for r in service.visible_checks(actor, filing_row)]
        full = revealed or service.shows_own_ids_in_full(session, actor, filing_row)
        people = service.trainees_shown(actor, filing_row.trainees, full)
    out = {
        **case_summary(instance),
        "kind_label": service.KIND_LABELS.get(instance.kind, instance.kind),
        "district_name": DISTRICTS.get(instance.district_code or ""),
        "completed_at": iso(instance.completed_at),
        "enterprise": ({"id": enterprise.id, "name": enterprise.name, "credit_code": enterprise.credit_code}
                       if enterprise else None),
        "filing": filing(filing_row, people) if filing_row is not None else None,
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


# --- shared by plans and reports -----------------------------------------------------------------------


def history_event(e: AuditEvent) -> dict[str, Any]:
    return {"at": iso(e.created_at), "actor": e.actor_name, "action": e.action, "task_name": e.task_name,
            "comment": e.comment, "status_before": e.status_before, "status_after": e.status_after}


def my_tasks(session: Session, actor: Actor, instance_id: int) -> list[dict[str, Any]]:
    """The ready tasks of a case the actor may complete (with their decisions)."""
    return [task(r) for r in service.ready_tasks(session, instance_id) if service.may_complete(actor, r)]


def _periodic(instance: WorkflowInstance, district_code: str, year: int, overdue: bool, can_urge: bool,
              submitted_at: datetime | None) -> dict[str, Any]:
    return {
        "case_id": instance.id, "business_key": instance.business_key, "title": instance.title,
        "district_code": district_code, "district_name": DISTRICTS.get(district_code, district_code),
        "year": year, "overdue": overdue, "due_at": iso(instance.due_at), "submitted_at": iso(submitted_at),
        "can_urge": can_urge, "created_at": iso(instance.created_at), "updated_at": iso(instance.updated_at),
        "completed_at": iso(instance.completed_at), "status": instance.status,
        "status_label": service.status_label(instance.kind, instance.status),
    }


# --- quarterly plans -----------------------------------------------------------------------------------


def plan_summary(plan: QuarterlyPlan, instance: WorkflowInstance, overdue: bool, can_urge: bool) -> dict[str, Any]:
    return {"id": plan.id, **_periodic(instance, plan.district_code, plan.year, overdue, can_urge, plan.submitted_at),
            "quarter": plan.quarter, "quarter_key": plan.quarter_key, "share_flagged": bool(plan.share_flagged)}


def plan_field(plan: QuarterlyPlan, key: str) -> str:
    """A plan problem's field as an API path: ``row_<id>`` -> ``rows[<index in the detail's rows>].reason``."""
    if key.startswith("row_") and key[4:].isdigit():
        for index, row in enumerate(plan.rows):
            if row.id == int(key[4:]):
                return f"rows[{index}].reason"
    return key


def plan(session: Session, actor: Actor, p: QuarterlyPlan, instance: WorkflowInstance) -> dict[str, Any]:
    """A plan with its rows, live figures (the snapshot of the last check once recorded), flags, the
    caller's tasks and the history."""
    figures = p.figures if instance.completed_at is not None and p.figures else service.plan_figures(session, p)
    return {
        **plan_summary(p, instance, service.is_overdue(instance), service.can_urge(session, actor, instance)),
        "notes": p.notes or "",
        "justification": p.justification or "",
        "rows": [{"id": r.id, "seq": r.seq, "filing_id": r.filing_id, "enterprise_id": r.enterprise_id,
                  "enterprise_name": r.enterprise_name, "credit_code": r.credit_code,
                  "occupation_code": r.occupation_code, "occupation_name": r.occupation_name, "project": r.project,
                  "level": r.level, "level_label": r.level_label, "trainees": r.trainees, "fund_fen": r.fund_fen,
                  "filing_status": r.filing_status, "included": r.included, "reason": r.reason or ""}
                 for r in p.rows],
        "figures": figures,
        "flags": {"share_below_min": bool(figures.get("share_below_min")),
                  "concentration": bool(figures.get("concentration_flags")),
                  "over_budget": bool(figures.get("over_budget")),
                  "flagged_to_city": bool(p.share_flagged)},
        "problems": [{"field": plan_field(p, str(c.get("field", ""))), "message": str(c.get("message", ""))}
                     for c in (p.check_results or [])],
        "tasks": my_tasks(session, actor, instance.id),
        "history": [history_event(e) for e in service.history(session, instance.id)],
    }


# --- semiannual reports --------------------------------------------------------------------------------


def report_summary(r: SemiannualReport, instance: WorkflowInstance, overdue: bool, can_urge: bool
                   ) -> dict[str, Any]:
    return {"id": r.id, **_periodic(instance, r.district_code, r.year, overdue, can_urge, r.submitted_at),
            "half": r.half, "period_key": r.period_key, "period_label": r.period_label,
            "submissions": r.submissions or 0}


def attachment(a: ReportAttachment) -> dict[str, Any]:
    url = f"/api/v1/reports/{a.report_id}/attachments/{a.id}"
    return {"id": a.id, "kind": a.kind, "kind_label": a.kind_label, "format": a.format, "mime": a.mime,
            "original_name": a.original_name, "size_bytes": a.size_bytes, "width": a.width, "height": a.height,
            "locked": bool(a.locked), "url": url, "thumbnail_url": f"{url}/thumbnail" if a.thumb_name else None,
            "created_at": iso(a.created_at)}


def report_case(c: ReportCase) -> dict[str, Any]:
    return {"id": c.id, "report_id": c.report_id, "seq": c.seq, "title": c.title,
            "enterprise_name": c.enterprise_name, "occupation_code": c.occupation_code,
            "occupation_name": c.occupation_name, "apprenticeship_type": c.apprenticeship_type,
            "type_label": c.type_label, "narrative": c.narrative, "excellent": bool(c.excellent),
            "locked": bool(c.locked), "attachments": [attachment(a) for a in c.attachments],
            "created_at": iso(c.created_at), "updated_at": iso(c.updated_at)}


def publicity(item: PublicityItem) -> dict[str, Any]:
    return {"id": item.id, "seq": item.seq, "outlet": item.outlet, "published_on": iso(item.published_on),
            "title": item.title, "link": item.link, "locked": bool(item.locked),
            "scan": attachment(item.scan) if item.scan is not None else None, "created_at": iso(item.created_at)}


def report(session: Session, actor: Actor, view: service.ReportView) -> dict[str, Any]:
    """A report with its summary, typical cases, publicity, what is still missing, the caller's tasks and
    the history."""
    r, instance = view.report, view.instance
    last = view.last_request
    return {
        **report_summary(r, instance, view.overdue, view.can_urge),
        "summary": r.summary or "",
        "cases": [report_case(c) for c in r.cases],
        "publicity": [publicity(p) for p in r.publicity],
        "can_edit": view.can_edit,
        "problems": service.submit_errors(r) if view.can_edit else {},
        "last_request": ({"at": iso(last.created_at), "actor": last.actor_name, "comment": last.comment}
                         if last is not None else None),
        "tasks": my_tasks(session, actor, instance.id),
        "history": [history_event(e) for e in view.history],
    }


def gallery_case(c: ReportCase) -> dict[str, Any]:
    r = c.report
    return {**report_case(c), "district_code": r.district_code,
            "district_name": DISTRICTS.get(r.district_code, r.district_code), "period_key": r.period_key,
            "period_label": r.period_label}


# --- notifications -------------------------------------------------------------------------------------


def notification(row: Notification) -> dict[str, Any]:
    from webapp.notifications.views import target_url

    return {"id": row.id, "kind": row.kind, "kind_label": row.kind_label, "title": row.title, "body": row.body,
            "case_id": row.instance_id, "case_kind": row.case_kind or "", "web_path": target_url(row),
            "read": row.read_at is not None, "read_at": iso(row.read_at), "created_at": iso(row.created_at)}
