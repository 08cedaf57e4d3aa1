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
    import workflows.filings.checks  # noqa: F401
    import workflows.deadlines  # noqa: F401  (due-date helpers)
    import workflows.notifications.messages  # noqa: F401
    import workflows.plans.compile  # noqa: F401

    helpers: dict[str, Callable[..., Any]] = {}
    for factory in _FACTORIES:
        helpers.update(factory(session, actor))
    return helpers
