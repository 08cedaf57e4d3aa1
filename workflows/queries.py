"""Read-only queries behind the screens and the API: case lists, inboxes, history, diagrams.

Every query that returns cases is restricted with ``cases.scope_cases`` (or takes ids obtained
through such a query).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import CompoundSelect, Select, func, select, union
from sqlalchemy.orm import Session

from workflows import paging, runner, store
from workflows.cases import get_case, scope_cases, task_row
from workflows.dto import Actor
from workflows.engine import get_engine
from workflows.errors import NotFound
from workflows.models import DISTRICTS, AuditEvent, Enterprise, Filing, TaskIndex, WorkflowInstance

# Check results built on the district's year figures (R3, R4) are for reviewers, not for enterprises.
DISTRICT_FIGURE_RULES = frozenset(
    {"enterprise_concentration", "occupation_concentration", "intermediate_share"})


def visible_checks(actor: Actor, filing: Filing) -> list[dict[str, Any]]:
    """The filing's stored check results this actor may see: an enterprise sees those about its own
    content (hard errors, job posts, textbooks, credit code), not the district's year figures."""
    results = list(filing.check_results or [])
    if actor.role == "enterprise":
        return [r for r in results if r.get("rule") not in DISTRICT_FIGURE_RULES]
    return results


def matching_case_ids(q: str) -> CompoundSelect:
    """Ids of the cases whose title, case number or enterprise name contains ``q`` (case-insensitive,
    ``%`` and ``_`` taken literally). A UNION of three single-column searches rather than one OR, so
    that on PostgreSQL each branch uses its pg_trgm index (``ix_*_trgm``) instead of a scan of every
    case; on SQLite the same query is a plain LIKE."""
    text = q.strip()
    return union(
        select(WorkflowInstance.id).where(WorkflowInstance.title.icontains(text, autoescape=True)),
        select(WorkflowInstance.id).where(WorkflowInstance.business_key.icontains(text, autoescape=True)),
        select(WorkflowInstance.id).join(Enterprise, Enterprise.id == WorkflowInstance.enterprise_id)
        .where(Enterprise.name.icontains(text, autoescape=True)),
    )


@dataclass
class CaseFilters:
    status: str | None = None
    district: str | None = None
    kind: str | None = None
    apprenticeship_type: str | None = None
    q: str | None = None


def case_query(actor: Actor, filters: CaseFilters) -> Select:
    """The cases in the actor's scope matching ``filters`` (the case list and its Excel export)."""
    stmt = scope_cases(select(WorkflowInstance), actor)
    if filters.status:
        stmt = stmt.where(WorkflowInstance.status == filters.status)
    if filters.district:
        stmt = stmt.where(WorkflowInstance.district_code == filters.district)
    if filters.kind:
        stmt = stmt.where(WorkflowInstance.kind == filters.kind)
    if filters.apprenticeship_type:
        stmt = stmt.where(WorkflowInstance.id.in_(
            select(Filing.instance_id).where(Filing.apprenticeship_type == filters.apprenticeship_type)))
    if filters.q and filters.q.strip():
        stmt = stmt.where(WorkflowInstance.id.in_(matching_case_ids(filters.q)))
    return stmt


def list_cases(session: Session, actor: Actor, filters: CaseFilters, page: int = 1, per_page: int = 20
               ) -> tuple[list[WorkflowInstance], int]:
    """Cases in scope, newest first, with filters; returns (rows of one page, total)."""
    stmt = case_query(actor, filters)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = list(session.scalars(
        stmt.order_by(WorkflowInstance.updated_at.desc(), WorkflowInstance.id.desc())
        .offset(paging.offset(page, per_page)).limit(per_page)
    ))
    return rows, total


def history(session: Session, instance_id: int) -> list[AuditEvent]:
    return list(session.scalars(
        select(AuditEvent).where(AuditEvent.instance_id == instance_id).order_by(AuditEvent.id)))


def ready_tasks(session: Session, instance_id: int) -> list[TaskIndex]:
    return list(session.scalars(select(TaskIndex).where(TaskIndex.instance_id == instance_id)))


@dataclass
class CaseInfo:
    """What a list shows beside a case: its enterprise, its district and, for filings, the filing."""

    enterprise_name: str = ""
    district_name: str = ""
    filing: Filing | None = None


