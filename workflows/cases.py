"""The kernel every case goes through: one unit of work per use case, scope, the audit trail, and the
one locked step that every engine move (start, complete, message, timers) runs through.

A move is: lock the instance -> deserialize -> bind the session's script helpers -> run the engine ->
serialize -> rewrite the task index -> append the audit row; ``unit_of_work`` commits once at the end.
Any exception rolls everything back, so a case is never half-advanced.

The registries here (decisions per form, decision guards and effects per case kind, period openers) and
the script-helper factories in ``workflows.bindings`` are filled by ``workflows.features.install`` alone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

from SpiffWorkflow.bpmn import BpmnWorkflow
from sqlalchemy import Select, bindparam, or_, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, undefer
from sqlalchemy.orm.exc import StaleDataError

from workflows import bindings, runner, store
from workflows.clock import frozen_now, now
from workflows.dto import Actor
from workflows.engine import get_engine, script_services
from workflows.errors import Conflict, NotFound, ValidationFailed
from workflows.models import AuditEvent, TaskIndex, User, WorkflowInstance
from workflows.security import chain

log = logging.getLogger(__name__)

T = TypeVar("T")

# --------------------------------------------------------------------------------------------------
# Registries (filled by workflows.features.install)

Decisions = Mapping[str, tuple[str, bool]]
"""decision code -> (audit label, comment required)"""
DecisionGuard = Callable[[Session, WorkflowInstance, str, bool], None]
"""(session, instance, decision, confirm_mismatches): raise to refuse the decision."""
DecisionEffect = Callable[[Session, WorkflowInstance, str, Actor, str], object]
"""(session, instance, decision, actor, comment): what follows a decision (notifications ...)."""
Opener = Callable[[Session, datetime], int]
"""(session, at) -> how many instances of the period containing ``at`` it opened (idempotent)."""
DecisionFigures = Callable[[Session, WorkflowInstance], dict[str, Any]]
"""(session, instance) -> the live figures a decision is taken on (recorded with its audit row)."""
StepTracker = Callable[[Session, WorkflowInstance], Callable[[], None]]
"""(session, instance) before an engine move -> what to run once the move is saved (running totals)."""

DECISIONS: dict[str, Decisions] = {}
GUARDS: dict[str, DecisionGuard] = {}
FIGURES: dict[str, DecisionFigures] = {}
# Per case kind, in registration order: the kind's own effect, then effects other features add to it
# (the training project starts on a filing's 予以备案).
EFFECTS: dict[str, list[DecisionEffect]] = {}
OPENERS: list[Opener] = []
TRACKERS: dict[str, StepTracker] = {}


def require_features() -> None:
    """Refuse to run a use case that needs the registries before ``features.install()`` filled them
    (instead of answering a valid task with NotFound, or opening no period)."""
    if not DECISIONS or not OPENERS:
        raise RuntimeError("no features registered: call workflows.features.install() at start-up")


# --------------------------------------------------------------------------------------------------
# Unit of work


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


# The case kinds an enterprise sees (its own): its filings and their training projects.
ENTERPRISE_KINDS: tuple[str, ...] = ("filing", "training_project")


def scope_cases(stmt: Select, actor: Actor) -> Select:
    """Restrict a query over WorkflowInstance to what ``actor`` may see (SPEC section 2). Enterprise
    drafts are private to their enterprise: nobody else sees them in lists, counts, search or by id."""
    if actor.role in ("city", "admin", "district"):
        stmt = stmt.where(or_(WorkflowInstance.kind != "filing", WorkflowInstance.status != "draft"))
    if actor.role in ("city", "admin"):
        return stmt
    if actor.role == "district":
        return stmt.where(WorkflowInstance.district_code == actor.district_code)
    if actor.role == "enterprise":
        return stmt.where(WorkflowInstance.enterprise_id == actor.enterprise_id,
                          WorkflowInstance.kind.in_(ENTERPRISE_KINDS))
    return stmt.where(WorkflowInstance.id.is_(None))


def get_case(session: Session, actor: Actor, instance_id: int) -> WorkflowInstance:
    """A case in scope, or NotFound."""
    instance = session.scalars(
        scope_cases(select(WorkflowInstance).where(WorkflowInstance.id == instance_id), actor)
    ).first()
    if instance is None:
        raise NotFound("未找到该案件。")
    return instance


def may_complete(actor: Actor, row: TaskFacts | ReadyTask) -> bool:
    """The task's lane role is the actor's role, and the case is in the actor's district/enterprise."""
    if row.role != actor.role:
        return False
    if actor.role == "district":
        return row.district_code == actor.district_code
    if actor.role == "enterprise":
        return row.enterprise_id == actor.enterprise_id
    return actor.role == "city"


def task_row(session: Session, actor: Actor, task_id: str) -> TaskIndex:
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


