"""Logging in and out through the real form, as every role; the login page passes the page checks."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_login_rejects_a_wrong_password_then_each_role_reaches_its_home(as_user) -> None:  # type: ignore[no-untyped-def]
    anonymous = as_user(None)
    page = anonymous.page
    anonymous.goto("/")
    assert "/login" in page.url
    anonymous.check("登录")
    page.get_by_label("用户名").fill("ent-440106-1")
    page.get_by_label("密码").fill("wrong-password")
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_load_state()
    assert "用户名或密码错误" in page.locator(".flash-error").inner_text()
    anonymous.check("登录失败", expect_status=401)

    for username in ("ent-440106-1", "review-440106", "city", "admin"):
        user = as_user(username)
        assert user.page.locator(".header-user .user-name").inner_text().strip()
        with user.page.expect_navigation():
            user.page.get_by_role("button", name="退出").click()
        assert "/login" in user.page.url
        assert "您已安全退出" in user.page.locator(".flash").inner_text()
        user.check("退出后")
