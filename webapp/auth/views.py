"""Log in and out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from webapp.auth.forms import LoginForm, LogoutForm
from webapp.extensions import db_session, limiter
from workflows import service

bp = Blueprint("auth", __name__)


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
        user = service.authenticate(db_session(), form.username.data or "", form.password.data or "")
        if user is None:
            flash("用户名或密码错误。", "error")
            return render_template("auth/login.html", form=form), 401
        login_user(user)
        return redirect(safe_next(form.next.data) or url_for("home"))
    status = 422 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():  # type: ignore[no-untyped-def]
    form = LogoutForm()
    if form.validate_on_submit():
        logout_user()
        flash("您已安全退出。", "info")
    return redirect(url_for("auth.login"))


@bp.route("/me")
@login_required
def me():  # type: ignore[no-untyped-def]
    return render_template("auth/me.html")
