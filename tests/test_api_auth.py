"""API authentication: tokens are issued, hashed, expire, can be revoked; cookies never authenticate;
the token endpoint is rate-limited per address and per account."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.test_api_helpers import Api, error_of, fast_passwords, token_for  # noqa: F401
from workflows.models import ApiToken, User


@pytest.fixture()
def api(client, world):  # type: ignore[no-untyped-def]
    return Api(client)


def _user_id(session, username: str) -> int:  # type: ignore[no-untyped-def]
    return session.scalars(select(User.id).where(User.username == username)).one()


def test_token_is_issued_for_valid_credentials_and_stored_hashed(api, session):  # type: ignore[no-untyped-def]
    before = datetime.now(UTC)
    r = api.post("/auth/token", json={"username": "review-440106", "password": "Demo@2026", "name": "对接测试"})
    assert r.status_code == 200
    body = r.get_json()
    assert body["role"] == "district" and body["token_type"] == "Bearer"
    assert body["user"]["district_code"] == "440106"
    expires = datetime.fromisoformat(body["expires_at"])
    assert timedelta(hours=7, minutes=59) < expires - before < timedelta(hours=8, minutes=1)
    rows = session.scalars(select(ApiToken)).all()
    assert len(rows) == 1
    assert rows[0].token_hash == hashlib.sha256(body["token"].encode()).hexdigest()
    assert body["token"] not in (rows[0].token_hash, rows[0].name)
    assert rows[0].name == "对接测试"
    me = api.get("/auth/me", token=body["token"])
    assert me.status_code == 200 and me.get_json()["user"]["username"] == "review-440106"
    session.expire_all()
    assert session.scalars(select(ApiToken)).one().last_used_at is not None


@pytest.mark.parametrize("payload", [
    {"username": "review-440106", "password": "wrong"},
    {"username": "nobody", "password": "Demo@2026"},
])
def test_wrong_credentials_are_401(api, payload):  # type: ignore[no-untyped-def]
    r = api.post("/auth/token", json=payload)
    assert r.status_code == 401
    assert error_of(r)["code"] == "unauthorized" and error_of(r)["message"] == "用户名或密码错误。"


def test_inactive_user_gets_no_token_and_loses_existing_ones(api, session):  # type: ignore[no-untyped-def]
    token = token_for(api.client, "city")
    user = session.get(User, _user_id(session, "city"))
    user.active = False
    session.commit()
    assert api.post("/auth/token", json={"username": "city", "password": "Demo@2026"}).status_code == 401
    assert api.get("/cases", token=token).status_code == 401


@pytest.mark.parametrize(("payload", "field"), [
    ({"username": "city"}, "password"),
    ({"username": "city", "password": "x", "extra": 1}, "extra"),
    ({"username": 5, "password": "x"}, "username"),
    ({"username": "x" * 65, "password": "x"}, "username"),
])
def test_token_request_is_validated(api, payload, field):  # type: ignore[no-untyped-def]
    r = api.post("/auth/token", json=payload)
    assert r.status_code == 422
    assert field in error_of(r)["fields"]


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer"},
                                     {"Authorization": "Bearer not-a-real-token-1234567890"},
                                     {"Authorization": "Bearer \u00e9\u00e9"}])
def test_calls_without_a_valid_token_are_401(api, headers):  # type: ignore[no-untyped-def]
    r = api.get("/cases", headers=headers)
    assert r.status_code == 401
    assert error_of(r)["code"] == "unauthorized"
    assert r.headers["WWW-Authenticate"].startswith("Bearer")


def test_expired_token_is_refused(api, session):  # type: ignore[no-untyped-def]
    token = token_for(api.client, "ent-440106-1")
    assert api.get("/cases", token=token).status_code == 200
    row = session.scalars(select(ApiToken)).one()
    row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    session.commit()
    r = api.get("/cases", token=token)
    assert r.status_code == 401 and "过期" in error_of(r)["message"]


def test_token_lifetime_follows_config(api, app):  # type: ignore[no-untyped-def]
    app.config["API_TOKEN_HOURS"] = 0.5
    try:
        r = api.post("/auth/token", json={"username": "city", "password": "Demo@2026"})
    finally:
        app.config.pop("API_TOKEN_HOURS")
    expires = datetime.fromisoformat(r.get_json()["expires_at"])
    assert expires - datetime.now(UTC) < timedelta(minutes=31)


def test_user_revokes_own_token_only(api):  # type: ignore[no-untyped-def]
    first, second = token_for(api.client, "city"), token_for(api.client, "city")
    r = api.delete("/auth/token", token=first)
    assert r.status_code == 204 and r.data == b""
    refused = api.get("/cases", token=first)
    assert refused.status_code == 401 and "撤销" in error_of(refused)["message"]
    assert api.get("/cases", token=second).status_code == 200


def test_admin_revokes_all_tokens_of_a_user(api, session):  # type: ignore[no-untyped-def]
    admin = token_for(api.client, "admin")
    victim = [token_for(api.client, "ent-440106-1") for _ in range(2)]
    bystander = token_for(api.client, "ent-440106-2")
    uid = _user_id(session, "ent-440106-1")
    r = api.post("/admin/users/{id}/revoke-tokens", id=uid, token=admin)
    assert r.status_code == 200 and r.get_json() == {"user_id": uid, "revoked": 2}
    assert all(api.get("/cases", token=t).status_code == 401 for t in victim)
    assert api.get("/cases", token=bystander).status_code == 200
    assert api.post("/admin/users/{id}/revoke-tokens", id=999999, token=admin).status_code == 404


@pytest.mark.parametrize("username", ["ent-440106-1", "review-440106", "city"])
def test_only_admin_may_revoke_tokens_of_others(api, session, username):  # type: ignore[no-untyped-def]
    victim = token_for(api.client, "ent-440106-2")
    r = api.post("/admin/users/{id}/revoke-tokens", id=_user_id(session, "ent-440106-2"),
                 token=token_for(api.client, username))
    assert r.status_code == 404 and error_of(r)["code"] == "not_found"
    assert api.get("/cases", token=victim).status_code == 200


def test_session_cookie_does_not_authenticate_the_api(api):  # type: ignore[no-untyped-def]
    login = api.client.post("/login", data={"username": "city", "password": "Demo@2026"})
    assert login.status_code == 302
    assert api.get("/cases").status_code == 401


# --- rate limits and CSRF on a separate app with both switched on ---------------------------------------


@pytest.fixture()
def strict_app(app, world):  # type: ignore[no-untyped-def]
    """An app with rate limiting and CSRF on, on the same database. The limiter is a module-level
    object whose ``enabled`` flag init_app overwrites, so it is restored afterwards."""
    from config import TestConfig
    from webapp import create_app
    from webapp.extensions import db, limiter

    class Strict(TestConfig):
        SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
        RATELIMIT_ENABLED = True
        RATELIMIT_STORAGE_URI = "memory://"
        WTF_CSRF_ENABLED = True
        API_TOKEN_LIMIT_PER_ADDRESS = "6/minute"
        API_TOKEN_LIMIT_PER_USERNAME = "3/minute"

    was = limiter.enabled
    strict = create_app(Strict)
    try:
        yield strict
    finally:
        limiter.enabled = was
        with strict.app_context():
            db.session.remove()
            db.engine.dispose()


def test_token_endpoint_is_rate_limited_per_account(strict_app):  # type: ignore[no-untyped-def]
    api = Api(strict_app.test_client())
    statuses = [api.post("/auth/token", json={"username": "city", "password": "wrong"}).status_code
                for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    r = api.post("/auth/token", json={"username": "city", "password": "Demo@2026"})
    assert r.status_code == 429
    err = error_of(r)
    assert err["code"] == "rate_limited" and "频繁" in err["message"]
    # Another account from the same address is still served (until the per-address limit).
    assert api.post("/auth/token", json={"username": "admin", "password": "Demo@2026"}).status_code == 200


def test_token_endpoint_is_rate_limited_per_address(strict_app):  # type: ignore[no-untyped-def]
    api = Api(strict_app.test_client())
    statuses = [api.post("/auth/token", json={"username": f"guess-{i}", "password": "x"}).status_code
                for i in range(7)]
    assert statuses == [401] * 6 + [429]
    # The same account from another address is served.
    r = strict_app.test_client().post("/api/v1/auth/token", json={"username": "city", "password": "Demo@2026"},
                                      environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert r.status_code == 200


def test_api_needs_no_csrf_token_even_with_csrf_on(strict_app):  # type: ignore[no-untyped-def]
    api = Api(strict_app.test_client())
    token = token_for(api.client, "ent-440106-1")
    r = api.post("/filings", token=token, json={"apprenticeship_type": "tech_trainee",
                                                 "occupation_code": "6-18-01-01", "level": 4})
    assert r.status_code == 201
    assert api.delete("/auth/token", token=token).status_code == 204
    # The web form still needs its CSRF token on this app.
    assert strict_app.test_client().post("/login", data={"username": "city", "password": "x"}).status_code == 400
