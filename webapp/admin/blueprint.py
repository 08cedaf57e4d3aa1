"""The ``admin`` blueprint object and what its view modules share: running a form's use case, an admin's
bare POST button, and Excel downloads.

The routes live in ``views`` (overview, users, district year plans, enterprises, process versions, stuck
instances) and ``catalogue_views`` (catalogues and policy versions, imported by ``views`` so that their
routes are registered).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import TypeVar

from flask import Blueprint, abort, flash, redirect, send_file, url_for
from flask.blueprints import BlueprintSetupState
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from webapp.admin.forms import ActionForm
from webapp.extensions import db_session
from webapp.form_errors import place_errors
from webapp.models import current_actor
from workflows import errors, service
from workflows.dto import Actor

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.record_once
def _catalogue_reads_the_database(state: BlueprintSetupState) -> None:
    """Catalogue reads without an explicit session go through this app's scoped session."""
    service.use_catalogue_session(db_session)


T = TypeVar("T")


def saved(form: FlaskForm, save: Callable[[], T], done: Callable[[T], str], endpoint: str) -> Response | None:
    """Run a form's use case: refused (ValidationFailed), its errors go next to the form's fields (the rest
    are flashed) and None is returned; saved, ``done(result)`` is flashed and the redirect to ``endpoint``
    returned."""
    try:
        result = save()
    except errors.ValidationFailed as exc:
        for message in place_errors(exc.fields, form):
            flash(message, "error")
        return None
    flash(done(result), "success")
    return redirect(url_for(endpoint))


def admin_post() -> Actor:
    """An admin's POST button (ActionForm): the acting admin; 404 for other roles, 400 without a valid form."""
    actor = current_actor()
    service.require_role(actor, "admin")
    if not ActionForm().validate_on_submit():
        abort(400)
    return actor


def xlsx(data: bytes, filename: str) -> Response:
    """An Excel workbook as a download named ``filename``."""
    return send_file(io.BytesIO(data), mimetype=service.XLSX_MIMETYPE, as_attachment=True, download_name=filename)
