"""认领 (claim), 转办 (transfer) and 退回组 (release) of a ready task (SPEC section 2).

A task belongs to its lane's group (a district's reviewers, the city's staff) until someone claims it;
``task_index.assignee_id`` names the one person it then belongs to, kept across index rewrites while the
task stays ready. Claiming is one conditional UPDATE (``... WHERE assignee_id IS NULL``), so of two
colleagues claiming at once exactly one wins, on SQLite and on PostgreSQL. Every change is in the case
history; a transfer notifies the colleague.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from workflows import cases
from workflows.cases import audit, unit_of_work
from workflows.dto import Actor
from workflows.errors import Conflict, NotFound, ValidationFailed
from workflows.models import TaskIndex, User, WorkflowInstance
from workflows.notifications import delivery

REASSIGNERS = ("city", "admin")  # may transfer or release any task in their scope


def _visible_row(session: Session, actor: Actor, task_id: str) -> tuple[TaskIndex, WorkflowInstance]:
    """The ready task and its case, if the actor may see the case; NotFound otherwise (Conflict when
    the task was completed meanwhile)."""
    row = session.scalars(select(TaskIndex).where(TaskIndex.task_id == str(task_id))
                          .execution_options(populate_existing=True)).first()
    if row is None:
        cases.task_row(session, actor, task_id)  # raises Conflict (done) or NotFound
        raise NotFound("未找到该任务。")
    if row.role not in ("district", "city"):
        raise NotFound("未找到该任务。")
    instance = cases.get_case(session, actor, row.instance_id)
    return row, instance


def group_members(session: Session, row: TaskIndex) -> list[User]:
    """The active people of the task's group: its district's reviewers, or the city's staff."""
    stmt = select(User).where(User.role == row.role, User.active.is_(True))
    if row.role == "district":
        stmt = stmt.where(User.district_code == row.district_code)
    return list(session.scalars(stmt.order_by(User.display_name, User.id)))


def claim(session: Session, actor: Actor, task_id: str) -> TaskIndex:
    """认领: the task becomes the actor's. Conflict (naming the assignee) if someone has it already."""
    with unit_of_work(session):
        row, instance = _visible_row(session, actor, task_id)
        if not cases.may_complete(actor, row):
            if actor.role in REASSIGNERS:
                raise Conflict("只有本环节的办理人员才能认领该任务；市级人员可以转办。")
            raise NotFound("未找到该任务。")
        if row.assignee_id == actor.id:
            return row
        won = session.execute(
            update(TaskIndex).where(TaskIndex.id == row.id, TaskIndex.assignee_id.is_(None))
            .values(assignee_id=actor.id).execution_options(synchronize_session=False)).rowcount  # type: ignore[attr-defined]
        if not won:
            session.refresh(row)
            name = cases.assignee_name(session, row) or "其他人员"
            raise Conflict(f"该任务已由{name}认领。")
        audit(session, instance, actor, "claim", task_name=row.title, task_id=row.task_id,
              comment="认领任务", status_before=instance.status)
        session.refresh(row)
    return row


def transfer(session: Session, actor: Actor, task_id: str, to_username: str, comment: str) -> TaskIndex:
    """转办: give the task to a named colleague of the same group, with a comment; the colleague is told.

    The assignee may transfer it, and anyone of the group while it is unassigned; city staff and admins
    may reassign any task."""
    comment = (comment or "").strip()
    to_username = (to_username or "").strip()
    errors: dict[str, list[str]] = {}
    if not to_username:
        errors["to"] = ["请选择转办给谁。"]
    if not comment:
        errors["comment"] = ["转办必须填写说明。"]
    elif len(comment) > 500:
        errors["comment"] = ["转办说明不能超过500字。"]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], errors)
    with unit_of_work(session):
        row, instance = _visible_row(session, actor, task_id)
        reassigning = actor.role in REASSIGNERS
        if not reassigning:
            if not cases.may_complete(actor, row):
                raise NotFound("未找到该任务。")
            cases.refuse_unless_assignee(session, actor, row)
        target = next((u for u in group_members(session, row) if u.username == to_username), None)
        if target is None:
            message = "只能转办给本环节同组的在岗人员。"
            raise ValidationFailed(message, {"to": [message]})
        if target.id == row.assignee_id:
            message = f"该任务已由{target.display_name}办理。"
            raise ValidationFailed(message, {"to": [message]})
        before = row.assignee_id
        won = session.execute(
            update(TaskIndex).where(TaskIndex.id == row.id, TaskIndex.assignee_id.is_(before)
                                    if before is None else TaskIndex.assignee_id == before)
            .values(assignee_id=target.id).execution_options(synchronize_session=False)).rowcount  # type: ignore[attr-defined]
        if not won:
            raise Conflict("该任务的办理人刚刚发生变化，请刷新后重试。")
        audit(session, instance, actor, "transfer", task_name=row.title, task_id=row.task_id,
              comment=f"转办给{target.display_name}：{comment}", status_before=instance.status)
        delivery.notify_users(
            session, [target.id], title=f"{actor.name}转办给您一项任务：{row.title}（{instance.title}）",
            body=f"说明：{comment}", kind="transfer", instance_id=instance.id, case_kind=instance.kind)
        session.refresh(row)
    return row


def release(session: Session, actor: Actor, task_id: str) -> TaskIndex:
    """退回组: the task belongs to the whole group again (its assignee, city staff or an admin)."""
    with unit_of_work(session):
        row, instance = _visible_row(session, actor, task_id)
        if actor.role not in REASSIGNERS and not cases.may_complete(actor, row):
            raise NotFound("未找到该任务。")
        if row.assignee_id is None:
            raise Conflict("该任务尚未被认领。")
        if actor.role not in REASSIGNERS:
            cases.refuse_unless_assignee(session, actor, row)
        name = cases.assignee_name(session, row)
        won = session.execute(
            update(TaskIndex).where(TaskIndex.id == row.id, TaskIndex.assignee_id == row.assignee_id)
            .values(assignee_id=None).execution_options(synchronize_session=False)).rowcount  # type: ignore[attr-defined]
        if not won:
            raise Conflict("该任务的办理人刚刚发生变化，请刷新后重试。")
        audit(session, instance, actor, "release", task_name=row.title, task_id=row.task_id,
              comment=f"退回组（原办理人：{name}）" if name else "退回组", status_before=instance.status)
        session.refresh(row)
    return row


def assignee_names(session: Session, rows: list[TaskIndex]) -> dict[int, str]:
    """Display names of the assignees of these rows, in one query (user id -> name)."""
    ids = sorted({r.assignee_id for r in rows if r.assignee_id is not None})
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).tuples().all())


def colleagues(session: Session, actor: Actor, row: TaskIndex) -> list[User]:
    """Whom the actor may transfer this task to: the group's members except the current assignee."""
    return [u for u in group_members(session, row) if u.id != row.assignee_id and u.id != actor.id]


def assignee_of(session: Session, row: TaskIndex) -> tuple[str, str] | None:
    """(username, display name) of the task's assignee, or None while it belongs to the group."""
    if row.assignee_id is None:
        return None
    found = session.execute(select(User.username, User.display_name).where(User.id == row.assignee_id)).first()
    return (found[0], found[1]) if found else None
