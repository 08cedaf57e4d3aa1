"""The district writes its 半年报告: the edit page, the experience summary, typical cases with their
files, publicity items with their scans, and the submission to the city. Routes on the ``reports``
blueprint (uploads arrive spooled and size-capped by ``views``).
"""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from webapp.extensions import db_session
from webapp.form_errors import place_errors
from webapp.models import current_actor
from webapp.reports.blueprint import apply_errors, bp, limits, upload_dir
from webapp.reports.forms import ActionForm, CaseForm, PublicityForm, SummaryForm
from workflows import errors, service
from workflows.models import report_models


def _limit_help(form: CaseForm) -> None:
    sizes = {k: service.human_size(limits().of(k)) for k in ("picture", "video", "document")}
    for field in (form.pictures, form.videos, form.documents):
        field.description = str(field.description).format(**sizes)


def _edit_view(report_id: int) -> service.ReportView:
    view = service.report_view(db_session(), current_actor(), report_id)
    if not view.can_edit:
        if view.editable:  # ready, but not for this actor
            abort(404)
        flash("报告已报送，当前不能修改。", "info")
    return view


@bp.route("/reports/<int:report_id>/edit", methods=["GET"])
@login_required
def edit(report_id: int):  # type: ignore[no-untyped-def]
    view = _edit_view(report_id)
    if not view.can_edit:
        return redirect(url_for("reports.detail", report_id=report_id))
    summary_form = SummaryForm(summary=view.report.summary)
    return _render_edit(view, summary_form, PublicityForm(), [])


def _render_edit(view: service.ReportView, summary_form: SummaryForm, publicity_form: PublicityForm,
                 general_errors: list[str], status: int = 200):  # type: ignore[no-untyped-def]
    return render_template(
        "reports/edit.html", view=view, report=view.report, summary_form=summary_form,
        publicity_form=publicity_form, action_form=ActionForm(), general_errors=general_errors,
        submit_problems=service.submit_errors(view.report),
        scan_limit=service.human_size(limits().of("scan")),
    ), status


@bp.route("/reports/<int:report_id>/summary", methods=["POST"])
@login_required
def save_summary(report_id: int):  # type: ignore[no-untyped-def]
    actor = current_actor()
    form = SummaryForm()
    autosave = request.headers.get("X-Autosave") == "1"
    if form.validate_on_submit():
        try:
            service.save_summary(db_session(), actor, report_id, form.summary.data or "")
        except errors.ValidationFailed as exc:
            if autosave:
                return jsonify({"ok": False, "message": exc.message}), 422
            general = apply_errors(form, exc)
        else:
            if autosave:  # the page's background save (app.js data-autosave): no redirect, no flash
                return jsonify({"ok": True}), 200
            flash("经验总结已保存。", "success")
            return redirect(url_for("reports.edit", report_id=report_id))
    else:
        general = []
    view = _edit_view(report_id)
    return _render_edit(view, form, PublicityForm(), general, 422)


@bp.route("/reports/<int:report_id>/cases/new", methods=["GET", "POST"])
@login_required
def case_new(report_id: int):  # type: ignore[no-untyped-def]
    return _case_page(report_id, None)


@bp.route("/reports/<int:report_id>/cases/<int:case_id>/edit", methods=["GET", "POST"])
@login_required
def case_edit(report_id: int, case_id: int):  # type: ignore[no-untyped-def]
    return _case_page(report_id, case_id)


def _case_page(report_id: int, case_id: int | None):  # type: ignore[no-untyped-def]
    actor = current_actor()
    view = _edit_view(report_id)
    if not view.can_edit:
        return redirect(url_for("reports.detail", report_id=report_id))
    case = None
    if case_id is not None:
        case = next((c for c in view.report.cases if c.id == case_id), None)
        if case is None:
            abort(404)
    form = CaseForm(obj=case if request.method == "GET" else None)
    _limit_help(form)
    general: list[str] = []
    if form.validate_on_submit():
        try:
            saved = service.save_report_case(db_session(), actor, report_id, case_id, form.data_obj(), form.files(),
                                      upload_dir=upload_dir(), limits=limits())
        except errors.ValidationFailed as exc:
            db_session().rollback()
            general = apply_errors(form, exc)
        else:
            flash(f"典型案例“{saved.title}”已保存。", "success")
            return redirect(url_for("reports.edit", report_id=report_id) + f"#case-{saved.id}")
    if case is not None:
        db_session().refresh(case)
    status = 422 if request.method == "POST" else 200
    return render_template("reports/case_form.html", view=view, report=view.report, case=case, form=form,
                           general_errors=general, action_form=ActionForm()), status


