"""The admin home page (city staff and admins): the counts of users, enterprises, catalogue entries and
instances that need attention, each shown only to the roles that may open its screen.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workflows.accounts.admin.access import require
from workflows.accounts.admin.processes import stuck_instances
from workflows.catalogue import reads as catalogue_reads
from workflows.dto import Actor
from workflows.models import Enterprise, User


def overview(session: Session, actor: Actor) -> dict[str, int | None]:
    """Counts on the admin home page (None: not shown to this role)."""
    require(actor, "city", "admin")
    is_admin = actor.role == "admin"
    return {
        "users": int(session.scalar(select(func.count()).select_from(User)) or 0) if is_admin else None,
        "enterprises": int(session.scalar(select(func.count()).select_from(Enterprise)) or 0),
        "occupations": len(catalogue_reads.occupations(session)),
        "textbooks": len(catalogue_reads.textbooks(session)),
        "stuck": len(stuck_instances(session, actor)) if is_admin else None,
    }
