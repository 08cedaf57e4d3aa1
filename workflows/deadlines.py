"""Deadlines shared by every periodic process (quarterly plans, semiannual reports): due dates, the
overdue flag, 催办 (urge) and the openers that start one instance per district per period.

* Due dates are ISO instants in task data (``due_at``; ``store.save`` copies it to
  ``workflow_instance.due_at``) computed by a script task with ``period_due_at`` / ``days_before``, and
  named by ``timeDate`` expressions of non-interrupting boundary timers in the diagram.
* ``is_overdue(instance)`` is the 已逾期 flag: open, past due, and waiting on the district (a plan or
  report sitting with the city is not the district's delay).
* ``urge(session, actor, instance_id, message)`` delivers the BPMN message ``urge`` to any open case
  whose diagram waits for it; the diagram decides whom to notify.
* Period openers (``fn(session, at) -> int``, listed per feature in ``workflows.features``) are run by
  ``cases.tick(..., open_periods=True)`` (the CLI and the scheduler pass it) to open the period's
  instances; idempotent through the unique (kind, business_key) of workflow_instance.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows import cases, clock
from workflows.clock import CHINA_TZ, end_of_day, now
from workflows.dto import Actor
from workflows.errors import Conflict, ValidationFailed
from workflows.models import EstimatedDeadline, TaskIndex, WorkflowInstance

# Statuses in which the city, not the district, holds a plan or report: not overdue for the district.
WAITING_ON_CITY = ("city_record",)


# --------------------------------------------------------------------------------------------------
# Periods and due dates (China time)


def quarter_of(day: date) -> tuple[int, int]:
    """(year, quarter 1-4) of a date."""
    return day.year, (day.month - 1) // 3 + 1


def quarter_key(year: int, quarter: int) -> str:
    return f"{year}Q{quarter}"


def parse_quarter_key(key: str) -> tuple[int, int]:
    """'2027Q1' -> (2027, 1); ValueError otherwise."""
    text = key.strip().upper()
    year, _, quarter = text.partition("Q")
    y, q = int(year), int(quarter)
    if not (2000 <= y <= 2100 and 1 <= q <= 4):
        raise ValueError(key)
    return y, q


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    """First and last day of a quarter."""
    first = date(year, 3 * quarter - 2, 1)
    last = (date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)) - timedelta(days=1)
    return first, last


def period_due_at(year: int, month: int, day: int) -> str:
    """ISO instant at the end of ``year-month-day`` China time (day clamped to the month's length)."""
    last = ((date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)) - timedelta(days=1)).day
    return end_of_day(date(year, month, min(max(int(day), 1), last))).isoformat()


def quarter_due_at(year: int, quarter: int, due_day: int = 10) -> str:
    """Due instant of a quarter's plan: the end of day ``due_day`` of the quarter's first month."""
    return period_due_at(int(year), 3 * int(quarter) - 2, int(due_day))


def days_before(instant: str, days: int, hour: int = 9) -> str:
    """ISO instant at ``hour``:00 China time, ``days`` calendar days before ``instant``."""
    due = datetime.fromisoformat(str(instant)).astimezone(CHINA_TZ)
    day = due.date() - timedelta(days=int(days))
    return datetime.combine(day, time(int(hour), 0), CHINA_TZ).isoformat()


def not_before(instant: str, floor: str | None = None) -> str:
    """``instant``, or ``floor`` (default: the engine's now) when that is later; keeps a reminder
    computed for a case opened late from lying in the past (it then fires at the next tick)."""
    when = datetime.fromisoformat(str(instant))
    lower = datetime.fromisoformat(floor) if floor else now()
    return (lower if lower > when else when).isoformat()


def reminder_before(instant: str, days: int, hour: int = 9) -> str:
    """The reminder instant ``days`` calendar days before ``instant`` at ``hour``:00 China time, moved back
    to the previous working day when that day is a holiday or weekend (never after the due date)."""
    due = datetime.fromisoformat(str(instant)).astimezone(CHINA_TZ)
    day = clock.previous_working_day(due.date() - timedelta(days=int(days)))
    return datetime.combine(day, time(int(hour), 0), CHINA_TZ).isoformat()


