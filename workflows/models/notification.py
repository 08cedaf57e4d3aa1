"""In-app notifications (站内信): one row per recipient, so unread counts and "mark as read" are plain SQL.

Rows are written by ``workflows.notifications.delivery.notify`` (never by the web layer directly), inside the
same unit of work as the engine step that caused them: a rolled-back step leaves no notification.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from workflows.db import Base, UTCDateTime, utcnow

# Notification kinds and their labels (shown as a tag in the inbox).
NOTIFICATION_KINDS: dict[str, str] = {
    "opened": "新任务",
    "reminder": "到期提醒",
    "overdue": "逾期",
    "escalation": "逾期督办",
    "urge": "催办",
    "submitted": "已提交",
    "returned": "退回",
    "decision": "办理结果",
    "flag": "预警",
    "info": "通知",
    "arrived": "新收件",
    "withdrawn": "已撤回",
    "transfer": "转办",
}

# Delivery channels: in-app always; e-mail and the signed webhook (a 粤政易 bridge) as each user chooses.
CHANNELS: dict[str, str] = {"in_app": "站内信", "email": "电子邮件", "webhook": "粤政易（消息推送）"}
OUTBOX_CHANNELS = ("email", "webhook")


class Notification(Base):
    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_user_read", "user_id", "read_at"),
                      # Each user's inbox, newest first, one page at a time.
                      Index("ix_notification_user_created", "user_id", "created_at", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30), default="info")
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    # Either an explicit same-site path, or a case (instance_id + case_kind) the web layer links to.
    link: Mapped[str] = mapped_column(String(300), default="")
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("workflow_instance.id", ondelete="SET NULL"),
                                                    index=True)
    case_kind: Mapped[str] = mapped_column(String(40), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def kind_label(self) -> str:
        return NOTIFICATION_KINDS.get(self.kind, self.kind)

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(Base):
    """A user's choice for one kind on one outbox channel (no row: the default, on)."""

    __tablename__ = "notification_preference"
    __table_args__ = (UniqueConstraint("user_id", "kind", "channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    channel: Mapped[str] = mapped_column(String(20))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)


class OutboxMessage(Base):
    """One e-mail or webhook delivery waiting to go out, written in the same transaction as the
    notification and sent after commit (``notifications.channels.drain``), retried with backoff."""

    __tablename__ = "notification_outbox"
    __table_args__ = (Index("ix_notification_outbox_pending", "delivered_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int | None] = mapped_column(ForeignKey("notification.id", ondelete="SET NULL"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(20))
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
