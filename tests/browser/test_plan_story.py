"""Quarterly district plan (R11) in a browser: city staff open 番禺区's plan for this quarter; the district
reviewer compiles it from the pre-filled filings (leaving one out needs a reason) and submits it; city
staff record it; both see 已备案 with its history and diagram."""

from __future__ import annotations

import pytest

from tests.browser.conftest import UserPage
from tests.browser.helpers import text_of

pytestmark = pytest.mark.browser

DISTRICT = "440113"
DISTRICT_NAME = "番禺区"
EXCLUDE_REASON = "该企业本季度培训场地改造，培训顺延至下季度。"


def _click(user: UserPage, name: str, scope: str = "main") -> None:
    with user.page.expect_navigation():
        user.page.locator(scope).get_by_role("button", name=name, exact=True).click()


def _plan_detail(user: UserPage, name: str, expect_status: int | None = None) -> None:
    user.page.locator(".diagram .djs-element").first.wait_for(state="attached")
    user.check(name, expect_status=expect_status)


def test_quarterly_plan_opened_compiled_submitted_and_recorded(as_user) -> None:  # type: ignore[no-untyped-def]
    # ---- City staff open the district's plan for the current quarter -------------------------
    city = as_user("city")
    city.visit("/plans/", "各区季度培训计划")
    page = city.page
    row = page.locator("table tbody tr", has_text=DISTRICT_NAME)
    if "未开启" in text_of(row):
        page.get_by_label("区", exact=True).select_option(DISTRICT)
        _click(city, "开启计划")
        assert "已开启" in text_of(page.locator(".flash-success"))
        city.check("各区季度培训计划（已开启）")
    row = page.locator("table tbody tr", has_text=DISTRICT_NAME)
    assert "待编制" in text_of(row), text_of(row)

    # ---- The district reviewer compiles and submits -------------------------------------------
    reviewer = as_user(f"review-{DISTRICT}")
    reviewer.visit("/plans/", "本区季度计划")
    rpage = reviewer.page
    with rpage.expect_navigation():
        rpage.locator("table tbody tr").first.get_by_role("link", name="编制").click()
    _plan_detail(reviewer, "编制季度计划")
    plan_path = reviewer.path
    plan_rows = rpage.locator("form.card table tbody tr")
    assert plan_rows.count() >= 2, "季度计划应已按本区备案预填"
    assert "中级工及以上占比" in text_of(rpage.locator(".stat-grid").first)

    # Leave the first project out without a reason: refused, the reason is asked for on that row.
    first = plan_rows.first
    first.get_by_role("checkbox").uncheck()
    _click(reviewer, "提交市中心")
    assert reviewer.dialogs and "确定提交" in reviewer.dialogs[-1]
    first = rpage.locator("form.card table tbody tr").first
    assert first.locator(".field-error").count() >= 1, text_of(rpage.locator("main"))[:600]
    _plan_detail(reviewer, "编制季度计划（缺少原因）", expect_status=422)

    first.get_by_role("checkbox").uncheck()
    first.get_by_role("textbox").fill(EXCLUDE_REASON)
    justification = rpage.get_by_label("书面说明")
    if justification.is_visible():
        justification.fill("本季度以初级工岗前培训为主，下季度安排中级工项目补足全年比例。")
    _click(reviewer, "提交市中心")
    assert reviewer.path == plan_path
    assert "已提交" in text_of(rpage.locator(".flash-success")), text_of(rpage.locator("main"))[:600]
    assert "待市备案" in text_of(rpage.locator(".page-header"))
    _plan_detail(reviewer, "季度计划（已提交）")

    # ---- City staff record it -------------------------------------------------------------------
    city.visit("/plans/", "各区季度培训计划")
    row = page.locator("table tbody tr", has_text=DISTRICT_NAME)
    assert "待市备案" in text_of(row), text_of(row)
    with page.expect_navigation():
        row.get_by_role("link", name="查看").click()
    _plan_detail(city, "季度计划（待市备案）")
    assert EXCLUDE_REASON in text_of(page.locator("main"))
    page.get_by_label("予以备案", exact=True).check()
    _click(city, "确定")
    assert "已予以备案" in text_of(page.locator(".flash-success"))
    _plan_detail(city, "季度计划（已备案）")

    # ---- Both see 已备案 and the history -------------------------------------------------------
    for user in (city, reviewer):
        user.visit(plan_path, "季度计划")
        header = text_of(user.page.locator(".page-header"))
        assert "已备案" in header, header
        history = text_of(user.page.locator(".timeline"))
        for label in ("开启计划", "提交计划", "予以备案"):
            assert label in history, f"{user.username}：办理记录缺少“{label}”：{history}"
