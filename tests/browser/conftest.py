"""Browser-test infrastructure: the real app on a free local port, Debian's Chromium through
Playwright, and the checks every page the stories visit must pass.

- ``live_server`` (session): a fresh SQLite file, the demo data (``workflows.demo.seed``), real CSRF,
  served by werkzeug in a background thread on 127.0.0.1. Each xdist worker gets its own.
- ``browser`` (session): /usr/bin/chromium, headless. Never downloads a Playwright browser; when
  Chromium is missing the fixture fails and says what to install.
- ``as_user(username)``: a fresh browser context logged in as that demo user; returns a ``UserPage``
  whose ``check()`` runs the page checks (no console errors, no request to any other host, every
  visible form control labelled, no horizontal scroll of the body at 1366x768 and 390x844).
- ``--screenshots``: only ``make screenshots`` passes it; without it the screenshot tests are skipped.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-quic", "--lang=zh-CN"]
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
VENDOR_FILE = ROOT / "webapp" / "static" / "vendor" / "bpmn-js" / "bpmn-navigated-viewer.production.min.js"
SCREENSHOT_DIR = ROOT / "docs" / "screenshots"
INSTALL_HINT = ("浏览器测试需要 Debian 的 Chromium 和中文字体：以 root 运行 `make browser`，或 "
                "`sudo apt-get install -y chromium fonts-noto-cjk` (browser tests need /usr/bin/chromium and "
                "fonts-noto-cjk).")


# --------------------------------------------------------------------------------------------------
# Options


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--screenshots", action="store_true", default=False,
                     help="write docs/screenshots/*.png (make screenshots)")


def screenshots_enabled(config: pytest.Config) -> bool:
    try:
        return bool(config.getoption("--screenshots"))
    except ValueError:  # option not registered: this conftest was not an initial one
        return False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if screenshots_enabled(config):
        return
    skip = pytest.mark.skip(reason="run make screenshots")
    for item in items:
        if item.path.name == "test_screenshots.py":
            item.add_marker(skip)


# --------------------------------------------------------------------------------------------------
# The application


@dataclass
class LiveServer:
    url: str
    app: Any

    def call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run ``fn`` inside the app's context (catalogues, policy, service set-up read its database)."""
        with self.app.app_context():
            return fn(*args, **kwargs)


