"""系统管理: users, catalogues, policy versions, district year plans, enterprise profiles, deployed process
versions and instances that need attention. Who may see what is decided in workflows.accounts.admin
(out of role -> 404); the views parse forms and render."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from webapp.admin.blueprint import admin_post, bp, saved
from webapp.admin.forms import (
    ActionForm,
    EnterpriseForm,
    UserForm,
    YearPlanForm,
    yuan_to_fen,
)
from webapp.extensions import db_session
from webapp.form_errors import place_errors
from webapp.forms import options
from webapp.models import current_actor
from workflows import clock, errors, service
from workflows.models import DISTRICTS
from workflows.models.org import ENTERPRISE_TAGS, ROLES


@bp.route("/")
@login_required
def index():  # type: ignore[no-untyped-def]
    actor = current_actor()
    session = db_session()
    counts = service.admin_overview(session, actor)
    current = service.version_in_force(session)
    return render_template("admin/index.html", counts=counts, current=current,
                           loaded=service.catalogue_loaded(session))


# --------------------------------------------------------------------------------------------------
# Users


@bp.route("/users")
@login_required
def users():  # type: ignore[no-untyped-def]
    actor = current_actor()
    role, q = request.args.get("role", ""), request.args.get("q", "")
    rows = service.list_users(db_session(), actor, role if role in ROLES else "", q)
    return render_template("admin/users.html", rows=rows, role=role, q=q, roles=ROLES, districts=DISTRICTS,
                           enterprises=service.enterprise_names(db_session()), action_form=ActionForm(),
                           now=clock.now())


@bp.route("/users/new", methods=["GET", "POST"])
@login_required
def user_new():  # type: ignore[no-untyped-def]
    actor = current_actor()
    service.require_role(actor, "admin")
    form = UserForm()
    names = service.enterprise_names(db_session())
    form.enterprise_id.choices = options([("", "—")] + [(str(i), name) for i, name in names.items()])
    if form.validate_on_submit():
        done = saved(form, lambda: service.admin_create_user(db_session(), actor, service.UserInput(
            username=form.username.data or "", display_name=form.display_name.data or "",
            role=form.role.data or "", password=form.password.data or "",
            district_code=form.district_code.data or None, enterprise_id=form.enterprise_id.data)),
            lambda _: f"已创建用户 {form.username.data}。", "admin.users")
        if done is not None:
            return done
    status = 422 if request.method == "POST" else 200
    return render_template("admin/user_form.html", form=form), status


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@login_required
def user_active(user_id: int) -> Response:
    actor = admin_post()
    active = request.form.get("active") == "1"
    try:
        user = service.set_user_active(db_session(), actor, user_id, active)
    except errors.ValidationFailed as exc:
        flash(exc.message, "error")
    else:
        flash(f"已{'启用' if active else '停用'}用户 {user.username}。", "success")
    return redirect(url_for("admin.users"))


# --------------------------------------------------------------------------------------------------
# District year plans


def _year_arg() -> int:
    try:
        year = int(request.args.get("year") or request.form.get("year") or date.today().year)
    except ValueError:
        year = date.today().year
    return year if 2020 <= year <= 2100 else date.today().year


@bp.route("/year-plans", methods=["GET", "POST"])
@login_required
def year_plans() -> Response | tuple[str, int]:
    actor = current_actor()
    year = _year_arg()
    rows = service.year_plans(db_session(), actor, year)
    form = YearPlanForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            values: dict[str, tuple[int | None, int | None]] = {}
            bad = False
            for entry in form.rows.entries:
                fen = yuan_to_fen(entry.form.budget_yuan.data)
                if fen is None:
                    entry.form.budget_yuan.errors = [*entry.form.budget_yuan.errors, "预算最多保留两位小数"]
                    bad = True
                values[entry.form.district_code.data or ""] = (fen, entry.form.planned_headcount.data)
            if not bad:
                try:
                    service.save_year_plans(db_session(), actor, year, values,
                                            confirm_below_committed=bool(form.confirm.data))
                except errors.ValidationFailed as exc:
                    # Its paths name districts (``440106.budget``), not this form's fields: flash them all.
                    for message in [exc.message, *place_errors(exc.fields)]:
                        flash(message, "error")
                else:
                    flash(f"{year}年度各区计划已保存。", "success")
                    return redirect(url_for("admin.year_plans", year=year))
        status = 422
    else:
        form.year.data = str(year)
        for row in rows:
            form.rows.append_entry({"district_code": row.district_code, "budget_yuan": row.budget_fen / 100,
                                    "planned_headcount": row.planned_headcount})
    names = dict(DISTRICTS)
    by_code = {r.district_code: r for r in rows}
    return render_template("admin/year_plans.html", form=form, year=year, rows=rows, names=names,
                           by_code=by_code), status


# --------------------------------------------------------------------------------------------------
# Enterprises


@bp.route("/enterprises")
@login_required
def enterprises():  # type: ignore[no-untyped-def]
    actor = current_actor()
    district, q, tag = request.args.get("district", ""), request.args.get("q", ""), request.args.get("tag", "")
    rows = service.list_enterprises(db_session(), actor, district if district in DISTRICTS else "", q,
                                  tag if tag in ENTERPRISE_TAGS else "")
    return render_template("admin/enterprises.html", rows=rows, district=district, q=q, tag=tag,
                           districts=DISTRICTS, tags=ENTERPRISE_TAGS)


@bp.route("/enterprises/new", methods=["GET", "POST"])
@bp.route("/enterprises/<int:enterprise_id>", methods=["GET", "POST"])
@login_required
def enterprise_edit(enterprise_id: int | None = None):  # type: ignore[no-untyped-def]
    actor = current_actor()
    enterprise = service.get_enterprise(db_session(), actor, enterprise_id) if enterprise_id else None
    service.require_role(actor, "city", "admin")
    form = EnterpriseForm(obj=enterprise) if request.method == "GET" else EnterpriseForm()
    if form.validate_on_submit():
        done = saved(form, lambda: service.save_enterprise(db_session(), actor, service.EnterpriseInput(
            name=form.name.data or "", credit_code=form.credit_code.data or "",
            district_code=form.district_code.data or "", size_class=form.size_class.data or "",
            tags=list(form.tags.data or []), contact_name=form.contact_name.data or "",
            contact_phone=form.contact_phone.data or ""), enterprise_id),
            lambda saved: f"已保存企业“{saved.name}”。", "admin.enterprises")
        if done is not None:
            warning = service.district_assignment_warning(form.credit_code.data or "", form.district_code.data or "")
            if warning:
                flash(warning, "warning")
            return done
    status = 422 if request.method == "POST" else 200
    return render_template("admin/enterprise_form.html", form=form, enterprise=enterprise), status


# --------------------------------------------------------------------------------------------------
# Process versions and instances that need attention


@bp.route("/processes")
@login_required
def processes():  # type: ignore[no-untyped-def]
    rows = service.process_versions(db_session(), current_actor())
    return render_template("admin/processes.html", rows=rows)


@bp.route("/stuck")
@login_required
def stuck():  # type: ignore[no-untyped-def]
    rows = service.stuck_instances(db_session(), current_actor())
    grace_hours = int(service.STUCK_TIMER_GRACE.total_seconds() // 3600)
    return render_template("admin/stuck.html", rows=rows, kinds=service.KIND_LABELS, districts=DISTRICTS,
                           statuses=service.STATUS_LABELS, grace_hours=grace_hours)


# The catalogue, policy, holiday and security-log screens live in their own modules on the same blueprint:
# importing them registers them.
from webapp.admin import calendar_views, catalogue_views, security_views  # noqa: E402, F401
