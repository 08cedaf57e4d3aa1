"""The one clock everything reads, China time, and the official working-day calendar.

``now()`` is the real UTC time, or the instant frozen by ``frozen_now`` (``workflows tick --now``, the
tests, a tick firing timers as of its own instant); SpiffWorkflow's timers read it too
(``workflows.engine``). Dates people see are China dates (``china_today``). Working days come from
chinese-calendar; for years it does not cover yet, Monday to Friday.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
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
    today = china_today()
    end_day = add_working_days(today, int(days)) if working_days else today + timedelta(days=int(days))
    return end_of_day(end_day).isoformat()
