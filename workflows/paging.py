"""Paging shared by every list: ``page_number`` turns any ``page`` value a person or client sends into a
page number (never an error, never a number the database cannot take), ``offset`` the rows to skip, and
``filtered_page`` is the one filtered, paged list query the API's plan and report lists share."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

# The last page anyone may ask for (the API's schema says the same); beyond it a list is simply empty.
MAX_PAGE = 100_000
MAX_PER_PAGE = 500


def page_number(raw: object) -> int:
    """A ``page`` value as a page number from 1 to MAX_PAGE: blank, not a number, zero or negative -> 1,
    too large -> MAX_PAGE (an empty page, not a database overflow)."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    else:
        match = re.fullmatch(r"([+-]?)([0-9]+)", str(raw if raw is not None else "").strip())
        if match is None:
            return 1
        sign, digits = match.groups()
        if len(digits) > 9:  # never hand int() (or the database) a number of arbitrary size
            return 1 if sign == "-" else MAX_PAGE
        value = -int(digits) if sign == "-" else int(digits)
    return min(max(value, 1), MAX_PAGE)


def offset(page: int, per_page: int) -> int:
    """Rows to skip for ``page`` (clamped like ``page_number``) of ``per_page`` rows."""
    return (page_number(page) - 1) * min(max(int(per_page), 1), MAX_PER_PAGE)


def filtered_page(session: Session, stmt: Select, equal: Iterable[tuple[Any, Any]], order_by: Sequence[Any],
                  page: int, per_page: int) -> tuple[list[Any], int]:
    """``stmt`` narrowed by ``column == value`` for each pair whose value is given (None and "" mean any),
    then (rows of one page in ``order_by`` order, total count of the filtered rows)."""
    for column, value in equal:
        if value is not None and value != "":
            stmt = stmt.where(column == value)
    total = int(session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0)
    rows = session.execute(stmt.order_by(*order_by).offset(offset(page, per_page)).limit(per_page)).all()
    return list(rows), total
