"""The security log (安全审计): every sign-in (success, failure, lockout), logout, password change and reset,
token issue and revoke, user and role change, policy, catalogue and enterprise change, export and ID reveal —
who, when, from which address, what.

``record`` appends one row inside the caller's unit of work (no commit). Rows form one global hash chain:
an append locks the chain head (``SELECT ... FOR UPDATE`` on PostgreSQL; on SQLite a write to the head row
takes the database's write lock first), so concurrent writers in any number of processes never fork it.

Retention: rows are kept at least ``RETENTION_DAYS`` (180) days; nothing in the application deletes or
updates security_event rows at all (an archive job, if one is ever added, must keep the younger rows and
re-anchor the chain head). `flask audit verify` checks the chain.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from workflows.clock import CHINA_TZ as CHINA
from workflows.clock import now
from workflows.dto import Actor
from workflows.models import SecurityChainHead, SecurityEvent
from workflows.security import chain

RETENTION_DAYS = 180
HEAD_ID = 1

# Action code -> label shown on the 安全审计 screen and in its export.
ACTIONS: dict[str, str] = {
    "login_success": "登录成功",
    "login_failure": "登录失败",
    "login_locked": "账号被锁定",
    "login_refused_locked": "锁定期间尝试登录",
    "logout": "退出登录",
    "session_expired": "会话超时",
    "password_change": "修改密码",
    "password_reset": "重置密码",
    "account_unlock": "解除锁定",
    "sessions_ended": "强制退出全部登录",
    "token_issue": "签发访问令牌",
    "token_revoke": "撤销访问令牌",
    "user_create": "新建用户",
    "user_deactivate": "停用用户",
    "user_activate": "启用用户",
    "policy_change": "政策参数变更",
    "catalogue_change": "目录变更",
    "enterprise_change": "企业信息变更",
    "year_plan_change": "年度计划变更",
    "calendar_change": "节假日安排变更",
    "draft_delete": "删除草稿",
    "export": "导出数据",
    "id_reveal": "查看完整身份证号",
}


def _head(session: Session) -> SecurityChainHead:
    """The chain head, locked for this transaction (created on first use)."""
    if session.get_bind().dialect.name == "sqlite":
        # SQLite has no row locks: a write takes the database's write lock, so the read below sees the
        # latest head and no other writer can move it before this transaction ends.
        session.execute(update(SecurityChainHead).where(SecurityChainHead.id == HEAD_ID)
                        .values(count=SecurityChainHead.count))
    stmt = (select(SecurityChainHead).where(SecurityChainHead.id == HEAD_ID).with_for_update()
            .execution_options(populate_existing=True))
    head = session.scalars(stmt).first()
    if head is None:
        _insert_head(session)
        head = session.scalars(stmt).one()
    return head


def _insert_head(session: Session) -> None:
    """The head row (id 1, empty chain), unless another writer created it first."""
    values = {"id": HEAD_ID, "last_id": 0, "last_hash": "", "count": 0}
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        session.execute(pg_insert(SecurityChainHead).values(**values).on_conflict_do_nothing(index_elements=["id"]))
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        session.execute(sqlite_insert(SecurityChainHead).values(**values)
                        .on_conflict_do_nothing(index_elements=["id"]))


def record(session: Session, action: str, *, user_id: int | None, username: str, address: str, target: str = "",
           detail: dict | None = None) -> None:
    """Append one event to the security log inside the caller's transaction (no commit).

    ``username`` is the account's name (for a failed sign-in: the name typed), ``address`` the client's
    address, ``target`` what was acted on (e.g. ``user:12``, ``case:3``), ``detail`` a JSON-able dict (never a
    password or a full ID number)."""
    head = _head(session)
    at = now()
    text = json.dumps(detail or {}, ensure_ascii=False, sort_keys=True, default=str)
    row = SecurityEvent(created_at=at, user_id=user_id, username=(username or "")[:64],
                        address=(address or "")[:64], action=action[:40], target=(target or "")[:200],
                        detail=text, prev_hash=head.last_hash)
    row.row_hash = chain.link(head.last_hash, chain.security_content(
        created_at=at, user_id=row.user_id, username=row.username, address=row.address, action=row.action,
        target=row.target, detail=text))
    session.add(row)
    session.flush()
    head.last_id, head.last_hash, head.count = row.id, row.row_hash, head.count + 1


def record_actor(session: Session, actor: Actor, action: str, target: str = "", detail: dict | None = None) -> None:
    """``record`` for a signed-in actor (its id, user name and address)."""
    record(session, action, user_id=actor.id, username=actor.username or actor.name, address=actor.address,
           target=target, detail=detail)


# --------------------------------------------------------------------------------------------------
# The 安全审计 screen and its export (admins only)


@dataclass
class SecurityFilters:
    username: str = ""
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None


def _filtered(filters: SecurityFilters) -> Select:
    stmt = select(SecurityEvent)
    if filters.username.strip():
        stmt = stmt.where(func.lower(SecurityEvent.username) == filters.username.strip().lower())
    if filters.action:
        stmt = stmt.where(SecurityEvent.action == filters.action)
    # Dates are China dates: from the start of date_from to the end of date_to, Beijing time.
    if filters.date_from:
        stmt = stmt.where(SecurityEvent.created_at >= datetime.combine(filters.date_from, time(0), CHINA))
    if filters.date_to:
        stmt = stmt.where(SecurityEvent.created_at
                          < datetime.combine(filters.date_to + timedelta(days=1), time(0), CHINA))
    return stmt


def _require_admin(actor: Actor) -> None:
    from workflows.errors import NotFound

    if actor.role != "admin":
        raise NotFound("页面不存在，或您无权查看。")


def list_events(session: Session, actor: Actor, filters: SecurityFilters, page: int = 1, per_page: int = 50
                ) -> tuple[list[SecurityEvent], int]:
    """One page of the log, newest first, and the number of matching rows (paged in SQL). Admins only."""
    _require_admin(actor)
    stmt = _filtered(filters)
    total = int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    page = max(1, min(page, max(1, -(-total // per_page))))
    rows = list(session.scalars(stmt.order_by(SecurityEvent.id.desc()).offset((page - 1) * per_page)
                                .limit(per_page)))
    return rows, total


EXPORT_LIMIT = 100_000


def export_events(session: Session, actor: Actor, filters: SecurityFilters) -> bytes:
    """The filtered log as an Excel workbook (at most EXPORT_LIMIT rows, newest first). The export itself is
    recorded (no commit: the caller's unit of work commits)."""
    import io

    from openpyxl import Workbook

    from workflows.spreadsheets import safe_cell

    _require_admin(actor)
    book = Workbook()
    sheet = book.active
    sheet.title = "安全审计"
    sheet.append(["序号", "时间（北京时间）", "用户编号", "用户名", "地址", "事件", "对象", "详情", "哈希"])
    count = 0
    for row in session.scalars(_filtered(filters).order_by(SecurityEvent.id.desc()).limit(EXPORT_LIMIT)):
        count += 1
        sheet.append([row.id, row.created_at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S"), row.user_id,
                      safe_cell(row.username), safe_cell(row.address), ACTIONS.get(row.action, row.action),
                      safe_cell(row.target), safe_cell(row.detail), row.row_hash])
    out = io.BytesIO()
    book.save(out)
    record_actor(session, actor, "export", "security_log",
                 {"rows": count, "username": filters.username, "action": filters.action,
                  "from": filters.date_from, "to": filters.date_to})
    return out.getvalue()


def detail_of(row: SecurityEvent) -> dict[str, Any]:
    """A row's detail as a dict (for the screen)."""
    try:
        value = json.loads(row.detail or "{}")
    except ValueError:
        return {"raw": row.detail}
    return value if isinstance(value, dict) else {"value": value}
