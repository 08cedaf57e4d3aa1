"""The city dashboard (全市概览, SPEC R3-R6 and R12): read-only figures for the whole city or one district.

Every figure is a SQL aggregate (GROUP BY over indexed columns) returning at most a few hundred rows
(districts x statuses, districts x roles, size classes x tag sets); nothing here loads a workflow,
deserializes state, or loops in Python over the cases themselves, so the page stays fast at 100,000
cases. Definitions match the review screen (``workflows.checks``): a filing counts towards a district's
year figures while it is under review, waiting for the city or recorded (``checks.COUNTED``); its
subsidy is committed once the district has approved it (``checks.COMMITTED``).

Scope (SPEC section 2): city staff and admins see the whole city and may narrow it to one district;
a district reviewer sees only their own district; anyone else gets ``NotFound`` (404).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Select, Text, case, distinct, func, select
from sqlalchemy import cast as sql_cast
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import Join

from workflows import checks, deadlines, policy
from workflows.dto import Actor
from workflows.engine import now
from workflows.models import (
    DISTRICTS,
    DistrictYearPlan,
    Enterprise,
    Filing,
    QuarterlyPlan,
    SemiannualReport,
    TaskIndex,
    WorkflowInstance,
)
from workflows.models.org import ENTERPRISE_TAGS, SIZE_CLASSES
from workflows.service import STATUS_LABELS, NotFound, scope_cases

# Filing statuses in the order a case moves through them (SPEC section 6).
FILING_STATUSES: tuple[str, ...] = (
    "draft", "district_review", "returned", "city_record", "recorded", "rejected", "withdrawn", "expired")
COUNTED = checks.COUNTED  # district_review, city_record, recorded: the district's planned trainees
COMMITTED = checks.COMMITTED  # city_record, recorded: subsidy approved by the district
PENDING = ("district_review",)  # subsidy requested, awaiting the district's decision
INTERMEDIATE_UP_MAX_LEVEL = 4  # 四级/中级工 and above are levels 1..4
SME_SIZES = ("中型", "小型", "微型")  # 中小微企业

PERIODIC_KINDS: dict[str, tuple[str, ...]] = {
    "quarterly_plan": ("Q1", "Q2", "Q3", "Q4"),
    "semiannual_report": ("H1", "H2"),
}
PERIOD_LABELS: dict[str, str] = {
    "Q1": "第一季度", "Q2": "第二季度", "Q3": "第三季度", "Q4": "第四季度", "H1": "上半年", "H2": "下半年"}
# Plan and report labels where they differ from the filing's (SPEC section 6).
PERIODIC_STATUS_LABELS: dict[str, dict[str, str]] = {
    "quarterly_plan": {"returned": "已退回", "recorded": "已备案"},
    "semiannual_report": {"returned": "已退回", "recorded": "已接收"},
}
UNTAGGED = "无标签"


# --------------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class Scope:
    """Which districts the page shows: all 11 in the city's order, or one (``single``)."""

    districts: tuple[str, ...]
    single: str | None

    @property
    def whole_city(self) -> bool:
        return self.single is None


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
class Top:
    """The largest enterprise or occupation of a district's year, and its share (R4)."""

    key: str
    name: str
    trainees: int
    share: float | None
    flagged: bool


