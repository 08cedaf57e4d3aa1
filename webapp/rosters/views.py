"""学员名册: enterprises download the Excel template and import a roster into their draft or returned
filing. Endpoints: ``rosters.template`` (GET, the .xlsx template) and ``rosters.upload`` (GET the form,
POST the file) at /filings/<filing_id>/roster."""

from __future__ import annotations

import io

from flask import Blueprint, flash, redirect, render_template, send_file, url_for
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
    if form.validate_on_submit():
        try:
            service.import_roster(db_session(), actor, filing_id, form.file.data.read())
        except service.SpreadsheetInvalid as exc:
            invalid = exc
        except errors.Conflict as exc:
            flash(exc.message, "error")
        else:
            count = len(filing.trainees)
            flash(f"已导入学员名册，共 {count} 名学员（原名单已替换）。请核对后提交备案。", "success")
            return redirect(url_for("filings.edit", filing_id=filing_id) if "filings.edit" in _endpoints()
                            else url_for("rosters.upload", filing_id=filing_id))
    status = 422 if invalid is not None or form.errors else 200
    return render_template("rosters/upload.html", form=form, filing=filing, errors=invalid,
                           required=service.ROSTER_TYPE_REQUIRED.get(filing.apprenticeship_type, ()),
                           columns=service.ROSTER_COLUMNS), status


def _endpoints() -> set[str]:
    from flask import current_app

    return set(current_app.view_functions)
