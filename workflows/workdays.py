"""Functions BPMN scripts may call (the allow-list). Pure helpers live here; helpers that need the
database are bound per unit of work by the service layer (see ``engine.script_services``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from workflows.engine import now

CHINA_TZ = ZoneInfo("Asia/Shanghai")


def is_working_day(day: date) -> bool:
    """Official Chinese working day (adjusted working days included) via chinese-calendar;
    for years the package does not yet cover, Monday to Friday."""
    import chinese_calendar

    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


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
    today = now().astimezone(CHINA_TZ).date()
    end_day = add_working_days(today, int(days)) if working_days else today + timedelta(days=int(days))
    return datetime.combine(end_day, time(23, 59, 59), CHINA_TZ).isoformat()


STATIC_HELPERS: dict[str, Callable[..., Any]] = {
    "deadline_after": deadline_after,
}
