"""The signed-in user as the web layer sees them: Flask-Login's user loader and the ``Actor`` the service
layer is handed. The models themselves are defined in workflows.models (no Flask there)."""

from __future__ import annotations

from flask_login import current_user

from webapp.extensions import db_session, login_manager
from workflows.dto import Actor
from workflows.models import User


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    try:
        user = db_session().get(User, int(user_id))
    except (TypeError, ValueError):
        return None
    return user if user is not None and user.active else None


def actor_of(user: User) -> Actor:
    """Who acts, as workflows/ takes it, for a user (the signed-in one, or an API token's)."""
    return Actor(id=user.id, name=user.display_name, role=user.role, district_code=user.district_code,
                 enterprise_id=user.enterprise_id)


def current_actor() -> Actor:
    """The signed-in user as the service layer sees them."""
    return actor_of(current_user._get_current_object())  # type: ignore[attr-defined]
