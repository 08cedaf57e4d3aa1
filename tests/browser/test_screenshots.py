"""`make screenshots`: PNGs of the key screens at 1366x768 into docs/screenshots/ for the README.

Runs only with ``--screenshots`` (otherwise skipped: "run make screenshots"). Every page shot also
passes the page checks. Demo data comes from the seed; a recorded quarterly plan and an accepted
semiannual report (with a picture) are prepared through the service layer first, as the scheduler and
the people of the other stories would have left them.
"""

from __future__ import annotations

import io
import subprocess
from typing import Any

import pytest
from PIL import Image, ImageDraw

from tests.browser.conftest import UserPage
from tests.browser.helpers import (
    occupation_with_textbooks,
    one_year_from,
    people,
    pick_occupation,
    start_of_next_month,
)
from workflows import clock, deadlines
from workflows.plans import use_cases as plan_cases
from workflows.reports import config as report_config
from workflows.reports import editing as report_editing
from workflows.reports import files as report_files
from workflows.reports import opening as report_opening
from workflows.reports import review as report_review

pytestmark = pytest.mark.browser

NOTO_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


def _cjk_fonts_installed() -> bool:
    try:
        listing = subprocess.run(["fc-list", ":lang=zh-cn", "family"], capture_output=True, text=True, timeout=30)
    except FileNotFoundError:
        return False
    return "Noto Sans CJK" in listing.stdout


def _picture() -> bytes:
    image = Image.new("RGB", (960, 600), (226, 236, 247))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 430, 960, 600), fill=(120, 134, 152))
    for x in (120, 420, 720):
        draw.rectangle((x, 250, x + 180, 430), fill=(11, 87, 164))
        draw.rectangle((x + 30, 200, x + 150, 250), fill=(52, 120, 190))
    draw.ellipse((60, 60, 160, 160), fill=(245, 180, 60))
    try:
        from PIL import ImageFont

        font = ImageFont.truetype(NOTO_FONT, 56)
        draw.text((300, 80), "车间课堂 · 双导师带徒", fill=(20, 40, 70), font=font)
    except OSError:
        pass
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def prepared(live_server) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """A recorded quarterly plan for 天河区 and an accepted 天河区 report with a pictured case."""
    if not _cjk_fonts_installed():
        pytest.fail("截图需要中文字体：以 root 运行 `make browser`，或 `sudo apt-get install -y fonts-noto-cjk` "
                    "(screenshots need fonts-noto-cjk).", pytrace=False)
    from sqlalchemy import select

    from webapp.extensions import db
    from webapp.reports.views import limits
    from workflows.clock import now
    from workflows.dto import Actor
    from workflows.models import User

    app = live_server.app
    with app.app_context(), app.test_request_context():
        def actor(username: str) -> Actor:
            u = db.session.scalars(select(User).where(User.username == username)).one()
            return Actor(u.id, u.display_name, u.role, u.district_code, u.enterprise_id)

        city, district = actor("city"), actor("review-440106")
        year, quarter = deadlines.quarter_of(clock.china_today())
        instance = plan_cases.open_plan(db.session, city, "440106", year, quarter)
        plan_cases.submit_plan(db.session, district, instance.id,
                          plan_cases.PlanEdit(notes="本季度重点支持智能装备制造企业。",
                                         justification="", rows=[]))
        plan_id = instance.id

        ry, rh = report_config.last_ended_half(now())
        report = report_opening.open_report(db.session, "440106", ry, rh)
        report_editing.save_summary(db.session, district, report.id,
                             "上半年天河区组织企业开展新型学徒制培训，企业导师与院校导师联合带教，学徒取证率明显提高。")
        occupation = occupation_with_textbooks()
        for title, enterprise in (("“车间课堂”双导师带徒", "广州天河智能装备有限公司"),
                                  ("云服务运维技培生成长计划", "广州天河云服科技有限公司")):
            report_editing.save_case(
                db.session, district, report.id, None,
                report_editing.CaseData(title=title, enterprise_name=enterprise, occupation_code=occupation.code,
                                 apprenticeship_type="enterprise_apprentice",
                                 narrative="企业导师每周两次在车间授课，院校导师每月到厂指导；学徒一年内全部取得四级证书。"),
                [report_files.Incoming(stream=io.BytesIO(_picture()), filename="车间课堂.png", mimetype="image/png",
                                  kind="picture")],
                upload_dir=app.config["UPLOAD_DIR"], limits=limits())
        report_review.submit_report(db.session, district, report.id)
        report_review.review_report(db.session, city, report.id, "accept", "")
        return {"plan": plan_id, "report": report.id}


