"""The report editor keeps the typed summary whatever button or link is used (issue 15): the summary form
saves itself in the background, and before another form of the page is sent or a link followed."""

from __future__ import annotations

import pytest

from workflows import errors
from workflows.reports import config as report_config
from workflows.reports import opening as report_opening

pytestmark = pytest.mark.browser

DISTRICT = "440104"


def _open_report(live_server) -> str:  # type: ignore[no-untyped-def]
    from webapp.extensions import db
    from workflows.clock import now

    with live_server.app.app_context():
        year, half = report_config.last_ended_half(now())
        try:
            report_opening.open_report(db.session, DISTRICT, year, half)
        except errors.Conflict:
            pass
        return report_config.business_key(DISTRICT, year, half)


def test_summary_survives_every_link_and_button(as_user, live_server) -> None:  # type: ignore[no-untyped-def]
    key = _open_report(live_server)
    reviewer = as_user(f"review-{DISTRICT}")
    reviewer.visit("/reports/", "半年报告")
    page = reviewer.page
    with page.expect_navigation():
        page.locator("table tbody tr", has_text=key).get_by_role("link", name="编写报告").click()
    edit_path = reviewer.path

    summary = page.get_by_role("textbox", name="经验总结")
    summary.fill("本区上半年组织8家企业开展新型学徒制培训。")
    # A link right away (before the background save's pause): the text is saved first.
    with page.expect_navigation():
        page.get_by_role("link", name="添加典型案例").click()
    reviewer.goto(edit_path)
    assert page.get_by_role("textbox", name="经验总结").input_value() == "本区上半年组织8家企业开展新型学徒制培训。"

    # Another form's button (报送, refused because no case yet): the typed text is saved with it.
    page.get_by_role("textbox", name="经验总结").fill("本区上半年组织9家企业开展新型学徒制培训。")
    with page.expect_navigation():
        page.get_by_role("button", name="报送市职业能力建设指导中心").click()
    reviewer.goto(edit_path)
    assert page.get_by_role("textbox", name="经验总结").input_value() == "本区上半年组织9家企业开展新型学徒制培训。"

    # Typing and waiting: saved in the background, no button at all.
    page.get_by_role("textbox", name="经验总结").fill("本区上半年组织10家企业开展新型学徒制培训。")
    page.locator("[data-autosave-status]", has_text="已自动保存").wait_for()
    reviewer.goto(edit_path)
    assert page.get_by_role("textbox", name="经验总结").input_value() == "本区上半年组织10家企业开展新型学徒制培训。"
