"""Use cases the web layer and the API call. Each one is a single unit of work:

lock the instance -> deserialize -> check the task is READY and the actor may complete it -> set data
-> run the engine -> serialize -> rewrite the task index -> append the audit row -> commit once.
Any exception rolls everything back, so a case is never half-advanced.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, undefer
from sqlalchemy.orm.exc import StaleDataError

from workflows import bindings, runner, store
from workflows.dto import Actor
from workflows.engine import frozen_now, get_engine, now, script_services
from workflows.models import AuditEvent, Filing, TaskIndex, WorkflowInstance

STATUS_LABELS: dict[str, str] = {
    "draft": "草稿",
    "district_review": "待区审核",
    "returned": "已退回待修改",
    "city_record": "待市备案",
    "recorded": "已备案",
    "rejected": "未通过",
    "withdrawn": "已撤回",
    "expired": "已逾期关闭",
    "compiling": "待编制",
}

# Plans and reports use the same codes with their own labels (SPEC section 6).
PERIODIC_STATUS_LABELS: dict[str, dict[str, str]] = {
    "quarterly_plan": {"compiling": "待编制", "city_record": "待市备案", "returned": "已退回", "recorded": "已备案"},
    "semiannual_report": {"compiling": "待编制", "city_record": "待市备案", "returned": "已退回", "recorded": "已接收"},
}


def status_label(kind: str | None, code: str) -> str:
    """The Chinese label of a status code for a case of this kind."""
    return PERIODIC_STATUS_LABELS.get(kind or "", {}).get(code) or STATUS_LABELS.get(code, code)


KIND_LABELS: dict[str, str] = {"filing": "培训备案", "quarterly_plan": "季度计划", "semiannual_report": "半年报告"}


# Decisions each form accepts, with their audit action and whether a comment is required.
DECISIONS: dict[str, dict[str, tuple[str, bool]]] = {
    "district_review": {"approve": ("通过", False), "return": ("退回修改", True), "reject": ("不予通过", True)},
    "city_record": {"record": ("予以备案", False), "send_back": ("退回区局", True)},
}


class ServiceError(Exception):
    """Base of the errors a use case reports to people; ``message`` is Chinese."""

    status_code = 400
    code = "error"

    def __init__(self, message: str, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class NotFound(ServiceError):
    """Missing or out of scope (the two are indistinguishable on purpose)."""

    status_code = 404
    code = "not_found"


class Conflict(ServiceError):
    """The case moved on (task no longer ready, or a concurrent change won)."""

    status_code = 409
    code = "conflict"


class ValidationFailed(ServiceError):
    """Input breaks a rule; ``fields`` maps field paths to Chinese messages."""

    status_code = 422
    code = "validation_error"


@contextmanager
def unit_of_work(session: Session) -> Iterator[None]:
    """Commit once at the end; roll back on any exception (including StaleDataError -> Conflict)."""
    try:
        yield
        session.commit()
    except StaleDataError as exc:
        session.rollback()
        raise Conflict("该事项已被他人处理，请刷新后查看最新状态。") from exc
    except OperationalError as exc:
        session.rollback()
        # SQLite refuses a write from a transaction whose snapshot another writer has moved past
        # (SQLITE_BUSY_SNAPSHOT, "database is locked"): a concurrent change won.
        if "database is locked" in str(exc):
            raise Conflict("该事项正被他人处理，请刷新后重试。") from exc
        raise
    except BaseException:
        session.rollback()
        raise


# --------------------------------------------------------------------------------------------------
# Scope


def scope_cases(stmt: Select, actor: Actor) -> Select:
    """Restrict a query over WorkflowInstance to what ``actor`` may see (SPEC section 2)."""
    if actor.role in ("city", "admin"):
        return stmt
    if actor.role == "district":
        return stmt.where(WorkflowInstance.district_code == actor.district_code)
    if actor.role == "enterprise":
        return stmt.where(WorkflowInstance.enterprise_id == actor.enterprise_id,
                          WorkflowInstance.kind == "filing")
    return stmt.where(WorkflowInstance.id.is_(None))


def get_case(session: Session, actor: Actor, instance_id: int) -> WorkflowInstance:
    """A case in scope, or NotFound."""
    instance = session.scalars(
        scope_cases(select(WorkflowInstance).where(WorkflowInstance.id == instance_id), actor)
    ).first()
    if instance is None:
        raise NotFound("未找到该案件。")
    return instance


def filing_of(session: Session, instance: WorkflowInstance) -> Filing:
    filing = session.scalars(select(Filing).where(Filing.instance_id == instance.id)).first()
    if filing is None:
        raise NotFound("未找到该备案。")
    return filing


def filing_of_case(session: Session, instance_id: int) -> Filing:
    """The filing of a case whose scope the caller has already checked (e.g. through get_task)."""
    filing = session.scalars(select(Filing).where(Filing.instance_id == instance_id)).first()
    if filing is None:
        raise NotFound("未找到该备案。")
    return filing


def get_filing(session: Session, actor: Actor, filing_id: int) -> Filing:
    filing = session.get(Filing, filing_id)
    if filing is None or filing.instance_id is None:
        raise NotFound("未找到该备案。")
    get_case(session, actor, filing.instance_id)
    return filing


def may_complete(actor: Actor, row: TaskIndex) -> bool:
    """The task's lane role is the actor's role, and the case is in the actor's district/enterprise."""
    if row.role != actor.role:
        return False
    if actor.role == "district":
        return row.district_code == actor.district_code
    if actor.role == "enterprise":
        return row.enterprise_id == actor.enterprise_id
    return actor.role == "city"


