"""Scope of the city dashboard (SPEC section 2).

City staff and admins see the whole city and may narrow it to one district; a district reviewer sees
only their own district; anyone else gets ``NotFound`` (404). ``check_scope`` and ``scoped_cases`` are
the guards the dashboard queries (``dashboard.figures``, ``dashboard.status``) apply. The filing-status
groups the figures count are ``workflows.filings.status``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from sqlalchemy import Select

from workflows.cases import scope_cases
from workflows.dto import Actor
from workflows.errors import NotFound
from workflows.models import DISTRICTS, WorkflowInstance


@dataclass(frozen=True)
class Scope:
    """Which districts the page shows: all 11 in the city's order, or one (``single``)."""

    districts: tuple[str, ...]
    single: str | None

    @property
    def whole_city(self) -> bool:
        return self.single is None



def resolve_scope(actor: Actor, district: str | None = None) -> Scope:
    """City staff and admins: the city, or the one district asked for; a district reviewer: their own
    district whatever was asked; anyone else: NotFound."""
    if actor.role in ("city", "admin"):
        if district and district in DISTRICTS:
            return Scope((district,), district)
        return Scope(tuple(DISTRICTS), None)
    if actor.role == "district" and actor.district_code in DISTRICTS:
        return Scope((cast(str, actor.district_code),), actor.district_code)
    raise NotFound("页面不存在，或您无权查看。")


def check_scope(actor: Actor, scope: Scope) -> None:
    """Queries that filter on the filing's district rely on the scope: refuse one wider than the actor's."""
    if actor.role not in ("city", "admin") and (actor.role != "district" or scope.single != actor.district_code):
        raise NotFound("页面不存在，或您无权查看。")


def scoped_cases(stmt: Select, actor: Actor, scope: Scope) -> Select:
    """Restrict a query joining WorkflowInstance to the actor's scope and the chosen district."""
    stmt = scope_cases(stmt, actor)
    if scope.single:
        stmt = stmt.where(WorkflowInstance.district_code == scope.single)
    return stmt


__all__ = ["Scope", "check_scope", "resolve_scope", "scoped_cases"]
