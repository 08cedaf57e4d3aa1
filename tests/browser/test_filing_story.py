"""The training filing end to end, as the people in SPEC section 2 do it in a browser:

enterprise clerk fills a filing (adds and removes trainee and course rows, sees the fund plan), saves a
draft, submits with a wrong ID number, sees the error next to that field, fixes it and submits; the
district reviewer returns it with a comment (check results in view); the clerk sees the comment, revises
and resubmits; the reviewer approves, confirming the job-post mismatch the revision introduced; city
staff record it; the case shows 已备案 with its full history and diagram to all three.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import UserPage
from tests.browser.helpers import (
    occupation_with_textbooks,
    one_year_from,
    people,
    pick_occupation,
    rows,
    start_of_next_month,
    text_of,
    wrong_check_digit,
    yuan,
)
from workflows import policy

pytestmark = pytest.mark.browser

RETURN_COMMENT = "请补充第2名学员的劳动合同起始日期，并核对工作岗位。"
MISMATCHED_POST = "仓库管理员"


def _rate(live_server, apprenticeship_type: str, level: int) -> int:  # type: ignore[no-untyped-def]
    from webapp.extensions import db


    with live_server.app.app_context():
        return policy.in_force(db.session).rate(apprenticeship_type, level)


def _occupation(live_server):  # type: ignore[no-untyped-def]
    """Read from the live server's catalogue (the database's, as the form uses)."""
    return live_server.call(occupation_with_textbooks)


def _fill_trainee(page, i: int, person, post: str, contract: str = "") -> None:  # type: ignore[no-untyped-def]
    page.locator(f"#trainees-{i}-name").fill(person.name)
    page.locator(f"#trainees-{i}-id_number").fill(person.id_number)
    page.locator(f"#trainees-{i}-job_post").fill(post)
    if contract:
        page.locator(f"#trainees-{i}-contract_start").fill(contract)


def _fill_course(page, i: int, category: str, name: str, hours: int, isbn: str) -> None:  # type: ignore[no-untyped-def]
    page.locator(f"#courses-{i}-category").select_option(category)
    page.locator(f"#courses-{i}-name").fill(name)
    page.locator(f"#courses-{i}-hours").fill(str(hours))
    page.locator(f"#courses-{i}-textbook_isbn").fill(isbn)


def _pick_occupation(page, occupation) -> None:  # type: ignore[no-untyped-def]
    """The searchable occupation picker: type the name, choose the entry."""
    pick_occupation(page, occupation.code, occupation.name)


def _submit_form(user: UserPage, button: str) -> None:
    """Click a submit button (its data-confirm dialog is accepted) and wait for the next page."""
    with user.page.expect_navigation():
        user.page.get_by_role("button", name=button, exact=True).click()


def _open_task(user: UserPage, key: str, expect_title: str) -> None:
    """From 待办, open the task of case ``key``."""
    user.visit("/tasks/", "待办")
    row = user.page.locator("table tbody tr", has_text=key)
    assert row.count() == 1, f"待办中没有 {key}：{text_of(user.page.locator('main'))[:400]}"
    with user.page.expect_navigation():
        row.get_by_role("link", name="办理").click()
    assert user.page.locator("h1").inner_text().strip() == expect_title
    user.check(expect_title)


def _decide(user: UserPage, decision: str, comment: str = "", expect_status: int | None = None) -> None:
    """Decide from the bar fixed at the bottom of the task page: the comment, then the decision's button."""
    page = user.page
    if comment:
        page.locator("#decision").get_by_label("意见", exact=True).fill(comment)
    button = page.locator("#decision").get_by_role("button", name=decision, exact=True)
    with page.expect_navigation():
        button.click()
    assert user.dialogs and f"“{decision}”" in user.dialogs[-1]
    if expect_status is None:
        assert "/tasks/" in user.path and "已办理" in text_of(page.locator(".flash-success")), text_of(page.locator("main"))[:500]
        user.check("待办（办理后）")


def _case_detail(user: UserPage, case_path: str) -> str:
    """Open the case, check it, wait for the diagram; returns the status label."""
    user.visit(case_path, "案件详情")
    page = user.page
    page.locator("details.diagram-section > summary").click()  # the 流程图 section opens on demand
    page.locator(".diagram svg").first.wait_for(state="attached")
    page.locator(".diagram .djs-element").first.wait_for(state="attached")
    user.check("案件详情（流程图已加载）")
    return page.locator(".page-header .status").first.inner_text().strip()


