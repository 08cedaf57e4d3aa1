"""Every screen each role reaches from its navigation (and the admin area's own sub-navigation) passes
the page checks: no console errors, nothing from another host, labelled controls, no sideways scrolling
at 1366x768 or 390x844."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.browser


def _links(user, selector: str) -> list[str]:  # type: ignore[no-untyped-def]
    hrefs = user.page.eval_on_selector_all(selector, "els => els.map(e => e.getAttribute('href'))")
    paths = []
    for href in hrefs:
        path = urlsplit(href or "").path
        if path.startswith("/") and path not in paths:
            paths.append(path)
    return paths


@pytest.mark.parametrize("username", ["ent-440106-1", "review-440106", "city", "admin"])
def test_every_screen_in_the_navigation_passes_the_page_checks(as_user, username: str) -> None:  # type: ignore[no-untyped-def]
    user = as_user(username)
    pages = _links(user, "nav.site-nav a, a.notify-link")
    assert pages, f"{username} 没有导航"
    seen: set[str] = set()
    queue = list(pages)
    while queue:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        user.visit(path)
        if path in pages or path.startswith("/admin"):
            # One level down: the first row's links of each list (case, plan, report, edit forms).
            queue += [p for p in _links(user, "main table tbody tr:first-child a, main .gallery a")[:3]
                      if p not in seen and not p.endswith((".xlsx", ".csv", ".bpmn"))]
        if path.startswith("/admin"):
            queue += [p for p in _links(user, 'main nav[aria-label="系统管理"] a') if p not in seen]
    assert len(seen) >= len(pages)
