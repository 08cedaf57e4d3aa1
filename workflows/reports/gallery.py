"""The typical-case gallery: cases of accepted reports city-wide, filtered and paged with 优秀案例 first,
and the filter choices that occur among them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from workflows import paging
from workflows.dto import Actor
from workflows.errors import NotFound
from workflows.models import WorkflowInstance
from workflows.models.report_models import ReportCase, SemiannualReport
from workflows.reports.config import KIND, parse_period_key, period_key, period_label

# --------------------------------------------------------------------------------------------------
# Gallery


@dataclass
class GalleryFilters:
    """Filters of the gallery: any combination; None means any."""

    district: str | None = None
    occupation: str | None = None
    apprenticeship_type: str | None = None
    period: str | None = None  # '2027H1'
    excellent_only: bool = False


@dataclass
class GalleryOptions:
    """Choices for the gallery filters: only values that occur among accepted cases."""

    occupations: list[tuple[str, str]]
    periods: list[tuple[str, str]]


def _accepted_cases() -> Select:
    return (select(ReportCase)
            .join(SemiannualReport, ReportCase.report_id == SemiannualReport.id)
            .join(WorkflowInstance, SemiannualReport.instance_id == WorkflowInstance.id)
            .where(WorkflowInstance.kind == KIND, WorkflowInstance.status == "recorded"))


def gallery(session: Session, actor: Actor, filters: GalleryFilters, page: int = 1, per_page: int = 24
            ) -> tuple[list[ReportCase], int]:
    """Typical cases of accepted reports, city-wide, 优秀案例 first: (one page, total)."""
    if actor.role not in ("district", "city", "admin"):
        raise NotFound("未找到该页面。")
    stmt = _accepted_cases()
    if filters.district:
        stmt = stmt.where(SemiannualReport.district_code == filters.district)
    if filters.occupation:
        stmt = stmt.where(ReportCase.occupation_code == filters.occupation)
    if filters.apprenticeship_type:
        stmt = stmt.where(ReportCase.apprenticeship_type == filters.apprenticeship_type)
    if filters.period:
        try:
            year, half = parse_period_key(filters.period)
        except ValueError:
            year, half = 0, 0
        stmt = stmt.where(SemiannualReport.year == year, SemiannualReport.half == half)
    if filters.excellent_only:
        stmt = stmt.where(ReportCase.excellent.is_(True))
    total = int(session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0)
    rows = list(session.scalars(
        stmt.options(selectinload(ReportCase.attachments), selectinload(ReportCase.report))
        .order_by(ReportCase.excellent.desc(), SemiannualReport.year.desc(), SemiannualReport.half.desc(),
                  SemiannualReport.district_code, ReportCase.seq)
        .offset(paging.offset(page, per_page)).limit(per_page)))
    return rows, total


def gallery_options(session: Session) -> GalleryOptions:
    """The occupations and periods that occur among accepted cases (the filters' choices)."""
    base = _accepted_cases().subquery()
    occupations = session.execute(
        select(base.c.occupation_code, base.c.occupation_name).where(base.c.occupation_code != "")
        .distinct().order_by(base.c.occupation_code)).all()
    periods = session.execute(
        select(SemiannualReport.year, SemiannualReport.half)
        .join(WorkflowInstance, SemiannualReport.instance_id == WorkflowInstance.id)
        .where(WorkflowInstance.status == "recorded").distinct()
        .order_by(SemiannualReport.year.desc(), SemiannualReport.half.desc())).all()
    return GalleryOptions(
        occupations=[(c, f"{c} {n}") for c, n in occupations],
        periods=[(period_key(y, h), period_label(y, h)) for y, h in periods],
    )