def audit(session: Session, instance: WorkflowInstance, actor: Actor | None, action: str, *,
          task_name: str = "", task_id: str = "", comment: str = "", status_before: str = "") -> None:
    session.add(AuditEvent(
        instance_id=instance.id,
        actor_id=actor.id if actor else None,
        actor_name=actor.name if actor else "系统",
        action=action,
        task_name=task_name,
        task_id=task_id,
        comment=comment,
        status_before=status_before,
        status_after=instance.status,
        created_at=now(),
    ))


# --------------------------------------------------------------------------------------------------
# Completing tasks (generic)


def _locked(session: Session, instance_id: int) -> WorkflowInstance:
    instance = store.lock_instance(session, instance_id)
    if instance is None:
        raise NotFound("未找到该案件。")
    return instance


def _task_row(session: Session, actor: Actor, task_id: str) -> TaskIndex:
    """The index row of a ready task the actor may complete; 409 if it was completed, else 404."""
    row = session.scalars(select(TaskIndex).where(TaskIndex.task_id == str(task_id))).first()
    if row is not None and may_complete(actor, row):
        return row
    if row is None:
        done = session.scalars(select(AuditEvent).where(AuditEvent.task_id == str(task_id))).first()
        if done is not None:
            try:
                get_case(session, actor, done.instance_id)
            except NotFound:
                pass
            else:
                raise Conflict("该任务已被处理，请刷新后查看最新状态。")
    raise NotFound("未找到该任务。")


def _task_and_locked_instance(session: Session, actor: Actor, task_id: str) -> tuple[TaskIndex, WorkflowInstance]:
    """The task's index row and its instance, locked, in one query (the decision hot path)."""
    stmt = (select(TaskIndex, WorkflowInstance)
            .join(WorkflowInstance, TaskIndex.instance_id == WorkflowInstance.id)
            .where(TaskIndex.task_id == str(task_id))
            .options(undefer(WorkflowInstance.state_json))
            .execution_options(populate_existing=True))
    if session.get_bind().dialect.name != "sqlite":
        stmt = stmt.with_for_update(of=WorkflowInstance)
    found = session.execute(stmt).first()
    if found is None or not may_complete(actor, found[0]):
        _task_row(session, actor, task_id)  # raises the right Conflict / NotFound
        raise NotFound("未找到该任务。")
    return found[0], found[1]


