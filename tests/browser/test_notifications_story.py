"""站内信 in a browser: the district returns a filing; the enterprise's bell shows one more unread message;
the clerk opens it from 站内信, lands on the case with the comment, and the count goes down; 全部标为已读
clears the bell."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import UserPage
from tests.browser.helpers import text_of

pytestmark = pytest.mark.browser

ENTERPRISE_USER = "ent-440112-2"
ENTERPRISE_NAME = "广州黄埔精密模具有限公司"
COMMENT = "请补充企业导师的技能等级证书编号。"


def _unread(user: UserPage) -> int:
    """The count the bell announces (0 when it shows none)."""
    label = user.page.locator("a.notify-link").get_attribute("aria-label") or ""
    match = re.search(r"（(\d+) 条未读）", label)
    badge = user.page.locator("a.notify-link .notify-count")
    if match is None:
        assert badge.count() == 0
        return 0
    assert badge.inner_text().strip() == (match.group(1) if int(match.group(1)) < 100 else "99+")
    return int(match.group(1))


def test_a_return_reaches_the_enterprise_bell_and_is_read(as_user) -> None:  # type: ignore[no-untyped-def]
    clerk = as_user(ENTERPRISE_USER)
    before = _unread(clerk)

    # The district returns this enterprise's filing that waits for review.
    reviewer = as_user("review-440112")
    reviewer.visit("/tasks/", "待办")
    row = reviewer.page.locator("table tbody tr", has_text=ENTERPRISE_NAME).filter(has_text="区人社局审核").first
    with reviewer.page.expect_navigation():
        row.get_by_role("link", name="办理").click()
    reviewer.check("区人社局审核")
    key = reviewer.page.locator(".page-header .subtitle .mono").inner_text().strip()
    bar = reviewer.page.locator("#decision")  # the decision bar fixed at the bottom of the page
    bar.get_by_label("意见", exact=True).fill(COMMENT)
    with reviewer.page.expect_navigation():
        bar.get_by_role("button", name="退回修改", exact=True).click()
    assert "已办理" in text_of(reviewer.page.locator(".flash-success"))
    reviewer.check("待办（办理后）")

    # The clerk's bell counts it; 站内信 lists it first, with the comment.
    clerk.visit("/filings/", "我的备案")
    assert _unread(clerk) == before + 1
    with clerk.page.expect_navigation():
        clerk.page.locator("a.notify-link").click()
    clerk.check("站内信")
    newest = clerk.page.locator(".notification").first
    assert "notification-unread" in (newest.get_attribute("class") or "")
    assert COMMENT in text_of(newest), text_of(newest)
    with clerk.page.expect_navigation():
        newest.get_by_role("button", name="查看").click()
    clerk.check("站内信链接的案件")
    assert key in text_of(clerk.page.locator("main")) and COMMENT in text_of(clerk.page.locator("main"))
    assert _unread(clerk) == before

    # 全部标为已读 empties the bell.
    if before:
        clerk.visit("/notifications/", "站内信")
        with clerk.page.expect_navigation():
            clerk.page.get_by_role("button", name="全部标为已读").click()
        assert "已读" in text_of(clerk.page.locator(".flash-success"))
        clerk.check("站内信（全部已读）")
    clerk.visit("/notifications/", "站内信")
    assert _unread(clerk) == 0
    assert clerk.page.locator(".notification-unread").count() == 0
