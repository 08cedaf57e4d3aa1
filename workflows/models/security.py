"""The security log (安全审计): sign-ins, account, policy, catalogue and enterprise changes, exports and ID
reveals, in one global hash chain whose head row serializes appends (workflows.security.log)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from workflows.db import Base, UTCDateTime, utcnow


class SecurityEvent(Base):
    """One security-relevant event: who (user id and name as typed or known), when, from which address,
    what (action, target, detail as canonical JSON text). Append-only; kept at least 180 days — nothing in
    the application deletes rows. ``row_hash`` = SHA-256(``prev_hash`` + content), ``prev_hash`` the previous
    row's hash."""

    __tablename__ = "security_event"
    __table_args__ = (Index("ix_security_event_user_created", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # No foreign key: the log outlives any account it names.
    user_id: Mapped[int | None] = mapped_column(Integer)
    username: Mapped[str] = mapped_column(String(64), default="")
    address: Mapped[str] = mapped_column(String(64), default="")
    action: Mapped[str] = mapped_column(String(40), index=True)
    target: Mapped[str] = mapped_column(String(200), default="")
    detail: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64), default="")
    row_hash: Mapped[str] = mapped_column(String(64), default="")


class SecurityChainHead(Base):
    """The single row (id 1) naming the last security_event appended: locked (SELECT ... FOR UPDATE) by every
    append so concurrent writers never fork the chain; also lets `audit verify` notice a deleted tail."""

    __tablename__ = "security_chain_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_id: Mapped[int] = mapped_column(Integer, default=0)
    last_hash: Mapped[str] = mapped_column(String(64), default="")
    count: Mapped[int] = mapped_column(Integer, default=0)
