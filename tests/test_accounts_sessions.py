"""Lockout counted in the database (web and API share it; two processes agree), idle and absolute session
timeouts, the per-user session epoch (logout, password change, reset, deactivation, sign out everywhere end
every session and token; reactivation revives nothing), and the SECRET_KEY / APP_ENV start-up guard."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from config import Config, TestConfig
from tests.test_web_helpers import client_for, login, text
from webapp import create_app
from workflows import clock
from workflows.accounts.admin import users as admin_users
from workflows.models import SecurityEvent, User

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Demo@2026"


def _user(session, username: str) -> User:  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.scalars(select(User).where(User.username == username)).one()


def _actions(session) -> list[str]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return [e.action for e in session.scalars(select(SecurityEvent).order_by(SecurityEvent.id))]


# --------------------------------------------------------------------------------------------------
# Lockout


def test_five_failures_lock_web_and_api_alike_until_unlocked(client, session, world):  # type: ignore[no-untyped-def]
    c = client_for(client.application)
    for _ in range(3):
        r = c.post("/login", data={"username": "review-440106", "password": "wrong"})
        assert r.status_code == 401 and "用户名或密码错误" in text(r)
    for _ in range(1):  # the API counts on the same account
        r = c.post("/api/v1/auth/token", json={"username": "review-440106", "password": "wrong"})
        assert r.status_code == 401
    r = c.post("/api/v1/auth/token", json={"username": "review-440106", "password": "wrong"})
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "account_locked"
    locked_message = r.get_json()["error"]["message"]
    assert "已被锁定" in locked_message and "北京时间" in locked_message
    until = _user(session, "review-440106").locked_until
    assert until is not None
    assert until.astimezone(clock.CHINA_TZ).strftime("%Y-%m-%d %H:%M") in locked_message
    assert timedelta(minutes=14) < until - clock.now() <= timedelta(minutes=15)
    # While locked: the same answer with the right password as with a wrong one, on the web and the API.
    right = c.post("/login", data={"username": "review-440106", "password": PASSWORD})
    wrong = c.post("/login", data={"username": "review-440106", "password": "wrong"})
    assert right.status_code == wrong.status_code == 403
    assert locked_message in text(right) and locked_message in text(wrong)
    api_right = c.post("/api/v1/auth/token", json={"username": "review-440106", "password": PASSWORD})
    assert api_right.status_code == 403 and api_right.get_json()["error"]["message"] == locked_message
    assert "login_locked" in _actions(session) and "login_refused_locked" in _actions(session)
    # An admin sees the lock and lifts it.
    a = login(client.application, "admin")
    assert "锁定至" in text(a.get("/admin/users"))
    assert a.post(f"/admin/users/{_user(session, 'review-440106').id}/unlock").status_code == 302
    assert c.post("/login", data={"username": "review-440106", "password": PASSWORD}).status_code == 302
    assert "account_unlock" in _actions(session)


def test_lock_expires_and_success_resets_the_count(client, session, world):  # type: ignore[no-untyped-def]
    c = client_for(client.application)
    for _ in range(4):
        c.post("/login", data={"username": "city", "password": "wrong"})
    assert _user(session, "city").failed_logins == 4
    assert c.post("/login", data={"username": "city", "password": PASSWORD}).status_code == 302
    assert _user(session, "city").failed_logins == 0
    user = _user(session, "city")
    user.locked_until = clock.now() - timedelta(seconds=1)
    session.commit()
    other = client_for(client.application)
    assert other.post("/login", data={"username": "city", "password": PASSWORD}).status_code == 302


def test_lockout_settings_are_read(client, session, world):  # type: ignore[no-untyped-def]
    app = client.application
    app.config["LOGIN_LOCKOUT_ATTEMPTS"], app.config["LOGIN_LOCKOUT_MINUTES"] = 2, 60
    try:
        c = client_for(app)
        c.post("/login", data={"username": "city", "password": "wrong"})
        r = c.post("/login", data={"username": "city", "password": "wrong"})
        assert r.status_code == 403
        until = _user(session, "city").locked_until
        assert until is not None and timedelta(minutes=59) < until - clock.now() <= timedelta(minutes=60)
    finally:
        app.config["LOGIN_LOCKOUT_ATTEMPTS"], app.config["LOGIN_LOCKOUT_MINUTES"] = 5, 15


# --------------------------------------------------------------------------------------------------
# Two processes on one database


class Worker:
    """Another application process on the test's database (tests/session_worker.py)."""

    def __init__(self, url: str):
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.session_worker", url], cwd=ROOT,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, env={**_env(), "SCHEDULER_ENABLED": "0"})
        ready = self._read()
        assert ready.get("ready"), ready

    def _read(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise AssertionError(f"worker died: {self.proc.stderr.read() if self.proc.stderr else ''}")
        return json.loads(line)

    def __call__(self, **command: Any) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(command) + "\n")
        self.proc.stdin.flush()
        return self._read()

    def close(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.write(json.dumps({"op": "quit"}) + "\n")
            self.proc.stdin.flush()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def _env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if k != "TEST_DATABASE_URL"}


