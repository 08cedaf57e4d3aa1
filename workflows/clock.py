"""The one clock everything reads, China time, and the official working-day calendar.

``now()`` is the real UTC time, or the instant frozen by ``frozen_now`` (``workflows tick --now``, the
tests, a tick firing timers as of its own instant); SpiffWorkflow's timers read it too
(``workflows.engine``). Dates people see are China dates (``china_today``). Working days come from
chinese-calendar; for years it does not cover yet, Monday to Friday.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

CHINA_TZ = ZoneInfo("Asia/Shanghai")

_frozen_now: contextvars.ContextVar[datetime | None] = contextvars.ContextVar("frozen_now", default=None)


def now() -> datetime:
    """The engine's idea of now: the frozen instant inside ``frozen_now``, else the real UTC time."""
    value = _frozen_now.get()
    return value if value is not None else datetime.now(UTC)


@contextmanager
def frozen_now(instant: datetime | None) -> Iterator[None]:
    """Run engine code as if it were ``instant`` (timezone-aware). ``None`` means the real time."""
    if instant is not None and instant.tzinfo is None:
        raise ValueError("frozen_now needs a timezone-aware datetime")
    token = _frozen_now.set(instant)
    try:
        yield
    finally:
        _frozen_now.reset(token)


def china_today(at: datetime | None = None) -> date:
    """The China date of ``at`` (default: now)."""
    return (at or now()).astimezone(CHINA_TZ).date()


def end_of_day(day: date) -> datetime:
    """23:59:59 China time of ``day`` (aware)."""
    return datetime.combine(day, time(23, 59, 59), CHINA_TZ)


def start_of_day(day: date) -> datetime:
    """00:00 China time of ``day`` (aware): "before this day" means earlier than this instant."""
    return datetime.combine(day, time(0, 0), CHINA_TZ)



# --------------------------------------------------------------------------------------------------
# The working-day calendar
#
# The official calendar is the ``holiday_day`` / ``holiday_year`` tables admins keep
# (``workflows.workdays``), loaded into this process by ``install_calendar`` at start-up and whenever
# its version stamp changes (checked once per request and per tick), so every working-day calculation
# stays a pure, fast function. A year the tables do not hold falls back to the maintained libraries:
# chinese-calendar for the years whose State Council notice it carries, the ``holidays`` package's
# estimate beyond (it knows the fixed and lunar holidays of later years, not the make-up days).


@dataclass(frozen=True)
class WorkingCalendar:
    """The table's content: exceptions to Monday-Friday per day, the years held and the confirmed ones."""

    stamp: str = ""
    days: Mapping[date, bool] = field(default_factory=dict)
    years: frozenset[int] = frozenset()
    confirmed: frozenset[int] = frozenset()


_calendar = WorkingCalendar()
_library_years: dict[int, dict[date, bool]] = {}


def install_calendar(calendar: WorkingCalendar) -> None:
    """Make ``calendar`` the one every working-day calculation of this process reads."""
    global _calendar
    _calendar = calendar


def installed_calendar() -> WorkingCalendar:
    return _calendar


@lru_cache(maxsize=1)
def _library_official_years() -> frozenset[int]:
    import chinese_calendar

    return frozenset(d.year for d in chinese_calendar.holidays)


def library_covers(year: int) -> bool:
    """Whether chinese-calendar carries the State Council's notice for ``year`` (official data)."""
    return year in _library_official_years()


def library_year(year: int) -> dict[date, bool]:
    """The libraries' exceptions to Monday-Friday for ``year`` (day -> is working), with names dropped:
    chinese-calendar where it covers the year, else the ``holidays`` package's estimate."""
    cached = _library_years.get(year)
    if cached is not None:
        return cached
    out: dict[date, bool] = {}
    if library_covers(year):
        import chinese_calendar

        day = date(year, 1, 1)
        while day.year == year:
            working = bool(chinese_calendar.is_workday(day))
            if working != (day.weekday() < 5):
                out[day] = working
            day += timedelta(days=1)
    else:
        import holidays

        estimate = holidays.country_holidays("CN", years=year)
        for day in estimate:
            if day.weekday() < 5:
                out[day] = False
        for day in getattr(estimate, "weekend_workdays", ()):
            if day.year == year:
                out[day] = True
    _library_years[year] = out
    return out


def is_estimated_year(year: int) -> bool:
    """True when ``year``'s calendar is not confirmed: not confirmed in the table, or not in it and
    beyond the years whose notice chinese-calendar carries."""
    if year in _calendar.years:
        return year not in _calendar.confirmed
    return not library_covers(year)


def estimated_years(start: date, end: date) -> list[int]:
    """The unconfirmed years a calculation from ``start`` to ``end`` went through."""
    return [y for y in range(start.year, end.year + 1) if is_estimated_year(y)]


def is_working_day(day: date) -> bool:
    """Official Chinese working day (make-up working days included): the admins' calendar table, else
    the libraries (see above)."""
    if day.year in _calendar.years:
        return _calendar.days.get(day, day.weekday() < 5)
    return library_year(day.year).get(day, day.weekday() < 5)


def previous_working_day(day: date) -> date:
    """``day`` itself when it is a working day, else the working day before it."""
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start``."""
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def deadline_after(days: int, working_days: bool = False) -> str:
    """ISO instant at the end (23:59:59 China time) of the day ``days`` (working) days from now."""
    today = china_today()
    end_day = add_working_days(today, int(days)) if working_days else today + timedelta(days=int(days))
    return end_of_day(end_day).isoformat()
