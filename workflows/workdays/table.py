"""The holiday calendar tables and the clock's in-process copy of them.

``refresh(session)`` compares the calendar's version stamp (a ``catalogue_revision`` row named
``holiday_calendar``, replaced by every change) with the one installed in ``workflows.clock`` and
reloads when they differ: one primary-key query per request or tick, so several web workers and tick
processes all follow an admin's change at their next request. ``seed(session)`` fills the tables from
the libraries for the years they know: confirmed for the years whose notice chinese-calendar carries,
estimated (the ``holidays`` package) for the next year(s).
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from importlib.metadata import version

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from workflows import clock
from workflows.db import utcnow
from workflows.models import CatalogueRevision, HolidayDay, HolidayYear

STAMP = "holiday_calendar"
CONFIRMED, ESTIMATED = "confirmed", "estimated"
STATUS_LABELS = {CONFIRMED: "已确认（依据国务院办公厅通知）", ESTIMATED: "预估（待国务院办公厅通知后确认）"}
_tables_seen: set[str] = set()


def _has_tables(session: Session) -> bool:
    url = str(session.get_bind().engine.url)
    if url not in _tables_seen:
        if not inspect(session.get_bind()).has_table(HolidayDay.__tablename__):
            return False
        _tables_seen.add(url)
    return True


def touch(session: Session) -> None:
    """Record that the calendar changed: every process reloads it at its next request or tick."""
    row = session.get(CatalogueRevision, STAMP)
    if row is None:
        session.add(CatalogueRevision(name=STAMP, token=uuid.uuid4().hex))
    else:
        row.token, row.updated_at = uuid.uuid4().hex, utcnow()
    session.flush()


def load(session: Session, stamp: str) -> clock.WorkingCalendar:
    years = {row.year: row.status for row in session.scalars(select(HolidayYear))}
    days = {d: bool(w) for d, w in session.execute(select(HolidayDay.day, HolidayDay.is_working))}
    return clock.WorkingCalendar(stamp=stamp, days=days, years=frozenset(years),
                                 confirmed=frozenset(y for y, s in years.items() if s == CONFIRMED))


def refresh(session: Session) -> bool:
    """Install the table's calendar in this process when its stamp changed; True when it reloaded."""
    if not _has_tables(session):
        return False
    with session.no_autoflush:
        stamp = session.scalar(select(CatalogueRevision.token).where(CatalogueRevision.name == STAMP)) or ""
        if stamp == clock.installed_calendar().stamp:
            return False
        clock.install_calendar(load(session, stamp))
    return True


def _library_source(year: int) -> str:
    if clock.library_covers(year):
        return f"国务院办公厅关于{year}年部分节假日安排的通知（由 chinese-calendar {version('chinese-calendar')} 载入）"
    return f"holidays {version('holidays')} 的预估（国务院办公厅尚未发布{year}年节假日安排通知）"


def _library_names(year: int) -> dict[date, str]:
    import holidays

    names: dict[date, str] = {}
    if clock.library_covers(year):
        import chinese_calendar

        day = date(year, 1, 1)
        while day.year == year:
            on_holiday, name = chinese_calendar.get_holiday_detail(day)
            if on_holiday and name:
                names[day] = name
            day += timedelta(days=1)
    for day, name in holidays.country_holidays("CN", years=year, language="zh_CN").items():
        names.setdefault(day, str(name))
    return names


def seed_year(session: Session, year: int, by: str = "系统") -> HolidayYear:
    """Write ``year`` from the libraries (replacing what the table held for it)."""
    row = session.get(HolidayYear, year)
    if row is None:
        row = HolidayYear(year=year)
        session.add(row)
        session.flush()
    row.status = CONFIRMED if clock.library_covers(year) else ESTIMATED
    row.source_notice, row.updated_by_name, row.updated_at = _library_source(year), by, utcnow()
    for old in session.scalars(select(HolidayDay).where(HolidayDay.year == year)):
        session.delete(old)
    session.flush()
    names = _library_names(year)
    for day, working in sorted(clock.library_year(year).items()):
        session.add(HolidayDay(day=day, year=year, is_working=working,
                               name="调休上班" if working else names.get(day, "法定节假日")))
    session.flush()
    return row


def seed(session: Session, years: range | None = None, by: str = "系统") -> list[int]:
    """Fill the years the table does not hold yet (default: last year to two years ahead)."""
    today = clock.china_today()
    wanted = years or range(today.year - 1, today.year + 3)
    held = set(session.scalars(select(HolidayYear.year)))
    added = [y for y in wanted if y not in held]
    for year in added:
        seed_year(session, year, by)
    if added:
        touch(session)
    return added


def years(session: Session) -> list[HolidayYear]:
    return list(session.scalars(select(HolidayYear).order_by(HolidayYear.year)))


def days_of(session: Session, year: int) -> list[HolidayDay]:
    return list(session.scalars(select(HolidayDay).where(HolidayDay.year == year).order_by(HolidayDay.day)))


def unconfirmed_years(session: Session, ahead: int = 1) -> list[int]:
    """Years up to ``ahead`` after this one that deadlines may reach without a confirmed calendar."""
    this = clock.china_today().year
    return [y for y in range(this, this + ahead + 1) if clock.is_estimated_year(y)]
