"""Benchmark of the occupation picker with the full catalogue (issue 17: ~1,600 entries stay fast).

Loads 1,600 occupations (the shipped 46 plus generated ones with names, aliases and posts of the same
shape) into a fresh SQLite file, serves the real app on a free local port and measures:

* the JSON endpoint /filings/occupations.json (server time median / p95, size);
* in Debian's Chromium (Playwright, headless), the new-filing page until the picker has its aliases, and
  the time from typing a query (a code prefix, a name, an alias) until the matches are drawn.

Prints figures; asserts nothing about time.

Run: .venv/bin/python bench/bench_occupation_picker.py [--entries 1600] [--repeat 10]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from config import TestConfig  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def generated_occupations(count: int):  # type: ignore[no-untyped-def]
    from workflows.catalogue import reads
    from workflows.rules.ids import Occupation

    items = list(reads.shipped_occupations())
    trades = ["装配", "维修", "调试", "检验", "焊接", "涂装", "机加", "电气", "仪表", "化工", "食品", "纺织"]
    n = 0
    while len(items) < count:
        major, minor, leaf = 2 + n // 9000, (n // 90) % 99 + 1, n % 90 + 10
        trade = trades[n % len(trades)]
        name = f"{trade}工{n:04d}"
        items.append(Occupation(f"6-{major:02d}-{minor:02d}-{leaf:02d}", name, (f"{trade}技工{n:04d}", f"{trade}员{n}"),
                                (f"{trade}岗位{n}",), (5, 4, 3)))
        n += 1
    return items[:count]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=1600)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-picker-"))

    class Cfg(TestConfig):
        TESTING = False
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp / 'bench.db'}"
        UPLOAD_DIR = str(tmp / "uploads")

    from werkzeug.serving import make_server

    from webapp import create_app
    from webapp.extensions import db
    from workflows import demo
    from workflows.catalogue import admin as catalogue_admin
    from workflows.db import Base

    app = create_app(Cfg)
    with app.app_context():
        Base.metadata.create_all(db.engine)
        demo.seed(db.session)
        catalogue_admin.upsert_occupations(db.session, generated_occupations(args.entries), replace=False)
        db.session.commit()
        db.session.remove()

    client = app.test_client()
    client.post("/login", data={"username": "ent-440106-1", "password": "Demo@2026"})
    times, size = [], 0
    for _ in range(args.repeat):
        started = time.perf_counter()
        response = client.get("/filings/occupations.json")
        times.append((time.perf_counter() - started) * 1000)
        size = len(response.data)
    entries = len(response.get_json())
    print(f"catalogue: {entries} occupations")
    print(f"GET /filings/occupations.json: median {statistics.median(times):.1f} ms, p95 {p95(times):.1f} ms, "
          f"{size / 1024:.0f} KiB")

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        page = browser.new_page()
        page.goto(f"{base}/login")
        page.fill("#username", "ent-440106-1")
        page.fill("#password", "Demo@2026")
        with page.expect_navigation():
            page.click("button[type=submit]")
        loads = []
        for _ in range(max(3, args.repeat // 3)):
            started = time.perf_counter()
            page.goto(f"{base}/filings/new")
            page.locator("select#occupation_code[data-picker-ready='aliases']").wait_for(state="attached")
            loads.append((time.perf_counter() - started) * 1000)
        print(f"new-filing page until the picker has its aliases: median {statistics.median(loads):.0f} ms, "
              f"p95 {p95(loads):.0f} ms")
        page.locator("#occupation_code-ts-control").locator("xpath=..").click()
        box = page.locator("#occupation_code-ts-control")
        for query in ("6-18", "装配工0", "维修技工12", "车工", "不存在的职业"):
            searches = []
            for _ in range(args.repeat):
                box.fill("")
                started = time.perf_counter()
                box.fill(query)
                page.wait_for_function(
                    "q => document.querySelector('#occupation_code').tomselect.lastQuery === q", arg=query)
                searches.append((time.perf_counter() - started) * 1000)
            shown = page.locator(".ts-dropdown-content .option").count()
            print(f"search {query!r}: median {statistics.median(searches):.1f} ms, p95 {p95(searches):.1f} ms, "
                  f"{shown} matches drawn (at most 50)")
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main()
