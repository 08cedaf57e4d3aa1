"""系统管理 › 账号安全与安全审计: reset a password (one-time password shown once), unlock an account, sign a
user out everywhere, and the security log with its filters and Excel export. Admins only (404 otherwise)."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from webapp.admin.blueprint import admin_post, bp, xlsx
from webapp.admin.forms import SecurityLogFilterForm
from webapp.extensions import db_session
from webapp.models import current_actor
from webapp.pagination import Page
from workflows import service

PER_PAGE = 50


@bp.route("/users/<int:user_id>/reset-password", methods=["POST"])
@login_required
def user_reset_password(user_id: int):  # type: ignore[no-untyped-def]
    """The one-time password is shown on this response only (never stored, flashed or logged)."""
    actor = admin_post()
    user, password = service.reset_password(db_session(), actor, user_id)
    response = render_template("admin/password_reset.html", user=user, password=password)
    return response, 200, {"Cache-Control": "no-store"}


@bp.route("/users/<int:user_id>/unlock", methods=["POST"])
@login_required
def user_unlock(user_id: int) -> Response:
    user = service.unlock_user(db_session(), admin_post(), user_id)
    flash(f"已解除用户 {user.username} 的锁定。", "success")
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/sign-out", methods=["POST"])
@login_required
def user_sign_out(user_id: int) -> Response:
    count = service.end_user_sessions(db_session(), admin_post(), user_id)
    flash(f"已让该用户在所有设备上退出登录（撤销访问令牌 {count} 个）。", "success")
    return redirect(url_for("admin.users"))


def _filters() -> tuple[SecurityLogFilterForm, service.SecurityFilters]:
    """The filters of the query string; a bad value is named (flashed) and ignored, never a 4xx/5xx."""
    form = SecurityLogFilterForm(request.args)
    form.validate()
    for field in form:
        for message in field.errors:
            flash(f"{field.label.text}：{message}", "error")

    def clean(field):  # type: ignore[no-untyped-def]
        return None if field.errors else field.data

    username = clean(form.username) or ""
    action = clean(form.action) or ""
    date_from, date_to = clean(form.date_from), clean(form.date_to)
    return form, service.SecurityFilters(
        username=username, action=action if action in service.SECURITY_ACTIONS else "",
        date_from=date_from if isinstance(date_from, date) else None,
        date_to=date_to if isinstance(date_to, date) else None)


def _page() -> int:
    try:
        return min(max(int(request.args.get("page", "1")), 1), 10**6)
    except ValueError:
        return 1


@bp.route("/security")
@login_required
def security():  # type: ignore[no-untyped-def]
    actor = current_actor()
    service.require_role(actor, "admin")
    form, filters = _filters()
    page = _page()
    rows, total = service.security_events(db_session(), actor, filters, page, PER_PAGE)
    pages = Page(page=min(page, max(1, -(-total // PER_PAGE))), per_page=PER_PAGE, total=total)
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template("admin/security.html", form=form, rows=rows, pages=pages, args=args,
                           actions=service.SECURITY_ACTIONS, detail=service.security_detail,
                           retention=service.SECURITY_RETENTION_DAYS)


@bp.route("/security/export")
@login_required
def security_export() -> Response:
    actor = current_actor()
    service.require_role(actor, "admin")
    _, filters = _filters()
    data = service.export_security_log(db_session(), actor, filters)
    db_session().commit()  # the export is itself recorded in the security log
    return xlsx(data, f"安全审计_{date.today():%Y%m%d}.xlsx")
