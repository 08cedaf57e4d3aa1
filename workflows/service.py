"""The web's only door: the use cases and read queries that views, the API and the CLI call.

Each use case is one unit of work (``workflows.cases.unit_of_work``): lock the instance -> deserialize ->
check the task is READY and the actor may complete it -> run the engine -> serialize -> rewrite the task
index -> append the audit row -> commit once. Errors are ``workflows.errors``: NotFound (404, also out of
scope), Conflict (409), ValidationFailed (422, with field paths).

Nothing inside ``workflows/`` imports this module: it only names, in one place, what the web may call.
The code lives in the kernel (``cases``, ``queries``) and in one package per area.
"""

from __future__ import annotations

from pathlib import Path

from workflows import features
from workflows.cases import complete_task, get_case, may_complete, scope_cases, tick
from workflows.engine import configure_engine
from workflows.features import DECISIONS, KIND_LABELS, PERIODIC_STATUS_LABELS, STATUS_LABELS, status_label
from workflows.filings.use_cases import (
    create_filing,
    filing_of,
    filing_of_case,
    get_filing,
    save_filing,
    submit_filing,
    withdraw_filing,
)
from workflows.plans.use_cases import decide_plan, open_plan, refresh_plan, save_plan, submit_plan, urge_plan
from workflows.queries import (
    DISTRICT_FIGURE_RULES,
    CaseFilters,
    CaseInfo,
    case_diagram,
    case_infos,
    case_of_task,
    get_task,
    history,
    inbox,
    list_cases,
    list_filings,
    ready_tasks,
    status_counts,
    visible_checks,
)


def configure(bpmn_dir: str | Path) -> None:
    """Start-up: parse the diagrams once and register every feature (``workflows.features``)."""
    configure_engine(bpmn_dir)
    features.install()


__all__ = [
    "DECISIONS", "DISTRICT_FIGURE_RULES", "KIND_LABELS", "PERIODIC_STATUS_LABELS", "STATUS_LABELS", "CaseFilters",
    "CaseInfo", "case_diagram", "case_infos", "case_of_task", "complete_task", "configure", "create_filing",
    "decide_plan", "filing_of", "filing_of_case", "get_case", "get_filing", "get_task", "history", "inbox",
    "list_cases", "list_filings", "may_complete", "open_plan", "ready_tasks", "refresh_plan", "save_filing",
    "save_plan", "scope_cases", "status_counts", "status_label", "submit_filing", "submit_plan", "tick",
    "urge_plan", "visible_checks", "withdraw_filing",
]