def case_infos(session: Session, instance_ids: list[int]) -> dict[int, CaseInfo]:
    """Enterprise name, district name and filing of each case, in two queries (no N+1).

    Callers pass ids they obtained through a scoped query (``list_cases``, ``inbox`` ...)."""
    ids = sorted(set(instance_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(WorkflowInstance.id, WorkflowInstance.district_code, Enterprise.name)
        .outerjoin(Enterprise, Enterprise.id == WorkflowInstance.enterprise_id)
        .where(WorkflowInstance.id.in_(ids))
    ).all()
    infos = {r[0]: CaseInfo(enterprise_name=r[2] or "", district_name=DISTRICTS.get(r[1] or "", ""))
             for r in rows}
    for filing in session.scalars(select(Filing).where(Filing.instance_id.in_(ids))):
        infos[filing.instance_id].filing = filing  # type: ignore[index]
    return infos


def list_filings(session: Session, actor: Actor, status: str | None = None, page: int = 1,
                 per_page: int = 20) -> tuple[list[tuple[Filing, WorkflowInstance]], int]:
    """One page of the filings in the actor's scope (an enterprise: its own), last changed first, and
    how many there are in all (paged in SQL; ``per_page`` capped at 100)."""
    per_page = max(1, min(int(per_page), 100))
    stmt = scope_cases(
        select(Filing, WorkflowInstance).join(WorkflowInstance, Filing.instance_id == WorkflowInstance.id),
        actor,
    ).where(WorkflowInstance.kind == "filing")
    if status:
        stmt = stmt.where(WorkflowInstance.status == status)
    total = int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    stmt = (stmt.order_by(WorkflowInstance.updated_at.desc(), WorkflowInstance.id.desc())
            .offset((max(int(page), 1) - 1) * per_page).limit(per_page))
    return [(f, i) for f, i in session.execute(stmt).tuples()], total


def status_counts(session: Session, actor: Actor, kind: str | None = "filing") -> dict[str, int]:
    """Number of cases in scope per status code."""
    stmt = scope_cases(select(WorkflowInstance.status, func.count()), actor)
    if kind:
        stmt = stmt.where(WorkflowInstance.kind == kind)
    return {status: int(n) for status, n in session.execute(stmt.group_by(WorkflowInstance.status)).tuples()}


def get_task(session: Session, actor: Actor, task_id: str) -> TaskIndex:
    """A READY task the actor may complete: Conflict if it was completed already, NotFound otherwise."""
    return task_row(session, actor, task_id)


def case_of_task(session: Session, actor: Actor, task_id: str) -> int:
    """The id of the case a task (ready or already completed) belongs to, if in scope; else NotFound."""
    instance_id = session.scalars(
        select(TaskIndex.instance_id).where(TaskIndex.task_id == str(task_id))).first()
    if instance_id is None:
        instance_id = session.scalars(
            select(AuditEvent.instance_id).where(AuditEvent.task_id == str(task_id))).first()
    if instance_id is None:
        raise NotFound("未找到该任务。")
    return get_case(session, actor, instance_id).id


def case_diagram(session: Session, actor: Actor, instance_id: int) -> tuple[str, list[str], list[str]]:
    """(BPMN XML of the case's own spec version, current element ids, completed element ids)."""
    instance = get_case(session, actor, instance_id)
    workflow = store.load_workflow(get_engine(), instance)
    current, done = runner.element_states(workflow)
    return instance.spec_version.bpmn_xml, current, done




@dataclass(frozen=True)
class OperationsFigures:
    """System-wide counts for monitoring (``GET /metrics``): no scope, no names, only numbers."""

    ready_tasks_by_role: dict[str, int]
    open_cases: dict[tuple[str, str], int]  # (kind, status) -> cases not finished
    failed_cases: int


def operations_figures(session: Session) -> OperationsFigures:
    """Ready human tasks per role, open cases per kind and status, cases whose last timer failed."""
    by_role = {role: int(n) for role, n in session.execute(
        select(TaskIndex.role, func.count()).group_by(TaskIndex.role)).tuples()}
    open_cases = {(kind, status): int(n) for kind, status, n in session.execute(
        select(WorkflowInstance.kind, WorkflowInstance.status, func.count())
        .where(WorkflowInstance.completed_at.is_(None))
        .group_by(WorkflowInstance.kind, WorkflowInstance.status)).tuples()}
    failed = session.scalar(select(func.count()).select_from(WorkflowInstance)
                            .where(WorkflowInstance.failed_at.is_not(None))) or 0
    return OperationsFigures(by_role, open_cases, int(failed))
