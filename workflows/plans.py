"""Use cases of the quarterly district plan (区季度培训计划, SPEC R11 with R3-R5), re-exported by
``workflows.service``.

One instance of ``bpmn/quarterly_plan.bpmn`` per district per quarter (business key ``440106-2027Q1``),
opened automatically when the quarter begins (``open_quarter_plans``, an opener run by
``service.tick(..., open_periods=True)``) or by city staff by hand. Its rows are pre-filled from the
district's filings under review or approved whose training period overlaps the quarter; the district
includes or excludes each with a reason, adds notes and submits; the diagram checks the plan
(``run_plan_checks``), flags a plan that leaves the year below the R3 minimum to the city, and the city
records it or returns it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workflows import bindings, checks, deadlines, notifications, policy, store
from workflows.dto import Actor
from workflows.engine import frozen_now, get_engine, now, script_services
from workflows.models import (
    DISTRICTS,
    District,
    DistrictYearPlan,
    Enterprise,
    Filing,
    QuarterlyPlan,
    QuarterlyPlanRow,
    TaskIndex,
    WorkflowInstance,
)
from workflows.service import (
    DECISIONS,
    Conflict,
    NotFound,
    ValidationFailed,
    advance,
    audit,
    complete_task,
    get_case,
    may_complete,
    scope_cases,
    unit_of_work,
)

KIND = "quarterly_plan"
PROCESS_ID = "quarterly_plan"

PLAN_STATUS_LABELS: dict[str, str] = {
    "compiling": "待编制",
    "city_record": "待市备案",
    "returned": "已退回",
    "recorded": "已备案",
}
# Filings a plan is pre-filled from: under district review or approved (SPEC R11, issue 5).
SOURCE_STATUSES = checks.COUNTED
DISTRICT_EDITABLE = ("compiling", "returned")

# The city's decision on a submitted plan (task form ``plan_record``); the gateway reads ``decision``.
DECISIONS["plan_record"] = {"record": ("予以备案", False), "return": ("退回修改", True)}


@dataclass
class PlanSettings:
    """Parameters of the plan deadline (set from the app config by the web layer)."""

    due_day: int = 10          # due: this day of the quarter's first month (end of day, China time)
    reminder_days: int = 5     # in-app reminder this many days before the due date
    auto_open: bool = True     # open every district's plan when the quarter begins (tick)


SETTINGS = PlanSettings()


def configure(due_day: int | None = None, reminder_days: int | None = None, auto_open: bool | None = None) -> None:
    if due_day is not None:
        SETTINGS.due_day = int(due_day)
    if reminder_days is not None:
        SETTINGS.reminder_days = int(reminder_days)
    if auto_open is not None:
        SETTINGS.auto_open = bool(auto_open)


def business_key(district_code: str, year: int, quarter: int) -> str:
    return f"{district_code}-{deadlines.quarter_key(year, quarter)}"


def plan_title(district_code: str, year: int, quarter: int) -> str:
    return f"{DISTRICTS.get(district_code, district_code)}{year}年第{quarter}季度培训计划"


# --------------------------------------------------------------------------------------------------
# Pre-fill from filings


def _matching_filings(session: Session, plan: QuarterlyPlan) -> list[tuple[Filing, Enterprise, str]]:
    first, last = deadlines.quarter_bounds(plan.year, plan.quarter)
    rows = session.execute(
        select(Filing, Enterprise, WorkflowInstance.status)
        .join(WorkflowInstance, Filing.instance_id == WorkflowInstance.id)
        .join(Enterprise, Enterprise.id == Filing.enterprise_id)
        .where(Filing.district_code == plan.district_code, WorkflowInstance.status.in_(SOURCE_STATUSES),
               Filing.period_start.is_not(None), Filing.period_end.is_not(None),
               Filing.period_start <= last, Filing.period_end >= first)
        .order_by(Enterprise.name, Filing.id)
    ).all()
    return [(r[0], r[1], r[2]) for r in rows]


def _copy(row: QuarterlyPlanRow, filing: Filing, enterprise: Enterprise, status: str) -> None:
    row.filing_id = filing.id
    row.enterprise_id = enterprise.id
    row.enterprise_name = enterprise.name
    row.credit_code = enterprise.credit_code
    row.occupation_code = filing.occupation_code
    row.occupation_name = filing.occupation_name
    row.project = filing.type_label
    row.level = filing.level
    row.level_label = filing.level_label
    row.trainees = filing.trainee_count
    row.fund_fen = filing.subsidy_fen
    row.filing_status = status


def refresh_rows(session: Session, plan: QuarterlyPlan) -> tuple[int, int]:
    """Bring the rows in line with the filings: add new matches, update figures of existing rows (the
    district's include/exclude choice and reason are kept), drop rows whose filing no longer matches.
    Returns (added, removed)."""
    matches = _matching_filings(session, plan)
    by_filing = {row.filing_id: row for row in plan.rows}
    seen: set[int] = set()
    added = 0
    for filing, enterprise, status in matches:
        row = by_filing.get(filing.id)
        if row is None:
            row = QuarterlyPlanRow(included=True, reason="")
            plan.rows.append(row)
            added += 1
        _copy(row, filing, enterprise, status)
        seen.add(filing.id)
    stale = [row for row in plan.rows if row.filing_id not in seen]
    for row in stale:
        plan.rows.remove(row)
    order = {f.id: i for i, (f, _, _) in enumerate(matches)}
    for row in plan.rows:
        row.seq = order.get(row.filing_id or 0, 0)
    plan.rows.sort(key=lambda r: r.seq)
    plan.updated_at = now()
    session.flush()
    return added, len(stale)


# --------------------------------------------------------------------------------------------------
# Figures (R3, R4, R5)


def figures(session: Session, plan: QuarterlyPlan, params: policy.PolicyParams | None = None) -> dict[str, Any]:
    """The district's year as this plan leaves it (JSON-able).

    * R3: trainees of the year's filings under review or approved (plan_year = the plan's year), minus
      the filings this plan excludes; share at 四级/中级工 and above.
    * R4: the same trainees by enterprise and by occupation; the top three of each with their share,
      flagged above the policy thresholds.
    * R5: the year budget minus the subsidy already committed (filings at city record or recorded that are
      not rows of this plan) minus this quarter's planned fund (included rows)."""
    params = params or policy.in_force(session)
    excluded = {r.filing_id for r in plan.rows if not r.included and r.filing_id}
    included = {r.filing_id for r in plan.rows if r.included and r.filing_id}
    year_rows = session.execute(
        select(Filing.id, Filing.enterprise_id, Enterprise.name, Filing.occupation_code, Filing.occupation_name,
               Filing.level, Filing.trainee_count, Filing.subsidy_fen, WorkflowInstance.status)
        .join(WorkflowInstance, Filing.instance_id == WorkflowInstance.id)
        .join(Enterprise, Enterprise.id == Filing.enterprise_id)
        .where(Filing.district_code == plan.district_code, Filing.plan_year == plan.year,
               WorkflowInstance.status.in_(SOURCE_STATUSES))
    ).all()
    counted = [r for r in year_rows if r.id not in excluded]
    total = sum(r.trainee_count for r in counted)
    intermediate_up = sum(r.trainee_count for r in counted if r.level <= 4)
    share = intermediate_up / total if total else None
    below = share is not None and share < params.intermediate_min_share

    def top(key_name: str, label_name: str, threshold: float) -> list[dict[str, Any]]:
        sums: dict[Any, int] = defaultdict(int)
        labels: dict[Any, str] = {}
        for r in counted:
            key = getattr(r, key_name)
            sums[key] += r.trainee_count
            labels[key] = getattr(r, label_name) or str(key)
        ranked = sorted(sums.items(), key=lambda kv: (-kv[1], labels[kv[0]]))[:3]
        return [{"name": labels[k], "trainees": n, "share": (n / total if total else 0.0),
                 "over": bool(total and n / total > threshold)} for k, n in ranked]

    plan_row = session.scalars(select(DistrictYearPlan).where(
        DistrictYearPlan.district_code == plan.district_code, DistrictYearPlan.year == plan.year)).first()
    budget = int(plan_row.budget_fen) if plan_row else 0
    committed = sum(int(r.subsidy_fen or 0) for r in year_rows
                    if r.status in checks.COMMITTED and r.id not in included)
    rows_in = [r for r in plan.rows if r.included]
    planned = sum(int(r.fund_fen or 0) for r in rows_in)
    top_enterprises = top("enterprise_id", "name", params.enterprise_share_threshold)
    top_occupations = top("occupation_code", "occupation_name", params.occupation_share_threshold)
    return {
        "year": plan.year,
        "trainees_total": total,
        "intermediate_up": intermediate_up,
        "intermediate_share": share,
        "intermediate_min": params.intermediate_min_share,
        "share_below_min": below,
        "enterprise_threshold": params.enterprise_share_threshold,
        "occupation_threshold": params.occupation_share_threshold,
        "top_enterprises": top_enterprises,
        "top_occupations": top_occupations,
        "concentration_flags": sum(1 for t in top_enterprises + top_occupations if t["over"]),
        "budget_fen": budget,
        "planned_headcount": plan_row.planned_headcount if plan_row else 0,
        "committed_fen": committed,
        "planned_fen": planned,
        "remaining_fen": budget - committed - planned,
        "over_budget": budget - committed - planned < 0,
        "quarter_rows": len(rows_in),
        "quarter_trainees": sum(r.trainees for r in rows_in),
        "quarter_fund_fen": planned,
        "excluded_rows": len(plan.rows) - len(rows_in),
    }


