"""Opening semiannual reports: one district's report by hand (``open_report``), and the period opener
run by ``tick`` that opens every district's report when a half-year has ended (``open_ended_half_year``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workflows import cases
from workflows.cases import audit, unit_of_work
from workflows.clock import frozen_now, now
from workflows.dto import Actor
from workflows.errors import Conflict, NotFound, ValidationFailed
from workflows.models import District, Notification, WorkflowInstance
from workflows.models.org import DISTRICTS
from workflows.models.report_models import SemiannualReport
from workflows.reports.config import KIND, PROCESS_ID, SETTINGS, business_key, last_ended_half, period_label

# --------------------------------------------------------------------------------------------------
# Opening


def open_report(session: Session, district_code: str, year: int, half: int,
                actor: Actor | None = None, at: datetime | None = None) -> SemiannualReport:
    """Start the report of one district and half-year (its own unit of work; ``at`` is the engine's
    clock while it starts, the tick's instant for the opener). Conflict if it exists."""
    if actor is not None and actor.role not in ("city", "admin"):
        raise NotFound("未找到该页面。")
    if half not in (1, 2) or district_code not in DISTRICTS:
        raise ValidationFailed("请选择有效的区和半年度。")
    key = business_key(district_code, year, half)
    try:
        with unit_of_work(session), frozen_now(at):
            if session.get(District, district_code) is None:
                raise ValidationFailed("请选择有效的区和半年度。")
            exists = session.scalars(select(WorkflowInstance.id).where(
                WorkflowInstance.kind == KIND, WorkflowInstance.business_key == key)).first()
            if exists is not None:
                raise Conflict("该区本半年度的报告已开启。")
            title = f"{DISTRICTS[district_code]}{period_label(year, half)}经验总结报告"
            report = SemiannualReport(district_code=district_code, year=year, half=half, created_at=now())
            session.add(report)
            session.flush()
            instance = cases.start(
                session, actor, kind=KIND, process_id=PROCESS_ID, business_key=key, title=title,
                district_code=district_code, enterprise_id=None,
                data={"report_id": report.id, "year": year, "half": half, "due_day": SETTINGS.due_day,
                      "reminder_days": SETTINGS.reminder_days, "kind": KIND, "business_key": key,
                      "district_code": district_code, "district_name": DISTRICTS[district_code], "title": title,
                      "decision": "", "comment": ""},
            )
            report.instance_id = instance.id
            # The diagram's "opened" notice was written before the case row existed: link it now.
            session.execute(update(Notification).where(
                Notification.instance_id.is_(None), Notification.kind == "opened",
                Notification.title == f"请编写并报送{title}").values(instance_id=instance.id, case_kind=KIND))
            audit(session, instance, actor, "open", comment="半年度结束，自动开启" if actor is None else "手动开启")
    except IntegrityError as exc:  # another process opened it at the same moment
        raise Conflict("该区本半年度的报告已开启。") from exc
    return report


def open_ended_half_year(session: Session, at: datetime) -> int:
    """Period opener for ``tick``: make sure every district has a report for the half-year that ended
    last before ``at``. Idempotent and safe with several tick processes (unique business key)."""
    year, half = last_ended_half(at)
    keys = {business_key(code, year, half): code for code in session.scalars(select(District.code))}
    if not keys:
        return 0
    existing = set(session.scalars(select(WorkflowInstance.business_key).where(
        WorkflowInstance.kind == KIND, WorkflowInstance.business_key.in_(list(keys)))))
    opened = 0
    for key, code in sorted(keys.items()):
        if key in existing:
            continue
        try:
            open_report(session, code, year, half, at=at)
        except Conflict:
            continue
        opened += 1
    return opened