def _ensure_vendor_assets() -> None:
    """bpmn-js is copied from node_modules by `make assets`; build it here if missing (one worker at a time)."""
    if VENDOR_FILE.is_file():
        return
    digest = hashlib.sha1(str(ROOT).encode()).hexdigest()[:12]  # the same name in every xdist worker
    lock_path = Path(tempfile.gettempdir()) / f"apprenticeship-vendor-{digest}.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if VENDOR_FILE.is_file():
                return
            if shutil.which("npm") is None:
                pytest.fail("缺少前端文件 webapp/static/vendor/bpmn-js/，且未安装 npm：请先运行 `make assets` "
                            "(vendor assets missing; run `make assets`).", pytrace=False)
            for cmd in (["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                        [sys.executable, "-m", "webapp.vendor", "-q"]):
                done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
                if done.returncode != 0:
                    pytest.fail(f"构建前端文件失败（{' '.join(cmd)}）：请运行 `make assets`。\n{done.stderr[-2000:]}",
                                pytrace=False)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The real app (real CSRF, no rate limit, TESTING off) with the demo data, on a free port."""
    from werkzeug.serving import make_server

    from config import TestConfig
    from webapp import create_app
    from webapp.extensions import db
    from workflows import demo
    from workflows.db import Base

    _ensure_vendor_assets()
    base = tmp_path_factory.mktemp("browser")

    class BrowserConfig(TestConfig):
        TESTING = False
        WTF_CSRF_ENABLED = True
        RATELIMIT_ENABLED = False
        SCHEDULER_ENABLED = False
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{base / 'browser.db'}"
        UPLOAD_DIR = str(base / "uploads")

    app = create_app(BrowserConfig)
    with app.app_context():
        Base.metadata.create_all(db.engine)
        demo.seed(db.session, BrowserConfig.UPLOAD_DIR)
        db.session.remove()

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="browser-live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


# --------------------------------------------------------------------------------------------------
# The browser


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"未找到 Chromium（{CHROMIUM}）。{INSTALL_HINT}", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        # LANGUAGE: Chromium on Linux takes its UI locale (date inputs: 2026/09/01) from the environment.
        env = {**os.environ, "LANGUAGE": "zh_CN"}
        instance = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS, env=env)
        try:
            yield instance
        finally:
            instance.close()


# --------------------------------------------------------------------------------------------------
# Page checks

_LABEL_CHECK = """
() => {
  const skipTypes = new Set(['hidden', 'submit', 'button', 'reset', 'image']);
  const text = (el) => (el && el.textContent || '').replace(/\\s+/g, ' ').trim();
  const problems = [];
  for (const el of document.querySelectorAll('input, select, textarea')) {
    if (el.tagName === 'INPUT' && skipTypes.has((el.getAttribute('type') || 'text').toLowerCase())) continue;
    const style = getComputedStyle(el);
    if (!el.getClientRects().length || style.visibility === 'hidden') continue;   // not visible
    let named = false;
    if (el.labels && Array.from(el.labels).some((l) => text(l))) named = true;
    if (!named && (el.getAttribute('aria-label') || '').trim()) named = true;
    const by = (el.getAttribute('aria-labelledby') || '').trim();
    if (!named && by) named = by.split(/\\s+/).some((id) => text(document.getElementById(id)));
    if (!named) problems.push(el.outerHTML.slice(0, 160));
  }
  return problems;
}
"""

_ERROR_CHECK = """
() => Array.from(document.querySelectorAll('.field-error, .is-invalid, [aria-invalid="true"]'))
  .filter((el) => el.getClientRects().length)
  .map((el) => (el.id ? '#' + el.id + ' ' : '') + (el.textContent || el.getAttribute('name') || '').trim().slice(0, 80))
"""

_OVERFLOW_CHECK = """
async () => {
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  const width = window.innerWidth;
  const scroll = document.documentElement.scrollWidth;
  if (scroll <= width) return null;
  const culprits = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.right > width + 0.5 && r.width > 0) {
      const parent = el.parentElement && el.parentElement.getBoundingClientRect();
      if (!parent || parent.right <= width + 0.5) {
        culprits.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
          (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '') +
          ' right=' + Math.round(r.right));
      }
    }
    if (culprits.length >= 8) break;
  }
  return {width, scroll, culprits};
}
"""

_IGNORED_SCHEMES = ("data:", "blob:", "about:", "chrome-extension:", "devtools:")


@dataclass
class PageProblems:
    """What the listeners saw since the last check."""

    console: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    responses: list[tuple[int, str, str]] = field(default_factory=list)  # status, resource type, url

    def clear(self) -> None:
        self.console.clear()
        self.foreign.clear()
        self.responses.clear()


class UserPage:
    """A logged-in (or anonymous) page plus the problems its listeners collect."""

    def __init__(self, context: Any, base_url: str, username: str | None) -> None:
        self.context = context
        self.base_url = base_url
        self.username = username
        self.page = context.new_page()
        self.problems = PageProblems()
        self.dialogs: list[str] = []
        self.checked: list[str] = []
        origin = urlsplit(base_url)
        self._origin = (origin.scheme, origin.netloc)
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda exc: self.problems.console.append(f"页面脚本异常: {exc}"))
        self.page.on("request", self._on_request)
        self.page.on("response", self._on_response)
        self.page.on("dialog", self._on_dialog)
        # Anything not from the app itself is recorded and blocked.
        context.route(lambda url: not self._own(url), self._block)

    # listeners ------------------------------------------------------------------------------
    def _own(self, url: str) -> bool:
        if url.startswith(_IGNORED_SCHEMES):
            return True
        parts = urlsplit(url)
        return (parts.scheme, parts.netloc) == self._origin

    def _block(self, route: Any) -> None:
        if route.request.url not in self.problems.foreign:
            self.problems.foreign.append(route.request.url)
        route.abort("blockedbyclient")

    def _on_request(self, request: Any) -> None:
        if not self._own(request.url) and request.url not in self.problems.foreign:
            self.problems.foreign.append(request.url)

    def _on_console(self, message: Any) -> None:
        if message.type != "error":
            return
        location = message.location or {}
        self.problems.console.append(f"console.error: {message.text} @ {location.get('url', '')}")

    def _on_response(self, response: Any) -> None:
        if response.status >= 400:
            self.problems.responses.append((response.status, response.request.resource_type, response.url))

    def _on_dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.accept()

    # navigation -----------------------------------------------------------------------------
    def url(self, path: str) -> str:
        return self.base_url + path

    def goto(self, path: str, expect_status: int = 200) -> Any:
        response = self.page.goto(self.url(path))
        assert response is not None and response.status == expect_status, (
            f"{path}: HTTP {response.status if response else '无响应'}，应为 {expect_status}")
        return response

    @property
    def path(self) -> str:
        parts = urlsplit(self.page.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    # checks ---------------------------------------------------------------------------------
    def check(self, name: str = "", expect_status: int | None = None) -> None:
        """Run every page check on the current page; fail with all problems found.

        ``expect_status`` is the status of the document shown (e.g. 422 for a form sent back with
        errors); 4xx responses for that document and the browser's console line about it are expected.
        """
        page = self.page
        page.wait_for_load_state("load")
        where = f"{name or page.title()} [{self.path}] as {self.username or '未登录'}"
        found: list[str] = []

        found.extend(self._collected(expect_status))
        if expect_status is None:
            # A page served 200 shows no validation errors (errors come back as 422 with the form).
            errors = page.evaluate(_ERROR_CHECK)
            found.extend(f"页面正常打开却显示了校验错误: {e}" for e in errors)
        current = page.locator('nav.site-nav [aria-current="page"]').count()
        if current > 1:
            found.append(f"主导航中有 {current} 项同时标为当前页")
        unlabeled = page.evaluate(_LABEL_CHECK)
        found.extend(f"表单控件没有标签: {html}" for html in unlabeled)
        for size in (DESKTOP, PHONE):
            page.set_viewport_size(size)
            overflow = page.evaluate(_OVERFLOW_CHECK)
            if overflow:
                found.append(f"{size['width']}x{size['height']} 页面横向滚动: scrollWidth {overflow['scroll']} > "
                             f"{overflow['width']}；超出的元素: {', '.join(overflow['culprits'])}")
        page.set_viewport_size(DESKTOP)
        found.extend(self._collected(None))  # anything the checks themselves triggered (resize handlers)
        self.checked.append(where)
        assert not found, f"页面检查未通过：{where}\n  - " + "\n  - ".join(found)

    def _collected(self, expect_status: int | None) -> list[str]:
        """Problems the listeners saw since the last call, then forget them."""
        found: list[str] = []
        expected_docs = set()
        for status, kind, url in self.problems.responses:
            if kind == "document" and status == expect_status:
                expected_docs.add(url)
            else:
                found.append(f"HTTP {status} ({kind}) {url}")
        for line in self.problems.console:
            if "Failed to load resource" in line and any(line.endswith("@ " + u) for u in expected_docs):
                continue
            found.append(line)
        found.extend(f"请求了外部地址: {u}" for u in self.problems.foreign)
        self.problems.clear()
        return found

    def visit(self, path: str, name: str = "", expect_status: int = 200) -> None:
        """Go to ``path`` and check the page."""
        self.goto(path, expect_status)
        self.check(name, expect_status if expect_status != 200 else None)

    def shot(self, config: pytest.Config, filename: str) -> None:
        """Save a 1366x768 screenshot of the viewport into docs/screenshots/ (make screenshots)."""
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        self.page.set_viewport_size(DESKTOP)
        self.page.evaluate("() => { if (document.activeElement) document.activeElement.blur(); return document.fonts.ready; }")
        self.page.screenshot(path=str(SCREENSHOT_DIR / filename), full_page=False)


def login(user_page: UserPage, username: str, password: str | None = None) -> None:
    """Log in through the real login form (CSRF and all) and check both pages."""
    from workflows.demo import DEMO_PASSWORD

    page = user_page.page
    user_page.visit("/login", "登录")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password or DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="登录", exact=True).click()
    assert "/login" not in page.url, f"{username} 登录失败：{page.locator('.flash').all_inner_texts()}"
    user_page.username = username
    user_page.check("登录后首页")


@pytest.fixture()
def as_user(live_server: LiveServer, browser: Any) -> Iterator[Callable[..., UserPage]]:
    """``as_user("ent-440106-1")`` -> a UserPage logged in as that demo user (``as_user(None)``: anonymous)."""
    contexts: list[Any] = []

    def open_as(username: str | None) -> UserPage:
        context = browser.new_context(viewport=DESKTOP, locale="zh-CN", timezone_id="Asia/Shanghai",
                                      service_workers="block")
        context.set_default_timeout(15_000)
        contexts.append(context)
        user_page = UserPage(context, live_server.url, None)
        if username:
            login(user_page, username)
        return user_page

    yield open_as
    for context in contexts:
        context.close()