def plan_errors(plan: QuarterlyPlan, figs: dict[str, Any]) -> list[dict[str, str]]:
    """Hard problems that refuse a submission: an excluded row without a reason; a plan that leaves the
    year below the R3 minimum without a written justification."""
    errors: list[dict[str, str]] = []
    for row in plan.rows:
        if not row.included and not (row.reason or "").strip():
            errors.append({"field": f"row_{row.id}",
                           "message": f"第{row.seq + 1}行（{row.enterprise_name}）不纳入计划，请填写原因。"})
    if figs.get("share_below_min") and not (plan.justification or "").strip():
        pct = round(float(figs["intermediate_min"]) * 100)
        errors.append({"field": "justification",
                       "message": f"本计划使全年中级工及以上占比低于{pct}%，须填写书面说明后方可提交。"})
    return errors


def run_plan_checks(session: Session, plan_id: int) -> int:
    """The diagram's 自动校验 step: store figures, results and the R3 flag on the plan; return the number
    of hard problems."""
    plan = session.get(QuarterlyPlan, int(plan_id))
    if plan is None:
        raise ValueError(f"quarterly plan {plan_id} not found")
    figs = figures(session, plan)
    plan.figures = figs
    plan.check_results = plan_errors(plan, figs)
    plan.share_flagged = bool(figs["share_below_min"])
    session.flush()
    return len(plan.check_results)


