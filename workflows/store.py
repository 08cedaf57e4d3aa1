"""Load and save workflow instances: serialized state pinned to a spec version, locking, projections.

After every engine step ``save`` rewrites what is derived from the workflow: the status, the current
step, the earliest pending timer and the task-index rows. Nothing here commits.
"""

from __future__ import annotations

import base64
import zlib
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.task import Task
from sqlalchemy import CursorResult, Table, bindparam, inspect, select, update
from sqlalchemy.orm import Session, object_session, undefer
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from workflows import runner
from workflows.clock import now
from workflows.engine import Engine, ProcessVersion
from workflows.models import SpecVersion, TaskIndex, WorkflowInstance

_spec_ids: dict[tuple[str, str, str], int] = {}


def _bind_url(session: Session) -> str:
    """The database a session talks to (cache keys: one process may use several databases)."""
    bind = session.get_bind()
    return str(bind.engine.url)


def spec_version_row(session: Session, engine: Engine, version: ProcessVersion) -> SpecVersion:
    """The stored row for this process version, inserted the first time it is used."""
    bind_key = _bind_url(session)
    key = (bind_key, version.process_id, version.version_hash)
    cached = _spec_ids.get(key)
    if cached is not None:
        row = session.get(SpecVersion, cached)
        if row is not None and (row.process_id, row.version_hash) == (version.process_id, version.version_hash):
            return row
    row = session.scalars(
        select(SpecVersion).where(
            SpecVersion.process_id == version.process_id, SpecVersion.version_hash == version.version_hash
        )
    ).first()
    if row is None:
        row = SpecVersion(
            process_id=version.process_id,
            version_hash=version.version_hash,
            spec_json=engine.spec_to_json(version),
            bpmn_xml=version.bpmn_xml,
        )
        session.add(row)
        session.flush()
    _spec_ids[key] = row.id
    return row


# Keyed by (database URL, spec_version row id): one process may talk to several databases.
_versions_by_row: dict[tuple[str, int], ProcessVersion] = {}


def clear_caches() -> None:
    """Forget cached spec-version ids (tests that empty the tables reuse ids)."""
    _spec_ids.clear()
    _versions_by_row.clear()


def version_of(engine: Engine, instance: WorkflowInstance) -> ProcessVersion:
    """The process version an instance is pinned to (cached per spec_version row; no query when cached)."""
    session = object_session(instance)
    bind = _bind_url(session) if session is not None else ""
    key = (bind, instance.spec_version_id)
    version = _versions_by_row.get(key)
    if version is None:
        spec = instance.spec_version
        version = engine.cached_version(spec.process_id, spec.version_hash) or engine.version_from_json(
            spec.process_id, spec.version_hash, spec.spec_json, spec.bpmn_xml)
        _versions_by_row[key] = version
    return version


_INSTANCE = (select(WorkflowInstance).where(WorkflowInstance.id == bindparam("instance_id"))
             .options(undefer(WorkflowInstance.state_json)).execution_options(populate_existing=True))
_LOCKED_INSTANCE = _INSTANCE.with_for_update()


def lock_instance(session: Session, instance_id: int) -> WorkflowInstance | None:
    """Fetch an instance for update: SELECT ... FOR UPDATE where supported (PostgreSQL); on SQLite the
    version counter makes the final UPDATE a compare-and-swap instead."""
    stmt = _INSTANCE if session.get_bind().dialect.name == "sqlite" else _LOCKED_INSTANCE
    return session.scalars(stmt, {"instance_id": int(instance_id)}).first()


_COMPRESSED = "z1:"


def encode_state(state: str) -> str:
    """Compress the serialized workflow for storage (zlib + base64 behind a version prefix): Spiff's JSON
    repeats task ids and keys, so this cuts a typical filing from ~9 KB to ~2.5 KB."""
    return _COMPRESSED + base64.b64encode(zlib.compress(state.encode("utf-8"), 6)).decode("ascii")


