"""Managing user accounts (admin only): list and search, create (a district user needs a district, an
enterprise user an enterprise), deactivate or reactivate, reset the password to a one-time password,
lift a lockout, and end every session and token of a user ("sign out everywhere"). Signing in itself,
password changes and the session epoch are ``workflows.accounts.users``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workflows.accounts import passwords, users
from workflows.accounts.admin.access import require
from workflows.cases import unit_of_work
from workflows.dto import Actor
from workflows.errors import NotFound, ValidationFailed
from workflows.models import DISTRICTS, Enterprise, User
from workflows.models.org import ROLES
from workflows.security import log


@dataclass
class UserInput:
    username: str
    display_name: str
    role: str
    password: str
    district_code: str | None = None
    enterprise_id: int | None = None


def list_users(session: Session, actor: Actor, role: str = "", q: str = "") -> list[User]:
    require(actor, "admin")
    stmt = select(User)
    if role:
        stmt = stmt.where(User.role == role)
    if q.strip():
        like = f"%{q.strip()}%"
        stmt = stmt.where(User.username.like(like) | User.display_name.like(like))
    return list(session.scalars(stmt.order_by(User.role, User.username)))


def create_user(session: Session, actor: Actor, data: UserInput) -> User:
    """A new account; district users need a district, enterprise users an enterprise."""
    with unit_of_work(session):
        require(actor, "admin")
        errors: dict[str, list[str]] = {}
        username = data.username.strip()
        if not username or len(username) > 64 or not username.replace("-", "").replace("_", "").isalnum():
            errors["username"] = ["用户名应为1至64位字母、数字、-或_"]
        elif session.scalar(select(User.id).where(func.lower(User.username) == username.lower())):
            errors["username"] = [f"用户名“{username}”已被使用"]
        if not data.display_name.strip():
            errors["display_name"] = ["请填写姓名"]
        if data.role not in ROLES:
            errors["role"] = ["请选择角色"]
        found = passwords.problems(data.password or "", username)
        if found:
            errors["password"] = found
        district, enterprise_id = None, None
        if data.role == "district":
            district = data.district_code if data.district_code in DISTRICTS else None
            if district is None:
                errors["district_code"] = ["区人社局审核员须选择所属区"]
        if data.role == "enterprise":
            enterprise = session.get(Enterprise, data.enterprise_id) if data.enterprise_id else None
            if enterprise is None:
                errors["enterprise_id"] = ["企业经办人须选择所属企业"]
            else:
                enterprise_id, district = enterprise.id, enterprise.district_code
        if errors:
            raise ValidationFailed("用户信息有误，请修改标出的内容。", errors)
        user = users.create_user(session, username=username, password=data.password,
                                 display_name=data.display_name.strip(), role=data.role, district_code=district,
                                 enterprise_id=enterprise_id, must_change=True)
        log.record_actor(session, actor, "user_create", f"user:{user.id}",
                         {"username": user.username, "role": user.role, "district_code": district,
                          "enterprise_id": enterprise_id})
    return user


def set_user_active(session: Session, actor: Actor, user_id: int, active: bool) -> User:
    """Deactivate (or reactivate) an account; admins cannot deactivate themselves."""
    with unit_of_work(session):
        require(actor, "admin")
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("未找到该用户。")
        if not active and user.id == actor.id:
            raise ValidationFailed("不能停用自己的账号。", {"user": ["不能停用自己的账号。"]})
        if user.active != active:
            user.active = active
            if not active:
                # Every session and token ends now; reactivating later does not revive them (new epoch).
                users.end_sessions(session, user)
            log.record_actor(session, actor, "user_activate" if active else "user_deactivate", f"user:{user.id}",
                             {"username": user.username})
    return user


def _user(session: Session, actor: Actor, user_id: int) -> User:
    require(actor, "admin")
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("未找到该用户。")
    return user


def reset_password(session: Session, actor: Actor, user_id: int) -> tuple[User, str]:
    """Give the user a one-time password (returned once, to be shown once and never stored in clear): every
    session and token of the user ends, and the user must choose a new password at the next sign-in."""
    with unit_of_work(session):
        user = _user(session, actor, user_id)
        password = passwords.one_time_password()
        users.set_password(session, user, password, must_change=True)
        log.record_actor(session, actor, "password_reset", f"user:{user.id}", {"username": user.username})
    return user, password


def unlock_user(session: Session, actor: Actor, user_id: int) -> User:
    """Lift a lockout (and clear the failure count)."""
    with unit_of_work(session):
        user = _user(session, actor, user_id)
        user.failed_logins, user.locked_until = 0, None
        log.record_actor(session, actor, "account_unlock", f"user:{user.id}", {"username": user.username})
    return user


def end_user_sessions(session: Session, actor: Actor, user_id: int) -> int:
    """"Sign out everywhere": end every web session and API token of the user now; returns the tokens
    revoked."""
    with unit_of_work(session):
        user = _user(session, actor, user_id)
        count = users.end_sessions(session, user)
        log.record_actor(session, actor, "sessions_ended", f"user:{user.id}",
                         {"username": user.username, "tokens": count})
    return count