def audit(session: Session, instance: WorkflowInstance, actor: Actor | None, action: str, *,
          task_name: str = "", task_id: str = "", comment: str = "", status_before: str = "",
          details: dict[str, Any] | None = None) -> None:
    """Append one row to the case's history (no commit), chained to the case's previous row: its hash
    covers the previous row's hash (the head kept on the instance, already loaded and locked by every
    step, so the chain costs no extra read and cases never wait on one another)."""
    at = now()
    actor_id, actor_name = (actor.id, actor.name) if actor else (None, "系统")
    prev_hash = instance.audit_hash or ""
    row_hash = chain.link(prev_hash, chain.audit_content(
        instance_id=instance.id, actor_id=actor_id, actor_name=actor_name, action=action, task_name=task_name,
        task_id=task_id, comment=comment, status_before=status_before, status_after=instance.status, created_at=at))
    row = {"details": details, "instance_id": instance.id, "actor_id": actor_id, "actor_name": actor_name,
           "action": action, "task_name": task_name, "task_id": task_id, "comment": comment,
           "status_before": status_before, "status_after": instance.status, "created_at": at,
           "prev_hash": prev_hash, "row_hash": row_hash}
    instance.audit_hash = row_hash
    # A Core INSERT now (the row is never changed, so it needs no place in the ORM's unit of work); the
    # case's new head hash goes out with the case's own UPDATE.
    session.execute(_INSERT_AUDIT, row)


# inline: nobody reads the new row's id, so PostgreSQL is not asked to RETURN it.
_INSERT_AUDIT = AuditEvent.__table__.insert().inline()  # type: ignore[attr-defined]


# --------------------------------------------------------------------------------------------------
# The locked step


def locked(session: Session, instance_id: int | None, missing: str = "未找到该案件。") -> WorkflowInstance:
    """The instance, locked for this unit of work (FOR UPDATE on PostgreSQL, version CAS everywhere)."""
    instance = store.lock_instance(session, instance_id) if instance_id is not None else None
    if instance is None:
        raise NotFound(missing)
    return instance


def step(session: Session, actor: Actor | None, instance: WorkflowInstance,
         move: Callable[[BpmnWorkflow], T], action: str, *, task_name: str | Callable[[T], str] = "",
         task_id: str = "", comment: str = "", audit_unchanged: bool = True,
         services: Mapping[str, Callable[..., Any]] | None = None, details: dict[str, Any] | None = None) -> T:
    """Run one engine move on a locked instance: load it, bind the script helpers to this session and
    actor, run ``move(workflow)``, save (state, status, timers, task index) and audit. No commit: the
    caller's unit of work commits or rolls back. A ``move`` that raises leaves nothing saved.

    The case kind's step tracker (``TRACKERS``: the filings' running totals) sees the case before the
    move and updates what depends on it after the save, in the same transaction.

    ``task_name`` may be a function of the move's result (the completed task's title); with
    ``audit_unchanged=False`` the move is audited only when it changed the status (timers)."""
    engine = get_engine()
    workflow = store.load_workflow(engine, instance)
    before = instance.status
    tracker = TRACKERS.get(instance.kind)
    tracked = tracker(session, instance) if tracker is not None else None
    with script_services({**bindings.for_session(session, actor), **(services or {})}):
        result = move(workflow)
    summary = store.apply(engine, instance, workflow)
    if audit_unchanged or instance.status != before:
        name = task_name(result) if callable(task_name) else task_name
        audit(session, instance, actor, action, task_name=name, task_id=task_id, comment=comment,
              status_before=before, details=details)
    store.write(session, instance, summary)  # one UPDATE of the case (state, status, audit hash) and its row
    if tracked is not None:
        tracked()  # the case kind's running totals, in this same transaction
    return result


def start(session: Session, actor: Actor | None, **case: Any) -> WorkflowInstance:
    """Start a case (``store.create_instance`` keywords) with the script helpers bound; no commit."""
    with script_services(bindings.for_session(session, actor)):
        instance, _ = store.create_instance(session, get_engine(), **case)
    return instance


def advance(session: Session, actor: Actor | None, instance: WorkflowInstance, task_id: str,
            data: dict[str, Any], action: str, comment: str = "",
            services: Mapping[str, Callable[..., Any]] | None = None,
            details: dict[str, Any] | None = None) -> WorkflowInstance:
    """Complete one READY task of a locked instance, save, index and audit it (no commit)."""

    def complete(workflow: BpmnWorkflow) -> runner.HumanTask:
        try:
            return runner.complete(workflow, task_id, data)
        except runner.TaskNotReady as exc:
            raise Conflict("该任务已被处理，请刷新后查看最新状态。") from exc

    step(session, actor, instance, complete, action, task_name=lambda done: done.title, task_id=task_id,
         comment=comment, services=services, details=details)
    return instance


