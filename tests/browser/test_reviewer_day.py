"""A reviewer's day in a browser: a refused decision comes back to the bar fixed at the bottom with the
error beside the comment and the focus on it; rows of the inbox selected (one by one and 全选) and
approved at once, the items that cannot pass reported and left untouched."""

from __future__ import annotations

import pytest

from tests.browser.helpers import text_of

pytestmark = pytest.mark.browser

DISTRICT = "440113"  # 番禺: no other story works there


def _submit_filings(seeds: tuple[int, ...], mismatch: bool = False) -> list[str]:
    """Submit fresh filings of 番禺's demo enterprise through the service; their case numbers."""
    from sqlalchemy import select

    from webapp.extensions import db
    from workflows import service
    from workflows.demo import sample_filing
    from workflows.dto import Actor
    from workflows.models import User, WorkflowInstance

    clerk = db.session.scalars(select(User).where(User.username == f"ent-{DISTRICT}-1")).one()
    who = Actor(clerk.id, clerk.display_name, "enterprise", clerk.district_code, clerk.enterprise_id)
    keys = []
    for seed in seeds:
        data = sample_filing(seed)
        if mismatch:
            data.trainees[0].job_post = "出纳会计"
        filing = service.create_filing(db.session, who, data)
        service.submit_filing(db.session, who, filing.id)
        keys.append(db.session.get(WorkflowInstance, filing.instance_id).business_key)
    return keys


def test_refused_decision_returns_to_the_bar_with_focus_on_the_comment(as_user, live_server) -> None:  # type: ignore[no-untyped-def]
    [key] = live_server.call(_submit_filings, (9101,))
    reviewer = as_user(f"review-{DISTRICT}")
    page = reviewer.page
    reviewer.visit("/tasks/", "待办")
    with page.expect_navigation():
        page.locator("table tbody tr", has_text=key).get_by_role("link", name="办理").click()
    reviewer.check("区人社局审核")
    bar = page.locator("#decision")
    assert bar.evaluate("el => getComputedStyle(el).position") == "fixed"
    box, height = bar.bounding_box(), page.viewport_size["height"]
    assert box is not None and box["y"] + box["height"] <= height + 1 and box["y"] > height / 2  # at the bottom
    with page.expect_navigation():
        bar.get_by_role("button", name="退回修改", exact=True).click()  # no comment: refused
    reviewer.check("审核（退回未填意见）", expect_status=422)
    assert page.evaluate("() => document.activeElement && document.activeElement.id") == "comment"
    assert "必须填写意见" in text_of(page.locator("#comment-error"))
    box = page.locator("#comment").bounding_box()
    assert box is not None and 0 <= box["y"] <= page.viewport_size["height"]  # in view, in the bar
    page.locator("#comment").fill("请补充劳动合同")
    with page.expect_navigation():
        bar.get_by_role("button", name="退回修改", exact=True).click()
    assert "已办理" in text_of(page.locator(".flash-success"))


def test_batch_selection_in_the_inbox(as_user, live_server) -> None:  # type: ignore[no-untyped-def]
    good = live_server.call(_submit_filings, (9201, 9202))
    [bad] = live_server.call(_submit_filings, (9203,), True)
    reviewer = as_user(f"review-{DISTRICT}")
    page = reviewer.page
    reviewer.visit("/tasks/?sort=-submitted", "待办")
    boxes = page.locator("input[name=task_ids]")
    select_all = page.get_by_label("全选本页可批量办理的任务")
    select_all.check()
    assert all(boxes.nth(i).is_checked() for i in range(boxes.count()))
    select_all.uncheck()
    assert not any(boxes.nth(i).is_checked() for i in range(boxes.count()))
    for key in (*good, bad):
        page.locator("table tbody tr", has_text=key).locator("input[name=task_ids]").check()
    assert select_all.evaluate("el => el.indeterminate || el.checked")  # mixed unless these are all the rows
    page.get_by_label("意见", exact=True).fill("材料齐全，同意")
    with page.expect_navigation():
        page.get_by_role("button", name="批量通过").click()
    assert reviewer.dialogs and "“通过”" in reviewer.dialogs[-1]
    reviewer.check("待办（批量办理后）")
    assert "已批量办理 2 项" in text_of(page.locator(".flash-success"))
    failure = text_of(page.locator(".flash-error"))
    assert "1 项未办理" in failure and bad in failure and "岗位与培训职业不一致" in failure
    rows = page.locator("table tbody tr")
    remaining = " ".join(text_of(rows.nth(i)) for i in range(rows.count()))
    assert bad in remaining and not any(k in remaining for k in good)


def test_case_page_steps_and_the_diagram_summary_in_chinese(as_user, live_server) -> None:  # type: ignore[no-untyped-def]
    import re

    [key] = live_server.call(_submit_filings, (9301,))
    city = as_user("city")
    page = city.page
    city.visit(f"/cases/?q={key}", "案件查询")
    with page.expect_navigation():
        page.locator("table tbody tr", has_text=key).locator("a").first.click()
    city.check("案件详情")
    steps = page.get_by_role("navigation", name="办理进度")
    assert "区审核" in text_of(steps.locator('[aria-current="step"]'))
    assert not page.locator(".diagram svg").count()  # the 流程图 section is closed: nothing drawn yet
    page.locator("details.diagram-section > summary").click()
    page.locator(".diagram .djs-element.highlight-current").first.wait_for(state="attached")
    summary = page.locator(".diagram p.sr-only").inner_text()
    assert summary.startswith("当前环节：区人社局审核"), summary
    assert not re.search(r"[A-Za-z_]{3,}", summary), summary  # no element id such as fork or gw_urge_merge
    assert "提醒" not in summary.split("。")[0]  # boundary timers are never current steps
    city.check("案件详情（流程图已展开）")
