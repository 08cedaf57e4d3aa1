"""Robustness found while probing (issue 11): any ``page`` value on any list is a normal page or a 4xx, never
a 500; the 500 page itself never fails, even when the error left the database session mid-transaction."""

from __future__ import annotations

import pytest
from sqlalchemy import text as sql

from config import TestConfig
from tests.factories import submitted_filing
from tests.test_api_helpers import fast_passwords, token_for  # noqa: F401
from tests.test_web_helpers import client_for, login
from webapp import create_app
from webapp.extensions import db
from workflows import service
from workflows.models import User

PAGES = ["99999999999999999999999999", str(2**63), "100001", "-5", "0", "abc", "1e9", "", " 2 ", "٣", "1.5",
         "%00", "9" * 40, "-" + "9" * 30]

WEB_LISTS = {
    "city": ["/cases/", "/notifications/", "/reports/gallery", "/plans/", "/reports/", "/tasks/"],
    "ent-440106-1": ["/filings/", "/tasks/", "/notifications/"],
    "admin": ["/admin/users", "/admin/enterprises", "/admin/textbooks", "/admin/occupations", "/admin/stuck",
              "/cases/"],
}
API_LISTS = ["/api/v1/cases", "/api/v1/plans", "/api/v1/reports", "/api/v1/gallery", "/api/v1/notifications",
             "/api/v1/tasks"]


@pytest.mark.parametrize("raw, page", [(None, 1), ("", 1), ("3", 3), (" 3 ", 3), ("+3", 3), ("-3", 1), ("0", 1),
                                       ("abc", 1), ("٣", 1), ("1.5", 1), ("9" * 40, 100_000), (10**30, 100_000),
                                       (True, 1), (7, 7)])
def test_page_number_parses_anything(raw, page):  # type: ignore[no-untyped-def]
    assert service.page_number(raw) == page


def test_no_page_value_breaks_a_web_list(app, session, world):  # type: ignore[no-untyped-def]
    submitted_filing(session, world)
    for username, paths in WEB_LISTS.items():
        client = login(app, username)
        for path in paths:
            for page in PAGES:
                response = client.get(path, query_string={"page": page})
                assert response.status_code == 200, (username, path, page, response.status_code)
    huge = login(app, "city").get("/cases/", query_string={"page": "9" * 40})
    assert "共" in huge.get_data(as_text=True) or huge.status_code == 200


def test_no_page_value_breaks_an_api_list(app, client, session, world):  # type: ignore[no-untyped-def]
    submitted_filing(session, world)
    token = token_for(client, "city")
    for path in API_LISTS:
        for page in PAGES:
            response = client.get(path, query_string={"page": page, "per_page": page},
                                  headers={"Authorization": f"Bearer {token}"})
            assert response.status_code in (200, 422), (path, page, response.status_code)
            if response.status_code == 422:
                assert response.get_json()["error"]["code"] == "validation_error"


def test_the_500_page_renders_after_an_error_mid_transaction(tmp_path, session, world):  # type: ignore[no-untyped-def]
    """A view fails inside a transaction (a flush breaks a unique constraint, leaving the session needing a
    rollback; on PostgreSQL the transaction is aborted): the 500 page is still the normal Chinese page for the
    signed-in user (its menu and unread count read the database), and the next request works."""
    url = str(db.engine.url.render_as_string(hide_password=False))

    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        PROPAGATE_EXCEPTIONS = False  # as in production: the error handler answers

    app = create_app(Cfg)

    @app.route("/_boom")
    def boom():  # type: ignore[no-untyped-def]
        db.session.add(User(username="city", display_name="重复", role="city", password_hash="x"))
        db.session.flush()  # IntegrityError: the session is now unusable until rolled back
        return "unreachable"

    @app.route("/_sql")
    def bad_sql():  # type: ignore[no-untyped-def]
        db.session.execute(sql("SELECT no_such_column FROM user_account"))
        return "unreachable"

    client = client_for(app)
    assert client.post("/login", data={"username": "city", "password": "Demo@2026"}).status_code == 302
    for path in ("/_boom", "/_sql"):
        response = client.get(path)
        page = response.get_data(as_text=True)
        assert response.status_code == 500, page[:300]
        assert "系统内部错误" in page and "市中心" in page  # the full layout, with the signed-in user
        assert client.get("/tasks/").status_code == 200
    api = client.get("/_boom", headers={"Accept": "application/json"})
    assert api.status_code == 500


def test_the_500_page_falls_back_to_a_bare_page_when_rendering_fails(tmp_path, session, world, monkeypatch):  # type: ignore[no-untyped-def]
    url = str(db.engine.url.render_as_string(hide_password=False))

    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        PROPAGATE_EXCEPTIONS = False

    app = create_app(Cfg)

    @app.route("/_boom")
    def boom():  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    def broken_counter(user):  # type: ignore[no-untyped-def]
        raise RuntimeError("the layout itself fails")

    app.extensions["unread_counter"] = broken_counter
    client = client_for(app)
    assert client.post("/login", data={"username": "city", "password": "Demo@2026"}).status_code == 302
    response = client.get("/_boom")
    assert response.status_code == 500 and "系统内部错误" in response.get_data(as_text=True)
