"""Money and figures (rule R5): the budget check at approval, years billed, the subsidy in fen, and the
formatting of fen as yuan and of shares as percentages.

Amounts are integer fen. Pure functions, no I/O.
"""

from __future__ import annotations

from datetime import date

from workflows.rules.ids import add_years
from workflows.rules.inputs import CheckResult, DistrictYearFigures


def budget_check(subsidy_fen: int, year: DistrictYearFigures) -> CheckResult:
    """Hard rule at approval: the district's committed subsidy plus this one must fit the budget."""
    remaining = year.budget_fen - year.committed_fen
    after = remaining - subsidy_fen
    ok = after >= 0
    tail = f"，批准后剩余{fen_to_yuan_str(after)}元" if ok else f"，超出{fen_to_yuan_str(-after)}元，不能批准"
    return CheckResult(
        "budget", "hard", ok, "fund_plan",
        f"本区年度培训经费预算{fen_to_yuan_str(year.budget_fen)}元，已占用{fen_to_yuan_str(year.committed_fen)}元，"
        f"本次申请补贴{fen_to_yuan_str(subsidy_fen)}元，剩余{fen_to_yuan_str(remaining)}元{tail}",
        {"budget_fen": year.budget_fen, "committed_fen": year.committed_fen, "subsidy_fen": subsidy_fen,
         "remaining_fen": remaining, "remaining_after_fen": after},
    )


def period_years(start: date, end: date) -> int:
    """Whole years billed for a period: the ceiling of its length in calendar years, at least 1.

    Inclusive and exclusive end dates both bill 2 years for 2024-03-01 to 2026-02-28 / 2026-03-01.
    """
    years = 1
    while add_years(start, years) < end:
        years += 1
    return years


def subsidy_fen(trainee_count: int, rate_yuan_per_year: int, years: int) -> int:
    """Requested subsidy in fen: trainees x yearly rate per person (yuan) x years billed."""
    if min(trainee_count, rate_yuan_per_year, years) < 0:
        raise ValueError("人数、补贴标准和年数不能为负数")
    return trainee_count * rate_yuan_per_year * 100 * years


def fen_to_yuan_str(fen: int) -> str:
    """Integer fen as yuan with thousands separators and 2 decimals: 1234500 -> '12,345.00'."""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}{yuan:,}.{cents:02d}"


def format_share(x: float) -> str:
    """A share as a percentage with one decimal: 0.725 -> '72.5%'."""
    return f"{round(x * 100, 1):.1f}%"
