"""Accounts: passwords, sign-in with lockout, and ending a user's sessions (passwords are never stored or
logged in clear).

Sign-in is one unit of work that counts failures in the database (an atomic ``UPDATE ... + 1``), so every
worker and host agree: after ``Lockout.attempts`` failures in a row the account is locked for
``Lockout.minutes``; while locked every attempt gets the same answer whether or not the password was right.
Every attempt is written to the security log.

Ending sessions: ``end_sessions`` bumps ``User.session_epoch`` and revokes the user's API tokens; the web
session names the epoch (``User.get_id``) and tokens carry it, so a cookie or token copied before is refused
after. Logout, password change, reset, deactivation and an admin's "sign out everywhere" all call it.

Authentication providers (the seam for single sign-on, e.g. 粤政易): a provider verifies credentials its
own way and ends in ``complete_sign_in(session, user, address=..., channel=..., provider=...)`` with the
local ``User`` it maps to; that applies the same checks (active, locked) and the same security log entry.
``authenticate`` is the password provider, the only one built in. A new provider is a function next to it
(e.g. one that validates a 粤政易 ticket and looks the user up by an external id column) plus a route that
calls it; nothing else needs to change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from werkzeug.security import check_password_hash, generate_password_hash

from workflows.accounts import passwords
from workflows.cases import unit_of_work
from workflows.clock import CHINA_TZ, now
from workflows.errors import ValidationFailed
from workflows.models import ApiToken, PasswordHistory, User
from workflows.security import log

_DUMMY_HASH = generate_password_hash("timing-equaliser")

INVALID = "用户名或密码错误。"


def hash_password(password: str) -> str:
    return generate_password_hash(password)


_HASHES: dict[str, str] = {}


def _hash_cached(password: str) -> str:
    # Salted hashes stay salted; bulk-created accounts with one initial password share one computation.
    if password not in _HASHES:
        _HASHES.clear()
        _HASHES[password] = hash_password(password)
    return _HASHES[password]


# --------------------------------------------------------------------------------------------------
# Sign-in


@dataclass(frozen=True)
class Lockout:
    """LOGIN_LOCKOUT_ATTEMPTS failures in a row lock an account for LOGIN_LOCKOUT_MINUTES."""

    attempts: int = 5
    minutes: int = 15


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in: ``user`` when it succeeded; else ``problem`` is ``invalid`` or ``locked``
    (then ``locked_until``) and ``message`` says so in Chinese."""

    user: User | None = None
    problem: str = ""
    locked_until: datetime | None = None

    @property
    def message(self) -> str:
        if self.problem == "locked" and self.locked_until is not None:
            until = self.locked_until.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")
            return (f"该账号因连续多次登录失败已被锁定，请于 {until}（北京时间）后再试，"
                    "或联系系统管理员解锁。")
        return INVALID if self.problem else ""


def complete_sign_in(session: Session, user: User | None, *, username: str, address: str, channel: str,
                     provider: str = "password", lockout: Lockout | None = None) -> SignIn:
    """The end of every authentication provider (no commit): refuse a missing or inactive user or a locked
    account, else reset the failure count and record the sign-in."""
    at = now()
    detail = {"channel": channel, "provider": provider}
    if user is None or not user.active:
        log.record(session, "login_failure", user_id=user.id if user else None, username=username,
                   address=address, detail={**detail, "reason": "unknown" if user is None else "inactive"})
        return SignIn(problem="invalid")
    if user.locked_until is not None and user.locked_until > at:
        log.record(session, "login_refused_locked", user_id=user.id, username=user.username, address=address,
                   detail=detail)
        return SignIn(problem="locked", locked_until=user.locked_until)
    if user.failed_logins or user.locked_until is not None:
        session.execute(update(User).where(User.id == user.id).values(failed_logins=0, locked_until=None)
                        .execution_options(synchronize_session=False))
        set_committed_value(user, "failed_logins", 0)
        set_committed_value(user, "locked_until", None)
    log.record(session, "login_success", user_id=user.id, username=user.username, address=address, detail=detail)
    return SignIn(user=user)


def _failed(session: Session, user: User, address: str, channel: str, lockout: Lockout) -> SignIn:
    """Count one failure atomically in the database; the attempt that reaches the limit locks the account."""
    failures = int(session.execute(
        update(User).where(User.id == user.id).values(failed_logins=User.failed_logins + 1)
        .returning(User.failed_logins).execution_options(synchronize_session=False)).scalar_one())
    log.record(session, "login_failure", user_id=user.id, username=user.username, address=address,
               detail={"channel": channel, "provider": "password", "reason": "password", "failures": failures})
    if failures < lockout.attempts:
        return SignIn(problem="invalid")
    until = now() + timedelta(minutes=lockout.minutes)
    session.execute(update(User).where(User.id == user.id).values(locked_until=until, failed_logins=0)
                    .execution_options(synchronize_session=False))
    log.record(session, "login_locked", user_id=user.id, username=user.username, address=address,
               detail={"channel": channel, "failures": failures, "until": until.isoformat()})
    return SignIn(problem="locked", locked_until=until)


def authenticate(session: Session, username: str, password: str, *, address: str = "", channel: str = "web",
                 lockout: Lockout | None = None) -> SignIn:
    """The password provider: sign in with user name and password. One unit of work (commits the failure
    count and the security log entry either way). The password is checked only when the account is active
    and not locked, with the same hashing work done otherwise (against timing probes)."""
    lockout = lockout or Lockout()
    name = (username or "").strip()[:64]
    with unit_of_work(session):
        user = session.scalars(select(User).where(User.username == name)
                               .execution_options(populate_existing=True)).first()
        locked = user is not None and user.locked_until is not None and user.locked_until > now()
        if user is None or not user.active or locked:
            check_password_hash(_DUMMY_HASH, password or "")
            result = complete_sign_in(session, user, username=name, address=address, channel=channel,
                                      lockout=lockout)
        elif not check_password_hash(user.password_hash, password or ""):
            result = _failed(session, user, address, channel, lockout)
        else:
            result = complete_sign_in(session, user, username=name, address=address, channel=channel,
                                      lockout=lockout)
    return result


