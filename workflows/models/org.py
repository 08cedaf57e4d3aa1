"""Districts, enterprises and users: who is who, and what each may see."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflows.db import Base, UTCDateTime, utcnow

# The 11 districts of Guangzhou (SPEC section 3), code -> name.
DISTRICTS: dict[str, str] = {
    "440103": "荔湾区",
    "440104": "越秀区",
    "440105": "海珠区",
    "440106": "天河区",
    "440111": "白云区",
    "440112": "黄埔区",
    "440113": "番禺区",
    "440114": "花都区",
    "440115": "南沙区",
    "440117": "从化区",
    "440118": "增城区",
}

ROLES: dict[str, str] = {
    "enterprise": "企业经办人",
    "district": "区人社局审核员",
    "city": "市职业能力建设指导中心",
    "admin": "系统管理员",
}

SIZE_CLASSES = ("大型", "中型", "小型", "微型")
ENTERPRISE_TAGS = ("链主企业", "专精特新", '专精特新"小巨人"', "制造业")


class District(Base):
    __tablename__ = "district"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(20))


class Enterprise(Base):
    __tablename__ = "enterprise"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    district_code: Mapped[str] = mapped_column(ForeignKey("district.code"), index=True)
    size_class: Mapped[str] = mapped_column(String(4), default="小型")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    contact_name: Mapped[str] = mapped_column(String(50), default="")
    contact_phone: Mapped[str] = mapped_column(String(30), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    district: Mapped[District] = relationship()


class User(Base):
    """A person who signs in. Provides the attributes Flask-Login expects without importing Flask."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20), index=True)
    district_code: Mapped[str | None] = mapped_column(ForeignKey("district.code"), index=True)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Where the e-mail channel reaches this person (empty: no e-mail).
    email: Mapped[str] = mapped_column(String(200), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set for accounts an admin or the CLI created, or whose password an admin reset: the user must choose
    # a new password before doing anything else (the seeded demo users are exempt).
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Lockout, counted here so that every worker and host agree (accounts.users.authenticate).
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Bumped by logout, password change or reset, deactivation and "sign out everywhere": every web session
    # (its Flask-Login id is "<id>:<epoch>") and every API token (issued with the epoch) of an older epoch is
    # refused from then on.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    enterprise: Mapped[Enterprise | None] = relationship()

    # Flask-Login protocol.
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        # Flask-Login's "alternative token": the session names the epoch too, so bumping it ends the session.
        return f"{self.id}:{self.session_epoch}"

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)


class PasswordHistory(Base):
    """The hashes of a user's recent passwords (the last ``accounts.passwords.HISTORY`` are kept), so that a
    new password cannot be one of them."""

    __tablename__ = "password_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
