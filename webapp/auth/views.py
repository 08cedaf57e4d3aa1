"""Sign in and out, change one's password, and the session rules every request is held to.

Sessions: the Flask-Login id names the user's session epoch (``User.get_id``), so logout, a password change
or reset, deactivation and an admin's "sign out everywhere" end every session of the user at once (a copied
cookie is refused after). The session also carries when the user signed in and was last seen: past
``SESSION_MAX_HOURS`` since sign-in or ``SESSION_IDLE_MINUTES`` idle, the next request goes to the sign-in
page with a notice and returns where the user was afterwards. A user who must change their password (created
by an admin or the CLI, or reset) is sent to the change-password page before anything else.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from webapp.auth.forms import LoginForm, LogoutForm, PasswordForm
from webapp.extensions import db_session, limiter
from webapp.form_errors import place_errors
from webapp.models import client_address
from workflows import errors, service

bp = Blueprint("auth", __name__)

AUTH_AT, SEEN_AT = "auth_at", "seen_at"
# The last-seen time is rewritten at most this often (seconds), so not every request sets a new cookie.
SEEN_RESOLUTION = 60
# Where a user who must change the password may still go.
OPEN_WHILE_CHANGING = {"auth.password", "auth.logout", "auth.login", "static", "vendor.static"}
EXPIRED = "登录已超时，请重新登录。"


def safe_next(target: str | None) -> str | None:
    """Only same-site relative paths are followed after login."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


def _username_key() -> str:
    return "login:" + (request.form.get("username") or "").strip().lower()


def lockout() -> service.Lockout:
    return service.Lockout(attempts=int(current_app.config.get("LOGIN_LOCKOUT_ATTEMPTS", 5)),
                           minutes=int(current_app.config.get("LOGIN_LOCKOUT_MINUTES", 15)))


def start_session(user) -> None:  # type: ignore[no-untyped-def]
    """Sign ``user`` in on this browser with fresh sign-in and last-seen times."""
    login_user(user)
    session.permanent = True  # the cookie expires with the absolute lifetime (PERMANENT_SESSION_LIFETIME)
    session[AUTH_AT] = session[SEEN_AT] = int(time.time())


def _here() -> str:
    """Where to return after signing in again: this page (for a GET) or the page the form was on."""
    if request.method == "GET":
        return request.full_path.rstrip("?")
    referrer = urlsplit(request.referrer or "")
    return safe_next(referrer.path + (f"?{referrer.query}" if referrer.query else "")) or "/"


@bp.before_app_request
def enforce_session() -> Response | None:
    """Idle and absolute timeouts, then the forced password change, on every page request."""
    if request.blueprint == "api" or request.endpoint in ("static", "vendor.static"):
        return None
    if not current_user.is_authenticated:
        return None
    now = int(time.time())
    idle = int(current_app.config.get("SESSION_IDLE_MINUTES", 30)) * 60
    lifetime = int(current_app.config.get("SESSION_MAX_HOURS", 12)) * 3600
    auth_at, seen_at = session.get(AUTH_AT), session.get(SEEN_AT)
    reason = ""
    if not isinstance(auth_at, int) or not isinstance(seen_at, int):
        reason = "missing"
    elif now - auth_at >= lifetime:
        reason = "lifetime"
    elif now - seen_at >= idle:
        reason = "idle"
    if reason:
        user_id = current_user.id
        logout_user()
        session.pop(AUTH_AT, None)
        session.pop(SEEN_AT, None)
        service.session_expired(db_session(), user_id, address=client_address(), reason=reason)
        if request.endpoint == "auth.login":
            return None
        flash(EXPIRED, "info")
        return redirect(url_for("auth.login", next=_here()))
    if isinstance(seen_at, int) and now - seen_at >= SEEN_RESOLUTION:
        session[SEEN_AT] = now
    if current_user.must_change_password and request.endpoint not in OPEN_WHILE_CHANGING:
        flash("请先修改初始密码，然后再继续使用系统。", "info")
        return redirect(url_for("auth.password", next=_here() if request.method == "GET" else None))
    return None


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("20/minute", methods=["POST"])
@limiter.limit("10/minute", methods=["POST"], key_func=_username_key)
def login():  # type: ignore[no-untyped-def]
    if current_user.is_authenticated:
        return redirect(url_for("home"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        result = service.authenticate(db_session(), form.username.data or "", form.password.data or "",
                                      address=client_address(), channel="web", lockout=lockout())
        if result.user is None:
            flash(result.message, "error")
            return render_template("auth/login.html", form=form), 401 if result.problem == "invalid" else 403
        start_session(result.user)
        target = safe_next(form.next.data)
        if result.user.must_change_password:
            flash("这是您第一次登录或密码刚被重置：请先设置新密码。", "info")
            return redirect(url_for("auth.password", next=target))
        return redirect(target or url_for("home"))
    status = 422 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():  # type: ignore[no-untyped-def]
    form = LogoutForm()
    if form.validate_on_submit():
        if current_user.is_authenticated:
            # Ends this user's sessions and tokens everywhere: a copy of this cookie is refused from now on.
            service.sign_out(db_session(), current_user.id, address=client_address())
        logout_user()
        session.pop(AUTH_AT, None)
        session.pop(SEEN_AT, None)
        flash("您已安全退出。", "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():  # type: ignore[no-untyped-def]
    """Change one's own password (old, new twice). Every other session and token of the user ends; this
    browser gets a fresh session."""
    form = PasswordForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        try:
            user = service.change_password(db_session(), current_user.id, form.old_password.data or "",
                                           form.new_password.data or "", address=client_address())
        except errors.ValidationFailed as exc:
            for message in place_errors(exc.fields, form):
                flash(message, "error")
        else:
            start_session(user)
            flash("密码已修改。其他设备上的登录和访问令牌已全部失效。", "success")
            return redirect(safe_next(form.next.data) or url_for("home"))
    status = 422 if request.method == "POST" else 200
    return render_template("auth/password.html", form=form,
                           rules=service.PASSWORD_RULES), status


@bp.route("/me")
@login_required
def me():  # type: ignore[no-untyped-def]
    return render_template("auth/me.html")
