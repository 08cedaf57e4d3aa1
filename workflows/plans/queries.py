"""Reading quarterly plans: one plan in scope (by case or by id), the ready task of a role, the district's
list, the city's quarter overview, the API's filtered and paged list, and the plan's diagram.

"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows import deadlines, runner, store
from workflows.cases import get_case, scope_cases
from workflows.clock import now
from workflows.dto import Actor
from workflows.engine import get_engine
from workflows.errors import NotFound
from workflows.models import DISTRICTS, District, QuarterlyPlan, TaskIndex, WorkflowInstance
from workflows.paging import filtered_page
from workflows.plans.config import KIND, PLAN_STATUS_LABELS


def plan_of(session: Session, district_code: str, year: int, quarter: int) -> QuarterlyPlan | None:
    """The district's plan for a quarter, if opened (any scope: callers check)."""
    return session.scalars(select(QuarterlyPlan).where(
        QuarterlyPlan.district_code == district_code, QuarterlyPlan.year == year,
        QuarterlyPlan.quarter == quarter)).first()


def district_codes(session: Session) -> list[str]:
    """Every district's code, in code order."""
    return list(session.scalars(select(District.code).order_by(District.code)))


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
    district_turn: bool = False  # the district's task (compiling, or revising after a return) is ready

    @property
    def status_label(self) -> str:
        return PLAN_STATUS_LABELS.get(self.instance.status, "") if self.instance else "未开启"


def _items(session: Session, actor: Actor, pairs: list[tuple[QuarterlyPlan, WorkflowInstance]],
           at: datetime) -> list[PlanListItem]:
    district_tasks = set(session.scalars(select(TaskIndex.instance_id).where(
        TaskIndex.instance_id.in_([i.id for _, i in pairs]), TaskIndex.role == "district")))
    return [PlanListItem(p.district_code, DISTRICTS.get(p.district_code, p.district_code), p, i,
                         deadlines.is_overdue(i, at),
                         actor.role in ("city", "admin") and i.id in district_tasks and i.completed_at is None,
                         i.id in district_tasks)
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
    return [items.get(code) or PlanListItem(code, DISTRICTS.get(code, code)) for code in district_codes(session)]


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
    pairs, total = filtered_page(
        session, stmt,
        [(QuarterlyPlan.year, filters.year), (QuarterlyPlan.quarter, filters.quarter),
         (QuarterlyPlan.district_code, filters.district), (WorkflowInstance.status, filters.status)],
        [QuarterlyPlan.year.desc(), QuarterlyPlan.quarter.desc(), QuarterlyPlan.district_code], page, per_page)
    return _items(session, actor, [(p, i) for p, i in pairs], at or now()), total


def plan_by_id(session: Session, actor: Actor, plan_id: int) -> tuple[QuarterlyPlan, WorkflowInstance]:
    """A plan by its own id (the API's ``/plans/{id}``), scoped like ``get_plan``; NotFound otherwise."""
    instance_id = session.scalar(select(QuarterlyPlan.instance_id).where(QuarterlyPlan.id == plan_id))
    if instance_id is None:
        raise NotFound("未找到该计划。")
    return get_plan(session, actor, instance_id)


def diagram(session: Session, actor: Actor, instance_id: int) -> tuple[str, list[str], list[str]]:
    """(BPMN XML of the plan's own process version, current element ids, completed element ids)."""
    _, instance = get_plan(session, actor, instance_id)
    workflow = store.load_workflow(get_engine(), instance)
    current, done = runner.element_states(workflow)
    return instance.spec_version.bpmn_xml, current, done
