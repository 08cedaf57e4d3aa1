"""City staff's view of the whole programme (R12) in a browser: the 全市概览 dashboard, its drill-down into
the case list, the district filter, the quick case search, and a case found that way with its diagram."""

from __future__ import annotations

import re

import pytest

from tests.browser.helpers import text_of

pytestmark = pytest.mark.browser


def test_city_dashboard_drills_down_to_cases_and_a_case_diagram(as_user) -> None:  # type: ignore[no-untyped-def]
    city = as_user("city")
    page = city.page
    assert city.path.startswith("/dashboard"), city.path  # city staff land on the dashboard
    assert page.locator("h1").inner_text().strip()
    # The sections sit in tabs: the first is shown, each tab shows its own.
    tabs = page.get_by_role("tablist", name="概览分项")
    for tab, heading in (("办理状态", "各区备案办理状态"), ("待办与逾期", "待办与逾期"), ("结构指标", "学员结构"),
                         ("补贴预算", "培训补贴预算")):
        tabs.get_by_role("tab", name=tab).click()
        assert page.get_by_role("heading", name=re.compile(heading)).count() == 1, heading
    tabs.get_by_role("tab", name="办理状态").click()

    # A headline tile links to the case list with the same count.
    tile = page.locator(".stat-grid a.stat", has_text="待区审核").first
    count = int(re.sub(r"\D", "", tile.locator(".stat-value").inner_text()))
    assert count > 0
    with page.expect_navigation():
        tile.click()
    city.check("全市案件（待区审核）")
    assert city.path.startswith("/cases/")
    assert page.get_by_label("状态").input_value() == "district_review"
    assert f"共 {count} 件" in text_of(page.locator(".card-header").first)

    # The dashboard narrowed to one district.
    city.visit("/dashboard", "全市概览")
    page.get_by_label("区", exact=True).select_option("440112")
    with page.expect_navigation():
        page.locator("form[aria-label='统计范围']").get_by_role("button", name="查看").click()
    city.check("全市概览（黄埔区）")
    assert "黄埔区" in text_of(page.locator(".page-header"))

    # Quick search by enterprise name, then the case with its diagram.
    page.get_by_role("searchbox", name="案件快速查询").fill("黄埔精密模具")
    with page.expect_navigation():
        page.locator("form[aria-label='案件快速查询']").get_by_role("button", name="查询").click()
    city.check("全市案件（查询结果）")
    results = page.locator("table tbody tr")
    assert results.count() >= 1
    assert all("黄埔精密模具" in text_of(results.nth(i)) for i in range(results.count()))
    with page.expect_navigation():
        results.first.locator("a").first.click()
    page.locator("details.diagram-section > summary").click()
    page.locator(".diagram .djs-element").first.wait_for(state="attached")
    city.check("案件详情")
    assert page.locator(".diagram svg").count() >= 1
    assert page.locator(".diagram .djs-element.highlight-current, .diagram .djs-element.highlight-done").count() >= 1
    assert "黄埔精密模具" in text_of(page.locator("main"))
