"""Running totals of each district's year (SPEC R3-R5): counted filings, trainees, trainees at 四级/中级工
and above, subsidy committed and pending, for the district and per enterprise and occupation
(table ``district_year_figure``).

They are kept in the same transaction as the case step that changes them: ``track`` (the filing
feature's step tracker, called by ``cases.step`` around every engine move of a filing: submission,
approval, return, withdrawal, rejection, send-back, timers) takes the filing's contribution before and
after the move and adds the difference with one atomic ``INSERT ... ON CONFLICT DO UPDATE SET x = x +
:d`` over the touched rows, which is safe under concurrent transactions on PostgreSQL (the row lock is taken
by the statement itself) and on SQLite (one writer at a time). So an approval reads the committed
subsidy from one row instead of summing every case of the district, at any number of cases.

A filing the district approved and the city has not yet recorded holds its fund plan against the budget
of every year its training falls in (R5, split by months): dimension ``YEAR_SHARE`` keeps, per district and
budget year, the sum of those shares (in ``committed_fen``), so the budget check at an approval reads one row
per year instead of every filing awaiting the city.

The number of filing cases per district and current status (the dashboard's status table, all years) is
kept the same way: dimension ``STATUS``, year ``STATUS_YEAR`` (0), key the status, the count in
``filings``. A step that moves a case's status moves one count between two rows of the same upsert.
Drafts are not counted (private to their enterprise, SPEC section 2: no count shows them), so creating
or deleting one changes nothing here.

``recompute`` derives the same figures from the cases (the reconciliation, ``flask workflows
reconcile``), and ``differences`` says where the stored totals disagree with them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import TextClause, and_, bindparam, case, delete, func, or_, select, text
from sqlalchemy.orm import Session, object_session, scoped_session

from workflows.cases import unit_of_work
from workflows.filings.status import AWAITING_RECORD, COMMITTED, COUNTED, DRAFT, KIND, LABELS, PENDING
from workflows.models import DistrictYearFigure, Filing, WorkflowInstance
from workflows.rules import money

INTERMEDIATE_UP_MAX_LEVEL = 4  # 四级/中级工 and above are levels 1..4
DISTRICT = ""  # the dimension of the district's whole year (key "")
ENTERPRISE = "enterprise"
OCCUPATION = "occupation"
YEAR_SHARE = "year_share"  # per budget year: the shares of the filings awaiting the city (committed_fen)
STATUS = "status"  # per current status of the district's filing cases, all years: their number (filings)
STATUS_YEAR = 0
FIGURES = ("filings", "trainees", "intermediate_up", "committed_fen", "pending_fen")

Key = tuple[str, int, str, str]  # (district, year, dimension, key)
Figures = dict[str, int]


@dataclass(frozen=True)
class Contribution:
    """What one filing in one status adds to its district's year (a snapshot: the filing may change)."""

    district_code: str
    year: int
    enterprise_id: int
    occupation_code: str
    figures: tuple[int, int, int, int, int]  # in FIGURES order
    year_shares: tuple[tuple[int, int], ...] = ()  # (budget year, fen) while awaiting the city

    def rows(self) -> dict[Key, tuple[int, ...]]:
        d, y = self.district_code, self.year
        out: dict[Key, tuple[int, ...]] = {
            (d, y, DISTRICT, ""): self.figures, (d, y, ENTERPRISE, str(self.enterprise_id)): self.figures,
            (d, y, OCCUPATION, self.occupation_code or ""): self.figures}
        for year, fen in self.year_shares:
            out[(d, year, YEAR_SHARE, "")] = (0, 0, 0, fen, 0)
        return out


def year_shares(filing: Filing) -> dict[int, int]:
    """The filing's fund plan split across budget years by the months of its period in each (R5)."""
    if filing.period_start is None or filing.period_end is None or filing.period_end < filing.period_start:
        return {filing.plan_year or 0: int(filing.subsidy_fen or 0)}
    months = money.period_months(filing.period_start, filing.period_end)
    return money.split_total_fen(int(filing.subsidy_fen or 0), filing.period_start, months)


def contribution(status: str, filing: Filing | None) -> Contribution | None:
    """The filing's contribution while its case is in ``status`` (None: it counts for nothing)."""
    if filing is None or status not in COUNTED or filing.plan_year is None or not filing.district_code:
        return None
    trainees = int(filing.trainee_count or 0)
    subsidy = int(filing.subsidy_fen or 0)
    return Contribution(
        district_code=filing.district_code, year=int(filing.plan_year), enterprise_id=int(filing.enterprise_id),
        occupation_code=filing.occupation_code or "",
        figures=(1, trainees, trainees if int(filing.level or 99) <= INTERMEDIATE_UP_MAX_LEVEL else 0,
                 subsidy if status in COMMITTED else 0, subsidy if status in PENDING else 0),
        year_shares=tuple(sorted(year_shares(filing).items())) if status in AWAITING_RECORD else ())