@dataclass
class DistrictYear:
    """One district's year (or the city's total): R3 share, R4 tops, R5 budget."""

    code: str
    name: str
    planned_headcount: int = 0
    budget_fen: int = 0
    has_plan: bool = False
    filings: int = 0
    trainees: int = 0
    intermediate_up: int = 0
    committed_fen: int = 0
    pending_fen: int = 0
    top_enterprise: Top | None = None
    top_occupation: Top | None = None
    intermediate_min_share: float = 0.70

    @property
    def intermediate_share(self) -> float | None:
        return self.intermediate_up / self.trainees if self.trainees else None

    @property
    def intermediate_below(self) -> bool:
        share = self.intermediate_share
        return share is not None and share < self.intermediate_min_share

    @property
    def concentration_denominator(self) -> int:
        """As on the review screen: the planned headcount, or the actual trainees if more."""
        return max(self.planned_headcount, self.trainees)

    @property
    def remaining_fen(self) -> int:
        return self.budget_fen - self.committed_fen

    @property
    def remaining_after_pending_fen(self) -> int:
        return self.budget_fen - self.committed_fen - self.pending_fen

    @property
    def used_share(self) -> float | None:
        return self.committed_fen / self.budget_fen if self.budget_fen > 0 else None

    @property
    def pending_share(self) -> float | None:
        return self.pending_fen / self.budget_fen if self.budget_fen > 0 else None

    @property
    def over_budget(self) -> bool:
        return self.budget_fen > 0 and self.committed_fen > self.budget_fen

    @property
    def pending_exceeds_remaining(self) -> bool:
        return self.pending_fen > 0 and self.remaining_after_pending_fen < 0

    @property
    def headcount_share(self) -> float | None:
        return self.trainees / self.planned_headcount if self.planned_headcount > 0 else None


@dataclass
class BreakdownRow:
    """Filings, trainees and enterprises of one size class or tag (R6)."""

    label: str
    filings: int = 0
    trainees: int = 0
    enterprises: int = 0
    share: float | None = None  # of all trainees in scope


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


@dataclass
class Overview:
    """Everything the dashboard page shows."""

    year: int
    at: datetime
    scope: Scope
    years: list[int]
    status: StatusMatrix
    tasks: dict[str, TaskCounts]
    district_years: list[DistrictYear]
    city_year: DistrictYear
    sizes: list[BreakdownRow]
    sme: BreakdownRow
    tags: list[BreakdownRow]
    periodic: list[Periodic]
    enterprise_share_threshold: float
    occupation_share_threshold: float
    intermediate_min_share: float

    @property
    def tasks_total(self) -> TaskCounts:
        total = TaskCounts()
        for row in self.tasks.values():
            for role, n in row.by_role.items():
                total.by_role[role] = total.by_role.get(role, 0) + n
            total.overdue += row.overdue
        return total


# --------------------------------------------------------------------------------------------------
# Scope


def resolve_scope(actor: Actor, district: str | None = None) -> Scope:
    """City staff and admins: the city, or the one district asked for; a district reviewer: their own
    district whatever was asked; anyone else: NotFound."""
    if actor.role in ("city", "admin"):
        if district and district in DISTRICTS:
            return Scope((district,), district)
        return Scope(tuple(DISTRICTS), None)
    if actor.role == "district" and actor.district_code in DISTRICTS:
        return Scope((cast(str, actor.district_code),), actor.district_code)
    raise NotFound("页面不存在，或您无权查看。")


def _check(actor: Actor, scope: Scope) -> None:
    """Queries that filter on the filing's district rely on the scope: refuse one wider than the actor's."""
    if actor.role not in ("city", "admin") and (actor.role != "district" or scope.single != actor.district_code):
        raise NotFound("页面不存在，或您无权查看。")


def _cases(stmt: Select, actor: Actor, scope: Scope) -> Select:
    """Restrict a query joining WorkflowInstance to the actor's scope and the chosen district."""
    stmt = scope_cases(stmt, actor)
    if scope.single:
        stmt = stmt.where(WorkflowInstance.district_code == scope.single)
    return stmt


class _CrossJoin(Join):
    """``left CROSS JOIN right``, the join condition going in WHERE. Same result as an inner join on
    PostgreSQL; on SQLite the left table stays the outer loop (documented planner control)."""

    inherit_cache = True


@compiles(_CrossJoin)
def _compile_cross_join(join: _CrossJoin, compiler: Any, **kw: Any) -> str:
    kw["asfrom"] = True
    return f"{compiler.process(join.left, **kw)} CROSS JOIN {compiler.process(join.right, **kw)}"


