"""The training project's data steps (开班报告, 培训实施: 预支/变更/结业考核, 补贴申领, 拨付, 退款)
at ``/projects/tasks/<id>``, and the 公示 of subsidy claims: ``/public/notices`` lists the claims
under notice (enterprise, occupation, level, number of trainees, amount; nothing personal) without
sign-in; anyone may object during the window."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from flask_login import login_required

from webapp.extensions import db_session, limiter
from webapp.filings.forms import options
from webapp.form_errors import place_errors
from webapp.models import current_actor
from webapp.projects.forms import (
    AdvanceForm,
    AssessmentForm,
    ChangeForm,
    ClaimForm,
    ClassReportForm,
    ObjectionForm,
    PaymentForm,
    fen,
)
from workflows import errors, service
from workflows.dto import TraineeData

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


# --------------------------------------------------------------------------------------------------
# The project's data steps (the review decisions are on tasks.show)

DATA_FORMS = ("project_class_report", "project_running", "project_claim", "project_refund",
              "project_advance_payment", "project_claim_payment", "project_refund_confirm")
PAYMENT_STEPS = {"project_advance_payment": ("advance", "登记预支拨付"),
                 "project_claim_payment": ("subsidy", "登记补贴拨付"),
                 "project_refund_confirm": ("refund", "确认退款到账")}


@bp.record_once
def _task_urls(state: BlueprintSetupState) -> None:
    urls = state.app.extensions.setdefault("task_urls", {})
    for key in DATA_FORMS:
        urls[key] = lambda row: url_for("projects.task", task_id=row.task_id)


def _forms(view: service.ProjectView) -> dict[str, Any]:
    choices = [(t["id"], f"{t['name']}（{t['id_number']}）") for t in view.trainees]
    report = ClassReportForm(prefix="report")
    report.trainees.choices = options(choices)
    change = ChangeForm(prefix="change")
    change.trainee_id.choices = options([(0, "—"), *((t["id"], t["name"]) for t in view.trainees
                                                     if t["started"] and not t["released_on"])])
    assessment = AssessmentForm(prefix="assess")
    if request.method == "GET" or not assessment.rows.entries:
        while assessment.rows.entries:
            assessment.rows.pop_entry()
        for t in view.trainees:
            if t["assessed"]:
                assessment.rows.append_entry({"trainee_id": str(t["id"])})
    names = {str(t["id"]): t["name"] for t in view.trainees}
    return {"report": report, "advance": AdvanceForm(prefix="advance"), "change": change,
            "assessment": assessment, "claim": ClaimForm(prefix="claim"), "payment": PaymentForm(prefix="payment"),
            "names": names}


def _run(form_key: str, which: str, forms: dict[str, Any], project_id: int) -> None:
    """Call the use case behind the submitted form (raises the service's errors)."""
    session, actor = db_session(), current_actor()
    if form_key == "project_class_report":
        f = forms["report"]
        service.report_class_start(session, actor, project_id, f.actual_start.data, list(f.trainees.data or []))
    elif which == "advance":
        service.request_advance(session, actor, project_id, fen(forms["advance"].amount_yuan.data))
    elif which == "change":
        f = forms["change"]
        replacement = (TraineeData(name=f.name.data or "", id_number=f.id_number.data or "",
                                   job_post=f.job_post.data or "", contract_start=f.contract_start.data)
                       if f.kind.data == "replace" else None)
        service.request_change(session, actor, project_id, service.ChangeRequest(
            kind=f.kind.data or "", effective_on=f.effective_on.data, trainee_id=f.trainee_id.data or None,
            replacement=replacement, new_end=f.new_end.data, reason=f.reason.data or ""))
    elif which == "assess":
        service.submit_assessment(session, actor, project_id, [service.AssessmentResult(
            int(r.trainee_id.data), r.outcome.data or "", r.certificate_no.data or "",
            int(r.level_reached.data) if r.level_reached.data else None) for r in forms["assessment"].rows])
    elif form_key == "project_claim":
        service.submit_claim(session, actor, project_id)
    else:
        f = forms["payment"]
        amount, day, voucher = fen(f.amount_yuan.data), f.paid_on.data, f.voucher_no.data or ""
        if form_key == "project_refund":
            service.report_refund(session, actor, project_id, amount, day, voucher)
        else:
            record = {"project_advance_payment": service.record_advance_payment,
                      "project_claim_payment": service.record_claim_payment,
                      "project_refund_confirm": service.confirm_refund}[form_key]
            record(session, actor, project_id, amount, day, voucher)


@bp.route("/projects/tasks/<task_id>", methods=["GET", "POST"])
@login_required
def task(task_id: str):  # type: ignore[no-untyped-def]
    actor = current_actor()
    row = service.get_task(db_session(), actor, task_id)
    if row.form_key not in DATA_FORMS or not service.may_complete(actor, row):
        raise errors.NotFound("未找到该任务。")
    title, case_id = row.title, row.instance_id  # the row is gone once the task is completed
    project = service.project_of_instance(db_session(), case_id)
    view = service.project_view(db_session(), actor, project.id)
    forms = _forms(view)
    which = request.form.get("which", "")
    general: list[str] = []
    if request.method == "POST":
        form = {"advance": forms["advance"], "change": forms["change"], "assess": forms["assessment"]}.get(
            which, forms["report"] if row.form_key == "project_class_report" else
            forms["claim"] if row.form_key == "project_claim" else forms["payment"])
        if form.validate_on_submit():
            try:
                _run(row.form_key, which, forms, project.id)
            except errors.ValidationFailed as exc:
                general.extend(place_errors(exc.fields, form))
                if not exc.fields or general:
                    general.append(exc.message)
            except errors.Conflict as exc:
                general.append(exc.message)
            else:
                flash(f"已办理“{title}”。", "success")
                return redirect(url_for("cases.detail", case_id=case_id))
    status = 422 if request.method == "POST" else 200
    return render_template("projects/task.html", row=row, project=view, forms=forms, general_errors=general,
                           payment_step=PAYMENT_STEPS.get(row.form_key)), status
