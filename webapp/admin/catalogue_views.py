"""系统管理 · catalogues (occupations, textbooks, Excel import) and policy versions, on the admin blueprint."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from webapp.admin.blueprint import admin_post, bp, saved, xlsx
from webapp.admin.forms import (
    ActionForm,
    CatalogueImportForm,
    OccupationForm,
    OccupationImportForm,
    PolicyForm,
    TextbookForm,
    TextbookImportForm,
    rate_field_name,
    required_field_name,
    uplift_field_name,
    uplift_levels,
)
from webapp.extensions import db_session
from webapp.models import current_actor
from workflows import clock, service
from workflows.clock import now

# --------------------------------------------------------------------------------------------------
# Catalogues


@bp.route("/catalogues/load", methods=["POST"])
@login_required
def catalogue_load() -> Response:
    actor = admin_post()
    added = service.load_shipped_catalogues(db_session(), actor)
    flash(f"已载入随系统提供的目录：职业 {added['occupation']} 个，教材 {added['textbook']} 种。", "success")
    return redirect(request.form.get("back") == "textbooks" and url_for("admin.textbooks")
                    or url_for("admin.occupations"))


@bp.route("/occupations")
@login_required
def occupations():  # type: ignore[no-untyped-def]
    actor = current_actor()
    service.catalogue_view(db_session(), actor)
    q = request.args.get("q", "")
    rows = service.occupation_rows(db_session(), q)
    return render_template("admin/occupations.html", rows=rows, q=q, levels=service.LEVELS,
                           loaded=service.catalogue_loaded(db_session())["occupation"], action_form=ActionForm(),
                           source=service.catalogue_sources(db_session())["occupation"])


@bp.route("/occupations/new", methods=["GET", "POST"])
@bp.route("/occupations/<code>", methods=["GET", "POST"])
@login_required
def occupation_edit(code: str | None = None):  # type: ignore[no-untyped-def]
    actor = current_actor()
    service.require_role(actor, "admin")
    current = service.occupations(db_session()).get(code) if code else None
    if code and current is None:
        abort(404)
    form = OccupationForm()
    if request.method == "GET":
        if current is not None:
            form.code.data, form.name.data = current.code, current.name
            form.aliases.data, form.job_posts.data = "\n".join(current.aliases), "\n".join(current.job_posts)
            form.levels.data = list(current.levels)
            form.shortage.data = bool(current.shortage)
        else:
            form.levels.data = [5, 4, 3, 2, 1]
    elif form.validate_on_submit():
        data = service.OccupationInput(
            code=form.code.data or "", name=form.name.data or "", aliases=service.split_list(form.aliases.data),
            job_posts=service.split_list(form.job_posts.data), levels=[int(x) for x in form.levels.data or []],
            shortage=bool(form.shortage.data))
        done = saved(form, lambda: service.admin_save_occupation(db_session(), actor, data, code),
                      lambda saved: f"已保存职业 {saved} {data.name}。", "admin.occupations")
        if done is not None:
            return done
    status = 422 if request.method == "POST" else 200
    return render_template("admin/occupation_form.html", form=form, code=code, action_form=ActionForm()), status


@bp.route("/occupations/<code>/delete", methods=["POST"])
@login_required
def occupation_delete(code: str) -> Response:
    actor = admin_post()
    service.delete_catalogue_entry(db_session(), actor, "occupation", code)
    flash(f"已删除职业 {code}。", "success")
    return redirect(url_for("admin.occupations"))


@bp.route("/textbooks")
@login_required
def textbooks():  # type: ignore[no-untyped-def]
    actor = current_actor()
    service.catalogue_view(db_session(), actor)
    q, category = request.args.get("q", ""), request.args.get("category", "")
    rows = service.textbook_rows(db_session(), q, category if category in service.COURSE_CATEGORIES else "")
    loaded = service.catalogue_loaded(db_session())["textbook"]
    return render_template("admin/textbooks.html", rows=rows, q=q, category=category,
                           categories=service.COURSE_CATEGORIES, loaded=loaded, action_form=ActionForm(),
                           source=service.catalogue_sources(db_session())["textbook"])


@bp.route("/textbooks/new", methods=["GET", "POST"])
@bp.route("/textbooks/<isbn>", methods=["GET", "POST"])
@login_required
def textbook_edit(isbn: str | None = None):  # type: ignore[no-untyped-def]
    actor = current_actor()
    service.require_role(actor, "admin")
    current = service.textbooks(db_session()).get(isbn) if isbn else None
    if isbn and current is None:
        abort(404)
    form = TextbookForm()
    if request.method == "GET" and current is not None:
        form.isbn.data, form.title.data, form.publisher.data = current.isbn, current.title, current.publisher
        form.category.data, form.occupation_codes.data = current.category, "\n".join(current.occupation_codes)
    elif request.method == "POST" and form.validate_on_submit():
        data = service.TextbookInput(
            isbn=form.isbn.data or "", title=form.title.data or "", publisher=form.publisher.data or "",
            category=form.category.data or "", occupation_codes=service.split_list(form.occupation_codes.data))
        done = saved(form, lambda: service.admin_save_textbook(db_session(), actor, data, isbn),
                      lambda saved: f"已保存教材 {saved}《{data.title}》。", "admin.textbooks")
        if done is not None:
            return done
    status = 422 if request.method == "POST" else 200
    return render_template("admin/textbook_form.html", form=form, isbn=isbn, action_form=ActionForm()), status


@bp.route("/textbooks/<isbn>/delete", methods=["POST"])
@login_required
def textbook_delete(isbn: str) -> Response:
    actor = admin_post()
    service.delete_catalogue_entry(db_session(), actor, "textbook", isbn)
    flash(f"已删除教材 {isbn}。", "success")
    return redirect(url_for("admin.textbooks"))


@bp.route("/textbooks/template.xlsx")
@login_required
def textbook_template() -> Response:
    service.require_role(current_actor(), "admin")
    return xlsx(service.textbook_template(), "教材目录导入模板.xlsx")


@bp.route("/textbooks/import", methods=["GET", "POST"])
@login_required
def textbook_import():  # type: ignore[no-untyped-def]
    actor = current_actor()
    service.require_role(actor, "admin")
    form = TextbookImportForm()
    errors = None
    if form.validate_on_submit():
        try:
            count = service.admin_import_textbooks(db_session(), actor, form.file.data.read(), bool(form.replace.data),
                                                   _source(form))
        except service.SpreadsheetInvalid as exc:
            errors = exc
        else:
            flash(f"已导入 {count} 种教材。", "success")
            return redirect(url_for("admin.textbooks"))
    status = 422 if request.method == "POST" else 200
    return render_template("admin/textbook_import.html", form=form, errors=errors), status


def _source(form: CatalogueImportForm) -> service.CatalogueSourceInput:
    return service.CatalogueSourceInput(form.source_document.data or "", form.edition.data or "",
                                        form.published_on.data)


@bp.route("/occupations/template.xlsx")
@login_required
def occupation_template() -> Response:
    service.require_role(current_actor(), "admin")
    return xlsx(service.occupation_template(), "职业目录导入模板.xlsx")


@bp.route("/occupations/import", methods=["GET", "POST"])
@login_required
def occupation_import():  # type: ignore[no-untyped-def]
    actor = current_actor()
    service.require_role(actor, "admin")
    form = OccupationImportForm()
    errors = None
    if form.validate_on_submit():
        try:
            count = service.admin_import_occupations(db_session(), actor, form.file.data.read(),
                                                     bool(form.replace.data), _source(form))
        except service.SpreadsheetInvalid as exc:
            errors = exc
        else:
            flash(f"已导入 {count} 个职业（工种）。", "success")
            return redirect(url_for("admin.occupations"))
    status = 422 if request.method == "POST" else 200
    return render_template("admin/occupation_import.html", form=form, errors=errors), status


# --------------------------------------------------------------------------------------------------
# Policy versions


@bp.route("/policy")
@login_required
def policies():  # type: ignore[no-untyped-def]
    actor = current_actor()
    service.catalogue_view(db_session(), actor)
    current = service.version_in_force(db_session())
    rows = service.policy_versions(db_session())
    states = {r.id: service.version_state(r, current.id if current else None) for r in rows}
    used = service.filings_per_policy_version(db_session(), actor)
    return render_template("admin/policies.html", rows=rows, states=states, state_labels=service.POLICY_VERSION_STATES,
                           params=service.policy_in_force(db_session()), used=used, types=service.APPRENTICESHIP_TYPES,
                           levels=service.LEVELS, rate_key=service.rate_key, defaults=service.dmn_default_rates())


@bp.route("/policy/new", methods=["GET", "POST"])
@login_required
def policy_new():  # type: ignore[no-untyped-def]
    actor = current_actor()
    service.require_role(actor, "admin")
    form = PolicyForm()
    if request.method == "GET":
        start = service.policy_input_from(service.policy_in_force(db_session()))
        form.effective_from.data = clock.china_today(now())
        form.enterprise_share_pct.data = start.enterprise_share_pct
        form.occupation_share_pct.data = start.occupation_share_pct
        form.intermediate_min_pct.data = start.intermediate_min_pct
        form.max_period_years.data = start.max_period_years
        form.max_period_years_with_reason.data = start.max_period_years_with_reason
        form.resubmit_window_days.data = start.resubmit_window_days
        form.review_window_days.data = start.review_window_days
        form.resubmit_working_days.data = start.resubmit_working_days
        form.max_trainee_age.data = start.max_trainee_age
        form.student_graduation_window_years.data = start.student_graduation_window_years
        form.student_highest_level.data = start.student_highest_level
        form.min_hours_per_year.data = start.min_hours_per_year
        form.min_class_hours_per_year.data = start.min_class_hours_per_year
        form.start_report_days.data = start.start_report_days
        form.advance_max_pct.data = start.advance_max_pct
        form.notice_working_days.data = start.notice_working_days
        form.refund_months.data = start.refund_months
        form.fund_risk_pct.data = start.fund_risk_pct
        for key, value in start.rates.items():
            kind, level, *shortage = key.split(":")
            name = uplift_field_name(kind, int(level)) if shortage else rate_field_name(kind, int(level))
            if name in form:
                form[name].data = value
        for kind, required in (start.required_attachments or {}).items():
            form[required_field_name(kind)].data = list(required)
    elif form.validate_on_submit():
        data = service.PolicyInput(
            effective_from=form.effective_from.data,
            enterprise_share_pct=float(form.enterprise_share_pct.data),
            occupation_share_pct=float(form.occupation_share_pct.data),
            intermediate_min_pct=float(form.intermediate_min_pct.data),
            max_period_years=form.max_period_years.data or 0,
            max_period_years_with_reason=form.max_period_years_with_reason.data or 0,
            resubmit_window_days=form.resubmit_window_days.data or 0,
            review_window_days=form.review_window_days.data or 0,
            resubmit_working_days=bool(form.resubmit_working_days.data),
            start_report_days=form.start_report_days.data or 0,
            advance_max_pct=float(form.advance_max_pct.data or 0),
            notice_working_days=form.notice_working_days.data or 0,
            refund_months=form.refund_months.data or 0,
            fund_risk_pct=float(form.fund_risk_pct.data or 0),
            rates={**{service.rate_key(k, lv): form[rate_field_name(k, lv)].data
                      for k in service.APPRENTICESHIP_TYPES for lv in service.LEVELS},
                   # An uplift left blank keeps the rate the diagram's table gives (subsidy_rates.dmn).
                   **{service.rate_key(k, lv, True): form[uplift_field_name(k, lv)].data
                      for k in service.APPRENTICESHIP_TYPES for lv in uplift_levels()
                      if form[uplift_field_name(k, lv)].data is not None}},
            note=form.note.data or "",
            max_trainee_age=form.max_trainee_age.data or 0,
            student_graduation_window_years=form.student_graduation_window_years.data or 0,
            student_highest_level=int(form.student_highest_level.data or 0),
            min_hours_per_year=form.min_hours_per_year.data or 0,
            min_class_hours_per_year=form.min_class_hours_per_year.data or 0,
            required_attachments={k: tuple(form[required_field_name(k)].data or ())
                                  for k in service.APPRENTICESHIP_TYPES})
        done = saved(form, lambda: service.add_policy_version(db_session(), actor, data),
                      lambda row: f"已发布政策参数第 {row.id} 版，自 {row.effective_from.isoformat()} 起生效。",
                      "admin.policies")
        if done is not None:
            return done
    status = 422 if request.method == "POST" else 200
    return render_template("admin/policy_form.html", form=form, types=service.APPRENTICESHIP_TYPES,
                           levels=service.LEVELS, rate_field_name=rate_field_name,
                           uplift_levels={lv: service.LEVELS[lv] for lv in uplift_levels()},
                           uplift_field_name=uplift_field_name, required_field_name=required_field_name), status