def deliver(session: Session, actor: Actor | None, instance: WorkflowInstance, message: str,
            payload: dict[str, Any], action: str, *, refusal: str, task_name: str = "",
            comment: str = "") -> WorkflowInstance:
    """Deliver the BPMN message ``message`` to a locked instance (no commit); Conflict(``refusal``)
    when nothing in the case waits for it now."""

    def send(workflow: BpmnWorkflow) -> None:
        if not runner.send_message(workflow, message, payload):
            raise Conflict(refusal)

    step(session, actor, instance, send, action, task_name=task_name, comment=comment)
    return instance


# --------------------------------------------------------------------------------------------------
# Decisions on review-like tasks


def assignee_name(session: Session, row: TaskFacts) -> str:
    """The display name of the person a task is assigned to ("" when it belongs to the whole group)."""
    if row.assignee_id is None:
        return ""
    return session.scalar(select(User.display_name).where(User.id == row.assignee_id)) or ""


def refuse_unless_assignee(session: Session, actor: Actor, row: TaskFacts) -> None:
    """An assigned task is completed by its assignee only (SPEC section 2): Conflict naming them."""
    if row.assignee_id is not None and row.assignee_id != actor.id:
        name = assignee_name(session, row) or "其他人员"
        raise Conflict(f"该任务已由{name}认领，只能由{name}办理；如需办理请先转办或退回组。")


class TaskFacts(Protocol):
    """What the decision path reads of a task's index row (a row of the columns below, or the entity)."""

    role: str
    district_code: str | None
    enterprise_id: int | None
    assignee_id: int | None
    form_key: str


# Built once (a bound parameter, not a new statement per call: SQLAlchemy then also skips re-processing
# the loader options, a fifth of this query's CPU); FOR UPDATE where supported (not SQLite). The task's
# index row is read as plain columns: the decision only looks at it.
_TASK_COLUMNS = (TaskIndex.role, TaskIndex.district_code, TaskIndex.enterprise_id, TaskIndex.assignee_id,
                 TaskIndex.form_key)
_TASK_AND_INSTANCE = (select(*_TASK_COLUMNS, WorkflowInstance)
                      .join(WorkflowInstance, TaskIndex.instance_id == WorkflowInstance.id)
                      .where(TaskIndex.task_id == bindparam("task_id"))
                      .options(undefer(WorkflowInstance.state_json))
                      .execution_options(populate_existing=True))
_TASK_AND_LOCKED_INSTANCE = _TASK_AND_INSTANCE.with_for_update(of=WorkflowInstance)


def task_and_locked_instance(session: Session, actor: Actor, task_id: str) -> tuple[TaskFacts, WorkflowInstance]:
    """The task's index row and its instance, locked, in one query (the decision hot path)."""
    stmt = _TASK_AND_INSTANCE if session.get_bind().dialect.name == "sqlite" else _TASK_AND_LOCKED_INSTANCE
    found = session.execute(stmt, {"task_id": str(task_id)}).first()
    if found is None or not may_complete(actor, found):
        task_row(session, actor, task_id)  # raises the right Conflict / NotFound
        raise NotFound("未找到该任务。")
    return found, found[-1]


def decide(session: Session, actor: Actor, task_id: str, decision: str, comment: str = "",
           confirm_mismatches: bool = False) -> WorkflowInstance:
    """One decision inside the caller's unit of work (``complete_task``; a batch runs each in its own
    savepoint): the form's decisions, the assignee, the kind's guard, the move with the live figures it
    was taken on, the kind's effect. No commit."""
    require_features()
    row, instance = task_and_locked_instance(session, actor, task_id)
    allowed = DECISIONS.get(row.form_key)
    if allowed is None:
        raise NotFound("未找到该任务。")
    refuse_unless_assignee(session, actor, row)
    comment = (comment or "").strip()
    if decision not in allowed:
        raise ValidationFailed("请选择有效的处理结论。", {"decision": ["请选择有效的处理结论。"]})
    label, needs_comment = allowed[decision]
    if needs_comment and not comment:
        raise ValidationFailed(f"“{label}”必须填写意见。", {"comment": [f"“{label}”必须填写意见。"]})
    if len(comment) > 2000:
        raise ValidationFailed("意见不能超过2000字。", {"comment": ["意见不能超过2000字。"]})
    guard = GUARDS.get(instance.kind)
    if guard is not None:
        guard(session, instance, decision, confirm_mismatches)
    figures = FIGURES.get(instance.kind)
    details = {"figures": figures(session, instance)} if figures is not None else None
    advance(session, actor, instance, task_id, {"decision": decision, "comment": comment}, decision, comment,
            details=details)
    for effect in EFFECTS.get(instance.kind, ()):
        effect(session, instance, decision, actor, comment)
    return instance


