"""Use cases of the semiannual experience report (半年经验总结报告, SPEC R10) and its typical-case gallery.

* One case per district per half-year (kind ``semiannual_report``, business key ``440112-2027H1``),
  opened by the period opener when the half-year ends (``service.tick`` with ``open_periods``); the
  diagram ``bpmn/semiannual_report.bpmn`` computes the due date (day ``due_day`` of the following month),
  sends the reminder, the overdue escalation and urges through ``notify_role`` like quarterly plans.
* The district writes the summary, typical cases (with pictures, videos, documents) and publicity items
  while its task is ready (状态 compiling / returned), then submits; the city accepts (已接收) or asks for
  more with a comment, any number of rounds. Accepted cases form the gallery; the city marks 优秀案例.
* Files go through ``workflows.uploads`` before the database is touched; if anything is refused or the
  unit of work fails, every file written for the request is deleted again. Whatever has been submitted
  once (``locked``) can no longer be removed.

Re-exported by ``workflows.service``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO
from urllib.parse import urlsplit

from sqlalchemy import Select, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from workflows import bindings, deadlines, runner, store, uploads
from workflows.dto import Actor
from workflows.engine import frozen_now, get_engine, now, script_services
from workflows.models import AuditEvent, District, Notification, TaskIndex, WorkflowInstance
from workflows.models.filing import APPRENTICESHIP_TYPES
from workflows.models.org import DISTRICTS
from workflows.models.report_models import (
    HALF_LABELS,
    PublicityItem,
    ReportAttachment,
    ReportCase,
    SemiannualReport,
)
from workflows.service import (
    DECISIONS,
    Conflict,
    NotFound,
    ValidationFailed,
    advance,
    audit,
    complete_task,
    unit_of_work,
)

KIND = "semiannual_report"
PROCESS_ID = "semiannual_report"
EDITABLE = ("compiling", "returned")

# Plan/report statuses (SPEC section 6); a report's 'recorded' reads 已接收.
STATUS_LABELS: dict[str, str] = {
    "compiling": "待编制",
    "city_record": "待市备案",
    "returned": "已退回",
    "recorded": "已接收",
}

# The city's decisions on form report_accept: audit action label, comment required.
DECISIONS["report_accept"] = {"accept": ("接收", False), "more": ("要求补充", True)}

MAX_FILES_PER_CASE = 60
MAX_CASES = 100
MAX_PUBLICITY = 200


@dataclass
class ReportSettings:
    """Parameters (config REPORT_DUE_DAY, REPORT_REMINDER_DAYS), set by the web layer at start-up."""

    due_day: int = 10  # day of the month after the half-year
    reminder_days: int = 5  # reminder this many days before the due date


SETTINGS = ReportSettings()


def configure(due_day: int | None = None, reminder_days: int | None = None) -> ReportSettings:
    """Set the report parameters (called once with the app's config)."""
    if due_day is not None:
        SETTINGS.due_day = int(due_day)
    if reminder_days is not None:
        SETTINGS.reminder_days = int(reminder_days)
    return SETTINGS


@dataclass
class CaseData:
    """A typical case as the district enters it."""

    title: str = ""
    enterprise_name: str = ""
    occupation_code: str = ""
    apprenticeship_type: str = "enterprise_apprentice"
    narrative: str = ""


@dataclass
class PublicityData:
    """A publicity item: where and when it appeared, its title, and a link (or a scan uploaded with it)."""

    outlet: str = ""
    published_on: date | None = None
    title: str = ""
    link: str = ""


@dataclass(frozen=True)
class Incoming:
    """A file arriving with a request: its stream, the browser's name and claim, and the field's kind."""

    stream: IO[bytes]
    filename: str | None
    mimetype: str | None
    kind: str  # picture | video | document


# --------------------------------------------------------------------------------------------------
# Periods


def half_of(day: date) -> tuple[int, int]:
    """(year, half 1-2) of a date."""
    return day.year, 1 if day.month <= 6 else 2


def last_ended_half(at: datetime) -> tuple[int, int]:
    """The most recent half-year that has ended by ``at`` (China time)."""
    year, half = half_of(deadlines.china_today(at))
    return (year - 1, 2) if half == 1 else (year, 1)


def period_key(year: int, half: int) -> str:
    return f"{year}H{half}"


def parse_period_key(key: str) -> tuple[int, int]:
    """'2027H1' -> (2027, 1); ValueError otherwise."""
    year, sep, half = key.strip().upper().partition("H")
    y, h = int(year), int(half)
    if not sep or not (2000 <= y <= 2100 and h in (1, 2)):
        raise ValueError(key)
    return y, h


def period_label(year: int, half: int) -> str:
    return f"{year}年{HALF_LABELS[half]}"


def business_key(district_code: str, year: int, half: int) -> str:
    return f"{district_code}-{period_key(year, half)}"


def status_label(code: str) -> str:
    return STATUS_LABELS.get(code, code)


# --------------------------------------------------------------------------------------------------
# Opening


def open_report(session: Session, district_code: str, year: int, half: int,
                actor: Actor | None = None, at: datetime | None = None) -> SemiannualReport:
    """Start the report of one district and half-year (its own unit of work; ``at`` is the engine's
    clock while it starts, the tick's instant for the opener). Conflict if it exists."""
    if actor is not None and actor.role not in ("city", "admin"):
        raise NotFound("未找到该页面。")
    if half not in (1, 2) or district_code not in DISTRICTS:
        raise ValidationFailed("请选择有效的区和半年度。")
    key = business_key(district_code, year, half)
    try:
        with unit_of_work(session), frozen_now(at), script_services(bindings.for_session(session, actor)):
            if session.get(District, district_code) is None:
                raise ValidationFailed("请选择有效的区和半年度。")
            exists = session.scalars(select(WorkflowInstance.id).where(
                WorkflowInstance.kind == KIND, WorkflowInstance.business_key == key)).first()
            if exists is not None:
                raise Conflict("该区本半年度的报告已开启。")
            title = f"{DISTRICTS[district_code]}{period_label(year, half)}经验总结报告"
            report = SemiannualReport(district_code=district_code, year=year, half=half, created_at=now())
            session.add(report)
            session.flush()
            instance, _ = store.create_instance(
                session, get_engine(), kind=KIND, process_id=PROCESS_ID, business_key=key, title=title,
                district_code=district_code, enterprise_id=None,
                data={"report_id": report.id, "year": year, "half": half, "due_day": SETTINGS.due_day,
                      "reminder_days": SETTINGS.reminder_days, "kind": KIND, "business_key": key,
                      "district_code": district_code, "district_name": DISTRICTS[district_code], "title": title,
                      "decision": "", "comment": ""},
            )
            report.instance_id = instance.id
            # The diagram's "opened" notice was written before the case row existed: link it now.
            session.execute(update(Notification).where(
                Notification.instance_id.is_(None), Notification.kind == "opened",
                Notification.title == f"请编写并报送{title}").values(instance_id=instance.id, case_kind=KIND))
            audit(session, instance, actor, "open", comment="半年度结束，自动开启" if actor is None else "手动开启")
    except IntegrityError as exc:  # another process opened it at the same moment
        raise Conflict("该区本半年度的报告已开启。") from exc
    return report


@deadlines.register_opener
def open_ended_half_year(session: Session, at: datetime) -> int:
    """Opener for ``service.tick``: make sure every district has a report for the half-year that ended
    last before ``at``. Idempotent and safe with several tick processes (unique business key)."""
    year, half = last_ended_half(at)
    keys = {business_key(code, year, half): code for code in session.scalars(select(District.code))}
    if not keys:
        return 0
    existing = set(session.scalars(select(WorkflowInstance.business_key).where(
        WorkflowInstance.kind == KIND, WorkflowInstance.business_key.in_(list(keys)))))
    opened = 0
    for key, code in sorted(keys.items()):
        if key in existing:
            continue
        try:
            open_report(session, code, year, half, at=at)
        except Conflict:
            continue
        opened += 1
    return opened


# --------------------------------------------------------------------------------------------------
# Reading


def scope_reports(stmt: Select, actor: Actor) -> Select:
    """Restrict a query joined to SemiannualReport: a district sees its own, the city everything."""
    if actor.role in ("city", "admin"):
        return stmt
    if actor.role == "district" and actor.district_code:
        return stmt.where(SemiannualReport.district_code == actor.district_code)
    return stmt.where(SemiannualReport.id.is_(None))


@dataclass
class ReportRow:
    report: SemiannualReport
    instance: WorkflowInstance
    overdue: bool

    @property
    def status_label(self) -> str:
        return status_label(self.instance.status)

    @property
    def district_name(self) -> str:
        return DISTRICTS.get(self.report.district_code, self.report.district_code)


def list_reports(session: Session, actor: Actor, *, district: str | None = None, status: str | None = None,
                 period: str | None = None, overdue_only: bool = False) -> list[ReportRow]:
    """Reports in scope, newest half-year first, each with its 已逾期 flag."""
    if actor.role not in ("district", "city", "admin"):
        raise NotFound("未找到该页面。")
    stmt = scope_reports(select(SemiannualReport, WorkflowInstance).join(
        WorkflowInstance, SemiannualReport.instance_id == WorkflowInstance.id), actor)
    if district:
        stmt = stmt.where(SemiannualReport.district_code == district)
    if status:
        stmt = stmt.where(WorkflowInstance.status == status)
    if period:
        try:
            year, half = parse_period_key(period)
        except ValueError:
            year, half = 0, 0
        stmt = stmt.where(SemiannualReport.year == year, SemiannualReport.half == half)
    stmt = stmt.order_by(SemiannualReport.year.desc(), SemiannualReport.half.desc(),
                         SemiannualReport.district_code)
    at = now()
    rows = [ReportRow(r, i, deadlines.is_overdue(i, at)) for r, i in session.execute(stmt).tuples()]
    return [r for r in rows if r.overdue] if overdue_only else rows


@dataclass
class ReportFilters:
    """Filters of the report list (API): any combination; None means any."""

    year: int | None = None
    half: int | None = None
    district: str | None = None
    status: str | None = None


def find_reports(session: Session, actor: Actor, filters: ReportFilters, page: int = 1, per_page: int = 20
                 ) -> tuple[list[ReportRow], int]:
    """Reports in scope, newest half-year first, filtered and paged: (rows of one page, total)."""
    if actor.role not in ("district", "city", "admin"):
        raise NotFound("未找到该页面。")
    stmt = scope_reports(select(SemiannualReport, WorkflowInstance).join(
        WorkflowInstance, SemiannualReport.instance_id == WorkflowInstance.id), actor)
    if filters.year is not None:
        stmt = stmt.where(SemiannualReport.year == filters.year)
    if filters.half is not None:
        stmt = stmt.where(SemiannualReport.half == filters.half)
    if filters.district:
        stmt = stmt.where(SemiannualReport.district_code == filters.district)
    if filters.status:
        stmt = stmt.where(WorkflowInstance.status == filters.status)
    total = int(session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0)
    at = now()
    rows = session.execute(stmt.order_by(SemiannualReport.year.desc(), SemiannualReport.half.desc(),
                                         SemiannualReport.district_code)
                           .offset(max(page - 1, 0) * per_page).limit(per_page)).tuples()
    return [ReportRow(r, i, deadlines.is_overdue(i, at)) for r, i in rows], total


def get_report(session: Session, actor: Actor, report_id: int) -> SemiannualReport:
    """A report in scope, or NotFound (also for someone else's)."""
    report = session.scalars(scope_reports(
        select(SemiannualReport).where(SemiannualReport.id == report_id), actor)).first()
    if report is None or report.instance_id is None:
        raise NotFound("未找到该报告。")
    return report


def report_for_case(session: Session, actor: Actor, instance_id: int) -> SemiannualReport:
    """The report behind a workflow instance (notification links), in scope."""
    report = session.scalars(scope_reports(
        select(SemiannualReport).where(SemiannualReport.instance_id == instance_id), actor)).first()
    if report is None:
        raise NotFound("未找到该报告。")
    return report


@dataclass
class ReportView:
    """Everything the report pages show."""

    report: SemiannualReport
    instance: WorkflowInstance
    overdue: bool
    can_edit: bool
    can_review: bool
    can_urge: bool
    review_task_id: str | None
    history: list[AuditEvent]
    last_request: AuditEvent | None  # the city's latest ask-for-more, shown while the district revises
    current_ids: list[str] = field(default_factory=list)
    done_ids: list[str] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return status_label(self.instance.status)

    @property
    def district_name(self) -> str:
        return DISTRICTS.get(self.report.district_code, self.report.district_code)


def report_view(session: Session, actor: Actor, report_id: int, with_diagram: bool = False) -> ReportView:
    report = get_report(session, actor, report_id)
    instance = session.get(WorkflowInstance, report.instance_id)
    assert instance is not None
    tasks = list(session.scalars(select(TaskIndex).where(TaskIndex.instance_id == instance.id)))
    edit_task = next((t for t in tasks if t.form_key == "report_edit"), None)
    review_task = next((t for t in tasks if t.form_key == "report_accept"), None)
    events = list(session.scalars(select(AuditEvent).where(AuditEvent.instance_id == instance.id)
                                  .order_by(AuditEvent.id)))
    last_request = next((e for e in reversed(events) if e.action == "more"), None)
    view = ReportView(
        report=report, instance=instance, overdue=deadlines.is_overdue(instance),
        can_edit=edit_task is not None and actor.role == "district"
        and actor.district_code == report.district_code,
        can_review=review_task is not None and actor.role == "city",
        can_urge=deadlines.can_urge(session, actor, instance),
        review_task_id=review_task.task_id if review_task is not None else None,
        history=events, last_request=last_request if instance.status == "returned" else None,
    )
    if with_diagram:
        workflow = store.load_workflow(get_engine(), instance)
        view.current_ids, view.done_ids = runner.element_states(workflow)
    return view


def diagram_xml(session: Session, actor: Actor, report_id: int) -> str:
    """The BPMN XML of the spec version this report runs on (scoped like the report)."""
    report = get_report(session, actor, report_id)
    instance = session.get(WorkflowInstance, report.instance_id)
    assert instance is not None
    return instance.spec_version.bpmn_xml


def _lock_editable(session: Session, actor: Actor, report_id: int) -> tuple[SemiannualReport, WorkflowInstance]:
    """The district's own report, its instance locked, while the district's task is ready."""
    if actor.role != "district":
        raise NotFound("未找到该报告。")
    report = get_report(session, actor, report_id)
    instance = store.lock_instance(session, report.instance_id)  # type: ignore[arg-type]
    if instance is None:
        raise NotFound("未找到该报告。")
    if instance.status not in EDITABLE:
        raise Conflict("报告已报送，当前不能修改。")
    return report, instance


def _precheck_editable(session: Session, actor: Actor, report_id: int) -> None:
    """Scope and state, checked before any file is received (no lock held while files are copied)."""
    if actor.role != "district":
        raise NotFound("未找到该报告。")
    report = get_report(session, actor, report_id)
    status = session.scalar(select(WorkflowInstance.status).where(WorkflowInstance.id == report.instance_id))
    session.rollback()
    if status not in EDITABLE:
        raise Conflict("报告已报送，当前不能修改。")


def _touch(instance: WorkflowInstance) -> None:
    instance.updated_at = now()  # bumps the version: concurrent edits conflict instead of interleaving


# --------------------------------------------------------------------------------------------------
# Files


def _receive_all(files: Sequence[Incoming], *, upload_dir: str, limits: uploads.UploadLimits
                 ) -> tuple[list[uploads.StoredUpload], dict[str, list[str]]]:
    """Receive every file; on any refusal delete what was stored and return the messages by field."""
    stored: list[uploads.StoredUpload] = []
    errors: dict[str, list[str]] = {}
    try:
        for item in files:
            try:
                stored.append(uploads.receive(item.stream, item.filename, item.kind, upload_dir=upload_dir,
                                              limits=limits, claimed_mime=item.mimetype))
            except uploads.UploadRefused as exc:
                errors.setdefault(_FILE_FIELDS.get(item.kind, "files"), []).append(exc.message)
    except BaseException:
        _discard(upload_dir, stored)
        raise
    if errors:
        _discard(upload_dir, stored)
        stored = []
    return stored, errors


_FILE_FIELDS = {"picture": "pictures", "video": "videos", "document": "documents"}


def _discard(upload_dir: str, stored: Sequence[uploads.StoredUpload]) -> None:
    uploads.discard(upload_dir, [n for s in stored for n in (s.stored_name, s.thumb_name)])


def _attachment(report: SemiannualReport, item: uploads.StoredUpload, actor: Actor) -> ReportAttachment:
    return ReportAttachment(
        report_id=report.id, kind=item.kind, format=item.format, mime=item.mime, stored_name=item.stored_name,
        thumb_name=item.thumb_name, original_name=item.original_name, size_bytes=item.size, sha256=item.sha256,
        width=item.width, height=item.height, uploaded_by=actor.id, created_at=now())


def _refused(errors: dict[str, list[str]]) -> ValidationFailed:
    first = next(iter(errors.values()))[0]
    more = sum(len(v) for v in errors.values()) - 1
    extra = f"另有 {more} 个文件未通过检查。" if more else ""
    return ValidationFailed(f"{first}{extra}本次未保存任何内容，请更换文件后重试。", errors)


# --------------------------------------------------------------------------------------------------
# Editing (district)


def _clean(text: str | None, limit: int) -> str:
    return (text or "").strip()[:limit]


def save_summary(session: Session, actor: Actor, report_id: int, summary: str) -> SemiannualReport:
    """Save the experience summary (paragraphs) of a report being written or revised."""
    summary = (summary or "").strip()
    if len(summary) > 20000:
        raise ValidationFailed("经验总结不能超过20000字。", {"summary": ["经验总结不能超过20000字。"]})
    with unit_of_work(session):
        report, instance = _lock_editable(session, actor, report_id)
        report.summary = summary
        report.updated_at = now()
        _touch(instance)
        audit(session, instance, actor, "save", comment="保存经验总结", status_before=instance.status)
    return report


def _case_errors(data: CaseData, complete: bool) -> dict[str, list[str]]:
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
    from workflows import catalogue

    occupation = catalogue.occupations().get(code)
    return occupation.name if occupation is not None else None


def save_case(session: Session, actor: Actor, report_id: int, case_id: int | None, data: CaseData,
              files: Sequence[Incoming] = (), *, upload_dir: str, limits: uploads.UploadLimits) -> ReportCase:
    """Add a typical case (``case_id`` None) or update one, with any new files. All or nothing: a
    refused file stores nothing (no row, no file) and ValidationFailed names it under its field."""
    errors = _case_errors(data, complete=False)
    if errors:
        raise ValidationFailed("请修改标出的内容。", errors)
    _precheck_editable(session, actor, report_id)
    stored, errors = _receive_all(files, upload_dir=upload_dir, limits=limits)
    if errors:
        raise _refused(errors)
    try:
        with unit_of_work(session):
            report, instance = _lock_editable(session, actor, report_id)
            if case_id is None:
                if len(report.cases) >= MAX_CASES:
                    raise ValidationFailed(f"每份报告最多 {MAX_CASES} 个典型案例。")
                case = ReportCase(report_id=report.id, seq=len(report.cases), created_at=now())
                report.cases.append(case)
            else:
                found = next((c for c in report.cases if c.id == case_id), None)
                if found is None:
                    raise NotFound("未找到该案例。")
                case = found
            if len(case.attachments) + len(stored) > MAX_FILES_PER_CASE:
                raise ValidationFailed(f"每个案例最多上传 {MAX_FILES_PER_CASE} 个文件。")
            case.title = _clean(data.title, 200)
            case.enterprise_name = _clean(data.enterprise_name, 200)
            case.occupation_code = _clean(data.occupation_code, 20)
            case.occupation_name = _occupation_name(case.occupation_code) or ""
            case.apprenticeship_type = data.apprenticeship_type or "enterprise_apprentice"
            case.narrative = (data.narrative or "").strip()
            case.updated_at = now()
            for item in stored:
                case.attachments.append(_attachment(report, item, actor))
            report.updated_at = now()
            _touch(instance)
            names = "、".join(s.original_name for s in stored)
            audit(session, instance, actor, "save_case", status_before=instance.status,
                  comment=f"{'新增' if case_id is None else '修改'}典型案例“{case.title}”"
                          + (f"，上传：{names}" if names else ""))
    except BaseException:
        _discard(upload_dir, stored)
        raise
    return case


def add_case_files(session: Session, actor: Actor, report_id: int, case_id: int, files: Sequence[Incoming], *,
                   upload_dir: str, limits: uploads.UploadLimits) -> ReportCase:
    """Attach files to a typical case without touching its text (the API's upload endpoint). Same checks
    and limits as ``save_case``, all or nothing."""
    if not files:
        raise ValidationFailed("请选择要上传的文件。", {"files": ["请选择要上传的文件。"]})
    _precheck_editable(session, actor, report_id)
    stored, errors = _receive_all(files, upload_dir=upload_dir, limits=limits)
    if errors:
        raise _refused(errors)
    try:
        with unit_of_work(session):
            report, instance = _lock_editable(session, actor, report_id)
            case = next((c for c in report.cases if c.id == case_id), None)
            if case is None:
                raise NotFound("未找到该案例。")
            if len(case.attachments) + len(stored) > MAX_FILES_PER_CASE:
                raise ValidationFailed(f"每个案例最多上传 {MAX_FILES_PER_CASE} 个文件。")
            for item in stored:
                case.attachments.append(_attachment(report, item, actor))
            case.updated_at = now()
            report.updated_at = now()
            _touch(instance)
            names = "、".join(s.original_name for s in stored)
            audit(session, instance, actor, "save_case", status_before=instance.status,
                  comment=f"典型案例“{case.title}”上传：{names}")
    except BaseException:
        _discard(upload_dir, stored)
        raise
    return case


def get_case(session: Session, actor: Actor, case_id: int) -> ReportCase:
    """A typical case in scope: the own district's any time; others' only in the gallery."""
    case = session.get(ReportCase, case_id)
    if case is None:
        raise NotFound("未找到该案例。")
    report = case.report
    if actor.role in ("city", "admin") or (actor.role == "district" and report.district_code == actor.district_code):
        return case
    if actor.role == "district" and _accepted(session, report):
        return case
    raise NotFound("未找到该案例。")


def _accepted(session: Session, report: SemiannualReport) -> bool:
    status = session.scalar(select(WorkflowInstance.status).where(WorkflowInstance.id == report.instance_id))
    return status == "recorded"


def delete_case(session: Session, actor: Actor, case_id: int, *, upload_dir: str) -> None:
    """Delete a case that has never been submitted, with its files."""
    case = session.get(ReportCase, case_id)
    if case is None:
        raise NotFound("未找到该案例。")
    names: list[str | None] = []
    with unit_of_work(session):
        report, instance = _lock_editable(session, actor, case.report_id)
        if case.locked:
            raise Conflict("该案例已随报告报送，不能删除。")
        names = [n for a in case.attachments for n in (a.stored_name, a.thumb_name)]
        report.cases.remove(case)
        for i, other in enumerate(report.cases):
            other.seq = i
        _touch(instance)
        audit(session, instance, actor, "delete_case", comment=f"删除典型案例“{case.title}”",
              status_before=instance.status)
    uploads.discard(upload_dir, names)


def remove_attachment(session: Session, actor: Actor, attachment_id: int, *, upload_dir: str) -> None:
    """Remove a file from a draft. Files submitted once stay with the case for good (Conflict)."""
    attachment = session.get(ReportAttachment, attachment_id)
    if attachment is None:
        raise NotFound("未找到该文件。")
    with unit_of_work(session):
        report, instance = _lock_editable(session, actor, attachment.report_id)
        if attachment.locked:
            raise Conflict("该文件已随报告报送，不能删除。")
        names = [attachment.stored_name, attachment.thumb_name]
        label = attachment.original_name
        session.delete(attachment)
        _touch(instance)
        audit(session, instance, actor, "remove_file", comment=f"删除文件：{label}", status_before=instance.status)
    uploads.discard(upload_dir, names)


def _publicity_errors(data: PublicityData, has_scan: bool) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not data.outlet.strip():
        errors["outlet"] = ["请填写媒体或平台名称。"]
    if not data.title.strip():
        errors["title"] = ["请填写报道标题。"]
    if data.published_on is None:
        errors["published_on"] = ["请填写发布日期。"]
    elif data.published_on > deadlines.china_today():
        errors["published_on"] = ["发布日期不能晚于今天。"]
    link = data.link.strip()
    if link:
        parts = urlsplit(link)
        if parts.scheme not in ("http", "https") or not parts.netloc or len(link) > 1000:
            errors["link"] = ["链接须以 http:// 或 https:// 开头。"]
    elif not has_scan:
        errors["link"] = ["请填写报道链接，或上传报道扫描件。"]
    return errors


def add_publicity(session: Session, actor: Actor, report_id: int, data: PublicityData,
                  scan: Incoming | None = None, *, upload_dir: str, limits: uploads.UploadLimits
                  ) -> PublicityItem:
    """Add a publicity item with a link or a scan (a picture or a PDF)."""
    errors = _publicity_errors(data, scan is not None)
    if errors:
        raise ValidationFailed("请修改标出的内容。", errors)
    _precheck_editable(session, actor, report_id)
    stored: list[uploads.StoredUpload] = []
    if scan is not None:
        stored, errors = _receive_all([scan], upload_dir=upload_dir, limits=limits)
        if errors:
            raise _refused({"scan": [m for v in errors.values() for m in v]})
    try:
        with unit_of_work(session):
            report, instance = _lock_editable(session, actor, report_id)
            if len(report.publicity) >= MAX_PUBLICITY:
                raise ValidationFailed(f"每份报告最多 {MAX_PUBLICITY} 条宣传报道。")
            item = PublicityItem(report_id=report.id, seq=len(report.publicity), outlet=_clean(data.outlet, 200),
                                 published_on=data.published_on, title=_clean(data.title, 300),
                                 link=data.link.strip(), created_at=now())
            report.publicity.append(item)
            for s in stored:
                item.attachments.append(_attachment(report, s, actor))
            _touch(instance)
            audit(session, instance, actor, "add_publicity", comment=f"新增宣传报道“{item.title}”",
                  status_before=instance.status)
    except BaseException:
        _discard(upload_dir, stored)
        raise
    return item


def delete_publicity(session: Session, actor: Actor, item_id: int, *, upload_dir: str) -> None:
    """Delete a publicity item that has never been submitted."""
    item = session.get(PublicityItem, item_id)
    if item is None:
        raise NotFound("未找到该宣传报道。")
    with unit_of_work(session):
        report, instance = _lock_editable(session, actor, item.report_id)
        if item.locked:
            raise Conflict("该宣传报道已随报告报送，不能删除。")
        names = [n for a in item.attachments for n in (a.stored_name, a.thumb_name)]
        report.publicity.remove(item)
        for i, other in enumerate(report.publicity):
            other.seq = i
        _touch(instance)
        audit(session, instance, actor, "delete_publicity", comment=f"删除宣传报道“{item.title}”",
              status_before=instance.status)
    uploads.discard(upload_dir, names)


def submit_errors(report: SemiannualReport) -> dict[str, list[str]]:
    """What stops a report from being submitted, by field."""
    errors: dict[str, list[str]] = {}
    if not report.summary.strip():
        errors["summary"] = ["请填写经验总结。"]
    if not report.cases:
        errors["cases"] = ["请至少添加一个典型案例。"]
    for case in report.cases:
        problems = _case_errors(CaseData(case.title, case.enterprise_name, case.occupation_code,
                                         case.apprenticeship_type, case.narrative), complete=True)
        if problems:
            labels = "、".join(m[0].removeprefix("请填写").removeprefix("请").rstrip("。") for m in problems.values())
            errors.setdefault("cases", []).append(f"典型案例“{case.title or '未命名'}”还缺少：{labels}。")
    return errors


def submit_report(session: Session, actor: Actor, report_id: int) -> SemiannualReport:
    """Submit (or, after an ask-for-more, resubmit) the report to the city. From then on everything
    submitted is kept: cases, publicity items and files are locked."""
    with unit_of_work(session):
        report, instance = _lock_editable(session, actor, report_id)
        errors = submit_errors(report)
        if errors:
            raise ValidationFailed("报告还不完整，请补充标出的内容后再报送。", errors)
        task = session.scalars(select(TaskIndex).where(
            TaskIndex.instance_id == instance.id, TaskIndex.form_key == "report_edit")).first()
        if task is None:
            raise Conflict("报告当前不能报送。")
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
        TaskIndex.instance_id == report.instance_id, TaskIndex.form_key == "report_accept"))
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
        if case is None or not _accepted(session, case.report):
            raise NotFound("未找到该案例。")
        instance = session.get(WorkflowInstance, case.report.instance_id)
        assert instance is not None
        case.excellent = bool(excellent)
        case.excellent_by = actor.id if excellent else None
        case.excellent_at = now() if excellent else None
        audit(session, instance, actor, "excellent" if excellent else "unexcellent",
              comment=f"{'标记' if excellent else '取消'}优秀案例“{case.title}”", status_before=instance.status)
    return case