def _status_key(district_code: str | None, status: str) -> Key:
    return (district_code or "", STATUS_YEAR, STATUS, status)


def status_deltas(district_code: str | None, before: str, after: str) -> dict[Key, tuple[int, ...]]:
    """A filing case of the district moving from status ``before`` to ``after`` (a draft counts nowhere)."""
    out: dict[Key, tuple[int, ...]] = {}
    if before != after:
        for sign, status in ((-1, before), (1, after)):
            if status != DRAFT:
                out[_status_key(district_code, status)] = (sign, 0, 0, 0, 0)
    return out


def _deltas(before: Contribution | None, after: Contribution | None) -> dict[Key, tuple[int, ...]]:
    out: dict[Key, list[int]] = {}
    for sign, c in ((-1, before), (1, after)):
        if c is None:
            continue
        for key, figures in c.rows().items():
            acc = out.setdefault(key, [0] * len(FIGURES))
            for i, v in enumerate(figures):
                acc[i] += sign * v
    return {k: tuple(v) for k, v in out.items() if any(v)}


@lru_cache(maxsize=8)
def _upsert(rows: int) -> TextClause:
    """``INSERT ... VALUES (..), (..) ON CONFLICT DO UPDATE SET x = x + excluded.x`` for ``rows`` rows, in
    the syntax PostgreSQL and SQLite share. Plain text, built once per row count: SQLAlchemy cannot cache
    a compiled ``on_conflict_do_update`` construct and compiled it again on every step (a quarter of a
    completion's CPU)."""
    columns = ("district_code", "year", "dimension", "key", *FIGURES)
    values = ", ".join("(" + ", ".join(f":{c}_{i}" for c in columns) + ")" for i in range(rows))
    names = ", ".join(f'"{c}"' for c in columns)
    update = ", ".join(f'"{n}" = district_year_figure."{n}" + excluded."{n}"' for n in FIGURES)
    return text(f"INSERT INTO district_year_figure ({names}) VALUES {values} "
                f'ON CONFLICT ("district_code", "year", "dimension", "key") DO UPDATE SET {update}')


def add_many(session: Session, deltas: Mapping[Key, Iterable[int]]) -> None:
    """Add each delta to its totals row atomically (a row is created at its delta if missing), in one
    statement; rows are written in key order (the same order in every writer: no deadlocks)."""
    params: dict[str, object] = {}
    for i, (key, delta) in enumerate(sorted(deltas.items())):
        district, year, dimension, row_key = key
        params.update({f"district_code_{i}": district, f"year_{i}": year, f"dimension_{i}": dimension,
                       f"key_{i}": row_key})
        params.update({f"{name}_{i}": int(v) for name, v in zip(FIGURES, delta, strict=True)})
    if deltas:
        session.execute(_upsert(len(deltas)), params)


def add(session: Session, key: Key, delta: Iterable[int]) -> None:
    """Add ``delta`` to one totals row atomically (created at the delta if missing)."""
    add_many(session, {key: tuple(delta)})


_LOADED = "workflows.filings.loaded"
FACTS_CACHE = "workflows.filings.facts"  # the facts read per filing and transaction (``filings.facts``)


def _real(session: Session) -> Session:
    """The session itself behind a ``scoped_session`` proxy (Flask-SQLAlchemy's ``db.session``)."""
    return session.registry() if isinstance(session, scoped_session) else session  # type: ignore[return-value]


def root_transaction(session: Session) -> object | None:
    """The outermost transaction the session is in (savepoints share it)."""
    transaction = _real(session).get_transaction()
    while transaction is not None and transaction.parent is not None:
        transaction = transaction.parent
    return transaction


def remember(session: Session, filing: Filing) -> None:
    """A filing a use case has just loaded, for the steps that follow in the same transaction (the approval's
    guard, live figures, step tracker and effects read it once). Bound to the transaction: a later one
    reads it again."""
    if filing.instance_id is not None:
        session.info.setdefault(_LOADED, {})[filing.instance_id] = (root_transaction(session), filing)


def filing_of_instance(session: Session, instance_id: int) -> Filing | None:
    """The case's filing: the one loaded earlier in this transaction, else read (and remembered)."""
    known = session.info.get(_LOADED, {}).get(instance_id)
    if known is not None and known[0] is root_transaction(session) and object_session(known[1]) is _real(session):
        return known[1]
    filing = session.scalars(_FILING_OF_INSTANCE, {"instance_id": int(instance_id)}).first()
    if filing is not None:
        remember(session, filing)
    return filing


