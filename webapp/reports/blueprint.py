"""The ``reports`` blueprint object and what its view modules share: the configured upload limits and
folder, and putting a service's validation messages on a form.

The routes live in ``views`` (lists, detail, the city's review, files; it also sets the request body
limits), ``edit_views`` (the district writes) and ``gallery_views`` (the 典型案例 gallery).
"""

from __future__ import annotations

from flask import Blueprint, current_app
from flask_wtf import FlaskForm

from webapp.form_errors import place_errors
from workflows import errors, service

bp = Blueprint("reports", __name__, static_folder="static", static_url_path="/reports/static")


def limits() -> service.UploadLimits:
    """The per-kind upload limits from the app config (UPLOAD_MAX_*_BYTES)."""
    cfg = current_app.config
    return service.UploadLimits(picture=int(cfg["UPLOAD_MAX_PICTURE_BYTES"]),
                                       video=int(cfg["UPLOAD_MAX_VIDEO_BYTES"]),
                                       document=int(cfg["UPLOAD_MAX_DOCUMENT_BYTES"]))


def upload_dir() -> str:
    """Where uploaded files are stored (UPLOAD_DIR)."""
    return str(current_app.config["UPLOAD_DIR"])


def apply_errors(form: FlaskForm, exc: errors.ValidationFailed) -> list[str]:
    """Put the service's messages on the form's fields; returned for the page top: the summary first (the
    details sit next to their fields), then the messages that name no field, each once."""
    return list(dict.fromkeys([exc.message, *place_errors(exc.fields, form)]))
