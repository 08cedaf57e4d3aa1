"""A district reviewer in a real browser: the trainees' ID numbers are masked on the case page; the explicit
"查看完整身份证号码" button (a CSRF-protected POST) shows them in full for that answer only."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

MASKED = re.compile(r"^\d{4}\*{10}\d{3}[\dX]$")
FULL = re.compile(r"^\d{17}[\dX]$")


def test_reviewer_reveals_masked_id_numbers_with_the_button(as_user) -> None:  # type: ignore[no-untyped-def]
    reviewer = as_user("review-440106")
    page = reviewer.page
    reviewer.goto("/cases/?status=district_review")
    with page.expect_navigation():
        page.locator("table a[href^='/cases/']").first.click()
    reviewer.check("案件详情")
    case_path = reviewer.path
    cells = page.locator("#filing-trainees").locator("xpath=ancestor::section").locator("td.mono")
    assert cells.count() > 0
    assert all(MASKED.match(c.strip()) for c in cells.all_inner_texts()), cells.all_inner_texts()

    with page.expect_navigation():
        page.get_by_role("button", name="查看完整身份证号码").click()
    reviewer.check("案件详情（已显示完整号码）")
    assert page.locator("#ids-revealed").inner_text().startswith("已显示完整身份证号码")
    revealed = page.locator("#filing-trainees").locator("xpath=ancestor::section").locator("td.mono")
    assert all(FULL.match(c.strip()) for c in revealed.all_inner_texts()), revealed.all_inner_texts()
    # Reloading the case (a GET) shows them masked again.
    reviewer.goto(case_path)
    again = page.locator("#filing-trainees").locator("xpath=ancestor::section").locator("td.mono")
    assert all(MASKED.match(c.strip()) for c in again.all_inner_texts())
