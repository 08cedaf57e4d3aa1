"""The web layer's view of the models: they are defined in workflows.models (no Flask there) and
re-exported here; this module also wires Flask-Login to them."""

from __future__ import annotations

from flask_login import current_user

from webapp.extensions import db_session, login_manager
from workflows.dto import Actor
from workflows.models import *  # noqa: F403
from workflows.models import User


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    try:
        user = db_session().get(User, int(user_id))
    except (TypeError, ValueError):
        return None
    return user if user is not None and user.active else None


def actor_of(user: User) -> Actor:
    return Actor(id=user.id, name=user.display_name, role=user.role, district_code=user.district_code,
                 enterprise_id=user.enterprise_id)


def current_actor() -> Actor:
    """The signed-in user as the service layer sees them."""
    return actor_of(current_user._get_current_object())  # type: ignore[attr-defined]
