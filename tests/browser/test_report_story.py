"""Semiannual experience report (R10) in a browser: the half-year's report is opened (the scheduler's job,
done here through the service); the district reviewer writes the summary, adds a typical case with a
picture uploaded from disk, and submits; city staff accept it; the case and its picture appear in the
gallery (典型案例库)."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw

from tests.browser.conftest import UserPage
from tests.browser.helpers import text_of
from workflows import errors
from workflows.reports import config as report_config
from workflows.reports import opening as report_opening

pytestmark = pytest.mark.browser

DISTRICT = "440105"
CASE_TITLE = "海珠区“车间课堂”双导师带徒案例"
SUMMARY = ("上半年本区组织12家企业开展企业新型学徒制培训，覆盖学徒186人。\n\n"
           "主要做法：企业导师与院校导师共同制定培养计划，每月联合考核一次。")


def _open_report(live_server) -> str:  # type: ignore[no-untyped-def]
    """What the scheduler does when a half-year ends: open the district's report for it."""
    from webapp.extensions import db
    from workflows.clock import now

    with live_server.app.app_context():
        year, half = report_config.last_ended_half(now())
        try:
            report_opening.open_report(db.session, DISTRICT, year, half)
        except errors.Conflict:  # already opened (e.g. by an earlier run in this worker)
            pass
        return report_config.business_key(DISTRICT, year, half)


def _picture(tmp_path) -> str:  # type: ignore[no-untyped-def]
    path = tmp_path / "车间课堂.png"
    image = Image.new("RGB", (640, 400), (232, 240, 250))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, 600, 360), outline=(11, 87, 164), width=8)
    draw.ellipse((240, 120, 400, 280), fill=(199, 119, 0))
    image.save(path, "PNG")
    return str(path)


def _click(user: UserPage, name: str, scope: str = "main") -> None:
    with user.page.expect_navigation():
        user.page.locator(scope).get_by_role("button", name=name, exact=True).click()


def _images_loaded(user: UserPage, selector: str) -> int:
    """How many of the matching images loaded (the thumbnails are served by the app itself)."""
    images = user.page.locator(selector)
    for i in range(images.count()):
        images.nth(i).scroll_into_view_if_needed()
    user.page.wait_for_function(
        "s => [...document.querySelectorAll(s)].every(i => i.complete)", arg=selector)
    return user.page.eval_on_selector_all(selector, "els => els.filter(i => i.naturalWidth > 0).length")


def test_semiannual_report_with_picture_submitted_accepted_and_in_gallery(as_user, live_server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    key = _open_report(live_server)
    picture = _picture(tmp_path)

    # ---- The district writes ------------------------------------------------------------------
    reviewer = as_user(f"review-{DISTRICT}")
    reviewer.visit("/reports/", "半年报告")
    page = reviewer.page
    row = page.locator("table tbody tr", has_text=key)
    with page.expect_navigation():
        row.get_by_role("link", name="编写报告").click()
    reviewer.check("编写半年报告")
    edit_path = reviewer.path

    # Submitting an empty report is refused with what is missing.
    _click(reviewer, "报送市职业能力建设指导中心")
    assert "经验总结" in text_of(page.locator(".flash-error"))
    reviewer.check("编写半年报告（不完整）", expect_status=422)

    page.get_by_role("textbox", name="经验总结").fill(SUMMARY)
    _click(reviewer, "保存经验总结")
    assert "已保存" in text_of(page.locator(".flash-success"))
    reviewer.check("编写半年报告（已保存总结）")

    with page.expect_navigation():
        page.get_by_role("link", name="添加典型案例").click()
    reviewer.check("添加典型案例")
    page.get_by_label("案例标题").fill(CASE_TITLE)
    page.get_by_label("企业名称").fill("广州海珠精工机械有限公司")
    page.get_by_label("职业（工种）").select_option(index=1)
    page.get_by_label("学徒类型").select_option("enterprise_apprentice")
    page.get_by_label("案例内容").fill("企业导师每周两次在车间授课，院校导师每月到厂指导；学徒一年内全部取得四级证书。")
    page.get_by_label("图片").set_input_files(picture)
    _click(reviewer, "保存案例")
    assert reviewer.path == edit_path, reviewer.path
    assert CASE_TITLE in text_of(page.locator(".flash-success"))
    assert _images_loaded(reviewer, "main img") >= 1, "上传的图片缩略图没有显示"
    reviewer.check("编写半年报告（已添加案例）")

    _click(reviewer, "报送市职业能力建设指导中心")
    assert any("确定报送" in d for d in reviewer.dialogs)
    assert "已报送" in text_of(page.locator(".flash-success")), text_of(page.locator("main"))[:500]
    page.locator(".diagram .djs-element").first.wait_for(state="attached")
    reviewer.check("半年报告（已报送）")
    detail_path = reviewer.path

    # ---- City staff accept ----------------------------------------------------------------------
    city = as_user("city")
    city.visit("/reports/", "半年报告")
    cpage = city.page
    row = cpage.locator("table tbody tr", has_text=key)
    with cpage.expect_navigation():
        row.get_by_role("link", name="接收").click()
    city.check("接收半年报告")
    assert CASE_TITLE in text_of(cpage.locator("main"))
    assert _images_loaded(city, "main img") >= 1
    cpage.get_by_label("接收", exact=True).check()
    _click(city, "提交")
    assert "已接收" in text_of(cpage.locator(".flash-success"))
    city.check("半年报告列表（已接收）")

    # ---- Both see it accepted; the case is in the gallery with its picture ----------------------
    for user in (city, reviewer):
        user.visit(detail_path, "半年报告")
        user.page.locator(".diagram .djs-element").first.wait_for(state="attached")
        user.check("半年报告（已接收）")
        state = text_of(user.page.locator("section[aria-labelledby='report-state']"))
        assert "已接收" in state, f"{user.username}: {state}"
        assert "报送半年报告" in text_of(user.page.locator("main")), user.username  # the history

        user.visit("/reports/gallery", "典型案例库")
        card = user.page.locator("main").get_by_role("link", name=CASE_TITLE)
        assert card.count() == 1, text_of(user.page.locator("main"))[:500]
        assert _images_loaded(user, "main img") >= 1
        with user.page.expect_navigation():
            card.click()
        user.check("典型案例")
        assert _images_loaded(user, "main img") >= 1
