"""The dashboard page (全市概览): ``overview`` assembles the year figures (``dashboard.figures``), the
status tables (``dashboard.status``) and the thresholds in force for the actor's scope
(``dashboard.scope``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from workflows import policy
from workflows.clock import now
from workflows.dashboard.figures import (
    BreakdownRow,
    DistrictYear,
    available_years,
    breakdown,
    city_total,
    current_year,
    year_groups,
    year_rows,
)
from workflows.dashboard.scope import Scope, resolve_scope
from workflows.dashboard.status import (
    Periodic,
    StatusMatrix,
    TaskCounts,
    periodic,
    status_matrix,
    task_counts,
)
from workflows.dto import Actor


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
