"""我的备案: an enterprise's filings, the new/edit form (save draft or submit), withdraw."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from webapp.extensions import db_session
from webapp.filings.forms import (
    MAX_COURSES,
    MAX_TRAINEES,
    AttachmentForm,
    ConfirmForm,
    CourseForm,
    FilingForm,
    TraineeForm,
    WithdrawForm,
)
from webapp.models import current_actor
from webapp.pagination import Page
from webapp.reports.blueprint import limits, upload_dir
from webapp.reports.views import MULTIPART_ROOM, SpoolingParser
from workflows import errors, service
from workflows.clock import now
from workflows.dto import Actor
from workflows.models import Filing, TaskIndex, WorkflowInstance

bp = Blueprint("filings", __name__, static_folder="static", static_url_path="/filings/static")

PER_PAGE = 20
UPLOAD_ENDPOINTS = {"filings.upload_attachment"}


@bp.url_value_preprocessor
def _request_limits(endpoint: str | None, values: dict[str, Any] | None) -> None:
    """Supporting documents: the body may be as large as the largest document or picture allowed, and
    file parts are spooled next to the stored files (as the reports' uploads)."""
    if endpoint in UPLOAD_ENDPOINTS:
        allowed = limits()
        request.max_content_length = max(allowed.document, allowed.picture) + MULTIPART_ROOM
        request.form_data_parser_class = SpoolingParser


def _enterprise_actor() -> Actor:
    """Only an enterprise's clerk has these screens; anyone else gets 404 like any out-of-scope page."""
    actor = current_actor()
    if actor.role != "enterprise":
        raise errors.NotFound("页面不存在，或您无权查看。")
    return actor


@dataclass
class FundPlan:
    """trainees x rate (yuan per person per year) x years = fen."""

    trainees: int
    rate_yuan: int
    months: int | None
    fen: int
    by_year: dict[int, int]


def fund_plan(filing: Filing) -> FundPlan:
    """The filing's fund plan from the policy rates in force, as the service computes it on save."""
    params = service.policy_in_force(db_session())
    rate = params.rate(filing.apprenticeship_type, filing.level, service.is_shortage(filing.occupation_code))
    trainees = len(filing.trainees)
    start, end = filing.period_start, filing.period_end
    if start is None or end is None or end <= start:
        return FundPlan(trainees, rate, None, 0, {})
    months = service.period_months(start, end)
    return FundPlan(trainees, rate, months, service.subsidy_fen(trainees, rate, months),
                    service.year_split_fen(trainees, rate, start, months))


def _latest_return(instance: WorkflowInstance):  # type: ignore[no-untyped-def]
    """The district's latest 退回修改 event (its comment is what the enterprise must address)."""
    if instance.status != "returned":
        return None
    return next((e for e in reversed(service.history(db_session(), instance.id)) if e.action == "return"), None)


def _deadline(instance: WorkflowInstance, tasks: list[TaskIndex]):  # type: ignore[no-untyped-def]
    """When the enterprise's open task falls due (a returned filing closes after it)."""
    dues = [t.due_at for t in tasks if t.due_at is not None]
    return min(dues) if dues else instance.due_at


def _actions(instance: WorkflowInstance) -> service.FilingActions:
    """What the enterprise may do with this filing now, from its ready tasks."""
    return service.filing_actions(db_session(), [instance])[instance.id]


def _render_form(form: FilingForm, filing: Filing | None = None, instance: WorkflowInstance | None = None,
                 status: int = 200) -> tuple[str, int]:
    params = service.policy_in_force(db_session())
    tasks = service.ready_tasks(db_session(), instance.id) if instance is not None else []
    return render_template(
        "filings/form.html",
        form=form,
        filing=filing,
        instance=instance,
        returned=_latest_return(instance) if instance is not None else None,
        deadline=_deadline(instance, tasks) if instance is not None else None,
        plan=fund_plan(filing) if filing is not None else None,
        rates=params.rates,
        max_period_years=params.max_period_years,
        blank_trainee=TraineeForm(prefix="trainees-__index__-"),
        blank_course=CourseForm(prefix="courses-__index__-"),
        textbooks=sorted(service.textbooks().values(),
                         key=lambda b: (b.category != "general_required", b.title)),
        max_trainees=MAX_TRAINEES,
        max_courses=MAX_COURSES,
        withdraw_form=WithdrawForm(formdata=None),
        can_withdraw=instance is not None and service.filing_actions_of(instance, tasks).withdraw,
        can_delete=instance is not None and instance.status == "draft",
        confirm_form=ConfirmForm(formdata=None),
        attachment_form=AttachmentForm(formdata=None),
        attachments=list(filing.attachments) if filing is not None else [],
        required_kinds=params.required_attachment_kinds(form.apprenticeship_type.data or "enterprise_apprentice"),
        attachment_kinds=service.ATTACHMENT_KINDS,
        roster_modes=service.ROSTER_IMPORT_MODES,
    ), status


@bp.route("/filings/occupations.json")
@login_required
def occupation_options() -> Response:
    """The occupation picker's entries (code, name, aliases): fetched once per page, cached by ETag."""
    response = jsonify(service.occupation_options(db_session()))
    response.add_etag()
    response.headers["Cache-Control"] = "private, no-cache"
    return response.make_conditional(request)


@bp.route("/filings/")
@login_required
def index():  # type: ignore[no-untyped-def]
    actor = _enterprise_actor()
    status = request.args.get("status") or None
    if status not in service.STATUS_LABELS:
        status = None
    page = service.page_number(request.args.get("page"))
    rows, listed = service.list_filings(db_session(), actor, status, page, PER_PAGE)
    counts = service.status_counts(db_session(), actor)
    actions = service.filing_actions(db_session(), [case for _, case in rows])
    return render_template("filings/index.html", rows=rows, counts=counts, status=status, now=now(),
                           total=sum(counts.values()), actions=actions, listed=listed,
                           pager=Page(page, PER_PAGE, listed))


@bp.route("/filings/new", methods=["GET", "POST"])
@login_required
def new():  # type: ignore[no-untyped-def]
    actor = _enterprise_actor()
    form = FilingForm()
    if request.method == "GET":
        form.trainees.append_entry()
        form.courses.append_entry()
        form.creation_token.data = secrets.token_urlsafe(24)
        return _render_form(form)
    already = service.filing_created_by(db_session(), actor, form.creation_token.data or "")
    if already is not None:
        # The same form posted again (Back after saving or submitting, Enter twice): nothing new is created.
        flash("该备案已经保存过，未重复创建。", "info")
        return redirect(url_for("filings.edit", filing_id=already.id))
    if not form.validate_on_submit():
        return _render_form(form, status=422)
    data, rows = form.to_data()
    try:
        filing = service.create_filing(db_session(), actor, data, creation_token=form.creation_token.data)
    except errors.ValidationFailed as exc:
        form.apply_errors(exc.fields, rows)
        return _render_form(form, status=422)
    if not form.submitting:
        flash("草稿已保存。", "success")
        return redirect(url_for("filings.edit", filing_id=filing.id))
    try:
        service.submit_filing(db_session(), actor, filing.id)
    except errors.ValidationFailed as exc:
        # The draft exists now; the form posts to its edit page from here on.
        form.apply_errors(exc.fields, rows)
        form.general_errors.insert(0, "已保存为草稿，但提交未通过校验。")
        instance = service.get_case(db_session(), actor, filing.instance_id)  # type: ignore[arg-type]
        return _render_form(form, filing, instance, status=422)
    flash("备案已提交，等待区人社局审核。", "success")
    return redirect(url_for("cases.detail", case_id=filing.instance_id))


@bp.route("/filings/<int:filing_id>/edit", methods=["GET", "POST"])
@login_required
def edit(filing_id: int):  # type: ignore[no-untyped-def]
    actor = _enterprise_actor()
    filing = service.get_filing(db_session(), actor, filing_id)
    instance = service.get_case(db_session(), actor, filing.instance_id)  # type: ignore[arg-type]
    if not _actions(instance).edit:
        flash(f"该备案当前状态为“{service.STATUS_LABELS.get(instance.status, instance.status)}”，不能修改。", "info")
        return redirect(url_for("cases.detail", case_id=instance.id))
    if request.method == "GET":
        form = FilingForm(obj=filing)
        if not form.trainees.entries:
            form.trainees.append_entry()
        if not form.courses.entries:
            form.courses.append_entry()
        return _render_form(form, filing, instance)
    form = FilingForm()
    if not form.validate_on_submit():
        return _render_form(form, filing, instance, status=422)
    data, rows = form.to_data()
    was_returned = instance.status == "returned"
    try:
        if form.submitting:
            service.submit_filing(db_session(), actor, filing.id, data)
        else:
            service.save_filing(db_session(), actor, filing.id, data)
    except errors.ValidationFailed as exc:
        form.apply_errors(exc.fields, rows)
        return _render_form(form, filing, instance, status=422)
    except errors.Conflict as exc:
        flash(exc.message, "error")
        return redirect(url_for("cases.detail", case_id=instance.id))
    if form.submitting:
        flash("备案已重新提交，等待区人社局审核。" if was_returned else "备案已提交，等待区人社局审核。", "success")
        return redirect(url_for("cases.detail", case_id=instance.id))
    flash("草稿已保存。", "success")
    return redirect(url_for("filings.edit", filing_id=filing.id))


@bp.route("/filings/<int:filing_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(filing_id: int) -> Response | tuple[str, int]:
    """GET: a confirmation page with an optional reason; POST: withdraw (before the district decides)."""
    actor = _enterprise_actor()
    filing = service.get_filing(db_session(), actor, filing_id)
    instance = service.get_case(db_session(), actor, filing.instance_id)  # type: ignore[arg-type]
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            service.withdraw_filing(db_session(), actor, filing.id, form.reason.data or "")
        except errors.Conflict as exc:
            flash(exc.message, "error")
            return redirect(url_for("cases.detail", case_id=instance.id))
        flash("备案已撤回。", "success")
        return redirect(url_for("filings.index"))
    if request.method == "GET" and not _actions(instance).withdraw:
        flash("该备案当前状态不能撤回（区人社局已作出决定或尚未提交）。", "info")
        return redirect(url_for("cases.detail", case_id=instance.id))
    status = 422 if request.method == "POST" else 200
    return render_template("filings/withdraw.html", form=form, filing=filing, instance=instance), status


@bp.route("/filings/<int:filing_id>/delete", methods=["POST"])
@login_required
def delete(filing_id: int) -> Response:
    """Delete a draft that was never submitted."""
    actor = _enterprise_actor()
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        names = service.delete_draft(db_session(), actor, filing_id)
    except errors.Conflict as exc:
        flash(exc.message, "error")
        return redirect(url_for("filings.index"))
    service.discard_files(upload_dir(), names)
    flash("草稿已删除。", "success")
    return redirect(url_for("filings.index"))


@bp.route("/filings/<int:filing_id>/copy", methods=["POST"])
@login_required
def copy(filing_id: int) -> Response:
    """复制为新备案: a new draft with the same content."""
    actor = _enterprise_actor()
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    filing = service.copy_filing_with_documents(db_session(), actor, filing_id, upload_dir=upload_dir())
    flash("已复制为新的备案草稿（含证明材料），请核对修改后提交。", "success")
    return redirect(url_for("filings.edit", filing_id=filing.id))


@bp.route("/filings/job-post-check")
@login_required
def job_post_check() -> Response:
    """The R2 job-post check while typing (the server's rule): ?occupation_code=...&job_post=...(repeatable)."""
    _enterprise_actor()
    posts = [p[:100] for p in request.args.getlist("job_post")[:MAX_TRAINEES]]
    result = service.job_post_results(db_session(), request.args.get("occupation_code", "")[:20], posts)
    response = jsonify(result)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/filings/<int:filing_id>/attachments", methods=["POST"])
@login_required
def upload_attachment(filing_id: int) -> Response | tuple[str, int]:
    actor = _enterprise_actor()
    form = AttachmentForm()
    if not form.validate_on_submit():
        message = "；".join(m for field in form for m in field.errors) or "请选择文件。"
        flash(f"证明材料未上传：{message}", "error")
        return redirect(url_for("filings.edit", filing_id=filing_id) + "#attachments-section")
    upload = form.file.data
    try:
        service.add_filing_attachment(db_session(), actor, filing_id, service.IncomingDocument(
            stream=upload.stream, filename=upload.filename, mimetype=upload.mimetype, kind=form.kind.data or "",
            note=form.note.data or ""), upload_dir=upload_dir(), limits=limits())
    except errors.ValidationFailed as exc:
        flash(exc.message, "error")
    except errors.Conflict as exc:
        flash(exc.message, "error")
    else:
        flash("证明材料已上传。", "success")
    return redirect(url_for("filings.edit", filing_id=filing_id) + "#attachments-section")


@bp.route("/filings/<int:filing_id>/attachments/<int:attachment_id>/delete", methods=["POST"])
@login_required
def delete_attachment(filing_id: int, attachment_id: int) -> Response:
    actor = _enterprise_actor()
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        service.delete_filing_attachment(db_session(), actor, filing_id, attachment_id, upload_dir=upload_dir())
    except errors.Conflict as exc:
        flash(exc.message, "error")
    else:
        flash("证明材料已删除。", "success")
    return redirect(url_for("filings.edit", filing_id=filing_id) + "#attachments-section")


@bp.route("/filings/<int:filing_id>/attachments/<int:attachment_id>")
@login_required
def attachment(filing_id: int, attachment_id: int) -> Response:
    """A supporting document, for anyone who may see the filing (inline for pictures and PDFs)."""
    found = service.filing_document_to_serve(db_session(), current_actor(), filing_id, attachment_id,
                                             upload_dir=upload_dir(), thumbnail=request.args.get("thumb") == "1")
    response = send_file(found.path, mimetype=found.mime, as_attachment=not found.inline,
                         download_name=found.download_name, max_age=0)
    response.headers["Content-Disposition"] = service.content_disposition(found.download_name, found.inline)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    # The review screen previews pictures and PDFs in a frame of this same site, nowhere else.
    response.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; frame-ancestors 'self'"
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response
