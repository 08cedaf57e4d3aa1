"""Use cases of the quarterly district plan (区季度培训计划, SPEC R11 with R3-R5), re-exported by
``workflows.service``.

One instance of ``bpmn/quarterly_plan.bpmn`` per district per quarter (business key ``440106-2027Q1``),
opened automatically when the quarter begins (``open_quarter_plans``, an opener run by
``service.tick(..., open_periods=True)``) or by city staff by hand. Its rows are pre-filled from the
district's filings under review or approved whose training period overlaps the quarter; the district
includes or excludes each with a reason, adds notes and submits; the diagram checks the plan
(``run_plan_checks``), flags a plan that leaves the year below the R3 minimum to the city, and the city
records it or returns it.

This module is the public face of the plans; the code lives in ``plans_config`` (constants, settings),
``plans_compile`` (rows, figures, checks), ``plans_queries`` (reading) and ``plans_use_cases`` (opening,
compiling, recording), all re-exported here. Importing it registers the script helpers and the opener.
"""

from __future__ import annotations

from workflows.plans_compile import figures, plan_errors, plan_share_below_min, refresh_rows, run_plan_checks
from workflows.plans_config import (
    ACTION_LABELS,
    DISTRICT_EDITABLE,
    KIND,
    PLAN_STATUS_LABELS,
    PROCESS_ID,
    SETTINGS,
    SOURCE_STATUSES,
    PlanSettings,
    business_key,
    configure,
    plan_title,
)
from workflows.plans_queries import (
    PlanFilters,
    PlanListItem,
    diagram,
    district_plans,
    find_plans,
    get_plan,
    plan_by_id,
    quarter_overview,
    ready_task,
)
from workflows.plans_use_cases import (
    PlanEdit,
    PlanRowEdit,
    decide_plan,
    open_missing,
    open_plan,
    open_quarter_plans,
    refresh_plan,
    save_plan,
    submit_plan,
    urge_plan,
)

__all__ = [
    "ACTION_LABELS", "DISTRICT_EDITABLE", "KIND", "PLAN_STATUS_LABELS", "PROCESS_ID", "SETTINGS",
    "SOURCE_STATUSES", "PlanEdit", "PlanFilters", "PlanListItem", "PlanRowEdit", "PlanSettings",
    "business_key", "configure", "decide_plan", "diagram", "district_plans", "figures", "find_plans",
    "get_plan", "open_missing", "open_plan", "open_quarter_plans", "plan_by_id", "plan_errors",
    "plan_share_below_min", "plan_title", "quarter_overview", "ready_task", "refresh_plan", "refresh_rows",
    "run_plan_checks", "save_plan", "submit_plan", "urge_plan",
]
