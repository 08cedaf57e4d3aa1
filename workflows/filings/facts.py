"""The district-year facts a filing's checks and decisions read (SPEC R3-R5), in one statement: the year
plans (headcount, budget), the training projects' fund totals, the year shares of the filings awaiting the
city (``totals.YEAR_SHARE``) for every budget year the filing's period falls in, and the running totals
of its plan year for the district, its enterprise and its occupation.

A decision's guard (R5) and its live figures (R3/R4/R5) read the same facts: they are read once per
filing and transaction, and forgotten as soon as a step moves the running totals (``totals.track``), so
a batch's next decision in the same transaction reads them again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, Integer, String, and_, bindparam, cast, literal, or_, select, union_all
from sqlalchemy.orm import Session

from workflows.filings import totals
from workflows.models import DistrictYearFigure, DistrictYearPlan, Filing, FundTotal


@dataclass(frozen=True)
class YearFacts:
    """What the district's years hold, as read (not yet less the filing's own contribution)."""

    plans: dict[int, tuple[int, int]]  # year -> (planned headcount, budget fen)
    funds: dict[int, int]  # year -> committed + paid fen of the training projects
    shares: dict[int, int]  # year -> year shares of the filings awaiting the city
    plan_year: totals.YearTotals  # the plan year's district / enterprise / occupation rows (zeros if none)

    def plan(self, year: int | None) -> tuple[int, int]:
        return self.plans.get(int(year), (0, 0)) if year is not None else (0, 0)


def _zero(n: int) -> list:
    return [cast(literal(0), BigInteger())] * n


_plan, _fund, _figure = DistrictYearPlan, FundTotal, DistrictYearFigure
# The years asked for, as a range (a filing's budget years are consecutive, its plan year among or next to
# them): an expanding IN would be rendered into new SQL text at every execution. Years in the range that
# were not asked for are read and never looked up.
_FIRST, _LAST = bindparam("first_year", type_=Integer()), bindparam("last_year", type_=Integer())


def _in_years(column: Any) -> Any:
    return and_(column >= _FIRST, column <= _LAST)


# Tag, year, dimension, five figures: the three tables' rows in one UNION ALL (built once).
_FACTS = union_all(
    select(literal("plan", String()), _plan.year, literal("", String()),
           cast(_plan.planned_headcount, BigInteger()), cast(_plan.budget_fen, BigInteger()), *_zero(3))
    .where(_plan.district_code == bindparam("district"), _in_years(_plan.year)),
    select(literal("fund", String()), _fund.year, literal("", String()),
           cast(_fund.committed_fen, BigInteger()), cast(_fund.paid_fen, BigInteger()), *_zero(3))
    .where(_fund.district_code == bindparam("district"), _in_years(_fund.year)),
    select(literal("figure", String()), _figure.year, _figure.dimension,
           *(cast(getattr(_figure, name), BigInteger()) for name in totals.FIGURES))
    .where(_figure.district_code == bindparam("district"), or_(
        and_(_figure.dimension == totals.YEAR_SHARE, _figure.key == "", _in_years(_figure.year)),
        and_(_figure.year == cast(bindparam("plan_year"), Integer()), or_(
            and_(_figure.dimension == totals.DISTRICT, _figure.key == ""),
            and_(_figure.dimension == totals.ENTERPRISE, _figure.key == bindparam("enterprise")),
            and_(_figure.dimension == totals.OCCUPATION, _figure.key == bindparam("occupation")))))),
)



def plan_year(filing: Filing) -> int | None:
    """The year the filing's R3/R4 figures count in: its plan year, else the year its training starts."""
    return filing.plan_year or (filing.period_start.year if filing.period_start else None)


def facts(session: Session, filing: Filing) -> YearFacts:
    """The facts of the filing's district for its plan year and its budget years (one statement, once per
    transaction until the running totals move)."""
    year = plan_year(filing)
    years = sorted(set(totals.year_shares(filing)) | ({int(year)} if year is not None else set()))
    # Keyed by what the statement asks, so a filing changed since (its period, enterprise, occupation) is
    # read again; tied to the transaction.
    key = (filing.id, filing.district_code, tuple(years), year, filing.enterprise_id, filing.occupation_code or "")
    root = totals.root_transaction(session)
    cached = session.info.get(totals.FACTS_CACHE, {}).get(key)
    if cached is not None and cached[0] is root:
        return cached[1]
    plans: dict[int, tuple[int, int]] = {}
    funds: dict[int, int] = {}
    shares: dict[int, int] = {}
    rows: dict[str, totals.Figures] = {}
    for tag, row_year, dimension, *values in session.execute(_FACTS, {
            "district": filing.district_code, "first_year": years[0] if years else 0,
            "last_year": years[-1] if years else -1, "plan_year": year,
            "enterprise": str(filing.enterprise_id) if filing.enterprise_id is not None else None,
            "occupation": filing.occupation_code or ""}):
        figures = [int(v or 0) for v in values]
        if tag == "plan":
            plans[int(row_year)] = (figures[0], figures[1])
        elif tag == "fund":
            funds[int(row_year)] = figures[0] + figures[1]
        elif dimension == totals.YEAR_SHARE:
            shares[int(row_year)] = figures[3]  # committed_fen
        else:
            rows[dimension] = dict(zip(totals.FIGURES, figures, strict=True))
    zero = dict.fromkeys(totals.FIGURES, 0)
    found = YearFacts(plans=plans, funds=funds, shares=shares, plan_year=totals.YearTotals(
        rows.get(totals.DISTRICT, dict(zero)), rows.get(totals.ENTERPRISE, dict(zero)),
        rows.get(totals.OCCUPATION, dict(zero))))
    session.info.setdefault(totals.FACTS_CACHE, {})[key] = (root, found)
    return found
