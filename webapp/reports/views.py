"""半年报告 and 典型案例: the report list, the district's write/submit pages, the city's accept / ask-for-more
page, the report detail with its history, the gallery, and the scoped file route.

Uploads: on the endpoints that take files the request body may be as large as the largest per-file
limit (plus room for the form), and the multipart parser spools file parts into UPLOAD_DIR/tmp (never
into memory, nor into a memory-backed /tmp); ``workflows.uploads`` then checks and stores them.
Every other endpoint here accepts 1 MB at most.
"""

from __future__ import annotations

import tempfile
from typing import IO, Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask.blueprints import BlueprintSetupState
from flask_login import login_required
from werkzeug.formparser import FormDataParser
from werkzeug.wrappers import Response

from webapp.extensions import db
from webapp.models import current_actor
from webapp.reports.forms import (
    ActionForm,
    CaseForm,
    ExcellentForm,
    GalleryFilterForm,
    PublicityForm,
    ReportFilterForm,
    ReviewForm,
    SummaryForm,
    UrgeForm,
)
from workflows import reports, service, uploads
from workflows.models.filing import APPRENTICESHIP_TYPES
from workflows.models.org import DISTRICTS

bp = Blueprint("reports", __name__, static_folder="static", static_url_path="/reports/static")

UPLOAD_ENDPOINTS = {"reports.case_new", "reports.case_edit", "reports.add_publicity"}
FORM_ONLY_LIMIT = 1024 * 1024
MULTIPART_ROOM = 16 * 1024 * 1024  # text fields, part headers and a few small files beside the largest one


def limits() -> uploads.UploadLimits:
    cfg = current_app.config
    return uploads.UploadLimits(picture=int(cfg["UPLOAD_MAX_PICTURE_BYTES"]), video=int(cfg["UPLOAD_MAX_VIDEO_BYTES"]),
                                document=int(cfg["UPLOAD_MAX_DOCUMENT_BYTES"]))


def upload_dir() -> str:
    return str(current_app.config["UPLOAD_DIR"])