def plan_share_below_min(session: Session, plan_id: int) -> bool:
    plan = session.get(QuarterlyPlan, int(plan_id))
    return bool(plan is not None and (plan.figures or {}).get("share_below_min"))


@bindings.register
def _script_helpers(session: Session, actor: Actor | None) -> dict[str, Any]:
    return {
        "run_plan_checks": lambda plan_id: run_plan_checks(session, plan_id),
        "plan_share_below_min": lambda plan_id: plan_share_below_min(session, plan_id),
    }


# --------------------------------------------------------------------------------------------------
# Opening


def _open(session: Session, actor: Actor | None, district_code: str, year: int, quarter: int) -> WorkflowInstance:
    """Create the plan, its rows and its case (no commit)."""
    plan = QuarterlyPlan(district_code=district_code, year=year, quarter=quarter, created_at=now(),
                         updated_at=now())
    session.add(plan)
    session.flush()  # the unique (district, year, quarter) refuses a second plan here
    refresh_rows(session, plan)
    key = business_key(district_code, year, quarter)
    title = plan_title(district_code, year, quarter)
    with script_services(bindings.for_session(session, actor)):
        instance, _ = store.create_instance(
            session, get_engine(), kind=KIND, process_id=PROCESS_ID, business_key=key, title=title,
            district_code=district_code, enterprise_id=None,
            data={"plan_id": plan.id, "district_code": district_code,
                  "district_name": DISTRICTS.get(district_code, district_code), "plan_year": year,
                  "plan_quarter": quarter, "plan_title": title, "case_kind": KIND, "case_key": key,
                  "due_day": SETTINGS.due_day, "reminder_days": SETTINGS.reminder_days},
        )
    plan.instance_id = instance.id
    audit(session, instance, actor, "open", comment="季度开始，系统自动开启" if actor is None else "市中心开启")
    due = deadlines.date_label(deadlines.quarter_due_at(year, quarter, SETTINGS.due_day))
    notifications.notify_case(session, instance, "district", f"请编制{title}",
                              f"请于{due}前完成编制并提交市职业能力建设指导中心。", "opened")
    return instance