def is_past(instant: str, at: str | None = None) -> bool:
    """Whether ``instant`` lies before ``at`` (default: the engine's now): a reminder time already gone
    when a period is opened late, or a due date gone when a late timer fires."""
    return datetime.fromisoformat(str(instant)) <= (datetime.fromisoformat(at) if at else now())


def date_label(instant: str) -> str:
    """'2027-01-10T23:59:59+08:00' -> '2027年1月10日' (China time)."""
    day = datetime.fromisoformat(str(instant)).astimezone(CHINA_TZ).date()
    return f"{day.year}年{day.month}月{day.day}日"


# Pure helpers BPMN scripts may call (registered by ``workflows.features`` through ``script_helpers``).
SCRIPT_HELPERS: dict[str, Callable[..., Any]] = {
    "quarter_due_at": quarter_due_at,
    "period_due_at": period_due_at,
    "days_before": days_before,
    "not_before": not_before,
    "reminder_before": reminder_before,
    "is_past": is_past,
    "date_label": date_label,
}


def script_helpers(session: Session, actor: Actor | None) -> dict[str, Callable[..., Any]]:
    """The due-date helpers, for every engine run."""
    return dict(SCRIPT_HELPERS)


def note_estimated_deadline(session: Session, instance_id: int, variable: str, days: int,
                            working_days: bool) -> bool:
    """Mark the deadline just computed by ``clock.deadline_after(days, working_days)`` when it was counted
    through a year whose holiday calendar is only estimated, so that it is recomputed once the year is
    confirmed (``workflows.workdays.admin.recompute``); True when marked."""
    if not working_days:
        return False
    start = clock.china_today()
    end = clock.add_working_days(start, int(days))
    years = clock.estimated_years(start, end)
    if not years:
        return False
    session.add(EstimatedDeadline(instance_id=int(instance_id), variable=variable, counted_from=start,
                                  days=int(days), years=years))
    session.flush()
    return True


# --------------------------------------------------------------------------------------------------
# Overdue


def is_overdue(instance: WorkflowInstance, at: datetime | None = None) -> bool:
    """已逾期: still open, past its due date, and not waiting on the city."""
    if instance.completed_at is not None or instance.due_at is None:
        return False
    if instance.status in WAITING_ON_CITY:
        return False
    return instance.due_at < (at or now())


# --------------------------------------------------------------------------------------------------
# Urge (催办)


def can_urge(session: Session, actor: Actor, instance: WorkflowInstance) -> bool:
    """City staff may urge an open case while a district task of it is ready."""
    if actor.role not in ("city", "admin") or instance.completed_at is not None:
        return False
    return session.scalars(select(TaskIndex.id).where(
        TaskIndex.instance_id == instance.id, TaskIndex.role == "district")).first() is not None


def urge(session: Session, actor: Actor, instance_id: int, message: str) -> WorkflowInstance:
    """Send the BPMN message ``urge`` (payload ``urge_message``, ``urged_by``) into an open case.

    Errors: NotFound (out of scope), ValidationFailed (empty/too long message), Conflict (nothing waits
    for an urge now, e.g. the case is with the city or finished)."""
    message = (message or "").strip()
    if not message:
        raise ValidationFailed("请填写催办内容。", {"message": ["请填写催办内容。"]})
    if len(message) > 500:
        raise ValidationFailed("催办内容不能超过500字。", {"message": ["催办内容不能超过500字。"]})
    with cases.unit_of_work(session):
        instance = cases.locked(session, instance_id)  # lock first: the row is read fresh
        cases.get_case(session, actor, instance_id)
        if not can_urge(session, actor, instance):
            raise Conflict("该事项当前不在区局办理环节，无需催办。")
        cases.deliver(session, actor, instance, "urge", {"urge_message": message, "urged_by": actor.name}, "urge",
                      refusal="该事项当前不能催办。", task_name="催办", comment=message)
    return instance
