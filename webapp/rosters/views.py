"""学员名册: enterprises download the Excel template and import a roster into their draft or returned
filing. Endpoints: ``rosters.template`` (GET, the .xlsx template) and ``rosters.upload`` (GET the form,
POST the file) at /filings/<filing_id>/roster."""

from __future__ import annotations

import io

from flask import Blueprint, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from webapp.admin.forms import UploadForm
from webapp.extensions import db_session
from webapp.models import current_actor
from workflows import errors, service

bp = Blueprint("rosters", __name__)


@bp.route("/rosters/template.xlsx")
@login_required
def template() -> Response:
    return send_file(io.BytesIO(service.roster_template()), mimetype=service.XLSX_MIMETYPE, as_attachment=True,
                     download_name="学员名册模板.xlsx")


@bp.route("/filings/<int:filing_id>/roster", methods=["GET", "POST"])
@login_required
def upload(filing_id: int):  # type: ignore[no-untyped-def]
    actor = current_actor()
    try:
        filing = service.editable_filing(db_session(), actor, filing_id)
    except errors.Conflict as exc:
        flash(exc.message, "error")
        filing = service.get_filing(db_session(), actor, filing_id)
        return redirect(url_for("cases.detail", case_id=filing.instance_id)
                        if "cases.detail" in _endpoints() else url_for("home"))
    form = UploadForm()
    invalid: service.SpreadsheetInvalid | None = None
    mode = request.form.get("mode", "replace")
    if mode not in service.ROSTER_IMPORT_MODES:
        mode = "replace"
    if form.validate_on_submit():
        try:
            service.import_roster(db_session(), actor, filing_id, form.file.data.read(), mode)
        except service.SpreadsheetInvalid as exc:
            invalid = exc
        except errors.Conflict as exc:
            flash(exc.message, "error")
        else:
            count = len(filing.trainees)
            done = "原名单已替换" if mode == "replace" else "已追加到原名单之后"
            flash(f"已导入学员名册，现共 {count} 名学员（{done}）。请核对后提交备案。", "success")
            return redirect(url_for("filings.edit", filing_id=filing_id) if "filings.edit" in _endpoints()
                            else url_for("rosters.upload", filing_id=filing_id))
    status = 422 if invalid is not None or form.errors else 200
    return render_template("rosters/upload.html", form=form, filing=filing, errors=invalid,
                           required=service.ROSTER_TYPE_REQUIRED.get(filing.apprenticeship_type, ()),
                           columns=service.ROSTER_COLUMNS, modes=service.ROSTER_IMPORT_MODES, mode=mode), status


@bp.route("/rosters/parse", methods=["POST"])
@login_required
def parse() -> tuple[Response, int]:
    """Read a roster for the filing form (saved or not): the trainees as JSON, which the page puts into
    its table (append or replace); or every bad cell. Nothing is stored."""
    actor = current_actor()
    if actor.role != "enterprise":
        return jsonify({"message": "页面不存在，或您无权查看。"}), 404
    form = UploadForm()
    if not form.validate_on_submit():
        message = "；".join(m for field in form for m in field.errors) or "请选择 Excel 文件（.xlsx）。"
        return jsonify({"message": message, "errors": []}), 422
    try:
        start = service.parse_date_text(request.form.get("period_start", ""))
    except ValueError:
        start = None
    try:
        trainees = service.parse_roster(form.file.data.read(), request.form.get("apprenticeship_type", ""), start)
    except service.SpreadsheetInvalid as exc:
        cells = [{"row": e.row, "column": e.column, "message": e.message} for e in exc.errors[:200]]
        return jsonify({"message": exc.message, "errors": cells}), 422
    rows = [{"name": t.name, "id_number": t.id_number, "job_post": t.job_post,
             "contract_start": t.contract_start.isoformat() if t.contract_start else "",
             "school": t.school, "graduation_year": str(t.graduation_year or ""),
             "recruited_on": t.recruited_on.isoformat() if t.recruited_on else "", "major": t.major,
             "expected_graduation": t.expected_graduation.isoformat() if t.expected_graduation else ""}
            for t in trainees]
    return jsonify({"trainees": rows}), 200


def _endpoints() -> set[str]:
    from flask import current_app

    return set(current_app.view_functions)