@bp.route("/reports/cases/<int:case_id>/delete", methods=["POST"])
@login_required
def delete_case(case_id: int) -> Response:
    actor = current_actor()
    case = service.get_report_case(db_session(), actor, case_id)
    report_id = case.report_id
    if ActionForm().validate_on_submit():
        service.delete_report_case(db_session(), actor, case_id, upload_dir=upload_dir())
        flash("典型案例已删除。", "success")
    return redirect(url_for("reports.edit", report_id=report_id))


@bp.route("/reports/files/<int:attachment_id>/delete", methods=["POST"])
@login_required
def remove_file(attachment_id: int) -> Response:
    actor = current_actor()
    served = service.file_to_serve(db_session(), actor, attachment_id, upload_dir=upload_dir())
    attachment = db_session().get(report_models.ReportAttachment, attachment_id)
    assert attachment is not None
    report_id, case_id = attachment.report_id, attachment.case_id
    if ActionForm().validate_on_submit():
        service.remove_attachment(db_session(), actor, attachment_id, upload_dir=upload_dir())
        flash(f"文件“{served.download_name}”已删除。", "success")
    if case_id is not None and request.args.get("back") == "case":
        return redirect(url_for("reports.case_edit", report_id=report_id, case_id=case_id))
    return redirect(url_for("reports.edit", report_id=report_id))


@bp.route("/reports/<int:report_id>/publicity", methods=["POST"])
@login_required
def add_publicity(report_id: int):  # type: ignore[no-untyped-def]
    actor = current_actor()
    form = PublicityForm()
    general: list[str] = []
    if form.validate_on_submit():
        try:
            service.add_publicity(db_session(), actor, report_id, form.data_obj(), form.scan_file(),
                                  upload_dir=upload_dir(), limits=limits())
        except errors.ValidationFailed as exc:
            db_session().rollback()
            general = apply_errors(form, exc)
        else:
            flash("宣传报道已添加。", "success")
            return redirect(url_for("reports.edit", report_id=report_id) + "#publicity")
    view = _edit_view(report_id)
    if not view.can_edit:
        return redirect(url_for("reports.detail", report_id=report_id))
    return _render_edit(view, SummaryForm(summary=view.report.summary), form, general, 422)


@bp.route("/reports/publicity/<int:item_id>/delete", methods=["POST"])
@login_required
def delete_publicity(item_id: int) -> Response:
    actor = current_actor()
    item = db_session().get(report_models.PublicityItem, item_id)
    if item is None:
        abort(404)
    report = service.get_report(db_session(), actor, item.report_id)
    if ActionForm().validate_on_submit():
        service.delete_publicity(db_session(), actor, item_id, upload_dir=upload_dir())
        flash("宣传报道已删除。", "success")
    return redirect(url_for("reports.edit", report_id=report.id) + "#publicity")


@bp.route("/reports/<int:report_id>/submit", methods=["POST"])
@login_required
def submit(report_id: int):  # type: ignore[no-untyped-def]
    actor = current_actor()
    if not ActionForm().validate_on_submit():
        return redirect(url_for("reports.edit", report_id=report_id))
    try:
        report = service.submit_report(db_session(), actor, report_id)
    except errors.ValidationFailed as exc:
        view = _edit_view(report_id)
        return _render_edit(view, SummaryForm(summary=view.report.summary), PublicityForm(),
                            [exc.message, *place_errors(exc.fields)], 422)
    flash(f"{report.period_label}经验总结报告已报送市职业能力建设指导中心。", "success")
    return redirect(url_for("reports.detail", report_id=report_id))
