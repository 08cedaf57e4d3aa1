"""Handing a semiannual report over and back: the district submits (everything submitted is locked), the
city accepts it (已接收) or asks for more, urges a district, and marks accepted cases 优秀案例.

"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows import deadlines
from workflows.cases import advance, audit, complete_task, refuse_unless_assignee, unit_of_work
from workflows.clock import now
from workflows.dto import Actor
from workflows.errors import Conflict, NotFound, ValidationFailed
from workflows.models import TaskIndex, WorkflowInstance
from workflows.models.report_models import ReportCase, SemiannualReport
from workflows.reports.config import ACCEPT_FORM
from workflows.reports.editing import CaseData, case_errors, lock_editable
from workflows.reports.queries import edit_task, get_report, is_accepted


def submit_errors(report: SemiannualReport) -> dict[str, list[str]]:
    """What stops a report from being submitted, by field."""
    errors: dict[str, list[str]] = {}
    if not report.summary.strip():
        errors["summary"] = ["请填写经验总结。"]
    if not report.cases:
        errors["cases"] = ["请至少添加一个典型案例。"]
    for case in report.cases:
        problems = case_errors(CaseData(case.title, case.enterprise_name, case.occupation_code,
                                         case.apprenticeship_type, case.narrative), complete=True)
        if problems:
            labels = "、".join(m[0].removeprefix("请填写").removeprefix("请").rstrip("。") for m in problems.values())
            errors.setdefault("cases", []).append(f"典型案例“{case.title or '未命名'}”还缺少：{labels}。")
    return errors


def submit_report(session: Session, actor: Actor, report_id: int) -> SemiannualReport:
    """Submit (or, after an ask-for-more, resubmit) the report to the city. From then on everything
    submitted is kept: cases, publicity items and files are locked."""
    with unit_of_work(session):
        report, instance = lock_editable(session, actor, report_id)
        errors = submit_errors(report)
        if errors:
            raise ValidationFailed("报告还不完整，请补充标出的内容后再报送。", errors)
        task = edit_task(session, instance.id)
        if task is None:
            raise Conflict("报告当前不能报送。")
        refuse_unless_assignee(session, actor, task)  # claimed by a colleague: theirs to submit
        resubmit = instance.status == "returned"
        for case in report.cases:
            case.locked = True
            for attachment in case.attachments:
                attachment.locked = True
        for item in report.publicity:
            item.locked = True
            for attachment in item.attachments:
                attachment.locked = True
        report.submitted_at = now()
        report.submissions = (report.submissions or 0) + 1
        advance(session, actor, instance, task.task_id, {"decision": "", "comment": ""},
                "resubmit" if resubmit else "submit", "补充后重新报送" if resubmit else "报送半年报告")
    return report


# --------------------------------------------------------------------------------------------------
# The city


def review_report(session: Session, actor: Actor, report_id: int, decision: str, comment: str = ""
                  ) -> SemiannualReport:
    """The city accepts the report (已接收) or asks for more with a comment (back to the district)."""
    report = get_report(session, actor, report_id)
    task_id = session.scalar(select(TaskIndex.task_id).where(
        TaskIndex.instance_id == report.instance_id, TaskIndex.form_key == ACCEPT_FORM))
    if task_id is None:
        if actor.role != "city":
            raise NotFound("未找到该任务。")
        raise Conflict("该报告当前不在市中心接收环节。")
    complete_task(session, actor, task_id, decision, comment)
    return report


def urge_report(session: Session, actor: Actor, report_id: int, message: str) -> WorkflowInstance:
    """催办: the city sends the district a reminder message through the diagram."""
    report = get_report(session, actor, report_id)
    return deadlines.urge(session, actor, report.instance_id, message)  # type: ignore[arg-type]


def mark_excellent(session: Session, actor: Actor, case_id: int, excellent: bool = True) -> ReportCase:
    """City staff mark (or unmark) an accepted case as 优秀案例."""
    if actor.role != "city":
        raise NotFound("未找到该案例。")
    with unit_of_work(session):
        case = session.get(ReportCase, case_id)
        if case is None or not is_accepted(session, case.report):
            raise NotFound("未找到该案例。")
        instance = session.get(WorkflowInstance, case.report.instance_id)
        assert instance is not None
        case.excellent = bool(excellent)
        case.excellent_by = actor.id if excellent else None
        case.excellent_at = now() if excellent else None
        audit(session, instance, actor, "excellent" if excellent else "unexcellent",
              comment=f"{'标记' if excellent else '取消'}优秀案例“{case.title}”", status_before=instance.status)
    return case
