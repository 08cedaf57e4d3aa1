"""Admins keep the holiday calendar: enter or confirm a year from the State Council's notice; deadlines
that were counted in working days through a year that was only estimated are then recomputed.

``deadlines.note_estimated_deadline`` marks a deadline: the filing diagram's 计算修改期限 step calls it
(script helper) right after ``deadline_after``; a row in ``estimated_deadline`` remembers how it was
counted. ``save_year`` rewrites a year, installs the new calendar in this process at once (others follow
at their next request or tick) and recomputes the marked deadlines through that year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows import cases, clock, runner
from workflows.db import utcnow
from workflows.dto import Actor
from workflows.errors import NotFound, ValidationFailed
from workflows.models import EstimatedDeadline, HolidayDay, HolidayYear, WorkflowInstance
from workflows.security import log
from workflows.workdays import table

_LINE = re.compile(r"^\s*(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?\s*(.*)$")


@dataclass
class YearInput:
    year: int
    confirmed: bool
    source_notice: str
    holidays: str  # one per line: "2027-02-06 春节"
    workdays: str  # make-up working days, one per line: "2027-02-14 春节调休上班"


def _parse_days(text: str, year: int, field: str, errors: dict[str, list[str]]) -> list[tuple[date, str]]:
    out: list[tuple[date, str]] = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        match = _LINE.match(line)
        try:
            day = date(int(match.group(1)), int(match.group(2)), int(match.group(3))) if match else None
        except ValueError:
            day = None
        if day is None or match is None:
            errors.setdefault(field, []).append(f"第{number}行“{line.strip()}”不是有效日期，格式如 {year}-02-06 春节")
        elif day.year != year:
            errors.setdefault(field, []).append(f"第{number}行的日期{day.isoformat()}不在{year}年")
        else:
            out.append((day, match.group(4).strip()[:50]))
    return out


def save_year(session: Session, actor: Actor, data: YearInput) -> HolidayYear:
    """Replace one year's holidays and make-up working days (admins only); recompute marked deadlines."""
    with cases.unit_of_work(session):
        if actor.role != "admin":
            raise NotFound("页面不存在，或您无权查看。")
        errors: dict[str, list[str]] = {}
        if not 2000 <= int(data.year) <= 2100:
            errors["year"] = ["年份应为2000至2100年"]
        notice = (data.source_notice or "").strip()
        if data.confirmed and not notice:
            errors["source_notice"] = ["确认节假日安排时须填写依据的通知，"
                                       "如 国务院办公厅关于2027年部分节假日安排的通知"]
        if len(notice) > 300:
            errors["source_notice"] = ["通知名称不能超过300字"]
        off = _parse_days(data.holidays, data.year, "holidays", errors)
        on = _parse_days(data.workdays, data.year, "workdays", errors)
        both = sorted({d for d, _ in off} & {d for d, _ in on})
        if both:
            listed = "、".join(d.isoformat() for d in both)
            errors.setdefault("workdays", []).append(f"以下日期同时列为节假日和调休上班日：{listed}")
        if errors:
            raise ValidationFailed("节假日安排有误，请修改标出的内容。", errors)
        row = session.get(HolidayYear, data.year)
        if row is None:
            row = HolidayYear(year=data.year)
            session.add(row)
            session.flush()
        row.status = table.CONFIRMED if data.confirmed else table.ESTIMATED
        row.source_notice, row.updated_by_name, row.updated_at = notice, actor.name, utcnow()
        for old in session.scalars(select(HolidayDay).where(HolidayDay.year == data.year)):
            session.delete(old)
        session.flush()
        for day, name in off:
            session.add(HolidayDay(day=day, year=data.year, is_working=False, name=name or "法定节假日"))
        for day, name in on:
            session.add(HolidayDay(day=day, year=data.year, is_working=True, name=name or "调休上班"))
        session.flush()
        table.touch(session)
        table.refresh(session)
        recompute(session, actor, data.year)
        log.record_actor(session, actor, "calendar_change", f"holiday_year:{data.year}", {
            "status": row.status, "source_notice": notice, "holidays": len(off), "workdays": len(on)})
    return row


def recompute(session: Session, actor: Actor | None, year: int) -> int:
    """Recount every marked deadline whose count went through ``year`` with the calendar now installed;
    the instance's waiting timer moves with it. Returns how many deadlines changed."""
    changed = 0
    rows = [r for r in session.scalars(select(EstimatedDeadline).order_by(EstimatedDeadline.id))
            if year in (r.years or [])]
    for row in rows:
        instance = cases.locked(session, row.instance_id)
        end = clock.add_working_days(row.counted_from, row.days)
        remaining = clock.estimated_years(row.counted_from, end)
        if instance.completed_at is None:
            value = clock.end_of_day(end).isoformat()
            def move(wf, v=value, n=row.variable):  # type: ignore[no-untyped-def]
                return runner.reset_deadline(wf, n, v)

            moved = cases.step(session, actor, instance, move, "recompute_deadline", task_name="重新计算期限",
                               comment=f"{year}年节假日安排已更新，期限重新计算为{end.isoformat()}")
            changed += 1 if moved else 0
        if remaining and instance.completed_at is None:
            row.years = remaining
        else:
            session.delete(row)
    session.flush()
    return changed


def estimated_deadlines(session: Session) -> list[EstimatedDeadline]:
    """The marked deadlines of open cases (for the admin's calendar page)."""
    return list(session.scalars(
        select(EstimatedDeadline).join(WorkflowInstance, EstimatedDeadline.instance_id == WorkflowInstance.id)
        .where(WorkflowInstance.completed_at.is_(None)).order_by(EstimatedDeadline.id)))
