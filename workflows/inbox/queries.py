"""The inbox (待办) as SQL: the ready tasks an actor may complete, filtered, sorted and paged in the
database, each row carrying what the list shows (case number and status, enterprise, district, the
filing's trainees and submission time) from one joined query, so a page costs the same few statements
at 20 tasks as at 25,000.

``TaskFilters`` is the one place filters are added: ``task_query`` applies every field, ``task_page``
pages it and ``task_counts`` counts it by task (the inbox tiles). The same query serves the web inbox
and ``GET /api/v1/tasks``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import Select, false, func, select
from sqlalchemy.orm import Session

from workflows.clock import now
from workflows.dto import Actor
from workflows.models import DISTRICTS, Enterprise, Filing, TaskIndex, User, WorkflowInstance
from workflows.queries import matching_case_ids

MAX_PER_PAGE = 100
SORTS = ("due", "-due", "submitted", "-submitted")
"""``due``: earliest deadline first (tasks without one last); ``submitted``: the order the tasks arrived
(the time the case was submitted to this step), oldest first; ``-`` reverses."""


@dataclass
class TaskFilters:
    """What narrows the inbox. Every field left at its default means "any"."""

    q: str | None = None  # case title, case number or enterprise name contains
    kind: str | None = None  # case kind (filing, quarterly_plan, semiannual_report)
    role: str | None = None  # the task's lane role (an actor only ever sees its own role's tasks)
    task_name: str | None = None  # one task of the diagrams (e.g. district_review)
    due_before: datetime | None = None  # deadline earlier than this
    overdue: bool = False  # deadline already past
    district: str | None = None  # the case's district (city staff narrowing their inbox)
    flagged: bool = False  # filings with at least one soft flag
    resubmitted: bool = False  # filings submitted more than once (第2次提交 and later)
    assignee: str | None = None  # "me": claimed by / transferred to the actor; "none": unassigned
    sort: str = "due"
    at: datetime | None = field(default=None, repr=False)  # "now" for overdue (default: clock.now())


@dataclass
class InboxRow:
    """One ready task with what the inbox shows beside it."""

    task: TaskIndex
    business_key: str
    status: str
    enterprise_name: str
    district_name: str
    filing_id: int | None
    occupation_code: str
    occupation_name: str
    trainee_count: int | None
    submitted_at: datetime | None
    level: int | None = None
    subsidy_fen: int | None = None
    flag_count: int = 0
    submission_round: int = 0
    assignee_name: str = ""
    assignee_username: str = ""

    def overdue(self, at: datetime) -> bool:
        return self.task.due_at is not None and self.task.due_at < at


def scope_tasks(stmt: Select, actor: Actor) -> Select:
    """Restrict a query over TaskIndex to the tasks ``actor`` may complete: own role and own district
    or enterprise (the city sees every city task; other roles none)."""
    stmt = stmt.where(TaskIndex.role == actor.role)
    if actor.role == "district":
        return stmt.where(TaskIndex.district_code == actor.district_code)
    if actor.role == "enterprise":
        return stmt.where(TaskIndex.enterprise_id == actor.enterprise_id)
    if actor.role == "city":
        return stmt
    return stmt.where(false())


def task_query(stmt: Select, actor: Actor, filters: TaskFilters) -> Select:
    """``stmt`` (over TaskIndex) restricted to the actor's tasks and narrowed by every filter."""
    stmt = scope_tasks(stmt, actor)
    if filters.kind:
        stmt = stmt.where(TaskIndex.kind == filters.kind)
    if filters.role:
        stmt = stmt.where(TaskIndex.role == filters.role)
    if filters.task_name:
        stmt = stmt.where(TaskIndex.task_name == filters.task_name)
    if filters.due_before is not None:
        stmt = stmt.where(TaskIndex.due_at < filters.due_before)
    if filters.overdue:
        stmt = stmt.where(TaskIndex.due_at < (filters.at or now()))
    if filters.q and filters.q.strip():
        stmt = stmt.where(TaskIndex.instance_id.in_(matching_case_ids(filters.q)))
    if filters.district:
        stmt = stmt.where(TaskIndex.district_code == filters.district)
    if filters.flagged:
        stmt = stmt.where(TaskIndex.instance_id.in_(select(Filing.instance_id).where(Filing.flag_count > 0)))
    if filters.resubmitted:
        stmt = stmt.where(TaskIndex.instance_id.in_(
            select(Filing.instance_id).where(Filing.submission_round > 1)))
    if filters.assignee == "me":
        stmt = stmt.where(TaskIndex.assignee_id == actor.id)
    elif filters.assignee == "none":
        stmt = stmt.where(TaskIndex.assignee_id.is_(None))
    return stmt


