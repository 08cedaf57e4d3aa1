"""One filtered, paged list query: the API's plan and report lists share it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session


def filtered_page(session: Session, stmt: Select, equal: Iterable[tuple[Any, Any]], order_by: Sequence[Any],
                  page: int, per_page: int) -> tuple[list[Any], int]:
    """``stmt`` narrowed by ``column == value`` for each pair whose value is given (None and "" mean any),
    then (rows of one page in ``order_by`` order, total count of the filtered rows)."""
    for column, value in equal:
        if value is not None and value != "":
            stmt = stmt.where(column == value)
    total = int(session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0)
    rows = session.execute(stmt.order_by(*order_by).offset(max(page - 1, 0) * per_page).limit(per_page)).all()
    return list(rows), total