def advance(session: Session, actor: Actor | None, instance: WorkflowInstance, task_id: str,
            data: dict[str, Any], action: str, comment: str = "",
            services: dict[str, Any] | None = None) -> WorkflowInstance:
    """Complete one READY task of a locked instance, save, index and audit it (no commit)."""
    engine = get_engine()
    workflow = store.load_workflow(engine, instance)
    before = instance.status
    try:
        with script_services({**bindings.for_session(session, actor), **(services or {})}):
            done = runner.complete(workflow, task_id, data)
    except runner.TaskNotReady as exc:
        raise Conflict("该任务已被处理，请刷新后查看最新状态。") from exc
    store.save(session, engine, instance, workflow)
    audit(session, instance, actor, action, task_name=done.title, task_id=task_id, comment=comment,
          status_before=before)
    return instance


def complete_task(session: Session, actor: Actor, task_id: str, decision: str, comment: str = "",
                  confirm_mismatches: bool = False) -> WorkflowInstance:
    """A reviewer's decision on a district-review or city-record task."""
    with unit_of_work(session):
        row, instance = _task_and_locked_instance(session, actor, task_id)
        allowed = DECISIONS.get(row.form_key)
        if allowed is None:
            raise NotFound("未找到该任务。")
        comment = (comment or "").strip()
        if decision not in allowed:
            raise ValidationFailed("请选择有效的处理结论。", {"decision": ["请选择有效的处理结论。"]})
        label, needs_comment = allowed[decision]
        if needs_comment and not comment:
            raise ValidationFailed(f"“{label}”必须填写意见。", {"comment": [f"“{label}”必须填写意见。"]})
        if len(comment) > 2000:
            raise ValidationFailed("意见不能超过2000字。", {"comment": ["意见不能超过2000字。"]})
        if instance.kind == "filing":
            from workflows.filings import checks

            checks.before_decision(session, instance, decision, confirm_mismatches)
        advance(session, actor, instance, task_id, {"decision": decision, "comment": comment}, decision, comment)
        if instance.kind == "filing":
            from workflows.filings import checks

            checks.after_decision(session, instance, decision, actor, comment)
    return instance


# --------------------------------------------------------------------------------------------------
# Timers


def tick(session: Session, at: datetime | None = None, limit: int = 500, open_periods: bool = False) -> int:
    """Fire every timer due at ``at``. Each instance is its own transaction, locked so that several
    tick processes (cron on several hosts) fire each timer exactly once. With ``open_periods`` the
    period openers (``deadlines.register_opener``: quarterly plans, ...) run first."""
    at = at or now()
    if open_periods:
        from workflows import deadlines

        deadlines.open_due_periods(session, at)
    fired = 0
    for instance_id in store.due_instance_ids(session, at, limit):
        try:
            with unit_of_work(session), frozen_now(at), script_services(bindings.for_session(session, None)):
                instance = store.lock_instance(session, instance_id)
                if instance is None or instance.next_timer_at is None or instance.next_timer_at > at:
                    continue
                engine = get_engine()
                workflow = store.load_workflow(engine, instance)
                before = instance.status
                runner.fire_timers(workflow)
                store.save(session, engine, instance, workflow)
                if instance.status != before:
                    audit(session, instance, None, "timer", comment="期限届满，系统自动处理",
                          status_before=before)
                fired += 1
        except Conflict:
            continue  # another worker fired it first
    return fired


# Filing use cases live in their own module; re-exported so callers use one facade.
from workflows.filings.use_cases import create_filing, save_filing, submit_filing, withdraw_filing

__all__ = [
    "Conflict", "NotFound", "ServiceError", "ValidationFailed", "complete_task", "create_filing",
    "get_case", "history", "inbox", "list_cases", "save_filing", "submit_filing", "tick",
    "withdraw_filing",
]
from workflows.plans.use_cases import decide_plan, open_plan, refresh_plan, save_plan, submit_plan, urge_plan  # noqa: E402,F401,I001
  # noqa: E402,F401,I001  (semiannual reports: service.reports.*; registers its opener)

# Read-only queries for the screens and the API live in their own module; re-exported here.
from workflows.queries import (  # noqa: E402,F401,I001
    DISTRICT_FIGURE_RULES, CaseFilters, CaseInfo, case_diagram, case_infos, case_of_task, get_task, history,
    inbox, list_cases, list_filings, ready_tasks, status_counts, visible_checks,
)
