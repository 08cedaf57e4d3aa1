"""Operations on a live BpmnWorkflow: start, find human tasks, complete one, deliver messages, fire timers.

No database here: ``store.py`` loads and saves, ``cases.py`` decides who may do what.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.bpmn.util import BpmnEvent
from SpiffWorkflow.exceptions import TaskNotFoundException
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from workflows.engine import LANE_ROLES, Engine, ProcessVersion


class TaskNotReady(Exception):
    """The task does not exist in this case or is no longer READY (someone completed it first)."""


@dataclass(frozen=True)
class HumanTask:
    """A READY user task as the rest of the system sees it."""

    id: str
    name: str
    title: str
    role: str
    form_key: str
    status: str


def _properties(task: Task) -> dict[str, str]:
    return dict(getattr(task.task_spec, "extensions", {}).get("properties", {}))


def _human(task: Task) -> HumanTask:
    props = _properties(task)
    lane = task.task_spec.lane or ""
    return HumanTask(
        id=str(task.id),
        name=task.task_spec.bpmn_id or task.task_spec.name,
        title=task.task_spec.bpmn_name or task.task_spec.name,
        role=LANE_ROLES.get(lane, lane),
        form_key=props.get("formKey", task.task_spec.name),
        status=props.get("status", ""),
    )


def ready_human_tasks(workflow: BpmnWorkflow) -> list[HumanTask]:
    """Every READY user task (manual tasks wait for a person)."""
    return [_human(t) for t in workflow.get_tasks(state=TaskState.READY) if t.task_spec.manual]


def start(engine: Engine, version: ProcessVersion, data: dict[str, Any]) -> BpmnWorkflow:
    """Create an instance, seed its data and run it until a person or a timer is needed."""
    workflow = engine.new_workflow(version)
    workflow.data.update(data)
    workflow.task_tree.data.update(data)
    for task in workflow.get_tasks(state=TaskState.READY):
        task.data.update(data)
    workflow.do_engine_steps()
    return workflow


def find_ready_task(workflow: BpmnWorkflow, task_id: str) -> Task:
    """The READY manual task with this id, or TaskNotReady (run() on a non-ready task raises nothing)."""
    try:
        task = workflow.get_task_from_id(UUID(str(task_id)))
    except (ValueError, TypeError, KeyError, TaskNotFoundException) as exc:
        # A task id the index holds but the stored workflow does not know (stale index): not ready.
        raise TaskNotReady(task_id) from exc
    if task is None or not task.task_spec.manual or task.state != TaskState.READY:
        raise TaskNotReady(task_id)
    return task


def complete(workflow: BpmnWorkflow, task_id: str, data: dict[str, Any]) -> HumanTask:
    """Complete a READY user task with ``data`` and advance the engine."""
    task = find_ready_task(workflow, task_id)
    done = _human(task)
    task.data.update(data)
    task.run()
    workflow.do_engine_steps()
    return done


def waiting_message_names(workflow: BpmnWorkflow) -> set[str]:
    names = set()
    for task in workflow.get_tasks(state=TaskState.WAITING):
        definition = getattr(task.task_spec, "event_definition", None)
        if isinstance(definition, MessageEventDefinition):
            names.add(definition.name)
    return names


def send_message(workflow: BpmnWorkflow, name: str, payload: dict[str, Any] | None = None) -> bool:
    """Deliver message ``name`` to a waiting catch event; False when nothing is waiting for it."""
    for task in workflow.get_tasks(state=TaskState.WAITING):
        definition = getattr(task.task_spec, "event_definition", None)
        if isinstance(definition, MessageEventDefinition) and definition.name == name:
            workflow.catch(BpmnEvent(definition, payload or {}))
            workflow.do_engine_steps()
            return True
    return False


@lru_cache(maxsize=64)
def tasks_catching(spec: BpmnProcessSpec, message: str) -> frozenset[str]:
    """Names of the tasks of ``spec`` with a boundary event that catches message ``message`` (what a
    screen may offer while one of them is ready)."""
    names = set()
    for task_spec in spec.task_specs.values():
        definition = getattr(task_spec, "event_definition", None)
        if isinstance(definition, MessageEventDefinition) and definition.name == message:
            for parent in task_spec.inputs:
                if parent.name.endswith(".BoundaryEventSplit"):
                    names.add(parent.name.removesuffix(".BoundaryEventSplit"))
    return frozenset(names)


def fire_timers(workflow: BpmnWorkflow) -> None:
    """Fire every timer that is due at the engine clock's now, and advance."""
    workflow.refresh_timers()
    workflow.do_engine_steps()


