"""Operations endpoints and settings: /healthz and /readyz (200/503 JSON, no sign-in), /metrics (Prometheus
text; loopback only, or a bearer METRICS_TOKEN), JSON request log lines with request and user ids,
TRUSTED_PROXIES (ProxyFix: the real client address for limits, logs and the loopback check),
APP_ENV=production (secure cookies, SECRET_KEY required, no demo data) and Redis-backed rate limits
shared by several workers."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from flask_migrate import upgrade

from config import Config, ProductionConfig, TestConfig
from tests.databases import empty_database
from tests.factories import submitted_filing
from tests.test_web_helpers import login
from webapp import create_app
from webapp.extensions import db, limiter

SECRET = "k" * 48


def app_with(base: type[Config] = TestConfig, **settings):  # type: ignore[no-untyped-def]
    return create_app(type("Cfg", (base,), settings))


def json_lines(stream: str) -> list[dict]:
    return [json.loads(line) for line in stream.splitlines() if line.startswith("{")]


# ---------------------------------------------------------------------------------------------- health


def test_healthz_answers_without_a_database_or_sign_in(tmp_path: Path) -> None:
    app = app_with(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'missing' / 'x.db'}",
                   UPLOAD_DIR=str(tmp_path / "uploads"))
    response = app.test_client().get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_readyz_is_200_on_a_migrated_database_with_a_writable_upload_folder(tmp_path: Path) -> None:
    app = app_with(SQLALCHEMY_DATABASE_URI=empty_database("sqlite", tmp_path, "ready"),
                   UPLOAD_DIR=str(tmp_path / "uploads"))
    with app.app_context():
        upgrade()
    response = app.test_client().get("/readyz")
    body = response.get_json()
    assert response.status_code == 200 and body["status"] == "ready", body
    assert all(check["ok"] for check in body["checks"].values())


def test_readyz_is_503_and_says_what_is_wrong(app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # The suite's database is built by create_all: not stamped by the migrations.
    body = app.test_client().get("/readyz").get_json()
    assert body["status"] == "unavailable" and body["checks"]["database"]["ok"]
    assert not body["checks"]["migrations"]["ok"] and "init-db" in body["checks"]["migrations"]["detail"]
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    broken = app_with(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'missing' / 'x.db'}",
                      UPLOAD_DIR=str(blocker / "uploads"))
    response = broken.test_client().get("/readyz")
    body = response.get_json()
    assert response.status_code == 503
    assert not body["checks"]["database"]["ok"] and "数据库不可用" in body["checks"]["database"]["detail"]
    assert not body["checks"]["uploads"]["ok"] and "上传目录不可写" in body["checks"]["uploads"]["detail"]


# --------------------------------------------------------------------------------------------- metrics


def test_metrics_serve_requests_tasks_cases_and_timers(app, session, world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(app.config, "PERIOD_AUTO_OPEN", False)
    submitted_filing(session, world)
    session.commit()
    client = app.test_client()
    client.get("/healthz")
    app.test_cli_runner().invoke(args=["workflows", "tick"])
    response = client.get("/metrics")
    assert response.status_code == 200 and response.content_type.startswith("text/plain")
    body = response.get_data(as_text=True)
    assert 'apprenticeship_http_requests_total{endpoint="ops.healthz",method="GET",status="200"}' in body
    assert 'apprenticeship_http_request_duration_seconds_bucket{endpoint="ops.healthz",le="0.005"}' in body
    assert 'apprenticeship_ready_tasks{role="district"} 1.0' in body
    assert 'apprenticeship_open_cases{kind="filing",status="district_review"} 1.0' in body
    assert "apprenticeship_timers_fired_total" in body and "apprenticeship_timers_failed_total" in body
    assert "apprenticeship_failed_cases 0.0" in body and "apprenticeship_database_up 1.0" in body


def test_metrics_are_for_loopback_only_without_a_token(app) -> None:  # type: ignore[no-untyped-def]
    response = app.test_client().get("/metrics", environ_base={"REMOTE_ADDR": "10.20.30.40"})
    assert response.status_code == 403 and "仅允许本机" in response.get_json()["error"]["message"]
    assert app.test_client().get("/metrics", environ_base={"REMOTE_ADDR": "::1"}).status_code == 200


def test_metrics_token_is_required_when_set(app, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(app.config, "METRICS_TOKEN", "s3cret-token")
    client = app.test_client()
    assert client.get("/metrics").status_code == 401  # loopback is not enough any more
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    ok = client.get("/metrics", headers={"Authorization": "Bearer s3cret-token"},
                    environ_base={"REMOTE_ADDR": "10.20.30.40"})
    assert ok.status_code == 200 and "apprenticeship_http_requests_total" in ok.get_data(as_text=True)


# ------------------------------------------------------------------------------------------------ logs


def test_one_json_line_per_request_with_request_and_user_ids(app, world, capsys) -> None:  # type: ignore[no-untyped-def]
    capsys.readouterr()
    response = app.test_client().get("/healthz", headers={"X-Request-ID": "req-42"})
    assert response.headers["X-Request-ID"] == "req-42"
    clerk = login(app, "admin")
    clerk.get("/admin/stuck", headers={"X-Request-ID": "<script>"})
    lines = [line for line in json_lines(capsys.readouterr().err) if line["logger"] == "webapp.request"]
    health = next(line for line in lines if line["path"] == "/healthz")
    assert health["request_id"] == "req-42" and health["status"] == 200 and health["user_id"] is None
    assert health["level"] == "INFO" and health["time"].endswith("+00:00") and health["duration_ms"] >= 0
    stuck = next(line for line in lines if line["path"] == "/admin/stuck")
    assert stuck["user_id"] == world.users["admin"].id and stuck["status"] == 200
    assert len(stuck["request_id"]) == 32 and stuck["request_id"] != "<script>"


def test_cli_logs_json_lines_on_stderr(tmp_path: Path) -> None:
    url = empty_database("sqlite", tmp_path, "clilog")
    with app_with(SQLALCHEMY_DATABASE_URI=url, UPLOAD_DIR=str(tmp_path / "u")).app_context():
        upgrade()
    env = {"DATABASE_URL": url, "UPLOAD_DIR": str(tmp_path / "u"), "APP_ENV": "development",
           "PATH": "/usr/bin:/bin"}
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "webapp", "workflows", "tick"], cwd=root,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = json_lines(done.stderr)
    assert lines and all({"time", "level", "logger", "message"} <= set(line) for line in lines)
    tick = next(line for line in lines if line["logger"] == "workflows.tick")
    assert {"fired", "failed", "due", "duration_ms"} <= set(tick)


# ------------------------------------------------------------------------------------- proxies, limits


def test_trusted_proxies_give_the_real_client_address(app, capsys) -> None:  # type: ignore[no-untyped-def]
    proxied = app_with(SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], TRUSTED_PROXIES=1,
                       UPLOAD_DIR=app.config["UPLOAD_DIR"])
    via_nginx = {"REMOTE_ADDR": "127.0.0.1"}
    # Through the proxy from outside: not loopback any more.
    assert proxied.test_client().get("/metrics", headers={"X-Forwarded-For": "10.9.8.7"},
                                     environ_base=via_nginx).status_code == 403
    capsys.readouterr()
    proxied.test_client().get("/healthz", headers={"X-Forwarded-For": "10.9.8.7", "X-Forwarded-Proto": "https"},
                              environ_base=via_nginx)
    line = [x for x in json_lines(capsys.readouterr().err) if x.get("path") == "/healthz"][-1]
    assert line["remote_addr"] == "10.9.8.7"
    # Without TRUSTED_PROXIES a client cannot spoof its address with the header.
    assert app.test_client().get("/metrics", headers={"X-Forwarded-For": "10.9.8.7"},
                                 environ_base=via_nginx).status_code == 200


@pytest.fixture()
def limited(app, world):  # type: ignore[no-untyped-def]
    """Build apps with rate limits on (same database); the module-level limiter is restored afterwards."""
    was = limiter.enabled
    built = []

    def build(**settings):  # type: ignore[no-untyped-def]
        made = app_with(SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], RATELIMIT_ENABLED=True,
                        UPLOAD_DIR=app.config["UPLOAD_DIR"], TRUSTED_PROXIES=1, **settings)
        built.append(made)
        return made

    yield build
    limiter.enabled = was
    for made in built:
        with made.app_context():
            db.session.remove()


def sign_in(client, address: str):  # type: ignore[no-untyped-def]
    return client.post("/login", data={"username": f"nobody-{uuid.uuid4().hex[:8]}", "password": "x"},
                       headers={"X-Forwarded-For": address}, environ_base={"REMOTE_ADDR": "127.0.0.1"})


def test_behind_a_proxy_sign_in_limits_are_per_real_client(limited) -> None:  # type: ignore[no-untyped-def]
    client = limited(RATELIMIT_STORAGE_URI="memory://").test_client()
    statuses = [sign_in(client, "10.0.0.1").status_code for _ in range(21)]
    assert statuses[:20] == [401] * 20 and statuses[20] == 429  # wrong passwords, then the limit
    assert sign_in(client, "10.0.0.2").status_code == 401  # the rest of the city is not locked out


@pytest.fixture()
def redis_url() -> str:
    """The local Redis (database 15); started as the machine's notes say if it is not running."""
    if subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", "6379", "ping"], capture_output=True).returncode:
        subprocess.run(["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "--port", "6379", "--save", "",
                        "--appendonly", "no"], check=True)
        time.sleep(1)
    subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", "6379", "-n", "15", "flushdb"], check=True,
                   capture_output=True)
    return "redis://127.0.0.1:6379/15"


