"""Delivering in-app notifications (站内信): who gets told what; the inbox is ``notifications.inbox``.

* ``notify(session, role=..., ...)`` reaches every active user of ``role`` in scope: a district's
  reviewers (``district_code``), an enterprise's clerks (``enterprise_id``), all city staff, all admins.
  One row per recipient; nothing here commits (the caller's unit of work does), so a notification
  exists exactly when the step that caused it was committed.
* BPMN scripts call the session-bound helper ``notify_role(role, title, body, kind, district_code=...,
  enterprise_id=..., case_kind=..., case_key=...)``; ``case_kind``/``case_key`` (the instance's kind and
  business key, seed them into the task data) let the notification link to the case.
* ``on_filing_decision`` tells the enterprise (or the district) about returns and decisions on filings.
* Every notification also goes to the recipients' chosen outbox channels (e-mail, webhook):
  ``notifications.channels.enqueue`` in the same unit of work, sent after commit by ``channels.drain``.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from sqlalchemy import Insert, Integer, Select, String, Table, Text, bindparam, select
from sqlalchemy.orm import Session

from workflows.clock import now
from workflows.db import UTCDateTime
from workflows.dto import Actor
from workflows.models import AuditEvent, User, WorkflowInstance
from workflows.models.notification import NOTIFICATION_KINDS, Notification
from workflows.notifications import channels

ROLES = ("enterprise", "district", "city", "admin")
_NOTIFICATION: Table = Notification.__table__  # type: ignore[assignment]  # Core: no ORM bulk layer


def _in_scope(role: str, district_code: str | None, enterprise_id: int | None) -> bool:
    """Whether ``role`` has the scope key it needs (district and enterprise roles: no key -> nobody, so a
    missing district never broadcasts to every district). An unknown role is a programming error."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    return not ((role == "district" and not district_code) or (role == "enterprise" and enterprise_id is None))


@lru_cache(maxsize=len(ROLES))
def _recipients_of(role: str) -> Select:
    """The ids of the active users of ``role`` in scope (bound ``district_code`` / ``enterprise_id``), built
    once per role: every decision notifies."""
    stmt = select(User.id).where(User.role == role, User.active.is_(True))
    if role == "district":
        stmt = stmt.where(User.district_code == bindparam("district_code"))
    elif role == "enterprise":
        stmt = stmt.where(User.enterprise_id == bindparam("enterprise_id"))
    return stmt.order_by(User.id)


def _scope_params(district_code: str | None, enterprise_id: int | None) -> dict[str, Any]:
    return {"district_code": district_code, "enterprise_id": int(enterprise_id) if enterprise_id is not None else None}


def recipients(session: Session, role: str, district_code: str | None = None,
               enterprise_id: int | None = None) -> list[int]:
    """Ids of the active users of ``role`` in scope (see ``_in_scope``)."""
    if not _in_scope(role, district_code, enterprise_id):
        return []
    return list(session.scalars(_recipients_of(role), _scope_params(district_code, enterprise_id)))


def notify_users(session: Session, user_ids: Iterable[int], *, title: str, body: str = "", kind: str = "info",
                 link: str = "", instance_id: int | None = None, case_kind: str = "") -> int:
    """Write one notification per user (no commit). Returns how many were written."""
    created = now()
    user_ids = list(dict.fromkeys(user_ids))
    rows = [{"user_id": user_id, "kind": kind if kind in NOTIFICATION_KINDS else "info", "title": title[:200],
             "body": body or "", "link": link or "", "instance_id": instance_id, "case_kind": case_kind or "",
             "created_at": created} for user_id in user_ids]
    if rows:
        session.execute(_NOTIFICATION.insert(), rows)  # one bulk INSERT: this runs on every decision
        channels.enqueue(session, user_ids, kind=kind if kind in NOTIFICATION_KINDS else "info",
                         title=title[:200], body=body or "", link=link or "", instance_id=instance_id,
                         case_kind=case_kind or "", created=created)
    return len(rows)


@lru_cache(maxsize=len(ROLES))
def _insert_for(role: str) -> Insert:
    """``INSERT INTO notification ... SELECT`` the recipients of ``role`` (``_recipients_of``), with the
    notification's fields as bound parameters."""
    columns = {"user_id": User.id,
               "kind": bindparam("kind", type_=String()), "title": bindparam("title", type_=String()),
               "body": bindparam("body", type_=Text()), "link": bindparam("link", type_=String()),
               "instance_id": bindparam("instance_id", type_=Integer()),
               "case_kind": bindparam("case_kind", type_=String()),
               "created_at": bindparam("created_at", type_=UTCDateTime())}
    who = _recipients_of(role).with_only_columns(*(c.label(name) for name, c in columns.items()))
    return _NOTIFICATION.insert().from_select(list(columns), who).returning(_NOTIFICATION.c.user_id)