def _order(sort: str) -> list:
    desc = sort.startswith("-")
    key = sort.lstrip("-")
    if key == "submitted":
        cols = [TaskIndex.created_at, TaskIndex.id]
        return [c.desc() for c in cols] if desc else cols
    due = TaskIndex.due_at.desc().nulls_last() if desc else TaskIndex.due_at.asc().nulls_last()
    rest = [TaskIndex.created_at, TaskIndex.id]
    return [due, *([c.desc() for c in rest] if desc else rest)]


def _rows(stmt: Select) -> Select:
    return (stmt.add_columns(WorkflowInstance.business_key, WorkflowInstance.status, Enterprise.name,
                             WorkflowInstance.district_code, Filing.id, Filing.occupation_code,
                             Filing.occupation_name, Filing.trainee_count, Filing.submitted_at, Filing.level,
                             Filing.subsidy_fen, Filing.flag_count, Filing.submission_round, User.display_name,
                             User.username)
            .join(WorkflowInstance, WorkflowInstance.id == TaskIndex.instance_id)
            .outerjoin(User, User.id == TaskIndex.assignee_id)
            .outerjoin(Enterprise, Enterprise.id == WorkflowInstance.enterprise_id)
            .outerjoin(Filing, Filing.instance_id == TaskIndex.instance_id))


def task_page(session: Session, actor: Actor, filters: TaskFilters, page: int = 1, per_page: int = 20
              ) -> tuple[list[InboxRow], int]:
    """One page of the actor's ready tasks (``per_page`` capped at ``MAX_PER_PAGE``) and the total
    matching the filters: two statements, whatever the size of the inbox."""
    per_page = min(max(int(per_page), 1), MAX_PER_PAGE)
    page = max(int(page), 1)
    sort = filters.sort if filters.sort in SORTS else "due"
    base = task_query(select(TaskIndex), actor, filters)
    total = int(session.scalar(select(func.count()).select_from(
        task_query(select(TaskIndex.id), actor, filters).subquery())) or 0)
    if total == 0 or (page - 1) * per_page >= total:
        return [], total
    result = session.execute(_rows(base).order_by(*_order(sort)).offset((page - 1) * per_page).limit(per_page))
    rows = [InboxRow(task=t, business_key=key, status=status, enterprise_name=ent or "",
                     district_name=DISTRICTS.get(district or "", ""), filing_id=fid, occupation_code=occ or "",
                     occupation_name=occ_name or "", trainee_count=trainees, submitted_at=submitted, level=level,
                     subsidy_fen=subsidy, flag_count=int(flags or 0), submission_round=int(rounds or 0),
                     assignee_name=assignee or "", assignee_username=username or "")
            for (t, key, status, ent, district, fid, occ, occ_name, trainees, submitted, level, subsidy, flags, rounds,
                 assignee, username) in result.tuples()]
    return rows, total


def inbox(session: Session, actor: Actor, kind: str | None = None) -> list[TaskIndex]:
    """The first page (at most ``MAX_PER_PAGE``) of the actor's ready tasks, earliest deadline first."""
    rows, _ = task_page(session, actor, TaskFilters(kind=kind), 1, MAX_PER_PAGE)
    return [r.task for r in rows]


@dataclass
class TaskCounts:
    """The inbox tiles: all tasks, per task (name -> (title, count)), and how many are overdue."""

    total: int
    by_task: dict[str, tuple[str, int]]
    overdue: int


def task_counts(session: Session, actor: Actor, filters: TaskFilters | None = None) -> TaskCounts:
    """Counts for the tiles, two grouped statements: the filters apply except task and overdue (the
    tiles choose those)."""
    base = replace(filters or TaskFilters(), task_name=None, overdue=False)
    by_task: dict[str, tuple[str, int]] = {}
    stmt = task_query(select(TaskIndex.task_name, func.min(TaskIndex.title), func.count()), actor, base)
    for name, title, n in session.execute(stmt.group_by(TaskIndex.task_name).order_by(func.count().desc(),
                                                                                      TaskIndex.task_name)):
        by_task[name] = (title, int(n))
    overdue = int(session.scalar(task_query(select(func.count()), actor, replace(base, overdue=True))
                                 .select_from(TaskIndex)) or 0) if by_task else 0
    return TaskCounts(total=sum(n for _, n in by_task.values()), by_task=by_task, overdue=overdue)


