# 广州市企业新型学徒制管理系统 — entry points named in the README.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app webapp
STAMP := $(VENV)/.installed-stamp
ASSETS := webapp/static/vendor/.stamp

.PHONY: run test test-pg install assets browser fonts screenshots bench lint validate tick clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $(STAMP)

assets: $(ASSETS)

$(ASSETS): package.json package-lock.json webapp/vendor.py
	npm ci --no-audit --no-fund --loglevel=error
	$(PY) -m webapp.vendor
	@touch $(ASSETS)

# Debian's chromium and CJK fonts for the browser tests and screenshots.
browser:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    (apt-get install -y -q chromium fonts-noto-cjk >/dev/null 2>&1 || \
	     (apt-get update -q >/dev/null && apt-get install -y -q chromium fonts-noto-cjk >/dev/null)); \
	  else \
	    echo "浏览器测试需要 Chromium 和中文字体：请运行 sudo apt-get install -y chromium fonts-noto-cjk"; exit 1; \
	  fi; \
	fi
	@# Optional: Chromium's Chinese locale, so date inputs read 2026/09/01 in the screenshots.
	@if [ ! -f /usr/lib/chromium/locales/zh-CN.pak ] && [ "$$(id -u)" = "0" ]; then \
	  apt-get install -y -q chromium-l10n >/dev/null 2>&1 || true; \
	fi

# The CJK font embedded in the receipt PDFs (备案回执): WenQuanYi Micro Hei, with Noto Sans CJK as the
# fallback the receipt also knows (RECEIPT_FONT overrides both).
fonts:
	@if [ ! -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] && [ ! -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    (apt-get install -y -q fonts-wqy-microhei >/dev/null 2>&1 || \
	     (apt-get update -q >/dev/null && apt-get install -y -q fonts-wqy-microhei >/dev/null)); \
	  else \
	    echo "备案回执需要中文字体：请运行 sudo apt-get install -y fonts-wqy-microhei"; exit 1; \
	  fi; \
	fi

# The development demo: APP_ENV=development (the only setting that accepts the built-in SECRET_KEY).
run: install assets fonts
	APP_ENV=development $(FLASK) init-db
	APP_ENV=development $(FLASK) seed-demo
	APP_ENV=development $(FLASK) run --host 127.0.0.1 --port 5000

# The whole suite on SQLite; again (without the browser stories) on PostgreSQL when TEST_DATABASE_URL is set.
test: install assets browser fonts
	env -u TEST_DATABASE_URL $(PY) -m pytest -n 2 -q
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
	  echo "== PostgreSQL: $$TEST_DATABASE_URL"; \
	  $(PY) -m pytest -q -n 2 -m "not browser"; \
	fi

test-pg: install fonts
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql+psycopg://root@127.0.0.1:5432/test} \
	  $(PY) -m pytest -q -n 2 -m "not browser"

screenshots: install assets browser
	$(PY) -m pytest -q -p no:cacheprovider tests/browser/test_screenshots.py --screenshots

bench: install
	$(PY) bench/bench_filing.py

lint: install
	$(VENV)/bin/ruff check workflows webapp tests bench config.py
	$(VENV)/bin/mypy workflows webapp

validate: install
	$(FLASK) workflows validate

tick: install
	$(FLASK) workflows tick

clean:
	rm -rf $(VENV) node_modules webapp/static/vendor instance
