"""The training project's use cases: started on 备案, then each step of ``bpmn/training_project.bpmn``.

Every use case is one unit of work: lock the case, check the ready task and the actor, write the
project's record, move the money (``funds.moving``: the running totals change in the same transaction)
and advance the workflow. Review decisions go through ``cases.complete_task`` (the decisions in
``config.DECISIONS``); the diagram's scripts call the session-bound helpers below (``script_helpers``),
which apply an approved change and publish the 公示.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from workflows import cases, policy
from workflows.catalogue import reads as catalogue_reads
from workflows.clock import add_working_days, china_today, end_of_day, now
from workflows.dto import Actor, TraineeData
from workflows.errors import Conflict, NotFound, ValidationFailed
from workflows.filings import checks as filing_checks
from workflows.models import (
    Filing,
    ProjectChange,
    ProjectObjection,
    ProjectPayment,
    ProjectTrainee,
    TaskIndex,
    Trainee,
    TrainingProject,
    WorkflowInstance,
)
from workflows.models.project import CHANGE_KINDS, OUTCOMES
from workflows.notifications import delivery
from workflows.projects import config, funds
from workflows.rules import hard as hard_rules
from workflows.rules import ids, money
from workflows.rules import inputs as rule_inputs
from workflows.security import pii

# --------------------------------------------------------------------------------------------------
# Start (the filing's 予以备案, same transaction)


def business_key(filing_id: int) -> str:
    return f"P{int(filing_id):08d}"


def start_project(session: Session, filing_instance: WorkflowInstance, decision: str, actor: Actor | None,
                  comment: str = "") -> WorkflowInstance | None:
    """The filing decision effect: on 予以备案 start the filing's training project (one per filing; the
    unique filing_id and business key refuse a second) and commit its fund plan by budget year."""
    if decision != "record" or filing_instance.status != "recorded":
        return None
    filing = session.scalars(select(Filing).where(Filing.instance_id == filing_instance.id)).one()
    if session.scalars(select(TrainingProject.id).where(TrainingProject.filing_id == filing.id)).first():
        return None
    if filing.period_start is None or filing.period_end is None:
        raise Conflict("备案缺少培训期限，不能启动培训项目。")
    params = policy.for_filing(session, filing)
    rate = params.rate(filing.apprenticeship_type, filing.level, filing_checks.is_shortage(filing.occupation_code))
    months = money.period_months(filing.period_start, filing.period_end)
    original = money.year_split_fen(len(filing.trainees), rate, filing.period_start, months)
    project = TrainingProject(
        filing_id=filing.id, district_code=filing.district_code, enterprise_id=filing.enterprise_id,
        rate_yuan=rate, planned_start=filing.period_start, planned_end=filing.period_end,
        period_end=filing.period_end, original_by_year={str(y): fen for y, fen in original.items()},
        created_at=now())
    project.trainees = [ProjectTrainee(trainee_id=t.id, joined_on=filing.period_start) for t in filing.trainees]
    session.add(project)
    session.flush()
    funds.add_to_totals(session, project.district_code, funds.figures(project))
    due = end_of_day(filing.period_start + timedelta(days=params.start_report_days)).isoformat()
    instance = cases.start(
        session, actor, kind=config.KIND, process_id=config.PROCESS_ID, business_key=business_key(filing.id),
        title=filing_instance.title, district_code=filing.district_code, enterprise_id=filing.enterprise_id,
        data={"project_id": project.id, "filing_id": filing.id, "case_kind": config.KIND,
              "case_key": business_key(filing.id), "district_code": filing.district_code,
              "enterprise_id": filing.enterprise_id, "project_title": filing_instance.title,
              "start_report_due_at": due, "reminder_days": params.start_report_reminder_days,
              "refund_months": params.refund_months, "refund_reminder_days": 15,
              "decision": "", "comment": "", "action": "", "change_outcome": "", "refund_due_fen": 0,
              "started_count": 0})
    project.instance_id = instance.id
    cases.audit(session, instance, actor, "start",
                comment=f"备案{filing_instance.business_key}已完成，自动启动培训项目")
    return instance


# --------------------------------------------------------------------------------------------------
# Lookups


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


def _ready(session: Session, actor: Actor, project_id: int, form_key: str,
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


def _invalid(field_name: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, {field_name: [message]})


def _check_paid_on(paid_on: date | None, field_name: str = "paid_on") -> date:
    if paid_on is None:
        raise _invalid(field_name, "请填写日期。")
    if paid_on > china_today():
        raise _invalid(field_name, "日期不能晚于今天。")
    return paid_on


def _check_voucher(voucher_no: str) -> str:
    voucher = (voucher_no or "").strip()
    if not voucher or len(voucher) > 60:
        raise _invalid("voucher_no", "请填写凭证号（不超过60字）。")
    return voucher


# --------------------------------------------------------------------------------------------------
# 开班报告 (enterprise)


def report_class_start(session: Session, actor: Actor, project_id: int, actual_start: date | None,
                       trainee_ids: list[int]) -> TrainingProject:
    """The class started on ``actual_start`` with these trainees (ids of the project's roster). The
    others are released from the filing (and their subsidy from the budget) from that date."""
    with cases.unit_of_work(session):
        project, instance, row = _ready(session, actor, project_id, config.CLASS_REPORT_FORM,
                                        "开班报告已提交，不能重复提交。")
        if actual_start is None:
            raise _invalid("actual_start", "请填写实际开班日期。")
        if actual_start < project.planned_start:
            raise _invalid("actual_start",
                           f"实际开班日期不能早于备案的培训开始日期{project.planned_start.isoformat()}。")
        if actual_start >= project.period_end:
            raise _invalid("actual_start", f"实际开班日期应早于培训结束日期{project.period_end.isoformat()}。")
        if actual_start > china_today():
            raise _invalid("actual_start", "实际开班日期不能晚于今天。")
        chosen = {int(x) for x in trainee_ids or []}
        known = {t.id for t in project.trainees}
        if not chosen:
            raise _invalid("trainee_ids", "请至少选择一名开班学员。")
        if chosen - known:
            raise _invalid("trainee_ids", "开班学员须是备案名单中的学员。")
        with funds.moving(session, project):
            project.actual_start = actual_start
            for t in project.trainees:
                t.started = t.id in chosen
                t.joined_on = actual_start
                t.released_on = None if t.started else actual_start
        cases.advance(session, actor, instance, row.task_id, {"started_count": len(chosen)}, "class_report",
                      comment=f"实际开班{actual_start.isoformat()}，开班学员{len(chosen)}人")
    return project


# --------------------------------------------------------------------------------------------------
# 培训实施: 预支 / 变更 / 结业考核 (enterprise, from the running task)


def max_advance_fen(project: TrainingProject, share: float) -> int:
    """The policy share of the started trainees' subsidy (whole fen, rounded down)."""
    return int(sum(funds.entitled_by_year(project).values()) * share)


def _running(session: Session, actor: Actor, project_id: int) -> tuple[TrainingProject, WorkflowInstance, TaskIndex]:
    return _ready(session, actor, project_id, config.RUNNING_FORM, "项目当前不在实施阶段，不能办理该事项。")


def request_advance(session: Session, actor: Actor, project_id: int, amount_fen: int) -> TrainingProject:
    """预支: up to the policy share of the started trainees' subsidy, no earlier than the class start,
    once per project; the district reviews it and the city records the payment."""
    with cases.unit_of_work(session):
        project, instance, row = _running(session, actor, project_id)
        if instance.status != "running":
            raise Conflict("项目已终止，不能申请预支。")
        if project.actual_start is None or china_today() < project.actual_start:
            raise Conflict("开班之后才能申请预支。")
        if funds.paid_sum(project, "advance") > 0:
            raise Conflict("本项目已预支过补贴，不能重复申请。")
        params = policy.in_force(session)
        ceiling = max_advance_fen(project, params.advance_max_share)
        if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen <= 0:
            raise _invalid("amount_fen", "请填写预支金额（分，正整数）。")
        if amount_fen > ceiling:
            raise _invalid("amount_fen", f"预支金额不能超过开班学员补贴的{round(params.advance_max_share * 100)}%，"
                                         f"即{money.fen_to_yuan_str(ceiling)}元。")
        project.advance_requested_fen = amount_fen
        cases.advance(session, actor, instance, row.task_id,
                      {"action": "advance", "advance_requested_fen": amount_fen, "decision": "", "comment": ""},
                      "advance_request", comment=f"申请预支{money.fen_to_yuan_str(amount_fen)}元")
    return project


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
        project, instance, row = _running(session, actor, project_id)
        if instance.status != "running":
            raise Conflict("项目已终止，不能再申报变更。")
        if change.kind not in CHANGE_KINDS:
            raise _invalid("kind", "请选择变更类型。")
        reason = (change.reason or "").strip()
        if not reason or len(reason) > 1000:
            raise _invalid("reason", "请填写变更原因（不超过1000字）。")
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


@dataclass
class AssessmentResult:
    trainee_id: int  # ProjectTrainee id
    outcome: str
    certificate_no: str = ""
    level_reached: int | None = None


def assessed(project: TrainingProject) -> list[ProjectTrainee]:
    """The trainees the assessment covers: those who started and did not leave before the end."""
    return [t for t in project.trainees
            if t.started and (t.released_on is None or (project.stopped_on is not None
                                                         and t.released_on >= project.stopped_on))]


def submit_assessment(session: Session, actor: Actor, project_id: int,
                      results: list[AssessmentResult]) -> TrainingProject:
    """结业考核 after the period (or a stop): per trainee passed / failed / absent, with the certificate
    number and level reached of those who passed; the district reviews it."""
    with cases.unit_of_work(session):
        project, instance, row = _running(session, actor, project_id)
        if project.stopped_on is None and china_today() <= project.period_end:
            raise Conflict(f"培训期限{project.period_end.isoformat()}结束后才能提交结业考核。")
        expected = {t.id: t for t in assessed(project)}
        given = {r.trainee_id: (i, r) for i, r in enumerate(results or [])}
        errors: dict[str, list[str]] = {}
        if set(given) != set(expected):
            errors["results"] = ["须逐一填写每名在训学员的考核结果。"]
        for i, r in given.values():
            if r.outcome not in OUTCOMES:
                errors[f"results[{i}].outcome"] = ["请选择考核结果（合格、不合格或缺考）。"]
            elif r.outcome == "passed":
                if not (r.certificate_no or "").strip() or len(r.certificate_no.strip()) > 60:
                    errors[f"results[{i}].certificate_no"] = ["合格学员须填写证书编号（不超过60字）。"]
                if r.level_reached not in ids.LEVELS:
                    errors[f"results[{i}].level_reached"] = ["合格学员须填写取得的技能等级。"]
        if errors:
            raise ValidationFailed("结业考核结果有误，请修改标出的内容。", errors)
        for trainee_id, (_, r) in given.items():
            t = expected[trainee_id]
            t.outcome = r.outcome
            t.certificate_no = (r.certificate_no or "").strip() if r.outcome == "passed" else ""
            t.level_reached = r.level_reached if r.outcome == "passed" else None
        passed = sum(1 for r in results if r.outcome == "passed")
        cases.advance(session, actor, instance, row.task_id, {"action": "assess", "decision": "", "comment": ""},
                      "assessment", comment=f"提交结业考核：合格{passed}人，共{len(results)}人")
    return project


# --------------------------------------------------------------------------------------------------
# 补贴申领 (enterprise) and the 公示


def claim_figures(session: Session, project: TrainingProject) -> tuple[int, int, list[dict]]:
    """(final fen, claim fen = final less advances, the roster with certificates) for the claim."""
    final = sum(funds.final_by_year(project).values())
    names = {t.id: t for t in session.scalars(select(Trainee).where(
        Trainee.id.in_([pt.trainee_id for pt in project.trainees] or [0])))}
    roster = []
    for pt in assessed(project):
        trainee = names.get(pt.trainee_id)
        seg = funds.segment(project, pt)
        roster.append({"name": trainee.name if trainee else "", "id_number": ids.mask_id_number(
            trainee.id_number if trainee else ""), "outcome": pt.outcome, "certificate_no": pt.certificate_no,
            "level_reached": pt.level_reached, "months": seg[1] if seg else 0})
    return final, max(0, final - funds.paid_sum(project, "advance")), roster


def submit_claim(session: Session, actor: Actor, project_id: int) -> TrainingProject:
    """补贴申领: the amount is computed (passed trainees x rate x months trained / 12, less advances
    paid) with the roster and certificate numbers attached; the district reviews it."""
    with cases.unit_of_work(session):
        project, instance, row = _ready(session, actor, project_id, config.CLAIM_FORM, "项目当前不能申领补贴。")
        final, claim, roster = claim_figures(session, project)
        project.final_fen, project.claim_fen, project.claim_roster = final, claim, roster
        cases.advance(session, actor, instance, row.task_id, {"decision": "", "comment": ""}, "claim",
                      comment=f"申领补贴{money.fen_to_yuan_str(claim)}元（核定{money.fen_to_yuan_str(final)}元，"
                              f"扣除预支{money.fen_to_yuan_str(funds.paid_sum(project, 'advance'))}元）")
    return project


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
        raise _invalid("content", "请填写异议内容（5至1000字）。")
    if len(contact) > 100:
        raise _invalid("contact", "联系方式不能超过100字。")
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


# --------------------------------------------------------------------------------------------------
# Payments recorded by the city, and the refund


def record_advance_payment(session: Session, actor: Actor, project_id: int, amount_fen: int, paid_on: date | None,
                           voucher_no: str) -> ProjectPayment:
    """The city records the advance paid (amount up to the amount approved, date, voucher number)."""
    with cases.unit_of_work(session):
        project, instance, row = _ready(session, actor, project_id, config.ADVANCE_PAYMENT_FORM,
                                        "项目当前没有待拨付的预支。")
        requested = int(project.advance_requested_fen or 0)
        if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or not 0 < amount_fen <= requested:
            raise _invalid("amount_fen", f"拨付金额应大于0且不超过审核同意的{money.fen_to_yuan_str(requested)}元。")
        day = _check_paid_on(paid_on)
        if project.actual_start is not None and day < project.actual_start:
            raise _invalid("paid_on", "预支不能早于开班日期。")
        payment = ProjectPayment(kind="advance", amount_fen=amount_fen, paid_on=day,
                                 voucher_no=_check_voucher(voucher_no), recorded_by=actor.name, created_at=now())
        with funds.moving(session, project):
            project.payments.append(payment)
        cases.advance(session, actor, instance, row.task_id, {}, "advance_payment",
                      comment=f"预支拨付{money.fen_to_yuan_str(amount_fen)}元，凭证{payment.voucher_no}")
    return payment


def record_claim_payment(session: Session, actor: Actor, project_id: int, amount_fen: int, paid_on: date | None,
                         voucher_no: str) -> ProjectPayment:
    """The city records the subsidy paid: the confirmed amount (final less advances). The project is
    settled: what it did not use is released; an advance above the final amount opens the refund."""
    with cases.unit_of_work(session):
        project, instance, row = _ready(session, actor, project_id, config.CLAIM_PAYMENT_FORM,
                                        "项目当前没有待拨付的补贴。")
        if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen != project.claim_fen:
            raise _invalid("amount_fen", f"拨付金额应为核定的申领金额{money.fen_to_yuan_str(project.claim_fen)}元。")
        payment = ProjectPayment(kind="subsidy", amount_fen=amount_fen, paid_on=_check_paid_on(paid_on),
                                 voucher_no=_check_voucher(voucher_no), recorded_by=actor.name, created_at=now())
        with funds.moving(session, project):
            project.payments.append(payment)
            project.final_by_year = {str(y): fen for y, fen in funds.final_by_year(project).items()}
            project.settled = True
            for t in project.trainees:  # the project is over: nobody is held by it any more
                if t.released_on is None:
                    t.released_on = project.period_end + timedelta(days=1)
        refund = max(0, funds.paid_sum(project, "advance") - project.final_fen)
        cases.advance(session, actor, instance, row.task_id, {"refund_due_fen": refund}, "claim_payment",
                      comment=f"补贴拨付{money.fen_to_yuan_str(amount_fen)}元，凭证{payment.voucher_no}")
    return payment


def refund_due_fen(project: TrainingProject) -> int:
    return max(0, funds.paid_sum(project, "advance") - project.final_fen - funds.paid_sum(project, "refund"))


def report_refund(session: Session, actor: Actor, project_id: int, amount_fen: int, paid_on: date | None,
                  voucher_no: str) -> TrainingProject:
    """The enterprise reports the excess advance refunded (the city confirms receipt)."""
    with cases.unit_of_work(session):
        project, instance, row = _ready(session, actor, project_id, config.REFUND_FORM, "项目当前无需退款。")
        due = refund_due_fen(project)
        if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen != due:
            raise _invalid("amount_fen", f"退款金额应为{money.fen_to_yuan_str(due)}元。")
        day, voucher = _check_paid_on(paid_on), _check_voucher(voucher_no)
        cases.advance(session, actor, instance, row.task_id,
                      {"refund_reported": {"amount_fen": amount_fen, "paid_on": day.isoformat(),
                                           "voucher_no": voucher}},
                      "refund", comment=f"已退回{money.fen_to_yuan_str(amount_fen)}元，凭证{voucher}")
    return project


def confirm_refund(session: Session, actor: Actor, project_id: int, amount_fen: int, paid_on: date | None,
                   voucher_no: str) -> ProjectPayment:
    """The city confirms the refund received; the money returns to the budget (released)."""
    with cases.unit_of_work(session):
        project, instance, row = _ready(session, actor, project_id, config.REFUND_CONFIRM_FORM,
                                        "项目当前没有待确认的退款。")
        due = refund_due_fen(project)
        if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen != due:
            raise _invalid("amount_fen", f"到账金额应为{money.fen_to_yuan_str(due)}元。")
        payment = ProjectPayment(kind="refund", amount_fen=amount_fen, paid_on=_check_paid_on(paid_on),
                                 voucher_no=_check_voucher(voucher_no), recorded_by=actor.name, created_at=now())
        with funds.moving(session, project):
            project.payments.append(payment)
        cases.advance(session, actor, instance, row.task_id, {}, "refund_confirm",
                      comment=f"退款到账{money.fen_to_yuan_str(amount_fen)}元，凭证{payment.voucher_no}")
    return payment


# --------------------------------------------------------------------------------------------------
# Script helpers


def months_after_due_at(months: int) -> str:
    """End of the day ``months`` months after today (China time), ISO."""
    return end_of_day(money.add_months(china_today(), int(months))).isoformat()


def script_helpers(session: Session, actor: Actor | None) -> dict[str, Any]:
    """The project diagram's session-bound script helpers (registered by ``workflows.features``)."""
    return {
        "decide_change": lambda project_id, decision: decide_change(session, project_id, decision),
        "publish_notice": lambda project_id: publish_notice(session, project_id),
        "open_objection_count": lambda project_id: open_objection_count(session, project_id),
        "resolve_objections": lambda project_id, decision, comment: resolve_objections(
            session, project_id, decision, comment),
        "months_after_due_at": months_after_due_at,
        "yuan": money.fen_to_yuan_str,
    }