def _year_filings(stmt: Select, scope: Scope, year: int) -> Select:
    """Filings of ``year`` that count towards the district's plan (under review, waiting for the city,
    recorded), with their case's status.

    The cases are read from the (kind, status) index alone and each filing found through its unique
    instance_id: the large workflow_instance rows (serialized state) are never read. Scope:
    ``resolve_scope`` has pinned a district reviewer to their own district, so filtering on the filing's
    district (the case's district; both come from the enterprise) suffices."""
    stmt = stmt.select_from(_CrossJoin(WorkflowInstance, Filing, Filing.instance_id == WorkflowInstance.id)).where(
        Filing.instance_id == WorkflowInstance.id, WorkflowInstance.kind == "filing",
        WorkflowInstance.status.in_(COUNTED), Filing.plan_year == year)
    if scope.single:
        stmt = stmt.where(Filing.district_code == scope.single)
    return stmt


# --------------------------------------------------------------------------------------------------
# Queries (each one GROUP BY)


def status_matrix(session: Session, actor: Actor, scope: Scope) -> StatusMatrix:
    """Filings per district and current status, all years (where every case stands now)."""
    stmt = _cases(select(WorkflowInstance.district_code, WorkflowInstance.status, func.count())
                  .where(WorkflowInstance.kind == "filing"), actor, scope)
    counts: dict[str, dict[str, int]] = {d: {} for d in scope.districts}
    for district, status, n in session.execute(
            stmt.group_by(WorkflowInstance.district_code, WorkflowInstance.status)).tuples():
        if district in counts:
            counts[district][status] = int(n)
    return StatusMatrix(counts)


def task_counts(session: Session, actor: Actor, scope: Scope, at: datetime) -> dict[str, TaskCounts]:
    """Ready human tasks per district and lane role; overdue when the task's due date has passed."""
    _check(actor, scope)
    overdue = func.coalesce(func.sum(case((TaskIndex.due_at < at, 1), else_=0)), 0)
    stmt = select(TaskIndex.district_code, TaskIndex.role, func.count(), overdue)
    if scope.single:
        stmt = stmt.where(TaskIndex.district_code == scope.single)
    out = {d: TaskCounts() for d in scope.districts}
    for district, role, n, late in session.execute(
            stmt.group_by(TaskIndex.district_code, TaskIndex.role)).tuples():
        row = out.get(district)
        if row is not None:
            row.by_role[role] = int(n)
            row.overdue += int(late or 0)
    return out


def _plans(session: Session, scope: Scope, year: int) -> dict[str, DistrictYearPlan]:
    stmt = select(DistrictYearPlan).where(DistrictYearPlan.year == year)
    if scope.single:
        stmt = stmt.where(DistrictYearPlan.district_code == scope.single)
    return {p.district_code: p for p in session.scalars(stmt)}


@dataclass(frozen=True)
class GroupSum:
    """The year's counted filings of one district's enterprises of one size class and one tag list (a
    GROUP BY row: a district has at most 4 x 16 of them), with the district's largest enterprise if it is
    in this group."""

    district: str
    size_class: str
    tags: tuple[str, ...]
    enterprises: int
    filings: int
    trainees: int
    intermediate_up: int
    committed_fen: int
    pending_fen: int
    top: tuple[int, str, int] | None  # (enterprise id, name, trainees)