# --------------------------------------------------------------------------------------------------
# Gallery


@dataclass
class GalleryFilters:
    district: str | None = None
    occupation: str | None = None
    apprenticeship_type: str | None = None
    period: str | None = None  # '2027H1'
    excellent_only: bool = False


@dataclass
class GalleryOptions:
    """Choices for the gallery filters: only values that occur among accepted cases."""

    occupations: list[tuple[str, str]]
    periods: list[tuple[str, str]]


def _accepted_cases() -> Select:
    return (select(ReportCase)
            .join(SemiannualReport, ReportCase.report_id == SemiannualReport.id)
            .join(WorkflowInstance, SemiannualReport.instance_id == WorkflowInstance.id)
            .where(WorkflowInstance.kind == KIND, WorkflowInstance.status == "recorded"))


def gallery(session: Session, actor: Actor, filters: GalleryFilters, page: int = 1, per_page: int = 24
            ) -> tuple[list[ReportCase], int]:
    """Typical cases of accepted reports, city-wide, 优秀案例 first: (one page, total)."""
    if actor.role not in ("district", "city", "admin"):
        raise NotFound("未找到该页面。")
    stmt = _accepted_cases()
    if filters.district:
        stmt = stmt.where(SemiannualReport.district_code == filters.district)
    if filters.occupation:
        stmt = stmt.where(ReportCase.occupation_code == filters.occupation)
    if filters.apprenticeship_type:
        stmt = stmt.where(ReportCase.apprenticeship_type == filters.apprenticeship_type)
    if filters.period:
        try:
            year, half = parse_period_key(filters.period)
        except ValueError:
            year, half = 0, 0
        stmt = stmt.where(SemiannualReport.year == year, SemiannualReport.half == half)
    if filters.excellent_only:
        stmt = stmt.where(ReportCase.excellent.is_(True))
    total = int(session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0)
    rows = list(session.scalars(
        stmt.options(selectinload(ReportCase.attachments), selectinload(ReportCase.report))
        .order_by(ReportCase.excellent.desc(), SemiannualReport.year.desc(), SemiannualReport.half.desc(),
                  SemiannualReport.district_code, ReportCase.seq)
        .offset(max(page - 1, 0) * per_page).limit(per_page)))
    return rows, total


