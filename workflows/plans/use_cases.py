"""Use cases of the quarterly plan: opening (by hand, or by ``open_quarter_plans`` when the quarter
begins), the district compiling, saving, refreshing and submitting, and the city recording, returning
or urging. Each is one unit of work; the web reaches them through ``workflows.service``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workflows import cases, deadlines
from workflows.cases import Outcome, advance, audit, complete_task, may_complete, unit_of_work
from workflows.clock import china_today, frozen_now, now
from workflows.dto import Actor
from workflows.errors import Conflict, NotFound, ValidationFailed
from workflows.models import DISTRICTS, QuarterlyPlan, TaskIndex, WorkflowInstance
from workflows.notifications import delivery as notifications
from workflows.plans.compile import refresh_rows
from workflows.plans.config import KIND, PROCESS_ID, SETTINGS, business_key, plan_title
from workflows.plans.queries import district_codes, get_plan, plan_of, ready_task

# --------------------------------------------------------------------------------------------------
# Opening


def _open(session: Session, actor: Actor | None, district_code: str, year: int, quarter: int) -> WorkflowInstance:
    """Create the plan, its rows and its case (no commit)."""
    plan = QuarterlyPlan(district_code=district_code, year=year, quarter=quarter, created_at=now(),
                         updated_at=now())
    session.add(plan)
    session.flush()  # the unique (district, year, quarter) refuses a second plan here
    refresh_rows(session, plan)
    key = business_key(district_code, year, quarter)
    title = plan_title(district_code, year, quarter)
    instance = cases.start(
        session, actor, kind=KIND, process_id=PROCESS_ID, business_key=key, title=title,
        district_code=district_code, enterprise_id=None,
        data={"plan_id": plan.id, "district_code": district_code,
              "district_name": DISTRICTS.get(district_code, district_code), "plan_year": year,
              "plan_quarter": quarter, "plan_title": title, "case_kind": KIND, "case_key": key,
              "due_day": SETTINGS.due_day, "reminder_days": SETTINGS.reminder_days},
    )
    plan.instance_id = instance.id
    audit(session, instance, actor, "open", comment="季度开始，系统自动开启" if actor is None else "市中心开启")
    due = deadlines.date_label(deadlines.quarter_due_at(year, quarter, SETTINGS.due_day))
    notifications.notify_case(session, instance, "district", f"请编制{title}",
                              f"请于{due}前完成编制并提交市职业能力建设指导中心。", "opened")
    return instance


def open_plan(session: Session, actor: Actor, district_code: str, year: int, quarter: int) -> WorkflowInstance:
    """City staff open one district's plan by hand (Conflict if it exists)."""
    if actor.role not in ("city", "admin"):
        raise NotFound("未找到该页面。")
    if district_code not in DISTRICTS or not 1 <= int(quarter) <= 4:
        raise ValidationFailed("请选择有效的区和季度。", {"district_code": ["请选择有效的区和季度。"]})
    try:
        with unit_of_work(session):
            if plan_of(session, district_code, year, quarter) is not None:
                raise Conflict("该区本季度的计划已开启。")
            instance = _open(session, actor, district_code, int(year), int(quarter))
    except IntegrityError as exc:
        raise Conflict("该区本季度的计划已开启。") from exc
    return instance


def open_missing(session: Session, actor: Actor, year: int, quarter: int) -> int:
    """City staff open every district's plan still missing for a quarter; returns how many."""
    if actor.role not in ("city", "admin"):
        raise NotFound("未找到该页面。")
    opened = 0
    for code in district_codes(session):
        try:
            open_plan(session, actor, code, year, quarter)
            opened += 1
        except Conflict:
            continue
    return opened


def open_quarter_plans(session: Session, at: datetime) -> int:
    """Opener run by tick: make sure every district has its plan for the quarter containing ``at``.
    Each plan is its own unit of work; a plan another worker opened at the same moment is skipped."""
    if not SETTINGS.auto_open:
        return 0
    year, quarter = deadlines.quarter_of(china_today(at))
    existing = set(session.scalars(select(QuarterlyPlan.district_code).where(
        QuarterlyPlan.year == year, QuarterlyPlan.quarter == quarter)))
    opened = 0
    for code in district_codes(session):
        if code in existing:
            continue
        try:
            with unit_of_work(session), frozen_now(at):
                if plan_of(session, code, year, quarter) is not None:
                    continue
                _open(session, None, code, year, quarter)
            opened += 1
        except IntegrityError:
            continue  # opened concurrently by another tick process
    return opened


# --------------------------------------------------------------------------------------------------
# The district compiles, saves, submits


