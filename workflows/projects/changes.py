"""变更: the enterprise asks from the running task for a trainee to leave or be replaced (the replacement
passes the hard checks of 备案), a new period (a longer one must fit the remaining budget) or a stop;
the district decides, and the diagram's 办理变更 script applies an approved change (``decide_change``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from workflows import cases, policy
from workflows.catalogue import reads as catalogue_reads
from workflows.clock import china_today, now
from workflows.dto import Actor, TraineeData
from workflows.errors import Conflict, ValidationFailed
from workflows.filings import checks as filing_checks
from workflows.models import Filing, ProjectChange, ProjectTrainee, Trainee, TrainingProject
from workflows.models.project import CHANGE_KINDS
from workflows.projects import funds
from workflows.projects.lookups import invalid, running_task
from workflows.rules import hard as hard_rules
from workflows.rules import ids, money
from workflows.rules import inputs as rule_inputs
from workflows.security import pii


@dataclass
class ChangeRequest:
    """A change asked by the enterprise: ``kind`` leave / replace / period / stop."""

    kind: str
    effective_on: date | None = None
    trainee_id: int | None = None  # the ProjectTrainee leaving or replaced
    replacement: TraineeData | None = None
    new_end: date | None = None
    reason: str = ""
    fields: dict[str, Any] = field(default_factory=dict)


def _counted(project: TrainingProject) -> list[ProjectTrainee]:
    return [t for t in project.trainees if t.started and t.released_on is None]


def replacement_errors(session: Session, project: TrainingProject, data: TraineeData,
                       start: date) -> dict[str, list[str]]:
    """The hard checks of 备案 (``rules.hard``) for a replacement trainee joining on ``start``: ID number,
    age, labour contract, type fields, the same person in this or another active filing."""
    filing = session.get(Filing, project.filing_id)
    assert filing is not None
    base = filing_checks.filing_input(session, filing)
    candidate = rule_inputs.TraineeInput(
        name=data.name, id_number=data.id_number, job_post=data.job_post, contract_start=data.contract_start,
        school=data.school, graduation_year=data.graduation_year, recruited_on=data.recruited_on,
        major=data.major, expected_graduation=data.expected_graduation)
    probe = replace(base, trainees=[candidate], period_start=start)
    number = ids.normalize_id_number(data.id_number)
    others = filing_checks.enrolments_of(session, {pii.blind_index(number): number} if number else {}, None, start)
    params = policy.for_filing(session, filing)
    results = hard_rules.hard_checks(probe, catalogue_reads.occupations(session), catalogue_reads.textbooks(session),
                                     others, params.rules_params())
    errors: dict[str, list[str]] = {}
    for r in results:
        if r.severity == "hard" and not r.ok and (r.field or "").startswith("trainees[0]"):
            errors.setdefault("replacement" + (r.field or "")[len("trainees[0]"):], []).append(r.message)
    same = ids.normalize_id_number(data.id_number)
    trainee_ids = {t.trainee_id: t for t in project.trainees if t.released_on is None}
    for trainee in session.scalars(select(Trainee).where(Trainee.id.in_(list(trainee_ids) or [0]))):
        if ids.normalize_id_number(trainee.id_number) == same:
            errors.setdefault("replacement.id_number", []).append("该学员已在本项目名单中。")
    return errors


def _period_errors(session: Session, project: TrainingProject, new_end: date | None) -> dict[str, list[str]]:
    if new_end is None:
        return {"new_end": ["请填写新的培训结束日期。"]}
    filing = session.get(Filing, project.filing_id)
    assert filing is not None
    base = filing_checks.filing_input(session, filing)
    probe = replace(base, period_end=new_end)
    params = policy.for_filing(session, filing)
    results = hard_rules.hard_checks(probe, catalogue_reads.occupations(session), catalogue_reads.textbooks(session),
                                     [], params.rules_params())
    messages = [r.message for r in results if not r.ok and (r.field or "").startswith("period")]
    if new_end <= max(china_today(), project.actual_start or project.planned_start):
        messages.append("新的结束日期应晚于今天和开班日期。")
    return {"new_end": messages} if messages else {}


def _extension_budget_errors(session: Session, project: TrainingProject, new_end: date) -> dict[str, list[str]]:
    """A longer period commits more money: it must fit each affected year's remaining budget."""
    before = funds.figures(project)
    saved = project.period_end
    project.period_end = new_end
    after = funds.figures(project)
    project.period_end = saved
    params = policy.in_force(session)
    for year, change in sorted(funds.difference(after, before).items()):
        if change.committed_fen <= 0:
            continue
        row = next(iter(funds.funds(session, Actor(0, "", "city", None, None), year, project.district_code,
                                    params.fund_risk_share)))
        if change.committed_fen > row.remaining_fen:
            return {"new_end": [f"延长后{year}年需增加补贴{money.fen_to_yuan_str(change.committed_fen)}元，"
                                f"超过本区{year}年剩余预算{money.fen_to_yuan_str(row.remaining_fen)}元。"]}
    return {}


