"""The page checks themselves: a deliberately bad page must fail each of them (so a green story means something)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

BAD_PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>坏页面</title></head><body>
<input type="text" name="nolabel">
<label for="ok">有标签</label><input id="ok" name="ok">
<input type="hidden" name="h"><input type="text" name="invisible" style="display:none">
<div style="width:1600px">太宽</div>
<img src="https://cdn.example.com/x.png" alt="">
<script>console.error("故意的错误");</script>
</body></html>"""

GOOD_PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>好页面</title></head><body>
<label>包着的标签 <input name="a"></label><input aria-label="无障碍标签" name="b">
<span id="l">外部标签</span><select aria-labelledby="l"><option>1</option></select>
<textarea id="t"></textarea><label for="t">备注</label>
</body></html>"""


def test_page_checks_catch_console_errors_foreign_requests_unlabeled_controls_and_overflow(as_user) -> None:  # type: ignore[no-untyped-def]
    user = as_user(None)
    def serve(html: str):  # type: ignore[no-untyped-def]
        return lambda route: route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)

    user.page.route(user.url("/__bad"), serve(BAD_PAGE))
    user.page.route(user.url("/__good"), serve(GOOD_PAGE))
    user.goto("/__bad")
    with pytest.raises(AssertionError) as failure:
        user.check("坏页面")
    message = str(failure.value)
    assert "故意的错误" in message
    assert "https://cdn.example.com/x.png" in message
    assert 'name="nolabel"' in message
    assert 'name="ok"' not in message and 'name="invisible"' not in message
    assert "1366x768 页面横向滚动" in message and "390x844 页面横向滚动" in message

    user.visit("/__good", "好页面")