_FILING_OF_INSTANCE = select(Filing).where(Filing.instance_id == bindparam("instance_id"))


def track(session: Session, instance: WorkflowInstance) -> Callable[[], None]:
    """The step tracker of filings: note the filing's contribution before the engine moves, and return
    what to run after the move is saved (add the difference to the totals, same transaction)."""
    filing = filing_of_instance(session, instance.id)
    status_before = instance.status
    before = contribution(status_before, filing)

    def after() -> None:  # the figures and the status count in one statement
        add_many(session, {**_deltas(before, contribution(instance.status, filing)),
                           **status_deltas(instance.district_code, status_before, instance.status)})
        session.info.pop(FACTS_CACHE, None)  # what this session read of the totals is stale now


    return after


# --------------------------------------------------------------------------------------------------
# Reading


@dataclass(frozen=True)
class YearTotals:
    """The district's year and the shares of one enterprise and one occupation (zeros when none)."""

    district: Figures
    enterprise: Figures
    occupation: Figures


def _zero() -> Figures:
    return dict.fromkeys(FIGURES, 0)


def year_totals(session: Session, district_code: str, year: int, enterprise_id: int | None = None,
                occupation_code: str | None = None) -> YearTotals:
    """One primary-key read of at most three rows, whatever the number of cases."""
    found: dict[str, Figures] = {}
    for dimension, *values in session.execute(_YEAR_ROWS, {  # a key of None matches no row
            "district": district_code, "year": int(year),
            "enterprise": str(enterprise_id) if enterprise_id is not None else None,
            "occupation": occupation_code}):
        found[dimension] = {name: int(v or 0) for name, v in zip(FIGURES, values, strict=True)}
    return YearTotals(found.get(DISTRICT, _zero()), found.get(ENTERPRISE, _zero()), found.get(OCCUPATION, _zero()))


_t = DistrictYearFigure
# The district's row and one enterprise's and one occupation's, as columns (not entities); built once.
_YEAR_ROWS = select(_t.dimension, *(getattr(_t, name) for name in FIGURES)).where(
    _t.district_code == bindparam("district"), _t.year == bindparam("year"),
    or_(and_(_t.dimension == DISTRICT, _t.key == ""),
        and_(_t.dimension == ENTERPRISE, _t.key == bindparam("enterprise")),
        and_(_t.dimension == OCCUPATION, _t.key == bindparam("occupation"))))
_AWAITING_SHARES = select(_t.year, _t.committed_fen).where(
    _t.district_code == bindparam("district"), _t.year.in_(bindparam("years", expanding=True)),
    _t.dimension == YEAR_SHARE, _t.key == "")


def awaiting_shares(session: Session, district_code: str, years: Iterable[int]) -> dict[int, int]:
    """Per budget year: the shares of the district's filings awaiting the city (one row per year)."""
    return {year: int(fen or 0) for year, fen in session.execute(
        _AWAITING_SHARES, {"district": district_code, "years": [int(y) for y in years]})}


def shares(session: Session, district_code: str, year: int, dimension: str) -> dict[str, Figures]:
    """The year's rows of one dimension (``ENTERPRISE`` or ``OCCUPATION``), by key: one read of as many
    rows as the district has enterprises / occupations that year, whatever the number of cases."""
    t = DistrictYearFigure
    return {row.key: {name: int(getattr(row, name) or 0) for name in FIGURES} for row in session.scalars(
        select(t).where(t.district_code == district_code, t.year == year, t.dimension == dimension))}


_STATUS_ROWS = select(_t.district_code, _t.key, _t.filings).where(
    _t.year == STATUS_YEAR, _t.dimension == STATUS, _t.filings != 0)


def status_counts(session: Session, district_code: str | None = None) -> dict[str, dict[str, int]]:
    """Filing cases per district and current status (all years; one district's when given): one read of
    at most districts x statuses rows, whatever the number of cases."""
    stmt = _STATUS_ROWS if district_code is None else _STATUS_ROWS.where(_t.district_code == district_code)
    out: dict[str, dict[str, int]] = {}
    for district, status, n in session.execute(stmt).tuples():
        out.setdefault(district, {})[status] = int(n)
    return out


def without(figures: Figures, own: Contribution | None) -> Figures:
    """``figures`` less the filing's own contribution ("the district's year, not counting this filing")."""
    if own is None:
        return dict(figures)
    return {name: figures[name] - own.figures[i] for i, name in enumerate(FIGURES)}


# --------------------------------------------------------------------------------------------------
# Reconciliation