@dataclass
class PlanRowEdit:
    row_id: int
    included: bool = True
    reason: str = ""


@dataclass
class PlanEdit:
    notes: str = ""
    justification: str = ""
    rows: list[PlanRowEdit] = field(default_factory=list)


def _district_turn(session: Session, actor: Actor, instance_id: int
                   ) -> tuple[QuarterlyPlan, WorkflowInstance, TaskIndex]:
    if actor.role != "district":
        raise NotFound("未找到该任务。")
    # Lock first, so the row (and its version counter) is read fresh under the lock; then check scope.
    instance = cases.locked(session, instance_id, "未找到该计划。")
    plan, _ = get_plan(session, actor, instance_id)
    task = ready_task(session, instance.id, "district")
    if task is None or not may_complete(actor, task):
        raise Conflict("该计划当前不在区局编制环节，不能修改。")
    cases.refuse_unless_assignee(session, actor, task)  # claimed by a colleague: theirs to compile
    return plan, instance, task


def _apply(plan: QuarterlyPlan, edit: PlanEdit) -> None:
    if len(edit.notes or "") > 4000 or len(edit.justification or "") > 4000:
        raise ValidationFailed("备注和书面说明均不能超过4000字。", {"notes": ["不能超过4000字。"]})
    plan.notes = (edit.notes or "").strip()
    plan.justification = (edit.justification or "").strip()
    rows = {row.id: row for row in plan.rows}
    for change in edit.rows:
        row = rows.get(int(change.row_id))
        if row is None:
            raise Conflict("计划内容已更新，请刷新页面后重新编辑。")
        row.included = bool(change.included)
        row.reason = (change.reason or "").strip()[:1000]
    plan.updated_at = now()


def save_plan(session: Session, actor: Actor, instance_id: int, edit: PlanEdit) -> QuarterlyPlan:
    """Save the district's edits without submitting."""
    with unit_of_work(session):
        plan, instance, _ = _district_turn(session, actor, instance_id)
        _apply(plan, edit)
        instance.updated_at = now()
        audit(session, instance, actor, "save", comment="保存计划", status_before=instance.status)
    return plan


def refresh_plan(session: Session, actor: Actor, instance_id: int) -> tuple[int, int]:
    """Re-read the district's filings into the plan (keeps include/exclude choices); (added, removed)."""
    with unit_of_work(session):
        plan, instance, _ = _district_turn(session, actor, instance_id)
        added, removed = refresh_rows(session, plan)
        audit(session, instance, actor, "refresh", comment=f"更新备案数据：新增{added}条，移除{removed}条",
              status_before=instance.status)
    return added, removed


def submit_plan(session: Session, actor: Actor, instance_id: int, edit: PlanEdit | None = None) -> QuarterlyPlan:
    """Submit (or resubmit after a return). The diagram checks the plan; on any problem the whole
    submission rolls back and ValidationFailed lists the problems by field."""
    with unit_of_work(session):
        plan, instance, task = _district_turn(session, actor, instance_id)
        if edit is not None:
            _apply(plan, edit)
        session.flush()
        action = "resubmit" if instance.status == "returned" else "submit"
        advance(session, actor, instance, task.task_id, {"decision": "", "comment": ""}, action,
                comment="重新提交计划" if action == "resubmit" else "提交计划")
        if ready_task(session, instance.id, "district") is not None:  # the checks sent it back
            fields: dict[str, list[str]] = {}
            for problem in plan.check_results or []:
                fields.setdefault(problem["field"], []).append(problem["message"])
            message = "计划未通过校验，请按提示修改后再提交。"
            raise ValidationFailed(message, fields or {"__all__": [message]})
        plan.submitted_at = now()
    return plan


# --------------------------------------------------------------------------------------------------
# The city records or returns


def decide_plan(session: Session, actor: Actor, instance_id: int, decision: str, comment: str = ""
                ) -> Outcome:
    """City staff record the plan (予以备案) or return it to the district with a comment."""
    get_plan(session, actor, instance_id)
    if actor.role != "city":
        raise NotFound("未找到该任务。")
    task = ready_task(session, instance_id, "city")
    if task is None:
        raise Conflict("该计划当前不在市级备案环节。")
    return complete_task(session, actor, task.task_id, decision, comment)


def urge_plan(session: Session, actor: Actor, instance_id: int, message: str) -> WorkflowInstance:
    """催办: the city urges a district still compiling (or revising) its plan."""
    get_plan(session, actor, instance_id)
    return deadlines.urge(session, actor, instance_id, message)