def decode_state(stored: str) -> str:
    """Inverse of encode_state; plain JSON (older rows, fixtures) is read as it is."""
    if stored.startswith(_COMPRESSED):
        return zlib.decompress(base64.b64decode(stored[len(_COMPRESSED):])).decode("utf-8")
    return stored


def load_workflow(engine: Engine, instance: WorkflowInstance) -> BpmnWorkflow:
    return engine.loads(decode_state(instance.state_json), version_of(engine, instance))


def create_instance(
    session: Session,
    engine: Engine,
    *,
    kind: str,
    process_id: str,
    business_key: str,
    title: str,
    district_code: str | None,
    enterprise_id: int | None,
    data: dict[str, Any],
) -> tuple[WorkflowInstance, BpmnWorkflow]:
    """Start a new case on the current version of ``process_id`` and save it (not committed)."""
    version = engine.current(process_id)
    spec_row = spec_version_row(session, engine, version)
    workflow = runner.start(engine, version, data)
    instance = WorkflowInstance(
        kind=kind,
        business_key=business_key,
        title=title,
        spec_version_id=spec_row.id,
        district_code=district_code,
        enterprise_id=enterprise_id,
        state_json="",
        status="",
    )
    instance.spec_version = spec_row
    session.add(instance)
    save(session, engine, instance, workflow)
    return instance, workflow