def open_plan(session: Session, actor: Actor, district_code: str, year: int, quarter: int) -> WorkflowInstance:
    """City staff open one district's plan by hand (Conflict if it exists)."""
    if actor.role not in ("city", "admin"):
        raise NotFound("未找到该页面。")
    if district_code not in DISTRICTS or not 1 <= int(quarter) <= 4:
        raise ValidationFailed("请选择有效的区和季度。", {"district_code": ["请选择有效的区和季度。"]})
    try:
        with unit_of_work(session):
            if _plan_of(session, district_code, year, quarter) is not None:
                raise Conflict("该区本季度的计划已开启。")
            instance = _open(session, actor, district_code, int(year), int(quarter))
    except IntegrityError as exc:
        raise Conflict("该区本季度的计划已开启。") from exc
    return instance


def open_missing(session: Session, actor: Actor, year: int, quarter: int) -> int:
    """City staff open every district's plan still missing for a quarter; returns how many."""
    if actor.role not in ("city", "admin"):
        raise NotFound("未找到该页面。")
    opened = 0
    for code in _district_codes(session):
        try:
            open_plan(session, actor, code, year, quarter)
            opened += 1
        except Conflict:
            continue
    return opened


def _district_codes(session: Session) -> list[str]:
    return list(session.scalars(select(District.code).order_by(District.code)))


@deadlines.register_opener
def open_quarter_plans(session: Session, at: datetime) -> int:
    """Opener run by tick: make sure every district has its plan for the quarter containing ``at``.
    Each plan is its own unit of work; a plan another worker opened at the same moment is skipped."""
    if not SETTINGS.auto_open:
        return 0
    year, quarter = deadlines.quarter_of(deadlines.china_today(at))
    existing = set(session.scalars(select(QuarterlyPlan.district_code).where(
        QuarterlyPlan.year == year, QuarterlyPlan.quarter == quarter)))
    opened = 0
    for code in _district_codes(session):
        if code in existing:
            continue
        try:
            with unit_of_work(session), frozen_now(at):
                if _plan_of(session, code, year, quarter) is not None:
                    continue
                _open(session, None, code, year, quarter)
            opened += 1
        except IntegrityError:
            continue  # opened concurrently by another tick process
    return opened


# --------------------------------------------------------------------------------------------------
# Reading


def _plan_of(session: Session, district_code: str, year: int, quarter: int) -> QuarterlyPlan | None:
    return session.scalars(select(QuarterlyPlan).where(
        QuarterlyPlan.district_code == district_code, QuarterlyPlan.year == year,
        QuarterlyPlan.quarter == quarter)).first()


def get_plan(session: Session, actor: Actor, instance_id: int) -> tuple[QuarterlyPlan, WorkflowInstance]:
    """A plan in scope (district: its own; city/admin: all), or NotFound."""
    instance = get_case(session, actor, instance_id)
    if instance.kind != KIND:
        raise NotFound("未找到该计划。")
    plan = session.scalars(select(QuarterlyPlan).where(QuarterlyPlan.instance_id == instance.id)).first()
    if plan is None:
        raise NotFound("未找到该计划。")
    return plan, instance


def ready_task(session: Session, instance_id: int, role: str) -> TaskIndex | None:
    return session.scalars(select(TaskIndex).where(
        TaskIndex.instance_id == instance_id, TaskIndex.role == role)).first()


@dataclass
class PlanListItem:
    district_code: str
    district_name: str
    plan: QuarterlyPlan | None = None
    instance: WorkflowInstance | None = None
    overdue: bool = False
    can_urge: bool = False

    @property
    def status_label(self) -> str:
        return PLAN_STATUS_LABELS.get(self.instance.status, "") if self.instance else "未开启"


def _items(session: Session, actor: Actor, pairs: list[tuple[QuarterlyPlan, WorkflowInstance]],
           at: datetime) -> list[PlanListItem]:
    district_tasks = set(session.scalars(select(TaskIndex.instance_id).where(
        TaskIndex.instance_id.in_([i.id for _, i in pairs]), TaskIndex.role == "district")))
    return [PlanListItem(p.district_code, DISTRICTS.get(p.district_code, p.district_code), p, i,
                         deadlines.is_overdue(i, at),
                         actor.role in ("city", "admin") and i.id in district_tasks and i.completed_at is None)
            for p, i in pairs]


