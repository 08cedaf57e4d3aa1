"""公示 of subsidy claims: ``/public/notices`` lists the claims under notice (enterprise, occupation, level,
number of trainees, amount; nothing personal) without sign-in; anyone may object during the window."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.blueprints import BlueprintSetupState

from webapp.extensions import db_session, limiter
from webapp.projects.forms import ObjectionForm
from workflows import errors, service

bp = Blueprint("projects", __name__)


@bp.record_once
def _setup(state: BlueprintSetupState) -> None:
    # Notifications about a project lead to its case page.
    state.app.extensions.setdefault("case_links", {})[service.PROJECT_KIND] = (
        lambda instance_id: url_for("cases.detail", case_id=instance_id))


@bp.route("/public/notices")
def notices():  # type: ignore[no-untyped-def]
    return render_template("projects/notices.html", notices=service.public_notices(db_session()),
                           form=ObjectionForm(formdata=None))


@bp.route("/public/notices/<int:project_id>/objection", methods=["POST"])
@limiter.limit("10 per hour")
def objection(project_id: int):  # type: ignore[no-untyped-def]
    form = ObjectionForm()
    status = 422
    if form.validate_on_submit():
        try:
            service.raise_objection(db_session(), project_id, form.content.data or "", form.contact.data or "")
        except errors.ValidationFailed as exc:
            form.content.errors = list(exc.fields.get("content", [exc.message]))
        except errors.Conflict as exc:
            flash(exc.message, "error")
            status = 409
        else:
            flash("异议已提交，区人社局将在公示期满后处理。", "success")
            return redirect(url_for("projects.notices"))
    return render_template("projects/notices.html", notices=service.public_notices(db_session()), form=form,
                           failed_id=project_id), status