class _SpoolingParser(FormDataParser):
    """Multipart parser whose file parts go to UPLOAD_DIR/tmp (same filesystem as the final files)."""

    def __init__(self, stream_factory: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(_spool_file, *args, **kwargs)


def _spool_file(total_content_length: int | None, content_type: str | None, filename: str | None,
                content_length: int | None = None) -> IO[bytes]:
    return tempfile.SpooledTemporaryFile(max_size=512 * 1024, mode="rb+",  # noqa: SIM115 - closed by werkzeug
                                         dir=uploads.spool_dir(upload_dir()))


@bp.url_value_preprocessor
def _request_limits(endpoint: str | None, values: dict[str, Any] | None) -> None:
    """Runs before the app's before_request hooks (CSRF reads the form), so the body limit and the
    spool location are in place before anything parses the request."""
    if endpoint in UPLOAD_ENDPOINTS:
        request.max_content_length = limits().largest + MULTIPART_ROOM
        request.form_data_parser_class = _SpoolingParser
    elif endpoint != "reports.static":
        request.max_content_length = FORM_ONLY_LIMIT


@bp.record_once
def _setup(state: BlueprintSetupState) -> None:
    app = state.app
    reports.configure(due_day=app.config.get("REPORT_DUE_DAY"), reminder_days=app.config.get("REPORT_REMINDER_DAYS"))
    app.extensions.setdefault("case_links", {})[reports.KIND] = lambda instance_id: url_for(
        "reports.by_case", instance_id=instance_id)
    task_urls = app.extensions.setdefault("task_urls", {})
    for form_key in ("report_edit", "report_accept"):  # the district's write page / the city's review page
        task_urls[form_key] = lambda row: url_for("reports.by_case", instance_id=row.instance_id)


def _apply_errors(form: Any, exc: service.ValidationFailed) -> list[str]:
    """Put the service's messages on the form's fields; the rest are returned for the page top."""
    general: list[str] = []
    for name, messages in exc.fields.items():
        field = form._fields.get(name)
        if field is not None and field.type not in ("SubmitField", "CSRFTokenField"):
            field.errors = [*field.errors, *messages]
        else:
            general.extend(messages)
    general.insert(0, exc.message)  # the summary at the top; the details sit next to their fields
    return list(dict.fromkeys(general))


def _limit_help(form: CaseForm) -> None:
    sizes = {k: uploads.human_size(limits().of(k)) for k in ("picture", "video", "document")}
    for field in (form.pictures, form.videos, form.documents):
        field.description = str(field.description).format(**sizes)


# --------------------------------------------------------------------------------------------------
# Lists and detail


@bp.route("/reports/")
@login_required
def index():  # type: ignore[no-untyped-def]
    actor = current_actor()
    filters = ReportFilterForm(request.args)
    rows = reports.list_reports(
        db.session, actor, district=filters.district.data or None if actor.role != "district" else None,
        status=filters.status.data or None, period=filters.period.data or None,
        overdue_only=bool(filters.overdue.data))
    return render_template("reports/index.html", rows=rows, filters=filters, actor=actor)


@bp.route("/reports/case/<int:instance_id>")
@login_required
def by_case(instance_id: int) -> Response:
    """Where notifications and the inbox link: the page for whoever follows the link."""
    actor = current_actor()
    report = reports.report_for_case(db.session, actor, instance_id)
    view = reports.report_view(db.session, actor, report.id)
    if view.can_edit:
        return redirect(url_for("reports.edit", report_id=report.id))
    if view.can_review:
        return redirect(url_for("reports.review", report_id=report.id))
    return redirect(url_for("reports.detail", report_id=report.id))


@bp.route("/reports/<int:report_id>")
@login_required
def detail(report_id: int):  # type: ignore[no-untyped-def]
    actor = current_actor()
    view = reports.report_view(db.session, actor, report_id, with_diagram=True)
    return render_template("reports/detail.html", view=view, report=view.report, urge_form=UrgeForm(),
                           action_form=ActionForm())


@bp.route("/reports/<int:report_id>/diagram.bpmn")
@login_required
def diagram_xml(report_id: int) -> Response:
    xml = reports.diagram_xml(db.session, current_actor(), report_id)
    response = current_app.response_class(xml, mimetype="application/xml")
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# --------------------------------------------------------------------------------------------------
# The district writes


def _edit_view(report_id: int) -> reports.ReportView:
    view = reports.report_view(db.session, current_actor(), report_id)
    if not view.can_edit:
        if view.instance.status in reports.EDITABLE:
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


def _render_edit(view: reports.ReportView, summary_form: SummaryForm, publicity_form: PublicityForm,
                 general_errors: list[str], status: int = 200):  # type: ignore[no-untyped-def]
    return render_template(
        "reports/edit.html", view=view, report=view.report, summary_form=summary_form,
        publicity_form=publicity_form, action_form=ActionForm(), general_errors=general_errors,
        submit_problems=reports.submit_errors(view.report), scan_limit=uploads.human_size(limits().of("scan")),
    ), status


@bp.route("/reports/<int:report_id>/summary", methods=["POST"])
@login_required
def save_summary(report_id: int):  # type: ignore[no-untyped-def]
    actor = current_actor()
    form = SummaryForm()
    if form.validate_on_submit():
        try:
            reports.save_summary(db.session, actor, report_id, form.summary.data or "")
        except service.ValidationFailed as exc:
            general = _apply_errors(form, exc)
        else:
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
            saved = reports.save_case(db.session, actor, report_id, case_id, form.data_obj(), form.files(),
                                      upload_dir=upload_dir(), limits=limits())
        except service.ValidationFailed as exc:
            db.session.rollback()
            general = _apply_errors(form, exc)
        else:
            flash(f"典型案例“{saved.title}”已保存。", "success")
            return redirect(url_for("reports.edit", report_id=report_id) + f"#case-{saved.id}")
    if case is not None:
        db.session.refresh(case)
    status = 422 if request.method == "POST" else 200
    return render_template("reports/case_form.html", view=view, report=view.report, case=case, form=form,
                           general_errors=general, action_form=ActionForm()), status


@bp.route("/reports/cases/<int:case_id>/delete", methods=["POST"])
@login_required
def delete_case(case_id: int) -> Response:
    actor = current_actor()
    case = reports.get_case(db.session, actor, case_id)
    report_id = case.report_id
    if ActionForm().validate_on_submit():
        reports.delete_case(db.session, actor, case_id, upload_dir=upload_dir())
        flash("典型案例已删除。", "success")
    return redirect(url_for("reports.edit", report_id=report_id))


@bp.route("/reports/files/<int:attachment_id>/delete", methods=["POST"])
@login_required
def remove_file(attachment_id: int) -> Response:
    actor = current_actor()
    served = reports.file_to_serve(db.session, actor, attachment_id, upload_dir=upload_dir())
    attachment = db.session.get(reports.ReportAttachment, attachment_id)
    assert attachment is not None
    report_id, case_id = attachment.report_id, attachment.case_id
    if ActionForm().validate_on_submit():
        reports.remove_attachment(db.session, actor, attachment_id, upload_dir=upload_dir())
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
            reports.add_publicity(db.session, actor, report_id, form.data_obj(), form.scan_file(),
                                  upload_dir=upload_dir(), limits=limits())
        except service.ValidationFailed as exc:
            db.session.rollback()
            general = _apply_errors(form, exc)
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
    item = db.session.get(reports.PublicityItem, item_id)
    if item is None:
        abort(404)
    report = reports.get_report(db.session, actor, item.report_id)
    if ActionForm().validate_on_submit():
        reports.delete_publicity(db.session, actor, item_id, upload_dir=upload_dir())
        flash("宣传报道已删除。", "success")
    return redirect(url_for("reports.edit", report_id=report.id) + "#publicity")


@bp.route("/reports/<int:report_id>/submit", methods=["POST"])
@login_required
def submit(report_id: int):  # type: ignore[no-untyped-def]
    actor = current_actor()
    if not ActionForm().validate_on_submit():
        return redirect(url_for("reports.edit", report_id=report_id))
    try:
        report = reports.submit_report(db.session, actor, report_id)
    except service.ValidationFailed as exc:
        view = _edit_view(report_id)
        problems = [m for messages in exc.fields.values() for m in messages]
        return _render_edit(view, SummaryForm(summary=view.report.summary), PublicityForm(),
                            [exc.message, *problems], 422)
    flash(f"{report.period_label}经验总结报告已报送市职业能力建设指导中心。", "success")
    return redirect(url_for("reports.detail", report_id=report_id))


# --------------------------------------------------------------------------------------------------
# The city


@bp.route("/reports/<int:report_id>/review", methods=["GET", "POST"])
@login_required
def review(report_id: int):  # type: ignore[no-untyped-def]
    actor = current_actor()
    view = reports.report_view(db.session, actor, report_id)
    if not view.can_review:
        if actor.role != "city":
            abort(404)
        flash("该报告当前不在市中心接收环节。", "info")
        return redirect(url_for("reports.detail", report_id=report_id))
    form = ReviewForm()
    general: list[str] = []
    if form.validate_on_submit():
        try:
            reports.review_report(db.session, actor, report_id, form.decision.data or "", form.comment.data or "")
        except service.Conflict:
            flash("该报告已被他人处理，以下是最新状态。", "warning")
            return redirect(url_for("reports.detail", report_id=report_id))
        except service.ValidationFailed as exc:
            general = _apply_errors(form, exc)
        else:
            label = "已接收" if form.decision.data == "accept" else "已要求区局补充"
            flash(f"{view.district_name}{view.report.period_label}报告{label}。", "success")
            return redirect(url_for("reports.index"))
    status = 422 if request.method == "POST" else 200
    return render_template("reports/review.html", view=view, report=view.report, form=form,
                           general_errors=general), status


@bp.route("/reports/<int:report_id>/urge", methods=["POST"])
@login_required
def urge(report_id: int) -> Response:
    actor = current_actor()
    form = UrgeForm()
    if form.validate_on_submit():
        try:
            reports.urge_report(db.session, actor, report_id, form.message.data or "")
        except (service.Conflict, service.ValidationFailed) as exc:
            flash(exc.message, "error")
        else:
            flash("已向区人社局发送催办。", "success")
    else:
        flash("请填写催办内容。", "error")
    return redirect(url_for("reports.detail", report_id=report_id))


# --------------------------------------------------------------------------------------------------
# Gallery


@bp.route("/reports/gallery")
@login_required
def gallery():  # type: ignore[no-untyped-def]
    actor = current_actor()
    form = GalleryFilterForm(request.args)
    options = reports.gallery_options(db.session)
    form.occupation.choices = [("", "全部"), *options.occupations]
    form.period.choices = [("", "全部"), *options.periods]
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    per_page = 24
    filters = reports.GalleryFilters(
        district=form.district.data or None, occupation=form.occupation.data or None,
        apprenticeship_type=form.apprenticeship_type.data or None, period=form.period.data or None,
        excellent_only=bool(form.excellent.data))
    cases, total = reports.gallery(db.session, actor, filters, page=page, per_page=per_page)
    pages = max((total + per_page - 1) // per_page, 1)
    return render_template("reports/gallery.html", cases=cases, total=total, form=form, page=page, pages=pages,
                           excellent_form=ExcellentForm(), districts=DISTRICTS, types=APPRENTICESHIP_TYPES,
                           actor=actor, page_args={k: v for k, v in request.args.items() if k != "page"})


@bp.route("/reports/gallery/cases/<int:case_id>")
@login_required
def case_detail(case_id: int):  # type: ignore[no-untyped-def]
    actor = current_actor()
    case = reports.get_case(db.session, actor, case_id)
    return render_template("reports/case_detail.html", case=case, report=case.report,
                           district_name=DISTRICTS.get(case.report.district_code, ""),
                           accepted=reports._accepted(db.session, case.report),
                           excellent_form=ExcellentForm(), actor=actor)


@bp.route("/reports/gallery/cases/<int:case_id>/excellent", methods=["POST"])
@login_required
def excellent(case_id: int) -> Response:
    actor = current_actor()
    form = ExcellentForm()
    if form.validate_on_submit():
        marked = form.excellent.data != "0"
        case = reports.mark_excellent(db.session, actor, case_id, marked)
        flash(f"已{'标记' if marked else '取消'}优秀案例“{case.title}”。", "success")
    target = request.form.get("next") or ""
    if target.startswith("/reports/") and not target.startswith("//"):
        return redirect(target)
    return redirect(url_for("reports.gallery"))


# --------------------------------------------------------------------------------------------------
# Files


def _serve(attachment_id: int, thumbnail: bool) -> Response:
    found = reports.file_to_serve(db.session, current_actor(), attachment_id, upload_dir=upload_dir(),
                                  thumbnail=thumbnail)
    response = send_file(found.path, mimetype=found.mime, conditional=True, etag=True, max_age=0)
    response.headers["Content-Disposition"] = uploads.content_disposition(found.download_name, found.inline)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = (
        "sandbox; default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'")
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.route("/reports/files/<int:attachment_id>")
@login_required
def file(attachment_id: int) -> Response:
    return _serve(attachment_id, thumbnail=False)


@bp.route("/reports/files/<int:attachment_id>/thumb")
@login_required
def thumb(attachment_id: int) -> Response:
    return _serve(attachment_id, thumbnail=True)
