"""Money per district and budget year: what each project holds, the running totals, the reconciliation.

A project's figures by budget year are a pure function of its record (``figures``):

* before settlement: *entitled* = the trainees still counted x rate x their months (a started month
  counts), split across years by the months in each; advances recorded fill the earliest years first.
  committed = entitled - advance; advanced = paid = advance; released = what the 备案 plan held beyond
  the entitlement (trainees who did not start or left, months not trained after a stop, a late start).
* after settlement (the subsidy payment is recorded): committed = 0; paid = the final amount (passed
  trainees x rate x months trained) plus any advance above it not yet refunded (still ``advanced``);
  released = the rest of the plan.

So for every project and year committed + paid + released = the plan (advanced is part of paid), and
``remaining = budget - committed - paid``. ``moving(session, project)`` wraps a step that changes a
project: figures before, figures after, and the difference added to ``fund_total`` with atomic
``x = x + delta`` statements in the same transaction (concurrent steps of the same district cannot
lose an update). ``reconcile`` recomputes the totals from every project and compares.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from workflows.dto import Actor
from workflows.errors import NotFound, ValidationFailed
from workflows.models import DISTRICTS, DistrictYearPlan, FundTotal, ProjectTrainee, TrainingProject
from workflows.rules import money

COLUMNS = ("committed_fen", "advanced_fen", "paid_fen", "released_fen")


@dataclass(frozen=True)
class YearMoney:
    committed_fen: int = 0
    advanced_fen: int = 0
    paid_fen: int = 0
    released_fen: int = 0

    def minus(self, other: YearMoney) -> YearMoney:
        return YearMoney(*(getattr(self, c) - getattr(other, c) for c in COLUMNS))

    def plus(self, other: YearMoney) -> YearMoney:
        return YearMoney(*(getattr(self, c) + getattr(other, c) for c in COLUMNS))

    def is_zero(self) -> bool:
        return not any(getattr(self, c) for c in COLUMNS)


Figures = dict[int, YearMoney]


# --------------------------------------------------------------------------------------------------
# A project's figures


def segment(project: TrainingProject, trainee: ProjectTrainee) -> tuple[date, int] | None:
    """(first day, months billed) of one trainee's training, or None when nothing is billed."""
    if project.actual_start is None:
        start = project.planned_start
    elif not trainee.started:
        return None
    else:
        start = max(trainee.joined_on or project.actual_start, project.actual_start)
    end = project.period_end
    if project.stopped_on is not None:
        end = min(end, project.stopped_on - timedelta(days=1))
    if trainee.released_on is not None:
        end = min(end, trainee.released_on - timedelta(days=1))
    if end < start:
        return None
    return start, money.period_months(start, end)


def billed_by_year(project: TrainingProject, trainees: list[ProjectTrainee]) -> dict[int, int]:
    """trainees x rate x months / 12, split across budget years; trainees with the same segment are
    billed together (so 3 trainees for 13 months are 3 x 5500 x 13 / 12 rounded once, as at 备案)."""
    groups: dict[tuple[date, int], int] = {}
    for trainee in trainees:
        seg = segment(project, trainee)
        if seg is not None and seg[1] > 0:
            groups[seg] = groups.get(seg, 0) + 1
    total: dict[int, int] = {}
    for (start, months), count in sorted(groups.items()):
        for year, fen in money.year_split_fen(count, project.rate_yuan, start, months).items():
            total[year] = total.get(year, 0) + fen
    return total


def entitled_by_year(project: TrainingProject) -> dict[int, int]:
    """What the project's counted trainees are entitled to now (before assessment)."""
    return billed_by_year(project, list(project.trainees))


def final_by_year(project: TrainingProject) -> dict[int, int]:
    """The subsidy for the trainees who passed the assessment, for the months they trained."""
    return billed_by_year(project, [t for t in project.trainees if t.outcome == "passed"])