def _shot(user: UserPage, config: pytest.Config, name: str, path: str | None = None,
          scroll_to: str | None = None) -> None:
    if path is not None:
        user.visit(path, name)
    else:
        user.check(name)
    page = user.page
    if page.locator(".diagram").count():
        page.locator(".diagram .djs-element").first.wait_for(state="attached")
        page.wait_for_timeout(300)  # the viewer's fit-to-window after layout
    if scroll_to:
        page.locator(scroll_to).first.evaluate("el => el.scrollIntoView({block: 'start'})")
    else:
        page.evaluate("window.scrollTo(0, 0)")
    user.shot(config, name)


def test_screenshots_of_the_enterprise_screens(as_user, live_server, prepared, pytestconfig) -> None:  # type: ignore[no-untyped-def]
    anonymous = as_user(None)
    anonymous.visit("/login", "登录")
    anonymous.page.get_by_label("用户名").fill("ent-440106-1")
    _shot(anonymous, pytestconfig, "01-login.png")

    clerk = as_user("ent-440106-1")
    _shot(clerk, pytestconfig, "02-enterprise-filings.png", "/filings/")

    clerk.visit("/filings/new", "新建培训备案")
    page = clerk.page
    occupation = live_server.call(occupation_with_textbooks)
    start = start_of_next_month()
    pick_occupation(page, occupation.code, occupation.name)
    page.get_by_label("培训机构名称").fill("广州市工贸技师学院")
    page.get_by_label("培训开始日期").fill(start.isoformat())
    page.get_by_label("培训结束日期").fill(one_year_from(start).isoformat())
    page.get_by_label("企业导师").fill("陈师傅")
    page.get_by_label("院校导师").fill("李老师")
    for i, person in enumerate(people(seed=3, n=3)):
        if i:
            page.get_by_role("button", name="添加学员").click()
        page.locator(f"#trainees-{i}-name").fill(person.name)
        page.locator(f"#trainees-{i}-id_number").fill(person.id_number)
        page.locator(f"#trainees-{i}-job_post").fill(occupation.job_post)
        page.locator(f"#trainees-{i}-contract_start").fill(f"{start.year - 1}-09-01")
    page.locator("#courses-0-name").fill(occupation.required_title)
    page.locator("#courses-0-hours").fill("600")
    page.locator("#courses-0-textbook_isbn").fill(occupation.required_isbn)
    _shot(clerk, pytestconfig, "03-filing-form.png", scroll_to="#trainees-section")

    _shot(clerk, pytestconfig, "12-notifications.png", "/notifications/")


def test_screenshots_of_the_district_screens(as_user, prepared, pytestconfig) -> None:  # type: ignore[no-untyped-def]
    reviewer = as_user("review-440106")
    _shot(reviewer, pytestconfig, "04-reviewer-inbox.png", "/tasks/")
    page = reviewer.page
    with page.expect_navigation():
        page.locator("table tbody tr", has_text="区人社局审核").first.get_by_role("link", name="办理").click()
    _shot(reviewer, pytestconfig, "05-review-with-checks.png", scroll_to="#checks")
    with page.expect_navigation():
        page.get_by_role("link", name="案件详情与流程图").click()
    _shot(reviewer, pytestconfig, "06-case-detail-diagram.png", scroll_to="#case-history")


def test_screenshots_of_the_city_screens(as_user, prepared, pytestconfig) -> None:  # type: ignore[no-untyped-def]
    city = as_user("city")
    _shot(city, pytestconfig, "07-dashboard.png", "/dashboard")
    _shot(city, pytestconfig, "08-city-cases.png", "/cases/")
    _shot(city, pytestconfig, "09-quarterly-plans.png", "/plans/")
    _shot(city, pytestconfig, "10-plan-detail.png", f"/plans/{prepared['plan']}")
    _shot(city, pytestconfig, "11-case-gallery.png", "/reports/gallery")