def district_plans(session: Session, actor: Actor, at: datetime | None = None) -> list[PlanListItem]:
    """A district's own plans, newest quarter first."""
    if actor.role != "district":
        raise NotFound("未找到该页面。")
    pairs = session.execute(
        select(QuarterlyPlan, WorkflowInstance).join(WorkflowInstance, QuarterlyPlan.instance_id == WorkflowInstance.id)
        .where(QuarterlyPlan.district_code == actor.district_code)
        .order_by(QuarterlyPlan.year.desc(), QuarterlyPlan.quarter.desc())
    ).all()
    return _items(session, actor, [(p, i) for p, i in pairs], at or now())


def quarter_overview(session: Session, actor: Actor, year: int, quarter: int, at: datetime | None = None
                     ) -> list[PlanListItem]:
    """City view: every district for one quarter, with its plan (or none yet)."""
    if actor.role not in ("city", "admin"):
        raise NotFound("未找到该页面。")
    pairs = session.execute(
        select(QuarterlyPlan, WorkflowInstance).join(WorkflowInstance, QuarterlyPlan.instance_id == WorkflowInstance.id)
        .where(QuarterlyPlan.year == year, QuarterlyPlan.quarter == quarter)
    ).all()
    items = {it.district_code: it for it in _items(session, actor, [(p, i) for p, i in pairs], at or now())}
    return [items.get(code) or PlanListItem(code, DISTRICTS.get(code, code)) for code in _district_codes(session)]


@dataclass
class PlanFilters:
    """Filters of the plan list (API): any combination; None means any."""

    year: int | None = None
    quarter: int | None = None
    district: str | None = None
    status: str | None = None


def find_plans(session: Session, actor: Actor, filters: PlanFilters, page: int = 1, per_page: int = 20,
               at: datetime | None = None) -> tuple[list[PlanListItem], int]:
    """Opened plans in scope (a district: its own; city/admin: all), newest quarter first, filtered and
    paged: (items of one page, total). Enterprises have no plans (NotFound, like the screens)."""
    if actor.role not in ("district", "city", "admin"):
        raise NotFound("未找到该页面。")
    stmt = scope_cases(select(QuarterlyPlan, WorkflowInstance).join(
        WorkflowInstance, QuarterlyPlan.instance_id == WorkflowInstance.id), actor)
    if filters.year is not None:
        stmt = stmt.where(QuarterlyPlan.year == filters.year)
    if filters.quarter is not None:
        stmt = stmt.where(QuarterlyPlan.quarter == filters.quarter)
    if filters.district:
        stmt = stmt.where(QuarterlyPlan.district_code == filters.district)
    if filters.status:
        stmt = stmt.where(WorkflowInstance.status == filters.status)
    total = int(session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0)
    pairs = session.execute(
        stmt.order_by(QuarterlyPlan.year.desc(), QuarterlyPlan.quarter.desc(), QuarterlyPlan.district_code)
        .offset(max(page - 1, 0) * per_page).limit(per_page)).all()
    return _items(session, actor, [(p, i) for p, i in pairs], at or now()), total


def plan_by_id(session: Session, actor: Actor, plan_id: int) -> tuple[QuarterlyPlan, WorkflowInstance]:
    """A plan by its own id (the API's ``/plans/{id}``), scoped like ``get_plan``; NotFound otherwise."""
    instance_id = session.scalar(select(QuarterlyPlan.instance_id).where(QuarterlyPlan.id == plan_id))
    if instance_id is None:
        raise NotFound("未找到该计划。")
    return get_plan(session, actor, instance_id)


# --------------------------------------------------------------------------------------------------
# The district compiles, saves, submits


@dataclass
class PlanRowEdit:
    row_id: int
    included: bool = True
    reason: str = ""


@dataclass
class PlanEdit:
    notes: str = ""
    justification: str = ""
    rows: list[PlanRowEdit] = field(default_factory=list)


def _district_turn(session: Session, actor: Actor, instance_id: int
                   ) -> tuple[QuarterlyPlan, WorkflowInstance, TaskIndex]:
    if actor.role != "district":
        raise NotFound("未找到该任务。")
    # Lock first, so the row (and its version counter) is read fresh under the lock; then check scope.
    instance = store.lock_instance(session, instance_id)
    if instance is None:
        raise NotFound("未找到该计划。")
    plan, _ = get_plan(session, actor, instance_id)
    task = ready_task(session, instance.id, "district")
    if task is None or not may_complete(actor, task):
        raise Conflict("该计划当前不在区局编制环节，不能修改。")
    return plan, instance, task