def year_groups(session: Session, actor: Actor, scope: Scope, year: int) -> list[GroupSum]:
    """One statement for R3, R4 (largest enterprise), R5 and R6 of ``year``.

    Inside the database: the year's counted filings summed per (district, enterprise): filings, trainees,
    trainees at 四级/中级工 and above, committed subsidy, all subsidy; enterprises ranked within their
    district by trainees (window function); then summed again per (district, size class, tag list) with the
    rank-1 enterprise carried along. At most 11 x 4 x 16 rows come back whatever the number of cases or
    enterprises. Tag lists are JSON: grouped by their text and decoded here, once per distinct list, which
    works the same on SQLite and PostgreSQL."""
    _check(actor, scope)
    committed = WorkflowInstance.status.in_(COMMITTED)
    per = _year_filings(select(
        Filing.district_code.label("district"),
        Filing.enterprise_id.label("enterprise_id"),
        func.count(Filing.id).label("filings"),
        func.sum(Filing.trainee_count).label("trainees"),
        func.sum(case((Filing.level <= INTERMEDIATE_UP_MAX_LEVEL, Filing.trainee_count), else_=0)).label("up"),
        func.sum(case((committed, Filing.subsidy_fen), else_=0)).label("committed"),
        # Counted = committed + pending (district_review), so pending is the rest of the subsidy.
        func.sum(Filing.subsidy_fen).label("subsidy"),
    ), scope, year).group_by(Filing.district_code, Filing.enterprise_id).subquery("per_enterprise")
    ranked = select(per, func.row_number().over(
        partition_by=per.c.district, order_by=(per.c.trainees.desc(), per.c.enterprise_id)).label("rank"),
    ).subquery("ranked")
    first = ranked.c.rank == 1
    tags_text = sql_cast(Enterprise.tags, Text)
    stmt = select(
        ranked.c.district, Enterprise.size_class, tags_text, func.count(), func.sum(ranked.c.filings),
        func.sum(ranked.c.trainees), func.sum(ranked.c.up), func.sum(ranked.c.committed), func.sum(ranked.c.subsidy),
        func.max(case((first, ranked.c.enterprise_id))), func.max(case((first, Enterprise.name))),
        func.max(case((first, ranked.c.trainees))),
    ).join(Enterprise, Enterprise.id == ranked.c.enterprise_id).group_by(
        ranked.c.district, Enterprise.size_class, tags_text)
    decoded: dict[str | None, tuple[str, ...]] = {}
    out = []
    for (district, size, raw_tags, enterprises, filings, trainees, up, committed_fen, subsidy, top_id, top_name,
         top_trainees) in session.execute(stmt).tuples():
        if raw_tags not in decoded:
            decoded[raw_tags] = tuple(_decode_tags(raw_tags))
        out.append(GroupSum(
            district=district, size_class=size or "", tags=decoded[raw_tags], enterprises=int(enterprises or 0),
            filings=int(filings or 0), trainees=int(trainees or 0), intermediate_up=int(up or 0),
            committed_fen=int(committed_fen or 0), pending_fen=int(subsidy or 0) - int(committed_fen or 0),
            top=(int(top_id), str(top_name or ""), int(top_trainees or 0)) if top_id is not None else None))
    return out


def year_rows(session: Session, actor: Actor, scope: Scope, year: int, params: policy.PolicyParams,
              groups: list[GroupSum] | None = None) -> list[DistrictYear]:
    """Per district for ``year``: planned headcount and budget, counted filings and trainees, trainees at
    四级/中级工 and above (R3), committed and pending subsidy (R5), largest enterprise and occupation (R4)."""
    if groups is None:
        groups = year_groups(session, actor, scope, year)
    plans = _plans(session, scope, year)
    rows: dict[str, DistrictYear] = {}
    for code in scope.districts:
        plan = plans.get(code)
        rows[code] = DistrictYear(
            code=code, name=DISTRICTS[code], planned_headcount=plan.planned_headcount if plan else 0,
            budget_fen=int(plan.budget_fen) if plan else 0, has_plan=plan is not None,
            intermediate_min_share=params.intermediate_min_share)
    largest: dict[str, tuple[int, str, int]] = {}
    for g in groups:
        row = rows.get(g.district)
        if row is None:
            continue
        row.filings += g.filings
        row.trainees += g.trainees
        row.intermediate_up += g.intermediate_up
        row.committed_fen += g.committed_fen
        row.pending_fen += g.pending_fen
        if g.top is not None:
            largest[g.district] = g.top
    occupations = _top_occupations(session, actor, scope, year)
    for code, row in rows.items():
        e = largest.get(code)
        if e is not None:
            ent_id, name, trainees = e
            row.top_enterprise = _top(str(ent_id), name, trainees, row, params.enterprise_share_threshold)
        o = occupations.get(code)
        if o is not None:
            occ_code, occ_name, trainees = o
            label = f"{occ_name}（{occ_code}）" if occ_name else occ_code
            row.top_occupation = _top(occ_code, label, trainees, row, params.occupation_share_threshold)
    return list(rows.values())


