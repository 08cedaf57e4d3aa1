"""Helpers bound to the current unit of work that BPMN scripts may call.

Each feature registers a factory ``(session, actor) -> {name: callable}``; the service layer binds them
for every engine run, so scripts reach the database only through these named, allow-listed functions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from workflows.dto import Actor

Factory = Callable[[Session, Actor | None], dict[str, Callable[..., Any]]]
_FACTORIES: list[Factory] = []


def register(factory: Factory) -> Factory:
    """Decorator: add a factory of session-bound script helpers."""
    _FACTORIES.append(factory)
    return factory


def for_session(session: Session, actor: Actor | None) -> dict[str, Callable[..., Any]]:
    """Every registered helper, bound to ``session`` and ``actor``."""
    import workflows.checks  # noqa: F401  (registers the filing checks)
    import workflows.deadlines  # noqa: F401  (due-date helpers)
    import workflows.notifications  # noqa: F401  (notify_role)
    import workflows.plans  # noqa: F401  (run_plan_checks, plan_share_below_min)

    helpers: dict[str, Callable[..., Any]] = {}
    for factory in _FACTORIES:
        helpers.update(factory(session, actor))
    return helpers