def _apply(plan: QuarterlyPlan, edit: PlanEdit) -> None:
    if len(edit.notes or "") > 4000 or len(edit.justification or "") > 4000:
        raise ValidationFailed("备注和书面说明均不能超过4000字。", {"notes": ["不能超过4000字。"]})
    plan.notes = (edit.notes or "").strip()
    plan.justification = (edit.justification or "").strip()
    rows = {row.id: row for row in plan.rows}
    for change in edit.rows:
        row = rows.get(int(change.row_id))
        if row is None:
            raise Conflict("计划内容已更新，请刷新页面后重新编辑。")
        row.included = bool(change.included)
        row.reason = (change.reason or "").strip()[:1000]
    plan.updated_at = now()


def save_plan(session: Session, actor: Actor, instance_id: int, edit: PlanEdit) -> QuarterlyPlan:
    """Save the district's edits without submitting."""
    with unit_of_work(session):
        plan, instance, _ = _district_turn(session, actor, instance_id)
        _apply(plan, edit)
        instance.updated_at = now()
        audit(session, instance, actor, "save", comment="保存计划", status_before=instance.status)
    return plan


def refresh_plan(session: Session, actor: Actor, instance_id: int) -> tuple[int, int]:
    """Re-read the district's filings into the plan (keeps include/exclude choices); (added, removed)."""
    with unit_of_work(session):
        plan, instance, _ = _district_turn(session, actor, instance_id)
        added, removed = refresh_rows(session, plan)
        audit(session, instance, actor, "refresh", comment=f"更新备案数据：新增{added}条，移除{removed}条",
              status_before=instance.status)
    return added, removed


def submit_plan(session: Session, actor: Actor, instance_id: int, edit: PlanEdit | None = None) -> QuarterlyPlan:
    """Submit (or resubmit after a return). The diagram checks the plan; on any problem the whole
    submission rolls back and ValidationFailed lists the problems by field."""
    with unit_of_work(session):
        plan, instance, task = _district_turn(session, actor, instance_id)
        if edit is not None:
            _apply(plan, edit)
        session.flush()
        action = "resubmit" if instance.status == "returned" else "submit"
        advance(session, actor, instance, task.task_id, {"decision": "", "comment": ""}, action,
                comment="重新提交计划" if action == "resubmit" else "提交计划")
        if instance.status in DISTRICT_EDITABLE:
            fields: dict[str, list[str]] = {}
            for problem in plan.check_results or []:
                fields.setdefault(problem["field"], []).append(problem["message"])
            message = "计划未通过校验，请按提示修改后再提交。"
            raise ValidationFailed(message, fields or {"__all__": [message]})
        plan.submitted_at = now()
    return plan


# --------------------------------------------------------------------------------------------------
# The city records or returns


def decide_plan(session: Session, actor: Actor, instance_id: int, decision: str, comment: str = ""
                ) -> WorkflowInstance:
    """City staff record the plan (予以备案) or return it to the district with a comment."""
    get_plan(session, actor, instance_id)
    if actor.role != "city":
        raise NotFound("未找到该任务。")
    task = ready_task(session, instance_id, "city")
    if task is None:
        raise Conflict("该计划当前不在市级备案环节。")
    return complete_task(session, actor, task.task_id, decision, comment)


def urge_plan(session: Session, actor: Actor, instance_id: int, message: str) -> WorkflowInstance:
    """催办: the city urges a district still compiling (or revising) its plan."""
    get_plan(session, actor, instance_id)
    return deadlines.urge(session, actor, instance_id, message)


def diagram(session: Session, actor: Actor, instance_id: int) -> tuple[str, list[str], list[str]]:
    """(BPMN XML of the plan's own process version, current element ids, completed element ids)."""
    from workflows import runner

    _, instance = get_plan(session, actor, instance_id)
    workflow = store.load_workflow(get_engine(), instance)
    current, done = runner.element_states(workflow)
    return instance.spec_version.bpmn_xml, current, done


ACTION_LABELS: dict[str, str] = {
    "open": "开启计划", "save": "保存计划", "refresh": "更新备案数据", "submit": "提交计划",
    "resubmit": "重新提交计划", "record": "予以备案", "return": "退回修改", "urge": "催办", "timer": "期限届满",
}
