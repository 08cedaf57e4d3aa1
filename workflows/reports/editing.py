"""The district writes its report: the editing guards (own report, task ready, instance locked), the
experience summary, and typical cases with their files (add, update, attach, delete, remove a file).
Every use case is one unit of work; files refused or left over by a failed unit of work are deleted.

"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from workflows import cases
from workflows.cases import audit, unit_of_work
from workflows.catalogue import reads as catalogue_reads
from workflows.clock import now
from workflows.dto import Actor
from workflows.errors import Conflict, NotFound, ValidationFailed
from workflows.models import WorkflowInstance
from workflows.models.filing import APPRENTICESHIP_TYPES
from workflows.models.report_models import PublicityItem, ReportAttachment, ReportCase, SemiannualReport
from workflows.reports.config import MAX_CASES, MAX_FILES_PER_CASE
from workflows.reports.files import Incoming, attachment_row, discard_stored, receive_all, refusal
from workflows.reports.queries import edit_task, get_report
from workflows.uploads import formats as upload_formats
from workflows.uploads import storage as uploads


@dataclass
class CaseData:
    """A typical case as the district enters it."""

    title: str = ""
    enterprise_name: str = ""
    occupation_code: str = ""
    apprenticeship_type: str = "enterprise_apprentice"
    narrative: str = ""


def lock_editable(session: Session, actor: Actor, report_id: int) -> tuple[SemiannualReport, WorkflowInstance]:
    """The district's own report, its instance locked, while the district's task is ready."""
    if actor.role != "district":
        raise NotFound("未找到该报告。")
    report = get_report(session, actor, report_id)
    instance = cases.locked(session, report.instance_id, "未找到该报告。")
    if edit_task(session, instance.id) is None:
        raise Conflict("报告已报送，当前不能修改。")
    return report, instance


def precheck_editable(session: Session, actor: Actor, report_id: int) -> None:
    """Scope and state, checked before any file is received (no lock held while files are copied)."""
    if actor.role != "district":
        raise NotFound("未找到该报告。")
    report = get_report(session, actor, report_id)
    ready = edit_task(session, report.instance_id) is not None
    session.rollback()
    if not ready:
        raise Conflict("报告已报送，当前不能修改。")


def touch_instance(instance: WorkflowInstance) -> None:
    """Mark the case changed."""
    instance.updated_at = now()  # bumps the version: concurrent edits conflict instead of interleaving


def clean_text(text: str | None, limit: int) -> str:
    """Stripped and cut to ``limit`` characters."""
    return (text or "").strip()[:limit]


def save_summary(session: Session, actor: Actor, report_id: int, summary: str) -> SemiannualReport:
    """Save the experience summary (paragraphs) of a report being written or revised."""
    summary = (summary or "").strip()
    if len(summary) > 20000:
        raise ValidationFailed("经验总结不能超过20000字。", {"summary": ["经验总结不能超过20000字。"]})
    with unit_of_work(session):
        report, instance = lock_editable(session, actor, report_id)
        report.summary = summary
        report.updated_at = now()
        touch_instance(instance)
        audit(session, instance, actor, "save", comment="保存经验总结", status_before=instance.status)
    return report


def case_errors(data: CaseData, complete: bool) -> dict[str, list[str]]:
    """Problems of a typical case by field; only the title is required until ``complete`` (submission)."""
    errors: dict[str, list[str]] = {}
    required = {"title": "案例标题", "enterprise_name": "企业名称", "occupation_code": "职业（工种）",
                "apprenticeship_type": "学徒类型", "narrative": "案例内容"}
    for name, label in required.items():
        if (complete or name == "title") and not (getattr(data, name) or "").strip():
            errors[name] = [f"请填写{label}。"]
    if data.apprenticeship_type and data.apprenticeship_type not in APPRENTICESHIP_TYPES:
        errors["apprenticeship_type"] = ["请选择有效的学徒类型。"]
    if data.occupation_code and _occupation_name(data.occupation_code) is None:
        errors["occupation_code"] = ["请从目录中选择职业（工种）。"]
    if len(data.narrative or "") > 20000:
        errors["narrative"] = ["案例内容不能超过20000字。"]
    return errors


def _occupation_name(code: str) -> str | None:


    occupation = catalogue_reads.occupations().get(code)
    return occupation.name if occupation is not None else None


def _receive(session: Session, actor: Actor, report_id: int, files: Sequence[Incoming], *, upload_dir: str,
             limits: upload_formats.UploadLimits) -> list[upload_formats.StoredUpload]:
    """A typical case's new files, checked and stored before the unit of work (the report must be editable);
    ValidationFailed naming each refused file under its field, with nothing stored."""
    precheck_editable(session, actor, report_id)
    stored, errors = receive_all(files, upload_dir=upload_dir, limits=limits)
    if errors:
        raise refusal(errors)
    return stored


def _case_in(report: SemiannualReport, case_id: int) -> ReportCase:
    case = next((c for c in report.cases if c.id == case_id), None)
    if case is None:
        raise NotFound("未找到该案例。")
    return case


def _check_room(case: ReportCase, stored: Sequence[upload_formats.StoredUpload]) -> None:
    if len(case.attachments) + len(stored) > MAX_FILES_PER_CASE:
        raise ValidationFailed(f"每个案例最多上传 {MAX_FILES_PER_CASE} 个文件。")


def save_case(session: Session, actor: Actor, report_id: int, case_id: int | None, data: CaseData,
              files: Sequence[Incoming] = (), *, upload_dir: str, limits: upload_formats.UploadLimits) -> ReportCase:
    """Add a typical case (``case_id`` None) or update one, with any new files. All or nothing: a
    refused file stores nothing (no row, no file) and ValidationFailed names it under its field."""
    errors = case_errors(data, complete=False)
    if errors:
        raise ValidationFailed("请修改标出的内容。", errors)
    stored = _receive(session, actor, report_id, files, upload_dir=upload_dir, limits=limits)
    try:
        with unit_of_work(session):
            report, instance = lock_editable(session, actor, report_id)
            if case_id is None:
                if len(report.cases) >= MAX_CASES:
                    raise ValidationFailed(f"每份报告最多 {MAX_CASES} 个典型案例。")
                case = ReportCase(report_id=report.id, seq=len(report.cases), created_at=now())
                report.cases.append(case)
            else:
                case = _case_in(report, case_id)
            _check_room(case, stored)
            case.title = clean_text(data.title, 200)
            case.enterprise_name = clean_text(data.enterprise_name, 200)
            case.occupation_code = clean_text(data.occupation_code, 20)
            case.occupation_name = _occupation_name(case.occupation_code) or ""
            case.apprenticeship_type = data.apprenticeship_type or "enterprise_apprentice"
            case.narrative = (data.narrative or "").strip()
            case.updated_at = now()
            for item in stored:
                case.attachments.append(attachment_row(report, item, actor))
            report.updated_at = now()
            touch_instance(instance)
            names = "、".join(s.original_name for s in stored)
            audit(session, instance, actor, "save_case", status_before=instance.status,
                  comment=f"{'新增' if case_id is None else '修改'}典型案例“{case.title}”"
                          + (f"，上传：{names}" if names else ""))
    except BaseException:
        discard_stored(upload_dir, stored)
        raise
    return case


def add_case_files(session: Session, actor: Actor, report_id: int, case_id: int, files: Sequence[Incoming], *,
                   upload_dir: str, limits: upload_formats.UploadLimits) -> ReportCase:
    """Attach files to a typical case without touching its text (the API's upload endpoint). Same checks
    and limits as ``save_case``, all or nothing."""
    if not files:
        raise ValidationFailed("请选择要上传的文件。", {"files": ["请选择要上传的文件。"]})
    stored = _receive(session, actor, report_id, files, upload_dir=upload_dir, limits=limits)
    try:
        with unit_of_work(session):
            report, instance = lock_editable(session, actor, report_id)
            case = _case_in(report, case_id)
            _check_room(case, stored)
            for item in stored:
                case.attachments.append(attachment_row(report, item, actor))
            case.updated_at = now()
            report.updated_at = now()
            touch_instance(instance)
            names = "、".join(s.original_name for s in stored)
            audit(session, instance, actor, "save_case", status_before=instance.status,
                  comment=f"典型案例“{case.title}”上传：{names}")
    except BaseException:
        discard_stored(upload_dir, stored)
        raise
    return case


def delete_case(session: Session, actor: Actor, case_id: int, *, upload_dir: str) -> None:
    """Delete a case that has never been submitted, with its files."""
    case = session.get(ReportCase, case_id)
    if case is None:
        raise NotFound("未找到该案例。")
    delete_unsubmitted(session, actor, case, lambda report: report.cases, what="典型案例",
                       locked="该案例已随报告报送，不能删除。", action="delete_case", upload_dir=upload_dir)


def delete_unsubmitted(session: Session, actor: Actor, entry: ReportCase | PublicityItem,
                       siblings: Callable[[SemiannualReport], list[Any]], *, what: str, locked: str, action: str,
                       upload_dir: str) -> None:
    """Delete a typical case or publicity item (``entry``, one of ``siblings(report)``) that has never been
    submitted (Conflict ``locked`` otherwise), with its files; the others are renumbered."""
    names: list[str | None] = []
    with unit_of_work(session):
        report, instance = lock_editable(session, actor, entry.report_id)
        if entry.locked:
            raise Conflict(locked)
        names = [n for a in entry.attachments for n in (a.stored_name, a.thumb_name)]
        entries = siblings(report)
        entries.remove(entry)
        for i, other in enumerate(entries):
            other.seq = i
        touch_instance(instance)
        audit(session, instance, actor, action, comment=f"删除{what}“{entry.title}”",
              status_before=instance.status)
    uploads.discard(upload_dir, names)


def remove_attachment(session: Session, actor: Actor, attachment_id: int, *, upload_dir: str) -> None:
    """Remove a file from a draft. Files submitted once stay with the case for good (Conflict)."""
    attachment = session.get(ReportAttachment, attachment_id)
    if attachment is None:
        raise NotFound("未找到该文件。")
    with unit_of_work(session):
        report, instance = lock_editable(session, actor, attachment.report_id)
        if attachment.locked:
            raise Conflict("该文件已随报告报送，不能删除。")
        names = [attachment.stored_name, attachment.thumb_name]
        label = attachment.original_name
        session.delete(attachment)
        touch_instance(instance)
        audit(session, instance, actor, "remove_file", comment=f"删除文件：{label}", status_before=instance.status)
    uploads.discard(upload_dir, names)
