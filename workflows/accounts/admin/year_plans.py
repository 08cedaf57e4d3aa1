"""District year plans (city staff and admins): every district's budget and planned headcount for a
year beside what approved filings already use, and saving them all or nothing (a budget below what a
district has already committed and paid needs a confirmation).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from workflows.accounts.admin.access import require
from workflows.cases import unit_of_work
from workflows.clock import now
from workflows.dto import Actor
from workflows.errors import ValidationFailed
from workflows.filings import status as filing_status
from workflows.models import DISTRICTS, DistrictYearPlan, Filing, FundTotal, WorkflowInstance
from workflows.rules.money import fen_to_yuan_str
from workflows.security import log

MAX_BUDGET_YUAN = 10_000_000_000


@dataclass
class YearPlanRow:
    district_code: str
    district_name: str
    budget_fen: int
    planned_headcount: int
    committed_fen: int
    trainees: int
    exists: bool


def year_plans(session: Session, actor: Actor, year: int) -> list[YearPlanRow]:
    """Every district's budget and headcount for ``year`` with what approved filings already use."""
    require(actor, "city", "admin")
    plans = {p.district_code: p for p in session.scalars(select(DistrictYearPlan).where(DistrictYearPlan.year == year))}
    committed = case((WorkflowInstance.status.in_(filing_status.COMMITTED), Filing.subsidy_fen), else_=0)
    counted = case((WorkflowInstance.status.in_(filing_status.COUNTED),
                    Filing.trainee_count), else_=0)
    used = {r[0]: (int(r[1] or 0), int(r[2] or 0)) for r in session.execute(
        select(Filing.district_code, func.sum(committed), func.sum(counted))
        .join(WorkflowInstance, Filing.instance_id == WorkflowInstance.id)
        .where(Filing.plan_year == year).group_by(Filing.district_code))}
    rows = []
    for code, name in DISTRICTS.items():
        plan = plans.get(code)
        rows.append(YearPlanRow(code, name, plan.budget_fen if plan else 0, plan.planned_headcount if plan else 0,
                                used.get(code, (0, 0))[0], used.get(code, (0, 0))[1], plan is not None))
    return rows


def save_year_plans(session: Session, actor: Actor, year: int, values: dict[str, tuple[int | None, int | None]],
                    confirm_below_committed: bool = False) -> int:
    """Set budget (fen) and planned headcount per district for ``year``; all or nothing. A budget below
    what the district has already committed and paid that year (``fund_total``) needs
    ``confirm_below_committed``: the refusal names the figures."""
    with unit_of_work(session):
        require(actor, "city", "admin")
        errors: dict[str, list[str]] = {}
        if not 2020 <= year <= 2100:
            errors["year"] = ["年度应为2020至2100之间的年份"]
        for code, (budget_fen, headcount) in values.items():
            name = DISTRICTS.get(code)
            if name is None:
                errors[f"{code}.budget"] = ["未知的区"]
                continue
            if budget_fen is None or not 0 <= budget_fen <= MAX_BUDGET_YUAN * 100:
                errors[f"{code}.budget"] = [f"{name}的年度预算应为0至{MAX_BUDGET_YUAN:,}元"]
            if headcount is None or not 0 <= headcount <= 1_000_000:
                errors[f"{code}.headcount"] = [f"{name}的计划人数应为0至1000000人"]
        if errors:
            raise ValidationFailed("年度计划有误，请修改标出的内容。", errors)
        if not confirm_below_committed:
            floors = {t.district_code: (t.committed_fen, t.paid_fen) for t in session.scalars(
                select(FundTotal).where(FundTotal.year == year, FundTotal.district_code.in_(list(values))))}
            for code, (budget_fen, _) in values.items():
                committed, paid = floors.get(code, (0, 0))
                if budget_fen is not None and budget_fen < committed + paid:
                    errors[f"{code}.budget"] = [
                        f"{DISTRICTS[code]}{year}年预算{fen_to_yuan_str(budget_fen)}元低于已占用{fen_to_yuan_str(committed)}元"
                        f"与已拨付{fen_to_yuan_str(paid)}元之和{fen_to_yuan_str(committed + paid)}元，请确认后再保存"]
            if errors:
                raise ValidationFailed("预算低于已占用和已拨付的资金，请确认。", {**errors, "confirm": ["请勾选确认"]})
        plans = {p.district_code: p for p in session.scalars(
            select(DistrictYearPlan).where(DistrictYearPlan.year == year))}
        for code, (budget_fen, headcount) in values.items():
            plan = plans.get(code)
            if plan is None:
                plan = DistrictYearPlan(district_code=code, year=year)
                session.add(plan)
            plan.budget_fen, plan.planned_headcount = int(budget_fen or 0), int(headcount or 0)
            plan.updated_at = now()
        log.record_actor(session, actor, "year_plan_change", f"year:{year}",
                         {code: {"budget_fen": b, "headcount": h} for code, (b, h) in values.items()})
    return len(values)
