"""Use cases of the training filing (培训备案): create, save a draft, submit, withdraw, and finding a
filing in the actor's scope. The web layer and the API reach them through ``workflows.service``.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from workflows import cases, deadlines, policy
from workflows.cases import advance, audit, unit_of_work
from workflows.catalogue import reads as catalogue_reads
from workflows.clock import now
from workflows.dto import Actor, CourseData, FilingData, TraineeData
from workflows.errors import Conflict, NotFound, ValidationFailed
from workflows.filings import checks, rounds, status
from workflows.models import AuditEvent, Course, Enterprise, Filing, Notification, TaskIndex, Trainee, WorkflowInstance
from workflows.notifications import delivery
from workflows.rules.money import period_months, subsidy_fen
from workflows.security import log


def filing_of_case(session: Session, instance_id: int) -> Filing:
    """The filing of a case whose scope the caller has already checked (e.g. through get_task)."""
    filing = session.scalars(select(Filing).where(Filing.instance_id == instance_id)).first()
    if filing is None:
        raise NotFound("未找到该备案。")
    return filing


def filing_of(session: Session, instance: WorkflowInstance) -> Filing:
    """The filing of a case already in hand."""
    return filing_of_case(session, instance.id)


def get_filing(session: Session, actor: Actor, filing_id: int) -> Filing:
    """A filing whose case is in the actor's scope, or NotFound."""
    filing = session.get(Filing, filing_id)
    if filing is None or filing.instance_id is None:
        raise NotFound("未找到该备案。")
    cases.get_case(session, actor, filing.instance_id)
    return filing


def _enterprise_of(session: Session, actor: Actor) -> Enterprise:
    if actor.role != "enterprise" or actor.enterprise_id is None:
        raise NotFound("只有企业经办人可以办理培训备案。")
    enterprise = session.get(Enterprise, actor.enterprise_id)
    if enterprise is None:
        raise NotFound("未找到所属企业。")
    return enterprise


def _write_content(filing: Filing, data: FilingData) -> None:
    filing.apprenticeship_type = data.apprenticeship_type
    filing.occupation_code = data.occupation_code
    occupation = catalogue_reads.occupations().get(data.occupation_code)
    filing.occupation_name = occupation.name if occupation else ""
    filing.level = int(data.level)
    filing.institution_name = data.institution_name
    filing.institution_type = data.institution_type
    filing.period_start = data.period_start
    filing.period_end = data.period_end
    filing.period_reason = data.period_reason
    filing.tutor_enterprise = data.tutor_enterprise
    filing.tutor_institution = data.tutor_institution
    filing.career_plan = data.career_plan
    filing.training_goals = data.training_goals
    filing.retention_measures = data.retention_measures
    filing.plan_year = data.period_start.year if data.period_start else None
    filing.trainees = [
        Trainee(seq=i, name=t.name.strip(), id_number=t.id_number.strip().upper(), job_post=t.job_post.strip(),
                contract_start=t.contract_start, contract_end=t.contract_end, school=t.school,
                graduation_year=t.graduation_year,
                recruited_on=t.recruited_on, major=t.major, expected_graduation=t.expected_graduation)
        for i, t in enumerate(data.trainees)
    ]
    books = catalogue_reads.textbooks()

    def book_title(isbn: str) -> str:
        book = books.get(isbn.replace("-", "").strip())
        return book.title if book is not None else ""

    filing.courses = [
        Course(seq=i, category=c.category, name=c.name.strip(), hours=int(c.hours or 0),
               textbook_isbn=c.textbook_isbn.strip(), off_catalogue_reason=c.off_catalogue_reason.strip(),
               textbook_title=book_title(c.textbook_isbn))
        for i, c in enumerate(data.courses)
    ]
    filing.trainee_count = len(filing.trainees)
    filing.updated_at = now()


def fund_plan_fen(filing: Filing, params: policy.PolicyParams) -> int:
    """Estimate shown on a draft: trainees x rate for the level x months billed / 12 (fen). At
    submission the diagram's DMN decides the rate and its script writes the fund plan."""
    if filing.period_start is None or filing.period_end is None or filing.period_end <= filing.period_start:
        return 0
    months = period_months(filing.period_start, filing.period_end)
    rate = params.rate(filing.apprenticeship_type, filing.level, checks.is_shortage(filing.occupation_code))
    return subsidy_fen(len(filing.trainees), rate, months)


def new_receipt_code() -> str:
    """An unguessable verification code for a filing's receipt (about 190 random bits)."""
    return secrets.token_urlsafe(24)


def filing_created_by(session: Session, actor: Actor, creation_token: str) -> Filing | None:
    """The filing the same new-filing form already created (a repeated POST: Back, Enter, double click)."""
    if actor.role != "enterprise" or not creation_token:
        return None
    return session.scalars(select(Filing).where(Filing.enterprise_id == actor.enterprise_id,
                                                Filing.creation_token == creation_token)).first()


