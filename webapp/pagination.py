"""A page of results as the ``pagination`` macro in _macros.html expects it."""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil


@dataclass
class Page:
    """Page number, size and total count; the rest is derived."""

    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(ceil(self.total / self.per_page), 1)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1
