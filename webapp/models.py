"""The signed-in user as the web layer sees them: Flask-Login's user loader and the ``Actor`` the service
layer is handed. The models themselves are defined in workflows.models (no Flask there)."""

from __future__ import annotations

from flask import has_request_context, request
from flask_login import current_user

from webapp.extensions import db_session, login_manager
from workflows.dto import Actor
from workflows.models import User


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The user a session stands for: its id is "<user id>:<session epoch>" (User.get_id), so a session of
    an older epoch (after logout, password change or reset, deactivation, "sign out everywhere") loads
    nobody."""
    user_id, _, epoch = (session_id or "").partition(":")
    try:
        user = db_session().get(User, int(user_id))
        presented = int(epoch)
    except (TypeError, ValueError):
        return None
    if user is None or not user.active or presented != (user.session_epoch or 0):
        return None
    return user


def client_address() -> str:
    """The client's address for the security log ("" outside a request)."""
    return (request.remote_addr or "") if has_request_context() else ""


def actor_of(user: User) -> Actor:
    """Who acts, as workflows/ takes it, for a user (the signed-in one, or an API token's), with the user
    name and client address the security log records."""
    return Actor(id=user.id, name=user.display_name, role=user.role, district_code=user.district_code,
                 enterprise_id=user.enterprise_id, username=user.username, address=client_address())


def current_actor() -> Actor:
    """The signed-in user as the service layer sees them."""
    return actor_of(current_user._get_current_object())  # type: ignore[attr-defined]
