"""Reading semiannual reports in scope: the scope rule, the screens' and the API's lists, one report (by id
or by case), the report page's view with its history and diagram, and one typical case (own district's,
or any accepted one).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from workflows import deadlines, runner, store
from workflows.clock import now
from workflows.dto import Actor
from workflows.engine import get_engine
from workflows.errors import NotFound
from workflows.models import AuditEvent, TaskIndex, WorkflowInstance
from workflows.models.org import DISTRICTS
from workflows.models.report_models import ReportCase, SemiannualReport
from workflows.paging import filtered_page
from workflows.reports.config import ACCEPT_FORM, EDIT_FORM, parse_period_key, status_label

# --------------------------------------------------------------------------------------------------
# Reading


def scope_reports(stmt: Select, actor: Actor) -> Select:
    """Restrict a query joined to SemiannualReport: a district sees its own, the city everything."""
    if actor.role in ("city", "admin"):
        return stmt
    if actor.role == "district" and actor.district_code:
        return stmt.where(SemiannualReport.district_code == actor.district_code)
    return stmt.where(SemiannualReport.id.is_(None))


class _Labels:
    """The status and district names a report row or page shows."""

    report: SemiannualReport
    instance: WorkflowInstance

    @property
    def status_label(self) -> str:
        return status_label(self.instance.status)

    @property
    def district_name(self) -> str:
        return DISTRICTS.get(self.report.district_code, self.report.district_code)


@dataclass
class ReportRow(_Labels):
    report: SemiannualReport
    instance: WorkflowInstance
    overdue: bool
    ready_forms: frozenset[str] = frozenset()  # form keys of the report's ready tasks

    @property
    def editable(self) -> bool:
        """The district's task of writing (or revising) the report is ready."""
        return EDIT_FORM in self.ready_forms

    @property
    def reviewable(self) -> bool:
        """The city's task of accepting the report is ready."""
        return ACCEPT_FORM in self.ready_forms



def _rows(session: Session, pairs: list[tuple[SemiannualReport, WorkflowInstance]]) -> list[ReportRow]:
    """Rows with their 已逾期 flag and what may be done now (the ready tasks' form keys, one query)."""
    forms: dict[int, set[str]] = {i.id: set() for _, i in pairs}
    if forms:
        for instance_id, form_key in session.execute(select(TaskIndex.instance_id, TaskIndex.form_key).where(
                TaskIndex.instance_id.in_(list(forms)))).tuples():
            forms[instance_id].add(form_key)
    at = now()
    return [ReportRow(r, i, deadlines.is_overdue(i, at), frozenset(forms[i.id])) for r, i in pairs]


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
    rows = _rows(session, list(session.execute(stmt).tuples()))
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
    rows, total = filtered_page(
        session, stmt,
        [(SemiannualReport.year, filters.year), (SemiannualReport.half, filters.half),
         (SemiannualReport.district_code, filters.district), (WorkflowInstance.status, filters.status)],
        [SemiannualReport.year.desc(), SemiannualReport.half.desc(), SemiannualReport.district_code],
        page, per_page)
    return _rows(session, [(r, i) for r, i in rows]), total


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
class ReportView(_Labels):
    """Everything the report pages show."""

    report: SemiannualReport
    instance: WorkflowInstance
    overdue: bool
    editable: bool  # the district's task is ready (whoever is looking)
    can_edit: bool  # ... and the actor is that district
    can_review: bool
    can_urge: bool
    review_task_id: str | None
    history: list[AuditEvent]
    last_request: AuditEvent | None  # the city's latest ask-for-more, shown while the district revises
    current_ids: list[str] = field(default_factory=list)
    done_ids: list[str] = field(default_factory=list)



def report_view(session: Session, actor: Actor, report_id: int, with_diagram: bool = False) -> ReportView:
    """What the report pages show: the report, its case, what the actor may do, its history and (with
    ``with_diagram``) the diagram's current and completed elements."""
    report = get_report(session, actor, report_id)
    instance = session.get(WorkflowInstance, report.instance_id)
    assert instance is not None
    tasks = list(session.scalars(select(TaskIndex).where(TaskIndex.instance_id == instance.id)))
    edit_task = next((t for t in tasks if t.form_key == EDIT_FORM), None)
    review_task = next((t for t in tasks if t.form_key == ACCEPT_FORM), None)
    events = list(session.scalars(select(AuditEvent).where(AuditEvent.instance_id == instance.id)
                                  .order_by(AuditEvent.id)))
    last_request = next((e for e in reversed(events) if e.action == "more"), None)
    view = ReportView(
        report=report, instance=instance, overdue=deadlines.is_overdue(instance),
        editable=edit_task is not None,
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


def edit_task(session: Session, instance_id: int | None) -> TaskIndex | None:
    """The district's ready task of writing the report (compiling, or revising after ask-for-more)."""
    return session.scalars(select(TaskIndex).where(
        TaskIndex.instance_id == instance_id, TaskIndex.form_key == EDIT_FORM)).first()


def diagram_xml(session: Session, actor: Actor, report_id: int) -> str:
    """The BPMN XML of the spec version this report runs on (scoped like the report)."""
    report = get_report(session, actor, report_id)
    instance = session.get(WorkflowInstance, report.instance_id)
    assert instance is not None
    return instance.spec_version.bpmn_xml


def get_case(session: Session, actor: Actor, case_id: int) -> ReportCase:
    """A typical case in scope: the own district's any time; others' only in the gallery."""
    case = session.get(ReportCase, case_id)
    if case is None:
        raise NotFound("未找到该案例。")
    report = case.report
    if actor.role in ("city", "admin") or (actor.role == "district" and report.district_code == actor.district_code):
        return case
    if actor.role == "district" and is_accepted(session, report):
        return case
    raise NotFound("未找到该案例。")


def is_accepted(session: Session, report: SemiannualReport) -> bool:
    """Whether the city has accepted the report (its cases are then in the gallery)."""
    status = session.scalar(select(WorkflowInstance.status).where(WorkflowInstance.id == report.instance_id))
    return status == "recorded"
