"""Password rules (web, API, CLI alike), the change-password page, admin reset to a one-time password and
the forced change at the next sign-in."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.test_web_helpers import client_for, login, text
from workflows import errors
from workflows.accounts import passwords
from workflows.accounts.admin import users as admin_users
from workflows.models import PasswordHistory, User

STRONG = "Kx7#mQ2vRt9w"
STRONG2 = "Zp4$nW8eLq3u"


def _user(session, username: str) -> User:  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.scalars(select(User).where(User.username == username)).one()


@pytest.mark.parametrize(("password", "message"), [
    ("Ab1!xyz", passwords.TOO_SHORT),
    ("abcdefghijk1", passwords.TOO_SIMPLE),  # two classes only
    ("xx-Review-440106-9", passwords.HAS_USERNAME),
    ("Password@123", passwords.TOO_COMMON),
    ("Qwerty123!", passwords.TOO_COMMON),
])
def test_each_rule_names_itself(password: str, message: str) -> None:
    assert message in passwords.problems(password, "review-440106")


def test_a_good_password_passes_and_one_time_passwords_meet_the_rules() -> None:
    assert passwords.problems(STRONG, "review-440106") == []
    for _ in range(20):
        assert passwords.problems(passwords.one_time_password(), "someone") == []


def test_admin_creation_applies_the_rules_and_forces_a_change(session, world):  # type: ignore[no-untyped-def]
    root = world.actor("admin")
    with pytest.raises(errors.ValidationFailed) as err:
        admin_users.create_user(session, root, admin_users.UserInput("clerk-9", "经办人", "city", "1"))
    assert passwords.TOO_SHORT in err.value.fields["password"]
    with pytest.raises(errors.ValidationFailed) as err:
        admin_users.create_user(session, root, admin_users.UserInput("clerk-9", "经办人", "city", "Clerk-9xyz!A"))
    assert passwords.HAS_USERNAME in err.value.fields["password"]
    user = admin_users.create_user(session, root, admin_users.UserInput("clerk-9", "经办人", "city", STRONG))
    assert user.must_change_password
    # The seeded demo users are exempt.
    assert not _user(session, "city").must_change_password


def test_web_form_shows_the_failed_rule(client, session, world):  # type: ignore[no-untyped-def]
    c = login(client.application, "admin")
    r = c.post("/admin/users/new", data={"username": "clerk-8", "display_name": "经办人", "role": "city",
                                          "password": "password1", "district_code": "", "enterprise_id": ""})
    assert r.status_code == 422
    assert passwords.TOO_SIMPLE in text(r) and passwords.TOO_COMMON in text(r)


def test_cli_applies_the_rules_and_forces_a_change(app, session, world):  # type: ignore[no-untyped-def]
    runner = app.test_cli_runner()
    bad = runner.invoke(args=["users", "create", "cli-user", "--role", "city", "--name", "命令行",
                              "--password", "1"])
    assert bad.exit_code == 1 and passwords.TOO_SHORT in bad.output
    assert session.scalars(select(User).where(User.username == "cli-user")).first() is None
    good = runner.invoke(args=["users", "create", "cli-user", "--role", "city", "--name", "命令行",
                               "--password", STRONG])
    assert good.exit_code == 0, good.output
    assert _user(session, "cli-user").must_change_password


def test_forced_change_blocks_everything_until_done(client, session, world):  # type: ignore[no-untyped-def]
    admin_users.create_user(session, world.actor("admin"), admin_users.UserInput("new-city", "新人", "city", STRONG))
    c = client_for(client.application)
    r = c.post("/login", data={"username": "new-city", "password": STRONG})
    assert r.status_code == 302 and "/password" in r.headers["Location"]
    r = c.get("/cases/")
    assert r.status_code == 302 and "/password" in r.headers["Location"]
    # The API refuses a token with a clear 403 too.
    api = c.post("/api/v1/auth/token", json={"username": "new-city", "password": STRONG})
    assert api.status_code == 403 and api.get_json()["error"]["code"] == "password_change_required"
    assert "修改初始密码" in api.get_json()["error"]["message"]
    r = c.post("/password", data={"old_password": STRONG, "new_password": STRONG2, "confirm": STRONG2})
    assert r.status_code == 302, text(r)[:2000]
    assert c.get("/cases/").status_code == 200
    assert not _user(session, "new-city").must_change_password


def test_change_password_page_checks_old_twice_rules_and_history(client, session, world):  # type: ignore[no-untyped-def]
    c = login(client.application, "city")
    assert "再次输入新密码" in text(c.get("/password"))
    r = c.post("/password", data={"old_password": "wrong", "new_password": STRONG, "confirm": STRONG})
    assert r.status_code == 422 and "当前密码不正确" in text(r)
    r = c.post("/password", data={"old_password": "Demo@2026", "new_password": STRONG, "confirm": STRONG2})
    assert r.status_code == 422 and "两次输入的新密码不一致" in text(r)
    r = c.post("/password", data={"old_password": "Demo@2026", "new_password": "city-Pass-99x",
                                   "confirm": "city-Pass-99x"})
    assert r.status_code == 422 and passwords.HAS_USERNAME in text(r)
    # Five changes in a row; then each of the last five is refused, the sixth back is allowed again.
    history = [f"Hx{n}#rT7wQz{n}k" for n in range(6)]
    current = "Demo@2026"
    for new in history:
        r = c.post("/password", data={"old_password": current, "new_password": new, "confirm": new})
        assert r.status_code == 302, text(r)[:1500]
        current = new
    for old in history[1:]:
        r = c.post("/password", data={"old_password": current, "new_password": old, "confirm": old})
        assert r.status_code == 422 and passwords.REUSED in text(r)
    r = c.post("/password", data={"old_password": current, "new_password": history[0], "confirm": history[0]})
    assert r.status_code == 302
    assert len(session.scalars(select(PasswordHistory).where(
        PasswordHistory.user_id == _user(session, "city").id)).all()) == passwords.HISTORY


def test_admin_reset_shows_a_one_time_password_once(client, session, world):  # type: ignore[no-untyped-def]
    target = client_for(client.application)
    assert target.post("/login", data={"username": "review-440106", "password": "Demo@2026"}).status_code == 302
    assert target.get("/me").status_code == 200
    c = login(client.application, "admin")
    uid = _user(session, "review-440106").id
    r = c.post(f"/admin/users/{uid}/reset-password")
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    match = re.search(r'id="one-time-password">([^<]+)<', r.get_data(as_text=True))
    assert match is not None
    otp = match.group(1)
    assert passwords.problems(otp, "review-440106") == []
    assert otp not in c.get("/admin/users").get_data(as_text=True)
    # The user's old session ends; the old password no longer works; the one-time one forces a change.
    assert target.get("/me").status_code == 302
    again = client_for(client.application)
    assert again.post("/login", data={"username": "review-440106", "password": "Demo@2026"}).status_code == 401
    r = again.post("/login", data={"username": "review-440106", "password": otp})
    assert r.status_code == 302 and "/password" in r.headers["Location"]
    r = again.post("/password", data={"old_password": otp, "new_password": otp, "confirm": otp})
    assert r.status_code == 422 and passwords.REUSED in text(r)


def test_api_refuses_a_live_token_of_a_user_who_must_change(client, session, world):  # type: ignore[no-untyped-def]
    c = client_for(client.application)
    token = c.post("/api/v1/auth/token", json={"username": "city", "password": "Demo@2026"}).get_json()["token"]
    user = _user(session, "city")
    user.must_change_password = True
    session.commit()
    r = c.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 403
    assert r.get_json()["error"]["code"] == "password_change_required"
    assert "修改初始密码" in r.get_json()["error"]["message"]