def recompute(session: Session) -> dict[Key, tuple[int, ...]]:
    """The totals derived from the cases themselves (four GROUP BY statements, and the year shares of the
    filings awaiting the city, split in Python as the approvals split them)."""
    up = func.sum(case((Filing.level <= INTERMEDIATE_UP_MAX_LEVEL, Filing.trainee_count), else_=0))
    committed = func.sum(case((WorkflowInstance.status.in_(COMMITTED), Filing.subsidy_fen), else_=0))
    pending = func.sum(case((WorkflowInstance.status.in_(PENDING), Filing.subsidy_fen), else_=0))
    out: dict[Key, tuple[int, ...]] = {}
    dimensions = ((DISTRICT, None), (ENTERPRISE, Filing.enterprise_id), (OCCUPATION, Filing.occupation_code))
    for dimension, column in dimensions:
        group = [Filing.district_code, Filing.plan_year] + ([column] if column is not None else [])
        stmt = (select(*group, func.count(), func.sum(Filing.trainee_count), up, committed, pending)
                .join(WorkflowInstance, WorkflowInstance.id == Filing.instance_id)
                .where(WorkflowInstance.kind == KIND, WorkflowInstance.status.in_(COUNTED),
                       Filing.plan_year.is_not(None))
                .group_by(*group))
        for row in session.execute(stmt):
            district, year = row[0], int(row[1])
            key = "" if column is None else str(row[2] or "")
            out[(district, year, dimension, key)] = tuple(int(v or 0) for v in row[-5:])
    by_status = (select(WorkflowInstance.district_code, WorkflowInstance.status, func.count())
                 .where(WorkflowInstance.kind == KIND, WorkflowInstance.status != DRAFT)
                 .group_by(WorkflowInstance.district_code, WorkflowInstance.status))
    for district, status, n in session.execute(by_status).tuples():
        out[_status_key(district, status)] = (int(n), 0, 0, 0, 0)
    awaiting = (select(Filing).join(WorkflowInstance, WorkflowInstance.id == Filing.instance_id)
                .where(WorkflowInstance.kind == KIND, WorkflowInstance.status.in_(AWAITING_RECORD),
                       Filing.plan_year.is_not(None)))
    for filing in session.scalars(awaiting):
        if not filing.district_code:
            continue
        for year, fen in year_shares(filing).items():
            share: Key = (filing.district_code, year, YEAR_SHARE, "")
            was = out.get(share, (0, 0, 0, 0, 0))
            out[share] = (0, 0, 0, was[3] + fen, 0)
    return out


def stored(session: Session) -> dict[Key, tuple[int, ...]]:
    t = DistrictYearFigure
    return {(r.district_code, r.year, r.dimension, r.key): tuple(int(getattr(r, n) or 0) for n in FIGURES)
            for r in session.scalars(select(t))}


@dataclass(frozen=True)
class Difference:
    key: Key
    stored: tuple[int, ...]
    computed: tuple[int, ...]

    def describe(self) -> str:
        district, year, dimension, key = self.key
        if dimension == STATUS:
            return f"{district} “{LABELS.get(key, key)}”的备案数（全部年度）: {self.stored[0]} -> {self.computed[0]}"
        what = {"": "全区", ENTERPRISE: f"企业 {key}", OCCUPATION: f"职业 {key}",
                YEAR_SHARE: "待市备案（按年度分摊）"}.get(dimension, dimension)
        fields = ", ".join(f"{name}: {a} -> {b}" for name, a, b in zip(FIGURES, self.stored, self.computed,
                                                                        strict=True) if a != b)
        return f"{district} {year} {what}: {fields}"


def differences(session: Session) -> list[Difference]:
    """Where the stored totals disagree with the cases (rows of all zeros count as absent)."""
    have, want = stored(session), recompute(session)
    zero = (0,) * len(FIGURES)
    out = []
    for key in sorted(set(have) | set(want)):
        a, b = have.get(key, zero), want.get(key, zero)
        if a != b:
            out.append(Difference(key, a, b))
    return out


def rewrite(session: Session) -> int:
    """Replace the stored totals with the recomputed ones (``reconcile --fix``); no commit. Returns
    the number of rows written."""
    session.execute(delete(DistrictYearFigure))
    want = recompute(session)
    for (district, year, dimension, key), figures in want.items():
        session.add(DistrictYearFigure(district_code=district, year=year, dimension=dimension, key=key,
                                       **dict(zip(FIGURES, figures, strict=True))))
    session.flush()
    return len(want)


def reconcile(session: Session, fix: bool = False) -> list[Difference]:
    """Compare the running totals with the cases (``flask workflows reconcile``); with ``fix``, rewrite
    them from the cases in one transaction. Returns the differences found (before any fix)."""
    with unit_of_work(session):
        found = differences(session)
        if fix and found:
            rewrite(session)
    return found