def _parse_due(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


def save(session: Session, engine: Engine, instance: WorkflowInstance, workflow: BpmnWorkflow) -> None:
    """Serialize the workflow and rewrite everything derived from it (status, timers, task index)."""
    write(session, instance, apply(engine, instance, workflow))


# What a step changes on its case (``apply`` and the audit hash), written by one Core UPDATE that is also the
# compare-and-swap of ``version`` (the ORM's unit of work cost more CPU than the statement on this path).
_STEP_COLUMNS = ("state_json", "status", "current_step", "next_timer_at", "updated_at", "completed_at", "due_at",
                 "failed_at", "failure", "audit_hash")
_INSTANCE_TABLE: Table = WorkflowInstance.__table__  # type: ignore[assignment]
_WRITE_STEP = (update(_INSTANCE_TABLE)
               .where(_INSTANCE_TABLE.c.id == bindparam("b_id"), _INSTANCE_TABLE.c.version == bindparam("b_version"))
               .values(version=bindparam("b_new_version"), **{c: bindparam(c) for c in _STEP_COLUMNS}))


def write(session: Session, instance: WorkflowInstance, summary: runner.Summary) -> None:
    """Write what ``apply`` (and the step's audit) set on the instance in one UPDATE, checked against the
    version it was read at (``StaleDataError`` when another step got there first, as the ORM would
    raise), and rewrite the task index from the summary's ready tasks. A new instance is inserted by
    the ORM's flush."""
    state = inspect(instance)
    if not state.persistent:
        session.flush()
    else:
        values = {c: getattr(instance, c) for c in _STEP_COLUMNS}
        version = int(instance.version)
        params = {**values, "b_id": instance.id, "b_version": version, "b_new_version": version + 1}
        done: CursorResult[Any] = session.execute(_WRITE_STEP, params)  # type: ignore[assignment]
        if done.rowcount != 1:
            raise StaleDataError(f"workflow_instance {instance.id} moved past version {version}")
        for column, value in (*values.items(), ("version", version + 1)):
            set_committed_value(instance, column, value)
        if not state.committed_state:
            # Nothing else changed on it: clean, as a flush leaves it (else the commit's flush walks the
            # unit of work for an object with nothing to write, a twentieth of a decision's CPU).
            state._commit_all(state.dict, session.identity_map)
    _rewrite_task_index(session, instance, summary.ready)


def apply(engine: Engine, instance: WorkflowInstance, workflow: BpmnWorkflow) -> runner.Summary:
    """Set the serialized state and everything derived from it on the instance (no flush): a step can
    then add to the same instance (its audit hash) before one UPDATE writes it all (``write``)."""
    summary = runner.summarize(workflow)
    instance.state_json = encode_state(engine.dumps(workflow))
    instance.status, instance.current_step = summary.status, summary.step
    instance.next_timer_at = summary.next_timer_at
    instance.updated_at = now()
    if workflow.completed and instance.completed_at is None:
        instance.completed_at = now()
    instance.due_at = _parse_due(summary.data.get("due_at"))
    instance.failed_at, instance.failure = None, None  # it moved: whatever failed before is over
    return summary


# The table, not the mapped class: plain Core statements skip the ORM's bulk-persistence layer (whose
# per-statement bookkeeping cost more CPU than the statements themselves on this hot path).
_TASK_INDEX: Table = TaskIndex.__table__  # type: ignore[assignment]


_DELETE_TASKS = (_TASK_INDEX.delete().where(_TASK_INDEX.c.instance_id == bindparam("instance_id"))
                 .returning(_TASK_INDEX.c.task_id, _TASK_INDEX.c.created_at, _TASK_INDEX.c.assignee_id))
_INSERT_TASKS = _TASK_INDEX.insert()


def _rewrite_task_index(session: Session, instance: WorkflowInstance,
                        ready: list[tuple[Task, runner.HumanTask]]) -> None:
    """Replace the instance's rows with its ready human tasks (Core statements: this is the hot path);
    a task that stays ready keeps its original created time and its assignee (认领 / 转办)."""
    kept = session.execute(_DELETE_TASKS, {"instance_id": instance.id}).tuples().all()
    created: dict[str, datetime] = {task_id: at for task_id, at, _ in kept}
    assignees: dict[str, int | None] = {task_id: who for task_id, _, who in kept}
    rows = []
    for task, human in ready:
        due_variable = runner._properties(task).get("dueVariable")
        due = _parse_due(task.data.get(due_variable)) if due_variable else None
        rows.append({
            "instance_id": instance.id, "task_id": human.id, "task_name": human.name, "title": human.title,
            "form_key": human.form_key, "role": human.role, "kind": instance.kind,
            "district_code": instance.district_code, "enterprise_id": instance.enterprise_id,
            "created_at": created.get(human.id) or now(), "due_at": due or instance.due_at,
            "assignee_id": assignees.get(human.id),
        })
    if rows:
        session.execute(_INSERT_TASKS, rows)
    # What this step left ready, for the use case's reply without reading it back (session.info is
    # SQLAlchemy's per-session dict for the application).
    session.info.setdefault(READY_ROWS, {})[instance.id] = rows


READY_ROWS = "workflows.ready_rows"


def ready_rows_written(session: Session, instance_id: int) -> list[dict[str, Any]]:
    """The task-index rows ``save`` last wrote for this instance in this session (none if not saved)."""
    return list(session.info.get(READY_ROWS, {}).get(instance_id, []))



def mark_failed(session: Session, instance_id: int, failure: str, at: datetime) -> None:
    """Mark a case whose engine move failed (its own move was rolled back) for the admin's 异常案件 screen.
    A Core UPDATE that leaves ``version`` alone: it is a note about the case, not a move of it."""
    session.execute(update(WorkflowInstance).where(WorkflowInstance.id == instance_id)
                    .values(failed_at=at, failure=failure[:2000]),
                    execution_options={"synchronize_session": False})


def due_instance_ids(session: Session, at: datetime, limit: int = 500) -> list[int]:
    """Instances with a timer due at ``at`` (oldest first)."""
    return list(session.scalars(
        select(WorkflowInstance.id)
        .where(WorkflowInstance.next_timer_at.is_not(None), WorkflowInstance.next_timer_at <= at)
        .order_by(WorkflowInstance.next_timer_at)
        .limit(limit)
    ))
