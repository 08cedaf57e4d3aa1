"""In-app notifications (站内信): one row per recipient, so unread counts and "mark as read" are plain SQL.

Rows are written by ``workflows.notifications.delivery.notify`` (never by the web layer directly), inside the
same unit of work as the engine step that caused them: a rolled-back step leaves no notification.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
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
}


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
