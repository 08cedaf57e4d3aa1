"""The ``reports`` blueprint object and what its view modules share: the configured upload limits and
folder, and putting a service's validation messages on a form.

The routes live in ``views`` (lists, detail, the city's review, files; it also sets the request body
limits), ``edit_views`` (the district writes) and ``gallery_views`` (the 典型案例 gallery).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app

from workflows import service, uploads

bp = Blueprint("reports", __name__, static_folder="static", static_url_path="/reports/static")


def limits() -> uploads.UploadLimits:
    """The per-kind upload limits from the app config (UPLOAD_MAX_*_BYTES)."""
    cfg = current_app.config
    return uploads.UploadLimits(picture=int(cfg["UPLOAD_MAX_PICTURE_BYTES"]), video=int(cfg["UPLOAD_MAX_VIDEO_BYTES"]),
                                document=int(cfg["UPLOAD_MAX_DOCUMENT_BYTES"]))


def upload_dir() -> str:
    """Where uploaded files are stored (UPLOAD_DIR)."""
    return str(current_app.config["UPLOAD_DIR"])


def apply_errors(form: Any, exc: service.ValidationFailed) -> list[str]:
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
