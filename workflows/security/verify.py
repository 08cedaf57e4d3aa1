"""`flask audit verify`: recompute the security log's global chain and every case's audit chain.

A changed row no longer matches its own hash; a deleted row or one inserted out of order breaks the link
to its predecessor (the next row's ``prev_hash``); a deleted or forged tail no longer matches the chain head
(``security_chain_head`` / ``workflow_instance.audit_hash``). The first broken row of each log is named.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows.models import AuditEvent, SecurityChainHead, SecurityEvent, WorkflowInstance
from workflows.security import chain

BATCH = 1000


@dataclass(frozen=True)
class Broken:
    """The first row of a log whose chain does not hold: ``table``, ``row_id`` (None: the chain head) and
    why, in Chinese."""

    table: str
    row_id: int | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.table} 第 {self.row_id} 行" if self.row_id is not None else f"{self.table} 链头"
        return f"{where}：{self.reason}"


@dataclass(frozen=True)
class Report:
    security_rows: int
    audit_rows: int
    cases: int
    broken: list[Broken]

    @property
    def ok(self) -> bool:
        return not self.broken


def verify_security(session: Session) -> tuple[int, Broken | None]:
    """(rows checked, first break or None) of the security log's global chain."""
    running, count, last_id = "", 0, 0
    # Plain rows (not ORM objects): verification reads every row once.
    rows = session.execute(select(SecurityEvent.__table__).order_by(SecurityEvent.id)
                           .execution_options(yield_per=BATCH))
    for row in rows:
        count += 1
        expected = chain.link(row.prev_hash, chain.security_content(
            created_at=row.created_at, user_id=row.user_id, username=row.username, address=row.address,
            action=row.action, target=row.target, detail=row.detail))
        if expected != row.row_hash:
            return count, Broken("security_event", row.id, "内容与哈希不符（该行被修改）")
        if row.prev_hash != running:
            return count, Broken("security_event", row.id,
                                 "与前一条记录的哈希不相连（前面的记录被删除、修改，或该行被插入到链中）")
        running, last_id = row.row_hash, row.id
    head = session.get(SecurityChainHead, 1)
    head_hash, head_count = (head.last_hash, head.count) if head is not None else ("", 0)
    if head_hash != running or head_count != count:
        return count, Broken("security_event", None,
                             f"链头记录的最后一条（共 {head_count} 条）与现有记录（共 {count} 条，最后一条为第 "
                             f"{last_id} 行）不符（末尾的记录被删除或在链外追加）")
    return count, None


def verify_audit(session: Session) -> tuple[int, int, Broken | None]:
    """(rows checked, cases checked, first break or None) of the per-case audit chains."""
    heads = dict(session.execute(select(WorkflowInstance.id, WorkflowInstance.audit_hash)).tuples().all())
    current: int | None = None
    running, count = "", 0
    seen: set[int] = set()

    def tail_broken(instance_id: int, last_row: int | None) -> Broken | None:
        if heads.get(instance_id, "") != running:
            return Broken("audit_event", last_row,
                          f"案件 {instance_id} 的最后一条记录与案件记录的链头不符（末尾的记录被删除或在链外追加）")
        return None

    last_row: int | None = None
    rows = session.execute(select(AuditEvent.__table__).order_by(AuditEvent.instance_id, AuditEvent.id)
                           .execution_options(yield_per=BATCH))
    for row in rows:
        if row.instance_id != current:
            if current is not None and (broken := tail_broken(current, last_row)):
                return count, len(seen), broken
            current, running = row.instance_id, ""
            seen.add(current)
        count += 1
        expected = chain.link(row.prev_hash, chain.audit_content(
            instance_id=row.instance_id, actor_id=row.actor_id, actor_name=row.actor_name, action=row.action,
            task_name=row.task_name, task_id=row.task_id, comment=row.comment, status_before=row.status_before,
            status_after=row.status_after, created_at=row.created_at))
        if expected != row.row_hash:
            return count, len(seen), Broken("audit_event", row.id,
                                            f"案件 {row.instance_id}：内容与哈希不符（该行被修改）")
        if row.prev_hash != running:
            return count, len(seen), Broken(
                "audit_event", row.id,
                f"案件 {row.instance_id}：与前一条记录的哈希不相连（前面的记录被删除、修改，或该行被插入到链中）")
        running, last_row = row.row_hash, row.id
    if current is not None and (broken := tail_broken(current, last_row)):
        return count, len(seen), broken
    for instance_id, head in heads.items():
        if head and instance_id not in seen:
            return count, len(seen), Broken("audit_event", None, f"案件 {instance_id} 的审计记录全部缺失")
    return count, len(seen), None


def verify(session: Session) -> Report:
    """Both logs; read-only."""
    security_rows, security_broken = verify_security(session)
    audit_rows, cases, audit_broken = verify_audit(session)
    broken = [b for b in (security_broken, audit_broken) if b is not None]
    return Report(security_rows, audit_rows, cases, broken)