def create_filing(session: Session, actor: Actor, data: FilingData, creation_token: str | None = None) -> Filing:
    """A new draft filing for the actor's enterprise, with its case started at 填写并提交备案.

    ``creation_token`` is the one-time token of the form posting it: a second POST with the same token
    creates nothing and answers with the filing the first one created."""
    token = (creation_token or "").strip()[:64] or None
    if token is not None:
        existing = filing_created_by(session, actor, token)
        if existing is not None:
            return existing
    with unit_of_work(session):
        enterprise = _enterprise_of(session, actor)
        filing = Filing(enterprise_id=enterprise.id, district_code=enterprise.district_code, created_at=now(),
                        creation_token=token, receipt_code=new_receipt_code())
        _write_content(filing, data)
        session.add(filing)
        session.flush()
        instance = cases.start(
            session, actor, kind=status.KIND, process_id=status.PROCESS_ID,
            business_key=f"F{filing.id:08d}", title=f"{enterprise.name} · {filing.occupation_name or '培训备案'}",
            district_code=enterprise.district_code, enterprise_id=enterprise.id,
            data={"filing_id": filing.id},
        )
        filing.instance_id = instance.id
        filing.subsidy_fen = fund_plan_fen(filing, policy.in_force(session))
        audit(session, instance, actor, "create", comment="创建备案草稿")
    return filing


def _editable(session: Session, actor: Actor, filing_id: int) -> tuple[Filing, WorkflowInstance, TaskIndex]:
    """The enterprise's own filing, its case locked, and its ready edit task (Conflict when there is none)."""
    filing = get_filing(session, actor, filing_id)
    if actor.role != "enterprise" or filing.enterprise_id != actor.enterprise_id:
        raise NotFound("未找到该备案。")
    instance = cases.locked(session, filing.instance_id, "未找到该备案。")
    task = status.edit_task(session, instance.id)
    if task is None:
        raise Conflict("该备案当前状态不能修改。")
    return filing, instance, task


def save_filing(session: Session, actor: Actor, filing_id: int, data: FilingData) -> Filing:
    """Save the draft (or the returned filing being revised) without submitting it."""
    with unit_of_work(session):
        filing, instance, _ = _editable(session, actor, filing_id)
        _write_content(filing, data)
        filing.subsidy_fen = fund_plan_fen(filing, policy.in_force(session))
        enterprise = session.get(Enterprise, filing.enterprise_id)
        instance.title = f"{enterprise.name if enterprise else ''} · {filing.occupation_name or '培训备案'}"
        instance.updated_at = now()
        audit(session, instance, actor, "save", comment="保存草稿", status_before=instance.status)
    return filing


def submit_filing(session: Session, actor: Actor, filing_id: int, data: FilingData | None = None) -> Filing:
    """Submit (or resubmit) a filing. The diagram runs the automatic checks; on any hard error the whole
    submission is rolled back and ValidationFailed lists every error by field."""
    errors: dict[str, list[str]] = {}
    with unit_of_work(session):
        filing, instance, task = _editable(session, actor, filing_id)
        if data is not None:
            _write_content(filing, data)
        # The parameters in force now judge this submission: the checks and the diagram's fund plan
        # (DMN 确定补贴标准 -> 计算资金计划, which writes filing.subsidy_fen) use this version.
        params = policy.in_force(session, now())
        filing.policy_version_id = params.version_id
        session.flush()
        action = "resubmit" if instance.status == "returned" else "submit"
        advance(session, actor, instance, task.task_id, {
            "filing_id": filing.id,
            "resubmit_window_days": params.resubmit_window_days,
            "resubmit_working_days": params.resubmit_working_days,
            "review_window_days": params.review_window_days,
            "case_kind": instance.kind, "case_key": instance.business_key,
            "district_code": instance.district_code, "filing_title": instance.title,
            "decision": "",
            "comment": "",
            **checks.fund_plan_inputs(filing, params),
        }, action, comment="重新提交" if action == "resubmit" else "提交备案")
        if status.edit_task(session, instance.id) is not None:  # the checks sent it back to the enterprise
            errors = checks.hard_errors_by_field(filing) or {"__all__": ["提交未通过自动校验。"]}
            raise ValidationFailed("提交未通过自动校验，请修改标出的内容后重新提交。", errors)
        filing.submitted_at = now()
        submitted = rounds.record_round(session, filing)
        title = ("培训备案重新提交，请审核（第{n}次提交）：{t}" if action == "resubmit"
                 else "收到新的培训备案，请审核：{t}").format(n=submitted.round, t=instance.title)
        delivery.notify_case(session, instance, "district", title,
                             f"办理期限：{instance.due_at:%Y-%m-%d}" if instance.due_at else "", "arrived")
    return filing


def withdraw_filing(session: Session, actor: Actor, filing_id: int, comment: str = "") -> Filing:
    """The enterprise withdraws its filing before the district decides (or while it is returned)."""
    with unit_of_work(session):
        filing = get_filing(session, actor, filing_id)
        if actor.role != "enterprise" or filing.enterprise_id != actor.enterprise_id:
            raise NotFound("未找到该备案。")
        instance = cases.locked(session, filing.instance_id, "未找到该备案。")
        cases.deliver(session, actor, instance, status.WITHDRAW_MESSAGE, {"withdraw_comment": comment}, "withdraw",
                      refusal="该备案当前状态不能撤回（区人社局已作出决定或尚未提交）。",
                      comment=comment or "企业撤回")
        delivery.notify_case(session, instance, "district", f"企业已撤回培训备案：{instance.title}",
                             f"撤回说明：{comment}" if comment else "", "withdrawn")
    return filing