def _top(key: str, name: str, trainees: int, row: DistrictYear, threshold: float) -> Top:
    denominator = row.concentration_denominator
    share = trainees / denominator if denominator else None
    return Top(key=key, name=name, trainees=trainees, share=share, flagged=share is not None and share > threshold)


def _top_occupations(session: Session, actor: Actor, scope: Scope, year: int) -> dict[str, tuple[str, str, int]]:
    """district -> (occupation code, name, trainees) of the occupation with the most counted trainees
    (ties: smallest code). One query: per (district, occupation) sums ranked by a window function."""
    _check(actor, scope)
    per = _year_filings(select(
        Filing.district_code.label("district"), Filing.occupation_code.label("code"),
        func.max(Filing.occupation_name).label("name"), func.sum(Filing.trainee_count).label("trainees"),
    ), scope, year).group_by(Filing.district_code, Filing.occupation_code).subquery()
    ranked = select(
        per.c.district, per.c.code, per.c.name, per.c.trainees,
        func.row_number().over(partition_by=per.c.district,
                               order_by=(per.c.trainees.desc(), per.c.code)).label("rank"),
    ).subquery()
    rows = session.execute(select(ranked.c.district, ranked.c.code, ranked.c.name, ranked.c.trainees)
                           .where(ranked.c.rank == 1)).tuples()
    return {d: (str(k or ""), str(n or ""), int(t or 0)) for d, k, n, t in rows}


def city_total(rows: list[DistrictYear], code: str = "", name: str = "全市合计") -> DistrictYear:
    """The sum of the district rows (R4 tops are per district and not summed)."""
    return DistrictYear(
        code=code, name=name, has_plan=any(r.has_plan for r in rows),
        planned_headcount=sum(r.planned_headcount for r in rows), budget_fen=sum(r.budget_fen for r in rows),
        filings=sum(r.filings for r in rows), trainees=sum(r.trainees for r in rows),
        intermediate_up=sum(r.intermediate_up for r in rows), committed_fen=sum(r.committed_fen for r in rows),
        pending_fen=sum(r.pending_fen for r in rows),
        intermediate_min_share=rows[0].intermediate_min_share if rows else 0.70)


def breakdown(groups: list[GroupSum]) -> tuple[list[BreakdownRow], BreakdownRow, list[BreakdownRow]]:
    """R6: counted filings, trainees and enterprises by size class, for 中小微 together, and by tag (from
    ``year_groups``). Tags overlap, so their shares do not add up to 100%. An enterprise is counted once
    per district it has filings in."""
    sizes = {s: BreakdownRow(s) for s in SIZE_CLASSES}
    tags = {t: BreakdownRow(t) for t in (*ENTERPRISE_TAGS, UNTAGGED)}
    sme = BreakdownRow("中小微企业")
    total = 0
    for g in groups:
        size_label = g.size_class or "未填写"
        targets = [sizes.setdefault(size_label, BreakdownRow(size_label))]
        if g.size_class in SME_SIZES:
            targets.append(sme)
        targets += [tags.setdefault(t, BreakdownRow(t)) for t in (g.tags or (UNTAGGED,))]
        for row in targets:
            row.filings += g.filings
            row.trainees += g.trainees
            row.enterprises += g.enterprises
        total += g.trainees
    for row in (*sizes.values(), sme, *tags.values()):
        row.share = row.trainees / total if total else None
    return list(sizes.values()), sme, list(tags.values())