def _fill(amount: int, caps: dict[int, int]) -> dict[int, int]:
    """Spread ``amount`` over the years in order, each up to its cap; any rest goes to the last year."""
    out: dict[int, int] = {}
    years = sorted(caps)
    for year in years:
        take = min(amount, max(caps[year], 0))
        if take:
            out[year] = take
        amount -= take
    if amount > 0 and years:
        out[years[-1]] = out.get(years[-1], 0) + amount
    return out


def paid_sum(project: TrainingProject, kind: str) -> int:
    return sum(p.amount_fen for p in project.payments if p.kind == kind)


def figures(project: TrainingProject) -> Figures:
    """The project's committed / advanced / paid / released fen per budget year (see the module doc)."""
    original = {int(y): int(v) for y, v in (project.original_by_year or {}).items()}
    advance = paid_sum(project, "advance")
    out: Figures = {}
    if not project.settled:
        entitled = entitled_by_year(project)
        years = sorted(set(original) | set(entitled))
        base = {y: max(original.get(y, 0), entitled.get(y, 0)) for y in years}
        advanced = _fill(advance, entitled)
        for y in years:
            a = advanced.get(y, 0)
            out[y] = YearMoney(committed_fen=entitled.get(y, 0) - a, advanced_fen=a, paid_fen=a,
                               released_fen=base[y] - entitled.get(y, 0))
        return out
    final = {int(y): int(v) for y, v in (project.final_by_year or {}).items()}
    years = sorted(set(original) | set(final))
    base = {y: max(original.get(y, 0), final.get(y, 0)) for y in years}
    outstanding = max(0, advance - sum(final.values()) - paid_sum(project, "refund"))
    still_out = _fill(outstanding, {y: base[y] - final.get(y, 0) for y in years})
    for y in years:
        o = still_out.get(y, 0)
        out[y] = YearMoney(committed_fen=0, advanced_fen=o, paid_fen=final.get(y, 0) + o,
                           released_fen=base[y] - final.get(y, 0) - o)
    return out


# --------------------------------------------------------------------------------------------------
# Running totals


def _insert(session: Session):  # type: ignore[no-untyped-def]
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def add_to_totals(session: Session, district_code: str, delta: Figures) -> None:
    """Add ``delta`` to the district's running totals: one atomic UPDATE per year (row created first
    if missing, race-safe with ON CONFLICT DO NOTHING). No commit."""
    for year, change in sorted(delta.items()):
        if change.is_zero():
            continue
        session.execute(_insert(session)(FundTotal).values(
            district_code=district_code, year=year, committed_fen=0, advanced_fen=0, paid_fen=0,
            released_fen=0).on_conflict_do_nothing(index_elements=["district_code", "year"]))
        session.execute(
            update(FundTotal)
            .where(FundTotal.district_code == district_code, FundTotal.year == year)
            .values({getattr(FundTotal, c): getattr(FundTotal, c) + getattr(change, c) for c in COLUMNS})
            .execution_options(synchronize_session=False))


def difference(after: Figures, before: Figures) -> Figures:
    return {y: after.get(y, YearMoney()).minus(before.get(y, YearMoney())) for y in set(after) | set(before)}


@contextmanager
def moving(session: Session, project: TrainingProject) -> Iterator[None]:
    """Wrap a change of ``project``: its figures before and after, the difference into the totals,
    in the caller's transaction."""
    before = figures(project) if project.id is not None else {}
    yield
    session.flush()
    add_to_totals(session, project.district_code, difference(figures(project), before))


# --------------------------------------------------------------------------------------------------
# Reconciliation


@dataclass(frozen=True)
class Mismatch:
    district_code: str
    year: int
    stored: YearMoney
    computed: YearMoney


def recompute(session: Session) -> dict[tuple[str, int], YearMoney]:
    """Every district and year's totals, recomputed from the projects."""
    totals: dict[tuple[str, int], YearMoney] = {}
    for project in session.scalars(select(TrainingProject).order_by(TrainingProject.id)):
        for year, fig in figures(project).items():
            key = (project.district_code, year)
            totals[key] = totals.get(key, YearMoney()).plus(fig)
    return totals