@pytest.fixture()
def workers(app, session, world) -> Iterator[tuple[Worker, Worker]]:  # type: ignore[no-untyped-def]
    session.commit()
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    first, second = Worker(url), Worker(url)
    try:
        yield first, second
    finally:
        first.close()
        second.close()


def test_two_processes_share_the_lockout_count(workers, session):  # type: ignore[no-untyped-def]
    web, api = workers
    for _ in range(3):
        assert web(op="login", username="review-440112", password="wrong")["status"] == 401
    assert api(op="token", username="review-440112", password="wrong")["status"] == 401
    fifth = api(op="token", username="review-440112", password="wrong")
    assert fifth["status"] == 403 and fifth["json"]["error"]["code"] == "account_locked"
    # The other process refuses the right password with the same message.
    refused = web(op="login", username="review-440112", password=PASSWORD)
    assert refused["status"] == 403 and fifth["json"]["error"]["message"] in refused["text"]
    assert _user(session, "review-440112").locked_until is not None


def test_sign_out_everywhere_reaches_another_process(workers, session):  # type: ignore[no-untyped-def]
    user_process, admin_process = workers
    assert user_process(op="login", username="city", password=PASSWORD)["status"] == 302
    token = user_process(op="token", username="city", password=PASSWORD)["json"]["token"]
    assert user_process(op="get", path="/me")["status"] == 200
    assert user_process(op="api_get", path="/auth/me", token=token)["status"] == 200
    assert admin_process(op="login", username="admin", password=PASSWORD)["status"] == 302
    uid = _user(session, "city").id
    assert admin_process(op="post", path=f"/admin/users/{uid}/sign-out")["status"] == 302
    # The user's process, which had the session and the token in hand, is refused at once.
    gone = user_process(op="get", path="/me")
    assert gone["status"] == 302 and "/login" in gone["location"]
    assert user_process(op="api_get", path="/auth/me", token=token)["status"] == 401
    assert "sessions_ended" in _actions(session)


# --------------------------------------------------------------------------------------------------
# Session epoch: a cookie or token copied before is refused after


def _copy_session(source, app):  # type: ignore[no-untyped-def]
    """A second browser holding a copy of ``source``'s session cookie."""
    cookie = source.get_cookie("session")
    assert cookie is not None
    thief = client_for(app)
    thief.set_cookie("session", cookie.value)
    return thief


def test_logout_ends_a_copied_cookie_and_the_tokens(client, session, world):  # type: ignore[no-untyped-def]
    app = client.application
    c = login(app, "city")
    thief = _copy_session(c, app)
    assert thief.get("/me").status_code == 200
    token = c.post("/api/v1/auth/token", json={"username": "city", "password": PASSWORD}).get_json()["token"]
    assert c.post("/logout").status_code == 302
    assert thief.get("/me").status_code == 302
    r = c.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401
    assert "logout" in _actions(session)


def test_password_change_keeps_this_browser_and_ends_the_others(client, session, world):  # type: ignore[no-untyped-def]
    app = client.application
    c = login(app, "city")
    thief = _copy_session(c, app)
    new = "Kx7#mQ2vRt9w"
    assert c.post("/password", data={"old_password": PASSWORD, "new_password": new, "confirm": new}
                  ).status_code == 302
    assert c.get("/me").status_code == 200
    assert thief.get("/me").status_code == 302


def test_deactivation_ends_tokens_and_reactivation_does_not_revive_them(client, session, world):  # type: ignore[no-untyped-def]
    app = client.application
    c = login(app, "review-440106")
    token = c.post("/api/v1/auth/token", json={"username": "review-440106", "password": PASSWORD}
                   ).get_json()["token"]
    root = world.actor("admin")
    uid = _user(session, "review-440106").id
    admin_users.set_user_active(session, root, uid, False)
    admin_users.set_user_active(session, root, uid, True)
    assert c.get("/me").status_code == 302
    r = c.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401
    assert {"user_deactivate", "user_activate"} <= set(_actions(session))