@dataclass(frozen=True)
class ReadyTask:
    """A task left ready by a step (a copy of its index row: it outlives the commit)."""

    id: str
    name: str
    title: str
    role: str
    kind: str
    form_key: str
    district_code: str | None
    enterprise_id: int | None
    created_at: datetime
    due_at: datetime | None


@dataclass(frozen=True)
class Outcome:
    """What a decision left behind: the case's id, kind and new status and the tasks now ready."""

    case_id: int
    kind: str
    status: str
    tasks: tuple[ReadyTask, ...]


def outcome_of(session: Session, instance: WorkflowInstance) -> Outcome:
    """The outcome of the step just saved on ``instance`` (no query: from what ``store.save`` wrote)."""
    tasks = tuple(ReadyTask(id=r["task_id"], name=r["task_name"], title=r["title"], role=r["role"],
                            kind=r["kind"], form_key=r["form_key"], district_code=r["district_code"],
                            enterprise_id=r["enterprise_id"], created_at=r["created_at"], due_at=r["due_at"])
                  for r in store.ready_rows_written(session, instance.id))
    return Outcome(case_id=instance.id, kind=instance.kind, status=instance.status, tasks=tasks)


def complete_task(session: Session, actor: Actor, task_id: str, decision: str, comment: str = "",
                  confirm_mismatches: bool = False) -> Outcome:
    """A reviewer's decision on a review-like task (the form's decisions in ``DECISIONS``); the case
    kind's guard may refuse it first and its effect follows it, in the same unit of work."""
    require_features()
    with unit_of_work(session):
        instance = decide(session, actor, task_id, decision, comment, confirm_mismatches)
        outcome = outcome_of(session, instance)
    return outcome


# --------------------------------------------------------------------------------------------------
# Timers and period openers


def open_due_periods(session: Session, at: datetime) -> int:
    """Run every registered opener at ``at``. One opener failing is logged and does not stop the
    others, nor the timers that tick fires next."""
    require_features()
    opened = 0
    for fn in list(OPENERS):
        try:
            opened += int(fn(session, at) or 0)
        except Exception:
            session.rollback()
            log.exception("period opener %s failed at %s", getattr(fn, "__qualname__", fn), at.isoformat())
    return opened


@dataclass(frozen=True)
class TickReport:
    """What one tick did: timers fired, cases whose timers failed (marked for the admin's 异常案件 screen),
    cases another tick process had already fired, and period instances opened."""

    due: int = 0
    fired: int = 0
    failed: int = 0
    skipped: int = 0
    opened: int = 0

    @property
    def ok(self) -> bool:
        """False only when nothing could run: every due case failed."""
        return not (self.failed and not self.fired)


def tick(session: Session, at: datetime | None = None, limit: int = 500, open_periods: bool = False) -> int:
    """Fire every timer due at ``at`` and return how many fired (see ``run_tick`` for the whole report)."""
    return run_tick(session, at, limit, open_periods).fired


def run_tick(session: Session, at: datetime | None = None, limit: int = 500, open_periods: bool = False
             ) -> TickReport:
    """Fire every timer due at ``at``. Each instance is its own transaction, locked so that several
    tick processes (cron on several hosts) fire each timer exactly once. One case failing (corrupt
    state, a script error) is rolled back, logged and marked failed (``store.mark_failed``); the other
    cases' timers still fire. With ``open_periods`` the period openers (quarterly plans, semiannual
    reports) run first."""
    at = at or now()
    opened = open_due_periods(session, at) if open_periods else 0
    due = store.due_instance_ids(session, at, limit)
    fired = failed = skipped = 0
    for instance_id in due:
        try:
            with unit_of_work(session), frozen_now(at):
                instance = store.lock_instance(session, instance_id)
                if instance is None or instance.next_timer_at is None or instance.next_timer_at > at:
                    skipped += 1
                    continue
                step(session, None, instance, runner.fire_timers, "timer", comment="期限届满，系统自动处理",
                     audit_unchanged=False)
                fired += 1
        except Conflict:
            skipped += 1  # another worker fired it first
        except Exception as exc:  # one broken case must not stop everyone else's timers
            failed += 1
            log.exception("timer of case %s failed", instance_id,
                          extra={"fields": {"instance_id": instance_id, "error": type(exc).__name__}})
            _mark_failed(session, instance_id, exc)
    return TickReport(due=len(due), fired=fired, failed=failed, skipped=skipped, opened=opened)


def _mark_failed(session: Session, instance_id: int, exc: Exception) -> None:
    """Record the failure on the case, with the real time, in its own transaction (the failed one was
    rolled back)."""
    try:
        with unit_of_work(session):
            store.mark_failed(session, instance_id, f"{type(exc).__name__}: {exc}", now())
    except Exception:  # the database itself is failing: the log line above is all we can do
        log.exception("could not mark case %s failed", instance_id)