def gallery_options(session: Session) -> GalleryOptions:
    base = _accepted_cases().subquery()
    occupations = session.execute(
        select(base.c.occupation_code, base.c.occupation_name).where(base.c.occupation_code != "")
        .distinct().order_by(base.c.occupation_code)).all()
    periods = session.execute(
        select(SemiannualReport.year, SemiannualReport.half)
        .join(WorkflowInstance, SemiannualReport.instance_id == WorkflowInstance.id)
        .where(WorkflowInstance.status == "recorded").distinct()
        .order_by(SemiannualReport.year.desc(), SemiannualReport.half.desc())).all()
    return GalleryOptions(
        occupations=[(c, f"{c} {n}") for c, n in occupations],
        periods=[(period_key(y, h), period_label(y, h)) for y, h in periods],
    )


# --------------------------------------------------------------------------------------------------
# Downloads


@dataclass(frozen=True)
class FileToServe:
    path: str
    mime: str
    download_name: str
    inline: bool


def file_to_serve(session: Session, actor: Actor, attachment_id: int, *, upload_dir: str,
                  thumbnail: bool = False) -> FileToServe:
    """A stored file the actor may see: own district's (or any, for the city); another district's only
    as a case of an accepted report (the gallery). Anything else is NotFound, like a missing id."""
    attachment = session.get(ReportAttachment, attachment_id)
    if attachment is None:
        raise NotFound("未找到该文件。")
    report = session.get(SemiannualReport, attachment.report_id)
    assert report is not None
    visible = actor.role in ("city", "admin") or (
        actor.role == "district" and (report.district_code == actor.district_code
                                      or (attachment.case_id is not None and _accepted(session, report))))
    if not visible:
        raise NotFound("未找到该文件。")
    name = attachment.thumb_name if thumbnail else attachment.stored_name
    if not name:
        raise NotFound("该文件没有缩略图。")
    try:
        path = uploads.path_of(upload_dir, name)
    except FileNotFoundError as exc:
        raise NotFound("未找到该文件。") from exc
    if not path.is_file():
        raise NotFound("未找到该文件。")
    if thumbnail:
        return FileToServe(str(path), "image/jpeg", "thumbnail.jpg", True)
    return FileToServe(str(path), attachment.mime, uploads.download_name(attachment.original_name, attachment.format),
                       attachment.kind in ("picture", "video"))
