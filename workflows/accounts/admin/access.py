"""Who may enter the admin area (系统管理): the role guard every admin use case (and the admin views,
through ``service.require_role``) starts with. Out of role is NotFound, as everywhere: the screens an
actor may not use do not exist for them.
"""

from __future__ import annotations

from workflows.dto import Actor
from workflows.errors import NotFound


def require(actor: Actor, *roles: str) -> None:
    """NotFound unless the actor has one of ``roles`` (the admin area is invisible to the others)."""
    if actor.role not in roles:
        raise NotFound("页面不存在，或您无权查看。")