def _decode_tags(raw: str | None) -> list[str]:
    """A JSON tag list as stored (any text form) -> its tags, the four known ones first in their order."""
    if not raw:
        return []
    try:
        value = json.loads(raw)
    except ValueError:
        return []
    if not isinstance(value, list):
        return []
    order = {t: i for i, t in enumerate(ENTERPRISE_TAGS)}
    return sorted({str(t) for t in value if t}, key=lambda t: (order.get(t, len(order)), t))


def periodic(session: Session, actor: Actor, scope: Scope, year: int, at: datetime) -> list[Periodic]:
    """Quarterly plans and semiannual reports of ``year`` per district, with the 已逾期 flag of
    ``deadlines.is_overdue``. Driven by the plan and report tables (one row per district and period, so
    at most 11 x 6 cases a year are read); an empty result when none were opened."""
    sources = (("quarterly_plan", QuarterlyPlan.quarter, "Q", QuarterlyPlan),
               ("semiannual_report", SemiannualReport.half, "H", SemiannualReport))
    out = []
    for kind, number, prefix, table in sources:
        result = Periodic(kind, PERIODIC_KINDS[kind], {})
        stmt = _cases(select(
            WorkflowInstance.id, WorkflowInstance.district_code, number, WorkflowInstance.status,
            WorkflowInstance.due_at, WorkflowInstance.completed_at,
        ).select_from(table).join(WorkflowInstance, WorkflowInstance.id == table.instance_id)
            .where(table.year == year, WorkflowInstance.kind == kind), actor, scope)
        for instance_id, district, n, status, due_at, completed_at in session.execute(stmt).tuples():
            period = f"{prefix}{n}"
            if district not in scope.districts or period not in result.periods:
                continue
            label = PERIODIC_STATUS_LABELS[kind].get(status) or STATUS_LABELS.get(status, status)
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


def available_years(session: Session, current: int) -> list[int]:
    """Years with a district plan, plus the current one, newest first (a tiny table: no scan of cases)."""
    years = set(session.scalars(select(distinct(DistrictYearPlan.year))))
    years.add(current)
    return sorted((int(y) for y in years), reverse=True)


def current_year(at: datetime | None = None) -> int:
    return deadlines.china_today(at).year


# --------------------------------------------------------------------------------------------------
# The page


def overview(session: Session, actor: Actor, year: int | None = None, district: str | None = None,
             at: datetime | None = None) -> Overview:
    """Everything on the dashboard for ``actor``: whole city (or ``district``) for ``year``."""
    scope = resolve_scope(actor, district)
    at = at or now()
    year = year or current_year(at)
    params = policy.in_force(session, at)
    groups = year_groups(session, actor, scope, year)
    rows = year_rows(session, actor, scope, year, params, groups)
    sizes, sme, tags = breakdown(groups)
    total = city_total(rows) if scope.whole_city else city_total(rows, rows[0].code, f"{rows[0].name}合计")
    return Overview(
        year=year, at=at, scope=scope, years=available_years(session, current_year(at)),
        status=status_matrix(session, actor, scope), tasks=task_counts(session, actor, scope, at),
        district_years=rows, city_year=total, sizes=sizes, sme=sme, tags=tags,
        periodic=periodic(session, actor, scope, year, at),
        enterprise_share_threshold=params.enterprise_share_threshold,
        occupation_share_threshold=params.occupation_share_threshold,
        intermediate_min_share=params.intermediate_min_share,
    )


__all__ = [
    "COMMITTED", "COUNTED", "FILING_STATUSES", "PENDING", "BreakdownRow", "DistrictYear", "GroupSum", "Overview",
    "PeriodCell", "Periodic", "Scope", "StatusMatrix", "TaskCounts", "Top", "available_years", "breakdown",
    "city_total", "year_groups", "overview", "periodic", "resolve_scope", "status_matrix", "task_counts",
    "year_rows",
]
