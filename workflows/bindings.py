"""The helpers BPMN scripts may call: the allow-list.

* ``STATIC_HELPERS``: pure functions every script environment has (built into the engine).
* Session-bound helpers: a feature provides a factory ``(session, actor) -> {name: callable}``;
  ``workflows.features.install`` registers the factories of every listed feature here, and
  ``workflows.cases`` binds them to the unit of work for every engine move, so scripts reach the
  database only through these named functions.

This module imports no feature: what is registered is decided in ``workflows.features`` alone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from workflows.clock import deadline_after
from workflows.dto import Actor

Factory = Callable[[Session, Actor | None], dict[str, Callable[..., Any]]]

STATIC_HELPERS: dict[str, Callable[..., Any]] = {
    "deadline_after": deadline_after,
}

_FACTORIES: list[Factory] = []


def register(factory: Factory) -> None:
    """Add a factory of session-bound script helpers (once; ``features.install`` calls this)."""
    if factory not in _FACTORIES:
        _FACTORIES.append(factory)


def for_session(session: Session, actor: Actor | None) -> dict[str, Callable[..., Any]]:
    """Every registered helper, bound to ``session`` and ``actor``."""
    if not _FACTORIES:
        raise RuntimeError("no script helpers registered: call workflows.features.install() at start-up")
    helpers: dict[str, Callable[..., Any]] = {}
    for factory in _FACTORIES:
        helpers.update(factory(session, actor))
    return helpers
