"""Money and figures (rule R5): the budget check at approval, months billed and their split across budget
years, the subsidy in fen, and the formatting of fen as yuan and of shares as percentages.

Amounts are integer fen. Pure functions, no I/O.
"""

from __future__ import annotations

from calendar import monthrange
from datetime import date
from functools import lru_cache

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


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months, clamped to the month's last day (01-31 + 1 month -> 02-28/29)."""
    index = day.year * 12 + day.month - 1 + int(months)
    year, month = divmod(index, 12)
    month += 1
    last = monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


@lru_cache(maxsize=4096)  # pure, and asked several times per decision (guard, totals, figures)
def period_months(start: date, end: date) -> int:
    """Months billed for a training period (end inclusive): every started month counts, at least 1.

    Month n runs from ``start + (n-1) months`` to the day before ``start + n months``, so
    2027-03-01..2028-02-29 is 12 months and 2027-03-01..2028-03-01 (one year and one day) is 13."""
    if end < start:
        return 0
    months = 1
    while add_months(start, months) <= end:
        months += 1
    return months


def months_by_year(start: date, months: int) -> dict[int, int]:
    """How many of a period's billed months fall in each budget (calendar) year: a month belongs to the
    year in which it starts. 2027-03-01 + 13 months -> {2027: 10, 2028: 3}."""
    return dict(_months_by_year(start, int(months)))


@lru_cache(maxsize=4096)
def _months_by_year(start: date, months: int) -> tuple[tuple[int, int], ...]:
    years: dict[int, int] = {}
    for n in range(max(months, 0)):
        year = add_months(start, n).year
        years[year] = years.get(year, 0) + 1
    return tuple(years.items())


def _fen_of_months(trainee_count: int, rate_yuan_per_year: int, months: int) -> int:
    """trainees x yearly rate x months / 12 in fen, rounded half up to the fen."""
    numerator = int(trainee_count) * int(rate_yuan_per_year) * 100 * int(months)
    return (numerator * 2 + 12) // 24


def subsidy_fen(trainee_count: int, rate_yuan_per_year: int, months: int) -> int:
    """Subsidy in fen: trainees x yearly rate per person (yuan) x months billed / 12, to the fen
    (half up): 1 trainee at 5,500 a year for 13 months is 595,833 fen (5,958.33 yuan)."""
    if min(trainee_count, rate_yuan_per_year, months) < 0:
        raise ValueError("人数、补贴标准和月数不能为负数")
    return _fen_of_months(trainee_count, rate_yuan_per_year, months)


def year_split_fen(trainee_count: int, rate_yuan_per_year: int, start: date, months: int) -> dict[int, int]:
    """``subsidy_fen`` split across budget years by the months in each. Each year's share is the
    difference of the rounded running totals, so the shares add up to the whole to the fen:
    2027-03-01, 13 months at 5,500 -> {2027: 458,333, 2028: 137,500} (total 595,833)."""
    split: dict[int, int] = {}
    done_months = done_fen = 0
    for year, count in sorted(months_by_year(start, months).items()):
        done_months += count
        upto = _fen_of_months(trainee_count, rate_yuan_per_year, done_months)
        split[year] = upto - done_fen
        done_fen = upto
    return split


def split_total_fen(total_fen: int, start: date, months: int) -> dict[int, int]:
    """An amount already computed (a filing's fund plan) split across budget years by the months in
    each, the shares adding up to the whole (running totals rounded half up)."""
    by_year = months_by_year(start, months)
    if not by_year:
        return {}
    split: dict[int, int] = {}
    done_months = done_fen = 0
    for year, count in sorted(by_year.items()):
        done_months += count
        upto = (int(total_fen) * done_months * 2 + months) // (2 * months)
        split[year] = upto - done_fen
        done_fen = upto
    return split


def fen_to_yuan_str(fen: int) -> str:
    """Integer fen as yuan with thousands separators and 2 decimals: 1234500 -> '12,345.00'."""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}{yuan:,}.{cents:02d}"


def format_share(x: float) -> str:
    """A share as a percentage with one decimal: 0.725 -> '72.5%'."""
    return f"{round(x * 100, 1):.1f}%"
