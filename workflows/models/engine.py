"""Tables of the engine layer: spec versions, workflow instances, the task index and the audit trail."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflows.db import Base, UTCDateTime, utcnow


class SpecVersion(Base):
    """One parsed BPMN process per content hash: stored once, shared by every instance started on it."""

    __tablename__ = "spec_version"
    __table_args__ = (UniqueConstraint("process_id", "version_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(String(100))
    version_hash: Mapped[str] = mapped_column(String(64))
    spec_json: Mapped[str] = mapped_column(Text)
    bpmn_xml: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WorkflowInstance(Base):
    """One case: the serialized workflow (without its spec) plus business keys derived after each step."""

    __tablename__ = "workflow_instance"
    __table_args__ = (
        Index("ix_workflow_instance_kind_status", "kind", "status"),
        Index("ix_workflow_instance_district_kind", "district_code", "kind"),
        # Status-by-district counts (dashboard, inbox tiles) come from this index alone.
        Index("ix_workflow_instance_kind_district_status", "kind", "district_code", "status"),
        UniqueConstraint("kind", "business_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    business_key: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(300), default="")
    spec_version_id: Mapped[int] = mapped_column(ForeignKey("spec_version.id"))
    status: Mapped[str] = mapped_column(String(30))
    current_step: Mapped[str] = mapped_column(String(100), default="")
    district_code: Mapped[str | None] = mapped_column(ForeignKey("district.code"))
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id"), index=True)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_timer_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The row_hash of the case's last audit row: the head of its hash chain (cases.audit, security.chain).
    audit_hash: Mapped[str] = mapped_column(String(64), default="", server_default="")
    # Set when an engine move of this case failed outside a request (a timer in `workflows tick`), cleared
    # by the next successful move; the admin's 异常案件 screen lists such cases with the error.
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failure: Mapped[str | None] = mapped_column(Text)
    # Serialized workflow without its spec (see store.encode_state); deferred: lists never load it.
    # Declared last: on SQLite, columns stored after a large value are slow to read.
    state_json: Mapped[str] = mapped_column(Text, deferred=True)

    spec_version: Mapped[SpecVersion] = relationship()

    # Optimistic concurrency: every UPDATE checks and bumps `version` (compare-and-swap).
    __mapper_args__ = {"version_id_col": version}


class TaskIndex(Base):
    """One row per READY human task, rewritten after every engine step, so inboxes never deserialize."""

    __tablename__ = "task_index"
    __table_args__ = (
        # The inbox's page order (role, district, deadline, arrival; also serves role + district alone) and
        # the lookup by task id. The unique (instance_id, task_id) serves the lookups by instance.
        Index("ix_task_index_role_district_due", "role", "district_code", "due_at", "created_at"),
        Index("ix_task_index_role_due", "role", "due_at", "created_at"),
        Index("ix_task_index_task_id", "task_id", unique=True),
        UniqueConstraint("instance_id", "task_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("workflow_instance.id", ondelete="CASCADE"))
    task_id: Mapped[str] = mapped_column(String(36))
    task_name: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(200))
    form_key: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(40))
    district_code: Mapped[str | None] = mapped_column(String(6))
    enterprise_id: Mapped[int | None] = mapped_column(Integer, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # 认领 / 转办: the one person of the lane's group the task belongs to (None: the whole group).
    # Kept across index rewrites while the task stays ready (store._rewrite_task_index).
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)

    instance: Mapped[WorkflowInstance] = relationship()


class AuditEvent(Base):
    """Append-only history of a case: who did what, when, with which comment, and how the status moved."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("workflow_instance.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    actor_name: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(40))
    task_name: Mapped[str] = mapped_column(String(100), default="")
    task_id: Mapped[str] = mapped_column(String(36), default="", index=True)
    comment: Mapped[str] = mapped_column(Text, default="")
    status_before: Mapped[str] = mapped_column(String(30), default="")
    status_after: Mapped[str] = mapped_column(String(30), default="")
    # What a decision was taken on (the live R3/R4/R5 figures of the review screen), or None.
    details: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Tamper evidence, chained per case: row_hash = SHA-256(prev_hash + this row's content), prev_hash the
    # case's previous row_hash ("" for the first). `flask audit verify` recomputes it.
    prev_hash: Mapped[str] = mapped_column(String(64), default="", server_default="")
    row_hash: Mapped[str] = mapped_column(String(64), default="", server_default="")
