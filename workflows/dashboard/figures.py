"""Year figures of the city dashboard (SPEC R3-R6): per district and for the city, for one plan year.

R3 share of trainees at 四级/中级工 and above, R4 largest enterprise and occupation, R5 budget used and
pending, R6 breakdown by size class and tag. Every figure comes from the running totals of the year's
counted filings (``district_year_figure``, kept by ``workflows.filings.totals`` in the same transaction
as each case step), per district and per enterprise / occupation: the dashboard reads a few thousand
small rows at most, never the cases.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, Select, Text, case, distinct, func, select
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import Session

from workflows import clock, policy
from workflows.dashboard.scope import Scope, check_scope
from workflows.dto import Actor
from workflows.filings.totals import ENTERPRISE, OCCUPATION
from workflows.models import DISTRICTS, DistrictYearFigure, DistrictYearPlan, Enterprise, Filing, Occupation
from workflows.models.org import ENTERPRISE_TAGS, SIZE_CLASSES

SME_SIZES = ("中型", "小型", "微型")  # 中小微企业
UNTAGGED = "无标签"


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

    Inside the database: the running totals per (district, enterprise) (``district_year_figure``, kept by
    ``filings.totals``: filings, trainees, trainees at 四级/中级工 and above, committed and pending subsidy;
    a few thousand rows at most, whatever the number of cases); enterprises ranked within their
    district by trainees (window function); then summed again per (district, size class, tag list) with the
    rank-1 enterprise carried along. At most 11 x 4 x 16 rows come back whatever the number of cases or
    enterprises. Tag lists are JSON: grouped by their text and decoded here, once per distinct list, which
    works the same on SQLite and PostgreSQL."""
    check_scope(actor, scope)
    per = _year_shares(select(
        DistrictYearFigure.district_code.label("district"),
        sql_cast(DistrictYearFigure.key, Integer).label("enterprise_id"),
        DistrictYearFigure.filings.label("filings"),
        DistrictYearFigure.trainees.label("trainees"),
        DistrictYearFigure.intermediate_up.label("up"),
        DistrictYearFigure.committed_fen.label("committed"),
        # Counted = committed + pending (district_review): all of the subsidy.
        (DistrictYearFigure.committed_fen + DistrictYearFigure.pending_fen).label("subsidy"),
    ), scope, year, ENTERPRISE).subquery("per_enterprise")
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
    (ties: smallest code). One query over the running totals per (district, occupation), ranked by a
    window function."""
    check_scope(actor, scope)
    per = _year_shares(select(
        DistrictYearFigure.district_code.label("district"), DistrictYearFigure.key.label("code"),
        DistrictYearFigure.trainees.label("trainees"),
    ), scope, year, OCCUPATION).subquery()
    ranked = select(
        per.c.district, per.c.code, per.c.trainees,
        func.row_number().over(partition_by=per.c.district,
                               order_by=(per.c.trainees.desc(), per.c.code)).label("rank"),
    ).subquery()
    # The catalogue's name; an occupation no longer in the catalogue keeps the name its filings carry.
    name = func.coalesce(Occupation.name, select(Filing.occupation_name).where(
        Filing.occupation_code == ranked.c.code).limit(1).scalar_subquery())
    rows = session.execute(select(ranked.c.district, ranked.c.code, name, ranked.c.trainees)
                           .outerjoin(Occupation, Occupation.code == ranked.c.code)
                           .where(ranked.c.rank == 1)).tuples()
    return {d: (str(k or ""), str(n or ""), int(t or 0)) for d, k, n, t in rows}


def _year_shares(stmt: Select, scope: Scope, year: int, dimension: str) -> Select:
    """The running-total rows of ``year`` for one share dimension that still count a filing."""
    stmt = stmt.where(DistrictYearFigure.year == year, DistrictYearFigure.dimension == dimension,
                      DistrictYearFigure.filings > 0)
    if scope.single:
        stmt = stmt.where(DistrictYearFigure.district_code == scope.single)
    return stmt


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


def available_years(session: Session, current: int) -> list[int]:
    """Years with a district plan, plus the current one, newest first (a tiny table: no scan of cases)."""
    years = set(session.scalars(select(distinct(DistrictYearPlan.year))))
    years.add(current)
    return sorted((int(y) for y in years), reverse=True)


def current_year(at: datetime | None = None) -> int:
    return clock.china_today(at).year


__all__ = [
    "BreakdownRow", "DistrictYear", "GroupSum", "Top", "available_years", "breakdown", "city_total",
    "current_year", "year_groups", "year_rows",
]
