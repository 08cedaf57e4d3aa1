"""Status tables of the city dashboard: filings per district and status, ready tasks per district
and role, and the year's quarterly plans and semiannual reports per district (SPEC R12).

The filings per status are the running counts of ``filings.totals``; the tasks one GROUP BY of the
ready tasks; plans and reports one read of their small tables: at most a few hundred rows, whatever the
number of cases.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import cast

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workflows import deadlines
from workflows.dashboard.scope import Scope, check_scope, scoped_cases
from workflows.dto import Actor
from workflows.features import status_label
from workflows.filings import totals
from workflows.filings.status import ORDER as FILING_STATUSES
from workflows.models import QuarterlyPlan, SemiannualReport, TaskIndex, WorkflowInstance

PERIODIC_KINDS: dict[str, tuple[str, ...]] = {
    "quarterly_plan": ("Q1", "Q2", "Q3", "Q4"),
    "semiannual_report": ("H1", "H2"),
}
PERIOD_LABELS: dict[str, str] = {
    "Q1": "第一季度", "Q2": "第二季度", "Q3": "第三季度", "Q4": "第四季度", "H1": "上半年", "H2": "下半年"}


@dataclass
class StatusMatrix:
    """Filings per district and status code, with row and column totals."""

    counts: dict[str, dict[str, int]]
    statuses: tuple[str, ...] = FILING_STATUSES

    def get(self, district: str, status: str) -> int:
        return self.counts.get(district, {}).get(status, 0)

    def row_total(self, district: str) -> int:
        return sum(self.counts.get(district, {}).values())

    def column_total(self, status: str) -> int:
        return sum(row.get(status, 0) for row in self.counts.values())

    @property
    def total(self) -> int:
        return sum(self.row_total(d) for d in self.counts)


@dataclass
class TaskCounts:
    """Ready human tasks of one district by lane role, and how many are past their due date."""

    by_role: dict[str, int] = field(default_factory=dict)
    overdue: int = 0

    @property
    def total(self) -> int:
        return sum(self.by_role.values())

    def role(self, role: str) -> int:
        return self.by_role.get(role, 0)



@dataclass
class PeriodCell:
    """One quarterly plan or semiannual report of one district."""

    instance_id: int
    kind: str
    period: str
    status: str
    label: str
    overdue: bool
    due_at: datetime | None


@dataclass
class Periodic:
    """A kind of periodic case (quarterly plan / semiannual report) for the year, per district."""

    kind: str
    periods: tuple[str, ...]
    cells: dict[str, dict[str, PeriodCell]]

    @property
    def count(self) -> int:
        return sum(len(row) for row in self.cells.values())

    @property
    def overdue(self) -> int:
        return sum(1 for row in self.cells.values() for c in row.values() if c.overdue)

    @property
    def recorded(self) -> int:
        return sum(1 for row in self.cells.values() for c in row.values() if c.status == "recorded")

    def cell(self, district: str, period: str) -> PeriodCell | None:
        return self.cells.get(district, {}).get(period)



def status_matrix(session: Session, actor: Actor, scope: Scope) -> StatusMatrix:
    """Filings per district and current status, all years (where every case stands now): the running
    counts ``filings.totals`` keeps with every step, not a count over the cases."""
    check_scope(actor, scope)
    found = totals.status_counts(session, scope.single)
    return StatusMatrix({d: found.get(d, {}) for d in scope.districts})


def task_counts(session: Session, actor: Actor, scope: Scope, at: datetime) -> dict[str, TaskCounts]:
    """Ready human tasks per district and lane role; overdue when the task's due date has passed."""
    check_scope(actor, scope)
    # count(*) FILTER (SQLite has it too) rather than summing a CASE per row: a quarter less time on PostgreSQL.
    overdue = func.count().filter(TaskIndex.due_at < at)
    stmt = select(TaskIndex.district_code, TaskIndex.role, func.count(), overdue)
    if scope.single:
        stmt = stmt.where(TaskIndex.district_code == scope.single)
    out = {d: TaskCounts() for d in scope.districts}
    for district, role, n, late in session.execute(
            stmt.group_by(TaskIndex.district_code, TaskIndex.role)).tuples():
        row = out.get(district or "")
        if row is not None:
            row.by_role[role] = int(n)
            row.overdue += int(late or 0)
    return out


def periodic(session: Session, actor: Actor, scope: Scope, year: int, at: datetime) -> list[Periodic]:
    """Quarterly plans and semiannual reports of ``year`` per district, with the 已逾期 flag of
    ``deadlines.is_overdue``. Driven by the plan and report tables (one row per district and period, so
    at most 11 x 6 cases a year are read); an empty result when none were opened."""
    sources = (("quarterly_plan", QuarterlyPlan.quarter, "Q", QuarterlyPlan),
               ("semiannual_report", SemiannualReport.half, "H", SemiannualReport))
    out = []
    for kind, number, prefix, table in sources:
        result = Periodic(kind, PERIODIC_KINDS[kind], {})
        stmt = scoped_cases(select(
            WorkflowInstance.id, WorkflowInstance.district_code, number, WorkflowInstance.status,
            WorkflowInstance.due_at, WorkflowInstance.completed_at,
        ).select_from(table).join(WorkflowInstance, WorkflowInstance.id == table.instance_id)
            .where(table.year == year, WorkflowInstance.kind == kind), actor, scope)
        for instance_id, district, n, status, due_at, completed_at in session.execute(stmt).tuples():
            period = f"{prefix}{n}"
            if district not in scope.districts or period not in result.periods:
                continue
            label = status_label(kind, status)
            overdue = deadlines.is_overdue(cast(WorkflowInstance, _Deadline(status, due_at, completed_at)), at)
            result.cells.setdefault(district, {})[period] = PeriodCell(
                instance_id=instance_id, kind=kind, period=period, status=status, label=label, overdue=overdue,
                due_at=due_at)
        out.append(result)
    return out


@dataclass(frozen=True)
class _Deadline:
    """What ``deadlines.is_overdue`` reads of a case, without loading the case."""

    status: str
    due_at: datetime | None
    completed_at: datetime | None


__all__ = [
    "PERIOD_LABELS", "PERIODIC_KINDS", "PeriodCell", "Periodic", "StatusMatrix",
    "TaskCounts", "periodic", "status_matrix", "task_counts",
]