def test_reset_ends_tokens(client, session, world):  # type: ignore[no-untyped-def]
    c = client_for(client.application)
    token = c.post("/api/v1/auth/token", json={"username": "city", "password": PASSWORD}).get_json()["token"]
    admin_users.reset_password(session, world.actor("admin"), _user(session, "city").id)
    assert c.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


# --------------------------------------------------------------------------------------------------
# Idle and absolute timeouts


def _age(client, key: str, seconds: int) -> None:  # type: ignore[no-untyped-def]
    with client.session_transaction() as s:
        s[key] = int(time.time()) - seconds


def test_idle_session_goes_to_sign_in_and_comes_back(client, session, world):  # type: ignore[no-untyped-def]
    app = client.application
    c = login(app, "city")
    assert c.get("/cases/?status=submitted").status_code == 200
    _age(c, "seen_at", 31 * 60)
    r = c.get("/cases/?status=submitted")
    assert r.status_code == 302
    location = r.headers["Location"]
    from urllib.parse import parse_qs, urlsplit

    assert urlsplit(location).path == "/login"
    assert parse_qs(urlsplit(location).query)["next"] == ["/cases/?status=submitted"]
    page = c.get(location)
    assert "登录已超时" in text(page)
    again = c.post("/login", data={"username": "city", "password": PASSWORD,
                                   "next": "/cases/?status=submitted"})
    assert again.status_code == 302 and again.headers["Location"] == "/cases/?status=submitted"
    assert "session_expired" in _actions(session)


def test_recent_activity_keeps_the_session(client, session, world):  # type: ignore[no-untyped-def]
    c = login(client.application, "city")
    _age(c, "seen_at", 29 * 60)
    assert c.get("/me").status_code == 200
    _age(c, "seen_at", 29 * 60)  # each request moves the last-seen time on
    assert c.get("/me").status_code == 200


def test_absolute_lifetime_ends_even_an_active_session(client, session, world):  # type: ignore[no-untyped-def]
    app = client.application
    c = login(app, "city")
    _age(c, "auth_at", 12 * 3600 + 1)
    r = c.get("/me")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    assert app.config["PERMANENT_SESSION_LIFETIME"] == timedelta(hours=12)


def test_idle_setting_is_read(client, session, world):  # type: ignore[no-untyped-def]
    app = client.application
    app.config["SESSION_IDLE_MINUTES"] = 5
    try:
        c = login(app, "city")
        _age(c, "seen_at", 6 * 60)
        assert c.get("/me").status_code == 302
    finally:
        app.config["SESSION_IDLE_MINUTES"] = 30


# --------------------------------------------------------------------------------------------------
# SECRET_KEY and APP_ENV


@pytest.mark.parametrize(("env", "key"), [
    ("production", "dev-only-not-secret"),
    ("production", "short-but-not-default"),
    ("", "dev-only-not-secret"),  # APP_ENV unset is not development
    ("test", "x" * 31),
])
def test_weak_secret_key_is_refused_outside_development(env: str, key: str) -> None:
    cfg = type("Cfg", (Config,), {"ENV_NAME": env, "SECRET_KEY": key})
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(cfg)


def test_unknown_app_env_is_refused() -> None:
    cfg = type("Cfg", (Config,), {"ENV_NAME": "prod", "SECRET_KEY": "x" * 64})
    with pytest.raises(RuntimeError, match="APP_ENV"):
        create_app(cfg)


def test_development_accepts_the_default_key_and_a_long_key_starts_production(tmp_path: Path) -> None:
    Config_ = type("Cfg", (TestConfig,), {"ENV_NAME": "development", "SECRET_KEY": "dev-only-not-secret",
                                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'a.db'}"})
    Config_.check()
    strong = type("Cfg", (TestConfig,), {"ENV_NAME": "production", "SECRET_KEY": "k" * 32})
    strong.check()


def test_env_var_app_env_is_read(tmp_path: Path) -> None:
    code = ("import config, sys\n"
            "try:\n    config.Config.check()\nexcept RuntimeError as exc:\n    print('refused', exc)\n"
            "else:\n    print('started')\n")
    env = {**_env(), "SECRET_KEY": "dev-only-not-secret"}
    for value, expected in (("development", "started"), ("staging", "refused"), ("production", "refused")):
        done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**env, "APP_ENV": value},
                              capture_output=True, text=True, timeout=60)
        assert done.stdout.startswith(expected), (value, done.stdout, done.stderr)
    env.pop("APP_ENV", None)
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.stdout.startswith("refused"), done.stdout
