"""Each user's in-app inbox: the unread count (the bell), one page of notifications, marking them read.
A user only ever sees and changes their own notifications (someone else's is NotFound)."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from workflows import paging
from workflows.cases import unit_of_work
from workflows.clock import now
from workflows.dto import Actor
from workflows.errors import NotFound
from workflows.models.notification import Notification


def unread_count(session: Session, user_id: int) -> int:
    """Unread notifications of one user (the bell)."""
    return int(session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == user_id, Notification.read_at.is_(None))) or 0)


def list_for(session: Session, actor: Actor, page: int = 1, per_page: int = 20, unread_only: bool = False
             ) -> tuple[list[Notification], int]:
    """The actor's own notifications, newest first: (rows of one page, total)."""
    stmt = select(Notification).where(Notification.user_id == actor.id)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    total = int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    rows = list(session.scalars(stmt.order_by(Notification.created_at.desc(), Notification.id.desc())
                                .offset(paging.offset(page, per_page)).limit(per_page)))
    return rows, total


def get_own(session: Session, actor: Actor, notification_id: int) -> Notification:
    """One of the actor's notifications; someone else's is NotFound (404)."""
    row = session.get(Notification, notification_id)
    if row is None or row.user_id != actor.id:
        raise NotFound("未找到该消息。")
    return row


def mark_read(session: Session, actor: Actor, notification_id: int) -> Notification:
    """Mark one of the actor's notifications read (idempotent)."""
    with unit_of_work(session):
        row = get_own(session, actor, notification_id)
        if row.read_at is None:
            row.read_at = now()
    return row


def mark_all_read(session: Session, actor: Actor) -> int:
    """Mark every unread notification of the actor read; returns how many changed."""
    with unit_of_work(session):
        result = session.execute(update(Notification).where(
            Notification.user_id == actor.id, Notification.read_at.is_(None)).values(read_at=now()))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