# --------------------------------------------------------------------------------------------------
# Passwords


def history(session: Session, user_id: int) -> list[str]:
    """The hashes of the user's last HISTORY passwords, newest first."""
    return list(session.scalars(select(PasswordHistory.password_hash).where(PasswordHistory.user_id == user_id)
                                .order_by(PasswordHistory.id.desc()).limit(passwords.HISTORY)))


def check_new_password(session: Session, username: str, password: str, user_id: int | None = None,
                       field: str = "password") -> None:
    """ValidationFailed naming every password rule ``password`` breaks for this user."""
    found = passwords.problems(password or "", username, history(session, user_id) if user_id else ())
    if found:
        raise ValidationFailed("密码不符合要求：" + "".join(found), {field: found})


def _remember(session: Session, user_id: int, password_hash: str) -> None:
    session.add(PasswordHistory(user_id=user_id, password_hash=password_hash, created_at=now()))
    session.flush()
    keep = select(PasswordHistory.id).where(PasswordHistory.user_id == user_id).order_by(
        PasswordHistory.id.desc()).limit(passwords.HISTORY)
    session.execute(delete(PasswordHistory).where(PasswordHistory.user_id == user_id,
                                                  PasswordHistory.id.not_in(keep.scalar_subquery()))
                    .execution_options(synchronize_session=False))


def set_password(session: Session, user: User, password: str, *, must_change: bool) -> None:
    """Store a new password (hashed, remembered in the history) and end every session and token of the
    user. No rule check and no commit: callers check (``check_new_password``) and commit."""
    user.password_hash = hash_password(password)
    user.must_change_password = must_change
    user.password_changed_at = now()
    user.failed_logins, user.locked_until = 0, None
    _remember(session, user.id, user.password_hash)
    end_sessions(session, user)


def change_password(session: Session, user_id: int, old_password: str, new_password: str, *,
                    address: str = "") -> User:
    """A user changes their own password: the current one must be right and the new one meet the rules.
    Ends every session and token of the user (the caller starts a fresh session for this one)."""
    with unit_of_work(session):
        user = session.get(User, user_id, populate_existing=True)
        if user is None or not user.active:
            raise ValidationFailed("账号不存在或已停用。", {"old_password": ["账号不存在或已停用。"]})
        if not check_password_hash(user.password_hash, old_password or ""):
            raise ValidationFailed("当前密码不正确。", {"old_password": ["当前密码不正确。"]})
        check_new_password(session, user.username, new_password, user.id, field="new_password")
        set_password(session, user, new_password, must_change=False)
        log.record(session, "password_change", user_id=user.id, username=user.username, address=address,
                   target=f"user:{user.id}")
    return user


def end_sessions(session: Session, user: User) -> int:
    """Bump the user's session epoch (every web session of an older epoch is refused) and revoke every
    live API token; returns how many tokens. No commit."""
    user.session_epoch = User.session_epoch + 1  # in SQL: concurrent bumps never collapse into one
    at = now()
    result = session.execute(
        update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=at).execution_options(synchronize_session="fetch"))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def sign_out(session: Session, user_id: int, *, address: str = "") -> None:
    """Logout: end every session and token of the user, and record it. One unit of work."""
    with unit_of_work(session):
        user = session.get(User, user_id)
        if user is None:
            return
        end_sessions(session, user)
        log.record(session, "logout", user_id=user.id, username=user.username, address=address)


def session_expired(session: Session, user_id: int, *, address: str = "", reason: str = "") -> None:
    """Record that a web session ran out (idle or absolute lifetime). One unit of work."""
    with unit_of_work(session):
        user = session.get(User, user_id)
        log.record(session, "session_expired", user_id=user_id, username=user.username if user else "",
                   address=address, detail={"reason": reason})


def create_user(session: Session, *, username: str, password: str, display_name: str, role: str,
                district_code: str | None = None, enterprise_id: int | None = None,
                must_change: bool = False) -> User:
    """Create a user (no rule check, no commit: demo and test data; the admin screen and the CLI check the
    rules first and pass ``must_change``). The same password hashed once is reused within a process."""
    user = User(username=username, password_hash=_hash_cached(password), display_name=display_name,
                role=role, district_code=district_code, enterprise_id=enterprise_id,
                must_change_password=must_change, password_changed_at=now())
    session.add(user)
    session.flush()
    session.add(PasswordHistory(user_id=user.id, password_hash=user.password_hash, created_at=now()))
    return user


def register_user(session: Session, *, username: str, password: str, display_name: str, role: str,
                  district_code: str | None = None, enterprise_id: int | None = None, operator: str = "",
                  address: str = "cli") -> User:
    """`flask users create`: the password rules apply and the user must change the password at the first
    sign-in; recorded in the security log. One unit of work."""
    with unit_of_work(session):
        name = username.strip()
        if session.scalar(select(User.id).where(User.username == name)) is not None:
            raise ValidationFailed(f"用户名“{name}”已被使用。", {"username": [f"用户名“{name}”已被使用。"]})
        check_new_password(session, name, password)
        user = create_user(session, username=name, password=password, display_name=display_name, role=role,
                           district_code=district_code, enterprise_id=enterprise_id, must_change=True)
        log.record(session, "user_create", user_id=None, username=operator, address=address,
                   target=f"user:{user.id}", detail={"username": name, "role": role, "via": "cli"})
    return user
