# 广州市企业新型学徒制管理系统 — entry points named in the README and docs/DEPLOY.md.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app webapp
STAMP := $(VENV)/.installed-stamp
ASSETS := webapp/static/vendor/.stamp
# Hash-locked dependencies (regenerate with `make lock` after editing pyproject.toml).
LOCK := requirements/runtime.txt
DEV_LOCK := requirements/dev.txt
UV_VERSION := 0.13.9
PORT ?= 8000
RUN_PORT ?= $(if $(filter command line environment,$(origin PORT)),$(PORT),5000)
BUNDLE_DIR ?= dist/bundle

.PHONY: run serve test test-pg install assets browser fonts screenshots bench lint validate tick clean lock bundle redis

install: $(STAMP)

# Everything from the lock, each archive checked against its hash; then the project itself (editable).
$(STAMP): pyproject.toml $(DEV_LOCK)
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q --require-hashes -r $(DEV_LOCK)
	$(PY) -m pip install -q --no-deps --no-build-isolation -e .
	@touch $(STAMP)

# Re-resolve pyproject.toml into the two hash locks (runtime + redis extra; that plus dev) for every platform.
lock:
	@test -x $(PY) || python3 -m venv $(VENV)
	@test -x $(VENV)/bin/uv || $(PY) -m pip install -q uv==$(UV_VERSION)
	$(VENV)/bin/uv pip compile -q pyproject.toml --extra redis --generate-hashes --universal \
	  --python-version 3.11 --custom-compile-command "make lock" -o $(LOCK)
	$(VENV)/bin/uv pip compile -q pyproject.toml --extra dev --extra redis --generate-hashes --universal \
	  --python-version 3.11 --custom-compile-command "make lock" -o $(DEV_LOCK)

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

# The CJK font embedded in the receipt PDFs (备案回执): WenQuanYi Micro Hei, installed even where Noto Sans CJK
# (the browser's font) is present: fpdf2 embeds Noto's CFF outlines with a text layer that readers extract as
# UTF-16 noise, so copying text out of the receipt (and the receipt tests) need WenQuanYi. RECEIPT_FONT overrides.
fonts:
	@if [ ! -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    (apt-get install -y -q fonts-wqy-microhei >/dev/null 2>&1 || \
	     (apt-get update -q >/dev/null && apt-get install -y -q fonts-wqy-microhei >/dev/null)); \
	  elif [ -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ]; then \
	    echo "提示：未安装 fonts-wqy-microhei，备案回执改用 Noto Sans CJK（PDF 中的文字无法复制）：sudo apt-get install -y fonts-wqy-microhei"; \
	  else \
	    echo "备案回执需要中文字体：请运行 sudo apt-get install -y fonts-wqy-microhei"; exit 1; \
	  fi; \
	fi

# The local Redis the rate-limit tests use (127.0.0.1:6379): installed from Debian if missing, started if down.
redis:
	@if ! command -v redis-server >/dev/null; then \
	  (apt-get install -y -q redis-server >/dev/null 2>&1 || \
	   (apt-get update -q >/dev/null && apt-get install -y -q redis-server >/dev/null)); \
	fi
	@if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then \
	  mkdir -p /var/lib/redis /var/log/redis; \
	  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
	    --dir /var/lib/redis --logfile /var/log/redis/ci.log; \
	  for _ in $$(seq 1 20); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.5; done; \
	fi

# The quick demo: development server with demo data, on PORT if given (default 5000); APP_ENV=development is
# the only setting that accepts the built-in SECRET_KEY.
run: install assets fonts
	APP_ENV=development $(FLASK) init-db
	APP_ENV=development $(FLASK) seed-demo
	APP_ENV=development $(FLASK) run --host 127.0.0.1 --port $(RUN_PORT)

# The production server (gunicorn.conf.py) on PORT (default 8000) against the environment's DATABASE_URL.
serve: install assets fonts
	$(FLASK) init-db
	PORT=$(PORT) $(VENV)/bin/gunicorn -c gunicorn.conf.py 'webapp:create_app()'

# The whole suite on SQLite; again (without the browser stories) on PostgreSQL when TEST_DATABASE_URL is set.
test: install assets browser fonts redis
	env -u TEST_DATABASE_URL $(PY) -m pytest -n 2 -q
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
	  echo "== PostgreSQL: $$TEST_DATABASE_URL"; \
	  $(PY) -m pytest -q -n 2 -m "not browser"; \
	fi

test-pg: install fonts redis
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql+psycopg://root@127.0.0.1:5432/test} \
	  $(PY) -m pytest -q -n 2 -m "not browser"

# An offline install bundle: the project's wheel (with the built front-end assets inside), every locked
# wheel (checked against the lock's hashes), the lock and install.sh. On a machine with no network:
#   tar xzf bundle.tar.gz && bundle/install.sh /opt/apprenticeship/venv
# Cross-building for another machine: BUNDLE_PLATFORM=manylinux2014_x86_64 BUNDLE_PYTHON=3.11 make bundle
bundle: | $(STAMP) $(ASSETS)
	rm -rf $(BUNDLE_DIR) && mkdir -p $(BUNDLE_DIR)/wheels
	$(PY) -m pip download -q --require-hashes --no-deps --only-binary=:all: -d $(BUNDLE_DIR)/wheels \
	  $(if $(BUNDLE_PLATFORM),--platform $(BUNDLE_PLATFORM) --python-version $(BUNDLE_PYTHON)) -r $(LOCK)
	rm -rf build && $(PY) -m pip wheel -q --no-deps --no-build-isolation -w $(BUNDLE_DIR)/wheels . && rm -rf build
	cp $(LOCK) $(BUNDLE_DIR)/requirements.txt
	cd $(BUNDLE_DIR) && for w in wheels/apprenticeship-*.whl; do \
	  echo "./$$w --hash=sha256:$$(sha256sum $$w | cut -d' ' -f1)" > requirements-app.txt; done
	cp deploy/install-bundle.sh $(BUNDLE_DIR)/install.sh && chmod +x $(BUNDLE_DIR)/install.sh
	cp -r deploy $(BUNDLE_DIR)/deploy && cp gunicorn.conf.py docs/DEPLOY.md $(BUNDLE_DIR)/
	tar -C $(dir $(BUNDLE_DIR:/=)) -czf $(BUNDLE_DIR:/=).tar.gz $(notdir $(BUNDLE_DIR:/=))
	@echo "离线安装包：$(BUNDLE_DIR:/=).tar.gz"

screenshots: install assets browser
	$(PY) -m pytest -q -p no:cacheprovider tests/browser/test_screenshots.py --screenshots

bench: install
	$(PY) bench/bench_filing.py

lint: install
	$(VENV)/bin/ruff check workflows webapp tests bench config.py gunicorn.conf.py setup.py
	$(VENV)/bin/mypy workflows webapp

validate: install
	$(FLASK) workflows validate

tick: install
	$(FLASK) workflows tick

clean:
	rm -rf $(VENV) node_modules webapp/static/vendor instance dist build