def test_filing_from_draft_to_recorded(as_user, live_server) -> None:  # type: ignore[no-untyped-def]
    occupation = _occupation(live_server)
    trainees = people(seed=11, n=3)
    start = start_of_next_month()
    rate = _rate(live_server, "enterprise_apprentice", 4)

    # ---- Enterprise clerk: a new filing -------------------------------------------------------
    clerk = as_user("ent-440106-1")
    page = clerk.page
    assert clerk.path.startswith("/filings/"), clerk.path
    with page.expect_navigation():
        page.get_by_role("link", name="新建培训备案").first.click()
    clerk.check("新建培训备案")

    page.get_by_label("企业新型学徒", exact=True).check()
    _pick_occupation(page, occupation)
    page.get_by_label("技能等级").select_option("4")
    page.get_by_label("培训机构名称").fill("广州市工贸技师学院")
    page.get_by_label("培训机构类型").select_option("technical_school")
    page.get_by_label("培训开始日期").fill(start.isoformat())
    page.get_by_label("培训结束日期").fill(one_year_from(start).isoformat())
    page.get_by_label("企业导师").fill("陈师傅")
    page.get_by_label("院校导师").fill("李老师")

    # Trainees: one row to start with; add two, remove the middle one.
    assert rows(page, "trainees").count() == 1
    _fill_trainee(page, 0, trainees[0], occupation.job_post, f"{start.year - 1}-09-01")
    page.get_by_role("button", name="添加学员").click()
    _fill_trainee(page, 1, trainees[1], occupation.job_post)
    page.get_by_role("button", name="添加学员").click()
    _fill_trainee(page, 2, trainees[2], occupation.job_post, f"{start.year - 1}-10-01")
    assert rows(page, "trainees").count() == 3
    rows(page, "trainees").nth(1).get_by_role("button", name="删除").click()
    assert rows(page, "trainees").count() == 2
    # The remaining rows are renumbered: the third person is now row 2 with index 1.
    assert page.locator("#trainees-1-name").input_value() == trainees[2].name
    assert rows(page, "trainees").nth(1).locator("[data-row-number]").inner_text().strip() == "2"
    assert page.locator("#trainees-2-name").count() == 0

    # Courses: the required course and a skill course; a third one added and removed again.
    _fill_course(page, 0, "general_required", occupation.required_title, 150, occupation.required_isbn)
    page.get_by_role("button", name="添加课程").click()
    _fill_course(page, 1, "professional_skill", occupation.skill_title, 450, occupation.skill_isbn)
    page.get_by_role("button", name="添加课程").click()
    assert rows(page, "courses").count() == 3
    rows(page, "courses").nth(2).get_by_role("button", name="删除").click()
    assert rows(page, "courses").count() == 2

    # The fund plan, estimated live: 2 people x rate x 1 year.
    estimate = page.locator("[data-fund-estimate]")
    estimate.wait_for(state="visible")
    expected_total = yuan(2 * rate * 100)
    assert "2 人" in estimate.inner_text() and expected_total in estimate.inner_text(), estimate.inner_text()
    clerk.check("新建培训备案（已填写）")

    _submit_form(clerk, "保存草稿")
    assert re.fullmatch(r"/filings/\d+/edit", clerk.path), clerk.path
    assert "草稿已保存" in text_of(page.locator(".flash-success"))
    fund = text_of(page.locator("#fund-plan"))
    assert "2 人" in fund and expected_total in fund, fund
    assert page.locator("#trainees-1-name").input_value() == trainees[2].name
    clerk.check("编辑培训备案（草稿）")
    edit_path = clerk.path

    # ---- Submit with a wrong ID number: the hard error sits next to that field ---------------
    page.locator("#trainees-1-id_number").fill(wrong_check_digit(trainees[2].id_number))
    _submit_form(clerk, "提交")
    assert clerk.path == edit_path
    assert any("确定提交" in d for d in clerk.dialogs)
    error = page.locator("#trainees-1-id_number-error")
    assert error.is_visible() and "身份证" in error.inner_text(), text_of(page.locator("main"))[:600]
    assert page.locator("#trainees-1-id_number").get_attribute("aria-invalid") == "true"
    assert page.locator("#trainees-0-id_number-error").count() == 0
    assert page.locator("#error-summary a[href='#trainees-1-id_number']").count() == 1
    clerk.check("提交未通过校验", expect_status=422)

    page.locator("#trainees-1-id_number").fill(trainees[2].id_number)
    _submit_form(clerk, "提交")
    assert re.fullmatch(r"/cases/\d+", clerk.path), clerk.path
    case_path = clerk.path
    assert "已提交" in text_of(page.locator(".flash-success"))
    key = page.locator(".page-header .subtitle .mono").inner_text().strip()
    assert _case_detail(clerk, case_path) == "待区审核"
    # The diagram highlights where the case is now: the district's review.
    assert page.locator(".diagram .djs-element.highlight-current").count() >= 1
    assert page.locator(".diagram .djs-element.highlight-done").count() >= 1

    # ---- District reviewer: return with a comment, check results in view ----------------------
    reviewer = as_user("review-440106")
    _open_task(reviewer, key, "区人社局审核")
    rpage = reviewer.page
    checks = rpage.locator("#checks")
    assert checks.is_visible()
    assert checks.locator(".checks li").count() >= 3
    assert "硬性问题 0 项" in text_of(checks)
    _decide(reviewer, "退回修改", RETURN_COMMENT)
    assert rpage.locator("table tbody tr", has_text=key).count() == 0

    # ---- Enterprise: sees the comment, revises, resubmits -------------------------------------
    clerk.visit("/filings/", "我的备案")
    row = page.locator("table tbody tr", has_text=key)
    assert "已退回待修改" in text_of(row)
    with page.expect_navigation():
        row.get_by_role("link", name="修改后重新提交").click()
    clerk.check("修改培训备案")
    assert RETURN_COMMENT in text_of(page.locator(".return-notice"))
    page.locator("#trainees-1-contract_start").fill(f"{start.year - 1}-10-08")
    page.locator("#trainees-1-job_post").fill(MISMATCHED_POST)
    _submit_form(clerk, "提交")
    assert clerk.path == case_path, clerk.path
    assert "重新提交" in text_of(page.locator(".flash-success"))
    assert _case_detail(clerk, case_path) == "待区审核"

    # ---- Reviewer: approve; the mismatch must be confirmed first ------------------------------
    _open_task(reviewer, key, "区人社局审核")
    assert RETURN_COMMENT in text_of(rpage.locator("main"))  # the earlier comment stays in view
    warn = rpage.locator("#checks .check-soft-warn", has_text=MISMATCHED_POST)
    assert warn.count() == 1, text_of(rpage.locator("#checks"))
    _decide(reviewer, "通过", expect_status=422)  # not confirmed yet: refused, nothing changes
    assert "未确认" in text_of(rpage.locator("#checks"))
    reviewer.check("审核（未确认岗位不一致）", expect_status=422)
    rpage.locator("#checks .check-soft-warn", has_text=MISMATCHED_POST).get_by_role("checkbox").check()
    _decide(reviewer, "通过")

    # ---- City staff: record --------------------------------------------------------------------
    city = as_user("city")
    _open_task(city, key, "市级备案")
    assert city.page.locator("#checks").is_visible()
    _decide(city, "予以备案")

    # ---- Everyone sees 已备案 with the whole history ------------------------------------------
    for user in (clerk, reviewer, city):
        assert _case_detail(user, case_path) == "已备案", user.username
        history = text_of(user.page.locator(".timeline").last)
        for label in ("创建备案草稿", "提交备案", "退回企业修改", RETURN_COMMENT, "重新提交", "区人社局审核通过",
                      "予以备案"):
            assert label in history, f"{user.username} 的办理记录缺少“{label}”：{history}"
        assert user.page.locator(".diagram .djs-element.highlight-done").count() >= 3
        assert "本案件已办结" in text_of(user.page.locator("main"))

    # Out of scope: another district's reviewer gets 404 for this case.
    other = as_user("review-440112")
    other.visit(case_path, "他区案件", expect_status=404)
