"""What a quarterly plan holds and how it is checked: rows pre-filled from the district's filings
(``refresh_rows``), the year's figures R3/R4/R5 as the plan leaves them (``figures``), the problems that
refuse a submission (``plan_errors``), and the diagram's script helpers (``run_plan_checks``,
``plan_share_below_min``). Nothing commits.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows import deadlines, policy
from workflows.clock import now
from workflows.dto import Actor
from workflows.filings import totals
from workflows.filings.status import COMMITTED
from workflows.models import (
    DistrictYearPlan,
    Enterprise,
    Filing,
    Occupation,
    QuarterlyPlan,
    QuarterlyPlanRow,
    WorkflowInstance,
)
from workflows.plans.config import SOURCE_STATUSES

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
    # The district's year from its running totals (one read, whatever the number of cases), less what
    # this plan's own filings change: the excluded ones do not count, the included ones are not yet
    # committed. Only the plan's filings are read, never the district's whole year.
    year = totals.year_totals(session, plan.district_code, plan.year)
    own = session.execute(
        select(Filing.id, Filing.enterprise_id, Filing.occupation_code, Filing.level, Filing.trainee_count,
               Filing.subsidy_fen, WorkflowInstance.status)
        .join(WorkflowInstance, Filing.instance_id == WorkflowInstance.id)
        .where(Filing.id.in_(excluded | included), Filing.district_code == plan.district_code,
               Filing.plan_year == plan.year, WorkflowInstance.status.in_(SOURCE_STATUSES))
    ).all() if excluded or included else []
    out = [r for r in own if r.id in excluded]
    total = year.district["trainees"] - sum(r.trainee_count for r in out)
    intermediate_up = year.district["intermediate_up"] - sum(
        r.trainee_count for r in out if r.level <= totals.INTERMEDIATE_UP_MAX_LEVEL)
    share = intermediate_up / total if total else None
    below = share is not None and share < params.intermediate_min_share

    def top(dimension: str, names: Callable[[list[str]], dict[str, str]], key_of: Callable[[Any], str],
            threshold: float) -> list[dict[str, Any]]:
        sums = {k: (f["filings"], f["trainees"]) for k, f in totals.shares(session, plan.district_code, plan.year,
                                                                          dimension).items()}
        for r in out:
            filings, trainees = sums.get(key_of(r), (0, 0))
            sums[key_of(r)] = (filings - 1, trainees - r.trainee_count)
        counted = {k: n for k, (filings, n) in sums.items() if filings > 0}
        labels = names(list(counted))
        ranked = sorted(counted.items(), key=lambda kv: (-kv[1], labels.get(kv[0]) or kv[0]))[:3]
        return [{"name": labels.get(k) or k, "trainees": n, "share": (n / total if total else 0.0),
                 "over": bool(total and n / total > threshold)} for k, n in ranked]

    def enterprise_names(keys: list[str]) -> dict[str, str]:
        ids = [int(k) for k in keys if k.isdigit()]
        return {str(i): n for i, n in session.execute(
            select(Enterprise.id, Enterprise.name).where(Enterprise.id.in_(ids)))} if ids else {}

    def occupation_names(keys: list[str]) -> dict[str, str]:
        return {c: n for c, n in session.execute(
            select(Occupation.code, Occupation.name).where(Occupation.code.in_(keys)))} if keys else {}

    plan_row = session.scalars(select(DistrictYearPlan).where(
        DistrictYearPlan.district_code == plan.district_code, DistrictYearPlan.year == plan.year)).first()
    budget = int(plan_row.budget_fen) if plan_row else 0
    committed = year.district["committed_fen"] - sum(int(r.subsidy_fen or 0) for r in own
                                                     if r.status in COMMITTED and r.id in included)
    rows_in = [r for r in plan.rows if r.included]
    planned = sum(int(r.fund_fen or 0) for r in rows_in)
    top_enterprises = top(totals.ENTERPRISE, enterprise_names, lambda r: str(r.enterprise_id),
                          params.enterprise_share_threshold)
    top_occupations = top(totals.OCCUPATION, occupation_names, lambda r: r.occupation_code or "",
                          params.occupation_share_threshold)
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


def script_helpers(session: Session, actor: Actor | None) -> dict[str, Any]:
    """The plan diagram's session-bound script helpers (registered by ``workflows.features``)."""
    return {
        "run_plan_checks": lambda plan_id: run_plan_checks(session, plan_id),
        "plan_share_below_min": lambda plan_id: plan_share_below_min(session, plan_id),
    }
