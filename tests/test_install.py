"""The production kit as an operations engineer meets it: `make bundle` builds the offline bundle, its
install.sh installs it into a fresh virtualenv with pip --no-index (no PyPI, no pip config, no site
packages of ours), and from a folder outside the checkout the installed system migrates, answers the CLI,
serves every page as each role, and runs under gunicorn.

Slow-ish (about a minute: it builds the wheel and installs ~45 wheels); `pip download` reuses pip's cache."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

from config import TestConfig

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def _clean_env(**extra: str) -> dict[str, str]:
    """No pip configuration (this machine's find-links and extra indexes), no checkout on the path."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PIP_", "PYTHON", "VIRTUAL_ENV", "FLASK_", "DATABASE_URL", "APP_ENV",
                                "TEST_DATABASE_URL", "SECRET_KEY", "UPLOAD_DIR", "INSTANCE_PATH"))}
    env.update({"PIP_CONFIG_FILE": os.devnull, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_COMPILE": "1"}, **extra)
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("dist") / "bundle"
    done = subprocess.run(["make", "-s", "bundle", f"BUNDLE_DIR={folder}"], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return folder


@pytest.fixture(scope="module")
def installed(bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    venv = tmp_path_factory.mktemp("target") / "venv"
    done = subprocess.run([str(bundle / "install.sh"), str(venv)], cwd=tmp_path_factory.mktemp("cwd"),
                          env=_clean_env(), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "已安装到" in done.stdout
    return venv


def test_bundle_holds_the_locked_wheels_and_a_wheel_with_every_shipped_folder(bundle: Path) -> None:
    wheels = sorted(p.name for p in (bundle / "wheels").iterdir())
    assert all(name.endswith(".whl") for name in wheels), wheels
    lock = (ROOT / "requirements" / "runtime.txt").read_text()
    assert (bundle / "requirements.txt").read_text() == lock
    assert "--hash=sha256:" in (bundle / "requirements-app.txt").read_text()
    for name in ("gunicorn", "prometheus_client", "jsonschema", "redis", "SpiffWorkflow", "psycopg_binary"):
        assert any(w.lower().startswith(name.lower()) for w in wheels), name
    ours = next((bundle / "wheels").glob("apprenticeship-*.whl"))
    names = zipfile.ZipFile(ours).namelist()
    for needed in ("workflows/bpmn/training_filing.bpmn", "workflows/bpmn/subsidy_rates.dmn",
                   "workflows/data/occupations.csv", "webapp/migrations/env.py", "webapp/migrations/alembic.ini",
                   "webapp/migrations/versions/d9e1c58d09a5_initial_schema.py", "webapp/templates/base.html",
                   "webapp/static/css/app.css", "config.py"):
        assert needed in names, needed
    assert any(n.startswith("webapp/static/vendor/") and n.endswith(".js") for n in names), "built assets"
    assert not any("__pycache__" in n or n.startswith("tests/") for n in names)
    for extra in ("install.sh", "gunicorn.conf.py", "DEPLOY.md", "deploy/nginx.conf"):
        assert (bundle / extra).is_file(), extra
    assert (bundle / "gunicorn.conf.py").read_text() == (ROOT / "gunicorn.conf.py").read_text()


def test_installed_wheel_migrates_runs_the_cli_and_serves_every_page(bundle: Path, installed: Path,
                                                                     tmp_path: Path) -> None:
    python = installed / "bin" / "python"
    # Only the declared dependencies are there: nothing from the checkout's venv leaks in.
    site = subprocess.run([str(python), "-c", "import sys; print(sys.path)"], capture_output=True, text=True,
                          cwd=tmp_path, env=_clean_env()).stdout
    assert str(ROOT) not in site
    env = _clean_env(APP_ENV="production", SECRET_KEY="s" * 48, PII_KEY=TestConfig.PII_KEY, DATABASE_URL=f"sqlite:///{tmp_path / 'prod.db'}",
                     INSTANCE_PATH=str(tmp_path / "instance"), UPLOAD_DIR=str(tmp_path / "uploads"))
    flask = [str(installed / "bin" / "flask"), "--app", "webapp"]

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*flask, *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)

    init = cli("init-db")
    assert init.returncode == 0 and "数据库已是最新结构" in init.stdout, init.stdout + init.stderr
    tick = cli("workflows", "tick")
    assert tick.returncode == 0 and "已触发" in tick.stdout and "失败 0 个" in tick.stdout, tick.stderr

    smoke = subprocess.run([str(python), "-"], input=(ROOT / "tests" / "data" / "installed_smoke.py").read_text(),
                           cwd=tmp_path, capture_output=True, text=True, timeout=300, env=_clean_env(
                               APP_ENV="development", CHECKOUT=str(ROOT), SMOKE_DATABASE_URL=f"sqlite:///{tmp_path / 'demo.db'}",
                               SMOKE_UPLOAD_DIR=str(tmp_path / "demo-uploads"),
                               INSTANCE_PATH=str(tmp_path / "instance")))
    assert smoke.returncode == 0, smoke.stderr[-4000:]
    seen = json.loads(smoke.stdout)
    assert "site-packages" in seen["webapp"] and "site-packages" in seen["bpmn"] and "site-packages" in seen["data"]
    assert seen["errors"] == [], seen["errors"]
    assert len(seen["pages"]) >= 20, sorted(seen["pages"])
    assert seen["pages"]["/"]["admin"] == 302 and seen["pages"]["/cases/<id>"]["city"] == 200
    assert seen["static"][1] == 200, seen["static"]

    # gunicorn from the venv with the bundle's gunicorn.conf.py, outside the checkout.
    port = _free_port()
    server = subprocess.Popen([str(installed / "bin" / "gunicorn"), "-c", str(bundle / "gunicorn.conf.py"),
                               "webapp:create_app()"], cwd=tmp_path, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True,
                              env={**env, "PORT": str(port), "GUNICORN_BIND": f"127.0.0.1:{port}",
                                   "WEB_CONCURRENCY": "1"})
    try:
        body = ""
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as response:
                    body = response.read().decode()
                    break
            except OSError:
                time.sleep(0.2)
        assert json.loads(body)["status"] == "ready", body
    finally:
        server.send_signal(signal.SIGTERM)
        out, err = server.communicate(timeout=30)
    assert '"/readyz' in out or "/readyz" in out, out  # the access log on stdout
    assert any(json.loads(line).get("path") == "/readyz" for line in err.splitlines() if line.startswith("{")), err

