"""API bearer tokens: issue, resolve, revoke.

A token is a random 32-byte URL-safe secret handed to the caller once; only its SHA-256 hash is
stored (table ``api_token``), so a database leak does not leak usable tokens. A token expires after
a configurable number of hours and can be revoked by its owner or by an administrator. It carries the
user's session epoch: once the epoch moves on (logout, password change or reset, deactivation, "sign out
everywhere") the token is refused, and reactivating the user does not revive it. Issue and revoke are
written to the security log.
No Flask here: the API layer passes the session and the presented secret.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from workflows.clock import now
from workflows.dto import Actor
from workflows.models import ApiToken, User
from workflows.security import log

DEFAULT_HOURS = 8
# last_used_at is written at most this often per token, so reads do not turn into a write each.
TOUCH_INTERVAL = timedelta(minutes=1)
_SECRET_SHAPE = re.compile(r"[A-Za-z0-9_-]{20,128}")


def hash_secret(secret: str) -> str:
    """The stored form of a secret (hex SHA-256)."""
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def issue(session: Session, user: User, hours: float = DEFAULT_HOURS, name: str = "", address: str = ""
          ) -> tuple[str, ApiToken]:
    """A new token for ``user``; returns (secret, row). The secret is never stored. Commits."""
    secret = secrets.token_urlsafe(32)
    issued_at = now()
    token = ApiToken(user_id=user.id, token_hash=hash_secret(secret), name=(name or "")[:100],
                     created_at=issued_at, expires_at=issued_at + timedelta(hours=hours),
                     session_epoch=user.session_epoch or 0)
    session.add(token)
    session.flush()
    log.record(session, "token_issue", user_id=user.id, username=user.username, address=address,
               target=f"token:{token.id}", detail={"name": token.name, "hours": hours})
    session.commit()
    return secret, token


@dataclass(frozen=True)
class Lookup:
    """The result of presenting a secret: ``user`` and ``token`` are set only when it is valid.
    ``problem`` says why not: ``missing`` (unknown or malformed), ``expired``, ``revoked``, ``inactive``."""

    user: User | None = None
    token: ApiToken | None = None
    problem: str = ""


_TOKEN_AND_USER = (select(ApiToken, User).outerjoin(User, User.id == ApiToken.user_id)
                   .where(ApiToken.token_hash == bindparam("token_hash")))


def resolve(session: Session, secret: str) -> Lookup:
    """The user a presented secret stands for, if the token is known, unexpired, unrevoked and the user
    active. Records when the token was last used (at most once per TOUCH_INTERVAL; commits then)."""
    if not secret or not _SECRET_SHAPE.fullmatch(secret):
        return Lookup(problem="missing")
    # The token and its user in one statement, built once (every API request runs it).
    found = session.execute(_TOKEN_AND_USER, {"token_hash": hash_secret(secret)}).first()
    if found is None:
        return Lookup(problem="missing")
    token, user = found
    at = now()
    if token.revoked_at is not None:
        return Lookup(problem="revoked")
    if token.expires_at <= at:
        return Lookup(problem="expired")
    if user is None or not user.active:
        return Lookup(problem="inactive")
    if (token.session_epoch or 0) != (user.session_epoch or 0):
        return Lookup(problem="revoked")
    if token.last_used_at is None or at - token.last_used_at >= TOUCH_INTERVAL:
        token.last_used_at = at
        session.commit()
    return Lookup(user=user, token=token)


def revoke(session: Session, token: ApiToken, user: User | None = None, address: str = "") -> None:
    """Revoke one token (idempotent; its owner signing out of the API). Commits."""
    if token.revoked_at is None:
        token.revoked_at = now()
        log.record(session, "token_revoke", user_id=token.user_id, username=user.username if user else "",
                   address=address, target=f"token:{token.id}", detail={"by": "owner"})
    session.commit()


def revoke_user_tokens(session: Session, user_id: int, actor: Actor | None = None) -> int:
    """Revoke every live token of a user (an administrator's action); returns how many. Commits."""
    at = now()
    result = session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None), ApiToken.expires_at > at)
        .values(revoked_at=at)
        .execution_options(synchronize_session="fetch")
    )
    count = int(result.rowcount or 0)  # type: ignore[attr-defined]
    if actor is not None:
        log.record_actor(session, actor, "token_revoke", f"user:{user_id}", {"by": "admin", "tokens": count})
    session.commit()
    return count