def test_redis_storage_shares_the_limits_between_workers(limited, redis_url) -> None:  # type: ignore[no-untyped-def]
    import redis

    first = limited(RATELIMIT_STORAGE_URI=redis_url).test_client()
    second = limited(RATELIMIT_STORAGE_URI=redis_url).test_client()
    statuses = [sign_in(first if n % 2 else second, "10.0.0.3").status_code for n in range(21)]
    assert statuses[:20] == [401] * 20 and statuses[20] == 429, statuses
    keys = redis.Redis.from_url(redis_url).keys("*")
    assert keys and any(b"10.0.0.3" in key for key in keys), keys


# -------------------------------------------------------------------------------------- configuration


def test_app_env_selects_the_configuration(monkeypatch, app) -> None:  # type: ignore[no-untyped-def]
    import config  # the module as it is now (other tests reload it)

    assert config.config_for("production") is config.ProductionConfig
    assert config.config_for("development") is config.Config and config.config_for(None) is config.Config
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", SECRET)
    monkeypatch.setattr(config.ProductionConfig, "SECRET_KEY", SECRET)
    monkeypatch.setattr(config.ProductionConfig, "PII_KEY", TestConfig.PII_KEY)
    monkeypatch.setattr(config.ProductionConfig, "SQLALCHEMY_DATABASE_URI", app.config["SQLALCHEMY_DATABASE_URI"])
    production = create_app()
    assert production.config["ENV_NAME"] == "production"
    assert production.config["SESSION_COOKIE_SECURE"] and production.config["REMEMBER_COOKIE_SECURE"]
    refused = production.test_cli_runner().invoke(args=["seed-demo"])
    assert refused.exit_code == 2 and "生产环境禁止加载演示数据" in refused.output


def test_production_cookies_are_secure(app, world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SECRET_KEY", SECRET)
    production = app_with(ProductionConfig, SECRET_KEY=SECRET, PII_KEY=TestConfig.PII_KEY, WTF_CSRF_ENABLED=False,
                          RATELIMIT_ENABLED=False,
                          SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    response = production.test_client().post("/login", data={"username": "city", "password": "Demo@2026"},
                                             base_url="https://example.test")
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie


def test_production_requires_a_secret_key(monkeypatch) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("APP_ENV", "production")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app()
