"""Shared steps of the browser stories: test data from the catalogues and small page actions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from workflows.catalogue import reads as catalogue_reads
from workflows.demo import id_number


@dataclass(frozen=True)
class Person:
    name: str
    id_number: str


def people(seed: int, n: int) -> list[Person]:
    """Valid, unique ID numbers (born 2000 onwards, sequence 900+) that no demo filing uses."""
    names = ["陈小明", "林晓华", "黄志强", "周丽娟", "吴家豪", "郑雅婷", "何俊杰", "梁嘉欣"]
    return [Person(names[(seed + i) % len(names)], id_number("440106", date(2000, 1, 1) + timedelta(days=seed * 37 + i),
                                                             900 + (seed * 7 + i) % 99)) for i in range(n)]


def wrong_check_digit(number: str) -> str:
    last = number[-1]
    return number[:-1] + ("1" if last != "1" else "2")


def start_of_next_month(today: date | None = None) -> date:
    today = today or date.today()
    return date(today.year + (today.month == 12), today.month % 12 + 1, 1)


def one_year_from(start: date) -> date:
    return date(start.year + 1, start.month, start.day) - timedelta(days=1)


@dataclass(frozen=True)
class Occupation:
    code: str
    name: str
    job_post: str
    required_isbn: str
    required_title: str
    skill_isbn: str
    skill_title: str


def occupation_with_textbooks() -> Occupation:
    """An occupation that has a skill textbook in the catalogue, plus a general-required textbook."""
    books = list(catalogue_reads.textbooks().values())
    required = next(b for b in books if b.category == "general_required")
    for code, occ in catalogue_reads.occupations().items():
        skill = next((b for b in books if code in b.occupation_codes and b.category != "general_required"), None)
        if skill is not None and 4 in occ.levels:
            return Occupation(code, occ.name, (occ.job_posts or (occ.name,))[0], required.isbn, required.title,
                              skill.isbn, skill.title)
    raise AssertionError("目录中没有带专业教材的职业")


def yuan(fen: int) -> str:
    return f"{fen / 100:,.2f}"


def rows(page: Any, prefix: str) -> Any:
    return page.locator(f'table.dynamic-rows[data-prefix="{prefix}"] tbody tr:not([data-empty-row])')


def text_of(locator: Any) -> str:
    return re.sub(r"\s+", " ", locator.inner_text()).strip()


def pick_occupation(page: Any, code: str, query: str) -> None:
    """The searchable occupation picker (Tom Select): open it, type ``query`` (a code, name or alias),
    choose the entry ``code``; the form's select then holds that code."""
    page.locator("select#occupation_code[data-picker-ready='aliases']").wait_for(state="attached")
    page.locator("#occupation_code-ts-control").locator("xpath=..").click()
    page.get_by_role("combobox", name="培训职业（工种）").fill(query)
    page.locator(f".ts-dropdown .option[data-value='{code}']").first.click()
    assert page.locator("select#occupation_code").input_value() == code
