"""Accounts: password hashing and authentication (passwords are never stored or logged in clear)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from workflows.models import User

_DUMMY_HASH = generate_password_hash("timing-equaliser")


def hash_password(password: str) -> str:
    return generate_password_hash(password)


_HASHES: dict[str, str] = {}


def _hash_cached(password: str) -> str:
    # Salted hashes stay salted; bulk-created accounts with one initial password share one computation.
    if password not in _HASHES:
        _HASHES.clear()
        _HASHES[password] = hash_password(password)
    return _HASHES[password]


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with these credentials, or None (same work either way, against timing probes)."""
    user = session.scalars(select(User).where(User.username == (username or "").strip())).first()
    if user is None or not user.active:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    return user if check_password_hash(user.password_hash, password or "") else None


def create_user(session: Session, *, username: str, password: str, display_name: str, role: str,
                district_code: str | None = None, enterprise_id: int | None = None) -> User:
    """Create a user; the same password hashed once is reused within a process (demo and test data)."""
    user = User(username=username, password_hash=_hash_cached(password), display_name=display_name,
                role=role, district_code=district_code, enterprise_id=enterprise_id)
    session.add(user)
    session.flush()
    return user