def request_change(session: Session, actor: Actor, project_id: int, change: ChangeRequest) -> ProjectChange:
    """变更: a trainee leaves or is replaced (the replacement passes the hard checks of 备案), the period
    changes within the rules, or the project stops. The district decides; nothing changes before."""
    with cases.unit_of_work(session):
        project, instance, row = running_task(session, actor, project_id)
        if instance.status != "running":
            raise Conflict("项目已终止，不能再申报变更。")
        if change.kind not in CHANGE_KINDS:
            raise invalid("kind", "请选择变更类型。")
        reason = (change.reason or "").strip()
        if not reason or len(reason) > 1000:
            raise invalid("reason", "请填写变更原因（不超过1000字）。")
        errors: dict[str, list[str]] = {}
        effective = change.effective_on or china_today()
        if project.actual_start is not None and effective < project.actual_start:
            errors["effective_on"] = ["变更日期不能早于开班日期。"]
        if effective > project.period_end:
            errors["effective_on"] = ["变更日期不能晚于培训结束日期。"]
        leaving: ProjectTrainee | None = None
        if change.kind in ("leave", "replace"):
            leaving = next((t for t in _counted(project) if t.id == change.trainee_id), None)
            if project.actual_start is None:
                errors["kind"] = ["开班报告之后才能办理学员变更。"]
            elif leaving is None:
                errors["trainee_id"] = ["请选择在训的学员。"]
        if change.kind == "replace":
            if change.replacement is None:
                errors["replacement"] = ["请填写替换学员的信息。"]
            else:
                errors.update(replacement_errors(session, project, change.replacement, effective))
        if change.kind == "period":
            errors.update(_period_errors(session, project, change.new_end))
            if not errors and change.new_end is not None and change.new_end > project.period_end:
                errors.update(_extension_budget_errors(session, project, change.new_end))
        if errors:
            raise ValidationFailed("变更申请有误，请修改标出的内容。", errors)
        replacement_id = None
        if change.kind == "replace" and change.replacement is not None:
            replacement_id = _add_trainee(session, project, change.replacement)
        row_change = ProjectChange(project_id=project.id, kind=change.kind, effective_on=effective,
                                   project_trainee_id=leaving.id if leaving else None,
                                   replacement_trainee_id=replacement_id,
                                   new_end=change.new_end if change.kind == "period" else None,
                                   reason=reason, created_at=now())
        session.add(row_change)
        session.flush()
        cases.advance(session, actor, instance, row.task_id,
                      {"action": "change", "change_id": row_change.id, "decision": "", "comment": ""},
                      "change_request", comment=f"{CHANGE_KINDS[change.kind]}：{reason}")
    return row_change


def _add_trainee(session: Session, project: TrainingProject, data: TraineeData) -> int:
    """The replacement as a trainee row of the filing (not yet counted: the project row is added when
    the district approves)."""
    filing = session.get(Filing, project.filing_id)
    assert filing is not None
    trainee = Trainee(filing_id=filing.id, seq=len(filing.trainees), name=data.name.strip(),
                      id_number=ids.normalize_id_number(data.id_number), job_post=data.job_post.strip(),
                      contract_start=data.contract_start, school=data.school, graduation_year=data.graduation_year,
                      recruited_on=data.recruited_on, major=data.major, expected_graduation=data.expected_graduation)
    session.add(trainee)
    session.flush()
    return trainee.id


def decide_change(session: Session, project_id: int, decision: str) -> str:
    """Script helper of 办理变更: apply the pending change when approved (money moves), else drop it.
    Returns 'stop' when the project stopped, 'continue' otherwise."""
    project = session.get(TrainingProject, int(project_id))
    if project is None:
        raise ValueError(f"project {project_id} not found")
    change = session.scalars(select(ProjectChange).where(ProjectChange.project_id == project.id,
                                                         ProjectChange.state == "pending")
                             .order_by(ProjectChange.id.desc())).first()
    if change is None:
        return "continue"
    change.decided_at = now()
    if decision != "approve":
        change.state = "rejected"
        if change.replacement_trainee_id is not None:
            session.execute(delete(Trainee).where(Trainee.id == change.replacement_trainee_id))
        return "continue"
    change.state = "approved"
    with funds.moving(session, project):
        if change.kind in ("leave", "replace"):
            leaving = next(t for t in project.trainees if t.id == change.project_trainee_id)
            leaving.released_on = change.effective_on
            if change.kind == "replace" and change.replacement_trainee_id is not None:
                project.trainees.append(ProjectTrainee(trainee_id=change.replacement_trainee_id, started=True,
                                                       joined_on=change.effective_on, replaces_id=leaving.id))
        elif change.kind == "period" and change.new_end is not None:
            project.period_end = change.new_end
        elif change.kind == "stop":
            project.stopped_on = change.effective_on
            project.period_end = min(project.period_end, change.effective_on)
            for t in project.trainees:
                if t.released_on is None or t.released_on > change.effective_on:
                    t.released_on = change.effective_on
    return "stop" if change.kind == "stop" else "continue"