def urge_filing(session: Session, actor: Actor, instance_id: int, message: str) -> WorkflowInstance:
    """催办 a filing review: city staff (or an admin) remind the district's reviewers of a filing waiting
    for their review, as often as needed; recorded in the case history. (A filing's urges do not go through
    the diagram: a boundary message event on the review task would fire only once.)"""
    message = (message or "").strip()
    if not message:
        raise ValidationFailed("请填写催办内容。", {"message": ["请填写催办内容。"]})
    if len(message) > 500:
        raise ValidationFailed("催办内容不能超过500字。", {"message": ["催办内容不能超过500字。"]})
    with unit_of_work(session):
        instance = cases.get_case(session, actor, instance_id)
        if instance.kind != status.KIND:
            raise NotFound("未找到该案件。")
        if not deadlines.can_urge(session, actor, instance):
            raise Conflict("该备案当前不在区人社局审核环节，无需催办。")
        delivery.notify_case(session, instance, "district", f"催办：{instance.title}", f"{actor.name}：{message}",
                             "urge")
        audit(session, instance, actor, "urge", task_name="催办", comment=message, status_before=instance.status)
    return instance


def filing_data_of(filing: Filing, trainees: Sequence[TraineeData] | None = None) -> FilingData:
    """The filing's content as the save path takes it (optionally with other trainees)."""
    return FilingData(
        apprenticeship_type=filing.apprenticeship_type, occupation_code=filing.occupation_code, level=filing.level,
        institution_name=filing.institution_name, institution_type=filing.institution_type,
        period_start=filing.period_start, period_end=filing.period_end, period_reason=filing.period_reason,
        tutor_enterprise=filing.tutor_enterprise, tutor_institution=filing.tutor_institution,
        career_plan=filing.career_plan, training_goals=filing.training_goals,
        retention_measures=filing.retention_measures,
        trainees=list(trainees) if trainees is not None else [
            TraineeData(name=t.name, id_number=t.id_number, job_post=t.job_post, contract_start=t.contract_start,
                        contract_end=t.contract_end, school=t.school, graduation_year=t.graduation_year,
                        recruited_on=t.recruited_on,
                        major=t.major, expected_graduation=t.expected_graduation) for t in filing.trainees],
        courses=[CourseData(category=c.category, name=c.name, hours=c.hours, textbook_isbn=c.textbook_isbn,
                            off_catalogue_reason=c.off_catalogue_reason) for c in filing.courses],
    )


def copy_filing(session: Session, actor: Actor, filing_id: int) -> Filing:
    """复制为新备案: a new draft with the same content as one of the enterprise's own filings (any status).
    The supporting documents are copied by ``attachments.copy_with_documents``, which calls this."""
    filing = get_filing(session, actor, filing_id)
    if actor.role != "enterprise" or filing.enterprise_id != actor.enterprise_id:
        raise NotFound("未找到该备案。")
    data = filing_data_of(filing)
    source_key = f"F{filing.id:08d}"
    copy = create_filing(session, actor, data)
    with unit_of_work(session):
        instance = cases.locked(session, copy.instance_id, "未找到该备案。")
        audit(session, instance, actor, "copy", status_before=instance.status, comment=f"复制自备案 {source_key}")
    return copy


def delete_draft(session: Session, actor: Actor, filing_id: int) -> list[str | None]:
    """Delete a draft that was never submitted, with its case and history (Conflict for anything else:
    a submitted filing is a record). Returns the stored files to discard once committed."""
    with unit_of_work(session):
        filing = get_filing(session, actor, filing_id)
        if actor.role != "enterprise" or filing.enterprise_id != actor.enterprise_id:
            raise NotFound("未找到该备案。")
        instance = cases.locked(session, filing.instance_id, "未找到该备案。")
        if instance.status != "draft" or filing.submitted_at is not None:
            raise Conflict("只有从未提交的草稿可以删除；已提交的备案可以撤回。")
        names = [n for a in filing.attachments for n in (a.stored_name, a.thumb_name)]
        instance_id = instance.id
        # Its case history goes with it: the security log keeps that it existed and who deleted it.
        log.record_actor(session, actor, "draft_delete", f"filing:{filing.id}", {
            "business_key": instance.business_key, "title": instance.title, "trainees": len(filing.trainees),
            "attachments": len(filing.attachments)})
        session.delete(filing)
        session.flush()
        session.execute(delete(TaskIndex).where(TaskIndex.instance_id == instance_id))
        session.execute(delete(AuditEvent).where(AuditEvent.instance_id == instance_id))
        session.execute(delete(Notification).where(Notification.instance_id == instance_id))
        session.delete(instance)
    return names