def reset_deadline(workflow: BpmnWorkflow, variable: str, value: str) -> int:
    """Set the deadline ``variable`` (an ISO instant) to ``value`` in the data of the open tasks that carry
    it and on the waiting timers whose ``timeDate`` names it (a timer keeps the instant it evaluated when
    it started waiting). Returns how many timers were moved. Used when a deadline counted through an
    estimated holiday year is recomputed."""
    moved = 0
    for task in workflow.get_tasks(state=TaskState.READY | TaskState.WAITING | TaskState.STARTED):
        if variable in task.data:
            task.data[variable] = value
        definition = getattr(task.task_spec, "event_definition", None)
        if isinstance(definition, TimerEventDefinition) and getattr(definition, "expression", "") == variable \
                and not task._get_internal_data("event_fired", False):
            task._set_internal_data(event_value=value)
            moved += 1
    return moved


def next_timer_at(workflow: BpmnWorkflow) -> datetime | None:
    """The earliest instant at which a waiting timer of this workflow falls due."""
    return summarize(workflow).next_timer_at


def derive_status(workflow: BpmnWorkflow) -> tuple[str, str]:
    """(status code, current step title) from the diagram: the ready task's or the end event's status."""
    summary = summarize(workflow)
    return summary.status, summary.step


def element_states(workflow: BpmnWorkflow) -> tuple[list[str], list[str]]:
    """BPMN element ids to highlight: (current: ready/waiting, done: completed)."""
    current, done = [], []
    for task in workflow.get_tasks():
        bpmn_id = task.task_spec.bpmn_id
        if not bpmn_id:
            continue
        if task.state in (TaskState.READY, TaskState.WAITING, TaskState.STARTED):
            if not isinstance(task.task_spec, BoundaryEvent):  # a listener on a step, never a step itself
                current.append(bpmn_id)
        elif task.state == TaskState.COMPLETED:
            done.append(bpmn_id)
    return sorted(set(current)), sorted(set(done) - set(current))


@dataclass(frozen=True)
class Summary:
    """Everything ``store.save`` derives from a workflow, gathered in one walk over its tasks."""

    status: str
    step: str
    next_timer_at: datetime | None
    data: dict[str, Any]
    ready: list[tuple[Task, HumanTask]]


def summarize(workflow: BpmnWorkflow) -> Summary:
    """One pass over the task tree (instead of one per question): status, current step, earliest timer,
    current data and the READY human tasks, with the same answers as the single-purpose functions."""
    ready_all: list[Task] = []
    completed: list[Task] = []
    earliest: datetime | None = None
    waiting_status: tuple[str, str] | None = None
    for task in workflow.get_tasks():
        state = task.state
        if state == TaskState.READY:
            ready_all.append(task)
        elif state == TaskState.COMPLETED:
            completed.append(task)
        elif state == TaskState.WAITING:
            when = _timer_due(task)
            if when is not None and (earliest is None or when < earliest):
                earliest = when
            # A waiting event may name the case's status (a 公示 period is a timer, not a person's task).
            code = _properties(task).get("status") if waiting_status is None else None
            if code:
                waiting_status = (code, task.task_spec.bpmn_name or "")
    ready = [(t, _human(t)) for t in ready_all if t.task_spec.manual]
    if workflow.completed:
        status, step = "completed", ""
        for task in reversed(completed):
            code = _properties(task).get("status")
            if code:
                status, step = code, task.task_spec.bpmn_name or ""
                break
    else:
        status, step = next(((h.status, h.title) for _, h in ready if h.status), waiting_status or ("waiting", ""))
    last = ready_all or completed
    data = dict(last[-1].data) if last else dict(workflow.data)
    return Summary(status, step, earliest, data, ready)


def _timer_due(task: Task) -> datetime | None:
    definition = getattr(task.task_spec, "event_definition", None)
    if not isinstance(definition, TimerEventDefinition):
        return None
    value = definition.details(task).value
    if isinstance(value, dict):
        value = value.get("next")
    return TimerEventDefinition.get_datetime(str(value)) if value else None


def data_of(workflow: BpmnWorkflow) -> dict[str, Any]:
    """The data of the most recently changed task (what the diagram currently knows)."""
    return summarize(workflow).data