def stored_totals(session: Session) -> dict[tuple[str, int], YearMoney]:
    return {(r.district_code, r.year): YearMoney(r.committed_fen, r.advanced_fen, r.paid_fen, r.released_fen)
            for r in session.scalars(select(FundTotal))}


def reconcile(session: Session, repair: bool = False) -> list[Mismatch]:
    """Compare the running totals with the figures recomputed from the cases; with ``repair`` rewrite
    the totals from the cases (the caller commits)."""
    computed, stored = recompute(session), stored_totals(session)
    mismatches = [Mismatch(d, y, stored.get((d, y), YearMoney()), computed.get((d, y), YearMoney()))
                  for d, y in sorted(set(computed) | set(stored))
                  if stored.get((d, y), YearMoney()) != computed.get((d, y), YearMoney())]
    if repair:
        for m in mismatches:
            add_to_totals(session, m.district_code, {m.year: m.computed.minus(m.stored)})
        session.flush()
    return mismatches


# --------------------------------------------------------------------------------------------------
# The funds query (API and dashboard)


@dataclass(frozen=True)
class FundsRow:
    district_code: str
    district_name: str
    year: int
    budget_fen: int
    committed_fen: int
    advanced_fen: int
    paid_fen: int
    released_fen: int
    remaining_fen: int
    risk: bool  # 资金支付风险: committed + paid above the policy share of the budget

    def to_dict(self) -> dict[str, object]:
        return {"district_code": self.district_code, "district_name": self.district_name, "year": self.year,
                "budget_fen": self.budget_fen, "committed_fen": self.committed_fen,
                "advanced_fen": self.advanced_fen, "paid_fen": self.paid_fen, "released_fen": self.released_fen,
                "remaining_fen": self.remaining_fen, "payment_risk": self.risk}


def at_risk(budget_fen: int, committed_fen: int, paid_fen: int, share: float) -> bool:
    return committed_fen + paid_fen > budget_fen * share


def funds(session: Session, actor: Actor, year: int, district: str | None, risk_share: float) -> list[FundsRow]:
    """The figures of ``year`` per district: a district reviewer sees its own district only (another
    district: NotFound); city staff and admins any district or all; enterprises nothing."""
    if actor.role == "district":
        if district and district != actor.district_code:
            raise NotFound("未找到该区的资金情况。")
        district = actor.district_code
    elif actor.role not in ("city", "admin"):
        raise NotFound("页面不存在，或您无权查看。")
    if district and district not in DISTRICTS:
        raise ValidationFailed("未知的区。", {"district": ["未知的区。"]})
    if not 2000 <= int(year) <= 2100:
        raise ValidationFailed("年度应为2000至2100之间的年份。", {"year": ["年度应为2000至2100之间的年份。"]})
    codes = [district] if district else list(DISTRICTS)
    budgets = dict(session.execute(select(DistrictYearPlan.district_code, DistrictYearPlan.budget_fen)
                                   .where(DistrictYearPlan.year == year,
                                          DistrictYearPlan.district_code.in_(codes))).tuples().all())
    totals = {r.district_code: r for r in session.scalars(
        select(FundTotal).where(FundTotal.year == year, FundTotal.district_code.in_(codes)))}
    rows = []
    for code in codes:
        t = totals.get(code)
        budget = int(budgets.get(code) or 0)
        committed, advanced, paid, released = ((t.committed_fen, t.advanced_fen, t.paid_fen, t.released_fen)
                                               if t else (0, 0, 0, 0))
        rows.append(FundsRow(code, DISTRICTS[code], int(year), budget, committed, advanced, paid, released,
                             budget - committed - paid, at_risk(budget, committed, paid, risk_share)))
    return rows


def committed_and_paid(session: Session, district_code: str, year: int) -> tuple[int, int]:
    """(committed, paid) fen of one district and year (the floor of its budget)."""
    row = session.get(FundTotal, (district_code, year))
    return (int(row.committed_fen), int(row.paid_fen)) if row else (0, 0)