def notify(session: Session, *, role: str, title: str, body: str = "", kind: str = "info", link: str = "",
           district_code: str | None = None, enterprise_id: int | None = None,
           instance: WorkflowInstance | None = None) -> int:
    """Notify every user of ``role`` in scope (see ``recipients``). When ``instance`` is given, its
    district/enterprise fill in a missing scope and the notification links to the case."""
    if instance is not None:
        district_code = district_code or instance.district_code
        if enterprise_id is None:
            enterprise_id = instance.enterprise_id
    if not _in_scope(role, district_code, enterprise_id):
        return 0
    # One INSERT ... SELECT (the recipients are not read first): this runs on every decision.
    kind = kind if kind in NOTIFICATION_KINDS else "info"
    created = now()
    written = session.execute(_insert_for(role), {
        **_scope_params(district_code, enterprise_id),
        "kind": kind, "title": title[:200], "body": body or "", "link": link or "",
        "instance_id": instance.id if instance is not None else None,
        "case_kind": instance.kind if instance is not None else "", "created_at": created,
    }).scalars().all()  # (rowcount of INSERT .. SELECT is -1 through psycopg)
    if written:  # the outbox channels (e-mail, webhook) of the same recipients
        channels.enqueue(session, list(written), kind=kind, title=title[:200], body=body or "", link=link or "",
                         instance_id=instance.id if instance is not None else None,
                         case_kind=instance.kind if instance is not None else "", created=created)
    return len(written)


def notify_case(session: Session, instance: WorkflowInstance, role: str, title: str, body: str = "",
                kind: str = "info") -> int:
    """Notify ``role`` in the scope of ``instance`` (its district / enterprise), linking to it."""
    return notify(session, role=role, title=title, body=body, kind=kind, instance=instance)


def _instance_by_key(session: Session, case_kind: str | None, case_key: str | None
                     ) -> WorkflowInstance | None:
    if not case_kind or not case_key:
        return None
    return session.scalars(select(WorkflowInstance).where(
        WorkflowInstance.kind == case_kind, WorkflowInstance.business_key == case_key)).first()


def notify_role_helper(session: Session, role: str, title: str, body: str = "", kind: str = "info",
                       district_code: str | None = None, enterprise_id: int | None = None,
                       case_kind: str | None = None, case_key: str | None = None) -> int:
    """What the BPMN helper ``notify_role`` does: find the case by (kind, business key) if given, then
    notify ``role`` in scope. At the very first engine run the case row does not exist yet; the
    notification is then sent without a link."""
    instance = _instance_by_key(session, case_kind, case_key)
    if instance is not None:
        return notify(session, role=role, title=str(title), body=str(body or ""), kind=kind,
                      district_code=district_code, enterprise_id=enterprise_id, instance=instance)
    return notify(session, role=role, title=str(title), body=str(body or ""), kind=kind,
                  district_code=district_code, enterprise_id=enterprise_id)


def script_helpers(session: Session, actor: Actor | None) -> dict[str, Any]:
    """The session-bound ``notify_role`` helper for BPMN scripts (registered by ``workflows.features``)."""

    def notify_role(role: str, title: str, body: str = "", kind: str = "info",
                    district_code: str | None = None, enterprise_id: int | None = None,
                    case_kind: str | None = None, case_key: str | None = None) -> int:
        return notify_role_helper(session, role, title, body, kind, district_code, enterprise_id,
                                  case_kind, case_key)

    return {"notify_role": notify_role}


# --------------------------------------------------------------------------------------------------
# Filing decisions (the filing's decision effect, registered by workflows.features)

_FILING_DECISIONS: dict[str, tuple[str, str, str]] = {
    # decision -> (role told, kind, title template)
    "approve": ("enterprise", "decision", "培训备案已通过区人社局审核：{title}"),
    "return": ("enterprise", "returned", "培训备案被退回修改：{title}"),
    "reject": ("enterprise", "decision", "培训备案未通过审核：{title}"),
    "record": ("enterprise", "decision", "培训备案已完成市级备案：{title}"),
    "send_back": ("district", "returned", "市中心退回培训备案，请重新审核：{title}"),
}


def on_filing_decision(session: Session, instance: WorkflowInstance, decision: str, actor: Actor | None,
                       comment: str | None = None) -> int:
    """Tell the enterprise about a district or city decision on its filing (the district when the city
    sends a filing back)."""
    spec = _FILING_DECISIONS.get(decision)
    if spec is None:
        return 0
    role, kind, template = spec
    if comment is None:  # not given: take it from the decision's audit row
        last = session.scalars(select(AuditEvent).where(AuditEvent.instance_id == instance.id)
                               .order_by(AuditEvent.id.desc())).first()
        comment = last.comment if last is not None and last.action == decision else ""
    body = f"意见：{comment}" if comment else ""
    if actor is not None:
        body = f"办理人：{actor.name}。" + body
    return notify_case(session, instance, role, template.format(title=instance.title), body, kind)
