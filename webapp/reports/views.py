"""半年报告 and 典型案例: the report list, the district's write/submit pages, the city's accept / ask-for-more
page, the report detail with its history, the gallery, and the scoped file route.

Uploads: on the endpoints that take files the request body may be as large as the largest per-file
limit (plus room for the form), and the multipart parser spools file parts into UPLOAD_DIR/tmp (never
into memory, nor into a memory-backed /tmp); ``workflows.uploads`` then checks and stores them.
Every other endpoint here accepts 1 MB at most.

This module holds the blueprint's set-up (body limits, spooling, links for other screens), the lists and
the report detail, the city's review and urge, and the file routes; the district's pages are in
``edit_views`` and the gallery in ``gallery_views`` (imported here so their routes are registered);
``bp``, ``limits`` and ``upload_dir`` live in ``blueprint``.
"""

from __future__ import annotations

import tempfile
from typing import IO, Any

from flask import (
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

from webapp.extensions import db_session
from webapp.models import current_actor
from webapp.reports import edit_views, gallery_views  # noqa: F401 - importing registers their routes on bp
from webapp.reports.blueprint import apply_errors, bp, limits, upload_dir
from webapp.reports.forms import ActionForm, OpenReportForm, ReportFilterForm, ReviewForm, UrgeForm
from workflows import errors, service
from workflows.clock import now
from workflows.models import DISTRICTS

UPLOAD_ENDPOINTS = {"reports.case_new", "reports.case_edit", "reports.add_publicity"}
FORM_ONLY_LIMIT = 1024 * 1024
MULTIPART_ROOM = 16 * 1024 * 1024  # text fields, part headers and a few small files beside the largest one


class SpoolingParser(FormDataParser):
    """Multipart parser whose file parts go to UPLOAD_DIR/tmp (same filesystem as the final files)."""

    def __init__(self, stream_factory: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(_spool_file, *args, **kwargs)


def _spool_file(total_content_length: int | None, content_type: str | None, filename: str | None,
                content_length: int | None = None) -> IO[bytes]:
    return tempfile.SpooledTemporaryFile(max_size=512 * 1024, mode="rb+",  # noqa: SIM115 - closed by werkzeug
                                         dir=service.spool_dir(upload_dir()))


@bp.url_value_preprocessor
def _request_limits(endpoint: str | None, values: dict[str, Any] | None) -> None:
    """Runs before the app's before_request hooks (CSRF reads the form), so the body limit and the
    spool location are in place before anything parses the request."""
    if endpoint in UPLOAD_ENDPOINTS:
        request.max_content_length = limits().largest + MULTIPART_ROOM
        request.form_data_parser_class = SpoolingParser
    elif endpoint != "reports.static":
        request.max_content_length = FORM_ONLY_LIMIT


@bp.record_once
def _setup(state: BlueprintSetupState) -> None:
    app = state.app
    service.configure_reports(due_day=app.config.get("REPORT_DUE_DAY"),
                            reminder_days=app.config.get("REPORT_REMINDER_DAYS"))
    app.extensions.setdefault("case_links", {})[service.REPORT_KIND] = lambda instance_id: url_for(
        "reports.by_case", instance_id=instance_id)
    task_urls = app.extensions.setdefault("task_urls", {})
    for form_key in ("report_edit", "report_accept"):  # the district's write page / the city's review page
        task_urls[form_key] = lambda row: url_for("reports.by_case", instance_id=row.instance_id)


# --------------------------------------------------------------------------------------------------
# Lists and detail


@bp.route("/reports/")
@login_required
def index():  # type: ignore[no-untyped-def]
    actor = current_actor()
    filters = ReportFilterForm(request.args)
    rows = service.list_reports(
        db_session(), actor, district=filters.district.data or None if actor.role != "district" else None,
        status=filters.status.data or None, period=filters.period.data or None,
        overdue_only=bool(filters.overdue.data))
    open_form = OpenReportForm(formdata=None, year=now().year)
    return render_template("reports/index.html", rows=rows, filters=filters, actor=actor, open_form=open_form)


@bp.route("/reports/open", methods=["POST"])
@login_required
def open_report():  # type: ignore[no-untyped-def]
    """开启报告 by hand: the city opens a district's semiannual report, as it can a quarterly plan."""
    actor = current_actor()
    if actor.role not in ("city", "admin"):
        raise errors.NotFound("未找到该页面。")
    form = OpenReportForm()
    if not form.validate_on_submit():
        flash("；".join(e for errs in form.errors.values() for e in errs) or "请求无效，请刷新页面后重试。", "error")
        return redirect(url_for("reports.index"))
    try:
        service.open_report(db_session(), form.district_code.data or "", int(form.year.data or 0),
                            int(form.half.data or 0), actor=actor)
    except (errors.Conflict, errors.ValidationFailed) as exc:
        flash(exc.message, "error")
    else:
        half = "上半年" if form.half.data == "1" else "下半年"
        flash(f"已开启{DISTRICTS.get(form.district_code.data or '', '')}{form.year.data}年{half}报告。", "success")
    return redirect(url_for("reports.index"))


@bp.route("/reports/case/<int:instance_id>")
@login_required
def by_case(instance_id: int) -> Response:
    """Where notifications and the inbox link: the page for whoever follows the link."""
    actor = current_actor()
    report = service.report_for_case(db_session(), actor, instance_id)
    view = service.report_view(db_session(), actor, report.id)
    if view.can_edit:
        return redirect(url_for("reports.edit", report_id=report.id))
    if view.can_review:
        return redirect(url_for("reports.review", report_id=report.id))
    return redirect(url_for("reports.detail", report_id=report.id))


@bp.route("/reports/<int:report_id>")
@login_required
def detail(report_id: int):  # type: ignore[no-untyped-def]
    actor = current_actor()
    view = service.report_view(db_session(), actor, report_id, with_diagram=True)
    return render_template("reports/detail.html", view=view, report=view.report, urge_form=UrgeForm(),
                           action_form=ActionForm())


@bp.route("/reports/<int:report_id>/diagram.bpmn")
@login_required
def diagram_xml(report_id: int) -> Response:
    xml = service.report_diagram_xml(db_session(), current_actor(), report_id)
    response = current_app.response_class(xml, mimetype="application/xml")
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# --------------------------------------------------------------------------------------------------
# The city


@bp.route("/reports/<int:report_id>/review", methods=["GET", "POST"])
@login_required
def review(report_id: int):  # type: ignore[no-untyped-def]
    actor = current_actor()
    view = service.report_view(db_session(), actor, report_id)
    if not view.can_review:
        if actor.role != "city":
            abort(404)
        flash("该报告当前不在市中心接收环节。", "info")
        return redirect(url_for("reports.detail", report_id=report_id))
    form = ReviewForm()
    general: list[str] = []
    if form.validate_on_submit():
        try:
            service.review_report(db_session(), actor, report_id, form.decision.data or "",
                                        form.comment.data or "")
        except errors.Conflict:
            flash("该报告已被他人处理，以下是最新状态。", "warning")
            return redirect(url_for("reports.detail", report_id=report_id))
        except errors.ValidationFailed as exc:
            general = apply_errors(form, exc)
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
            service.urge_report(db_session(), actor, report_id, form.message.data or "")
        except (errors.Conflict, errors.ValidationFailed) as exc:
            flash(exc.message, "error")
        else:
            flash("已向区人社局发送催办。", "success")
    else:
        flash("请填写催办内容。", "error")
    return redirect(url_for("reports.detail", report_id=report_id))


# --------------------------------------------------------------------------------------------------
# Files


def _serve(attachment_id: int, thumbnail: bool) -> Response:
    found = service.file_to_serve(db_session(), current_actor(), attachment_id, upload_dir=upload_dir(),
                                  thumbnail=thumbnail)
    response = send_file(found.path, mimetype=found.mime, conditional=True, etag=True, max_age=0)
    response.headers["Content-Disposition"] = service.content_disposition(found.download_name, found.inline)
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
