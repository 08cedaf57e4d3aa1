"""待办 inbox and the task page: the whole filing read-only, its check results and the decision form."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from webapp.extensions import db_session
from webapp.filings.forms import options
from webapp.form_errors import place_errors
from webapp.models import current_actor
from webapp.pagination import Page
from webapp.tasks.forms import TASK_FORMS, DistrictReviewForm
from workflows import errors, service
from workflows.clock import now
from workflows.dto import Actor
from workflows.models import DISTRICTS, TaskIndex

bp = Blueprint("tasks", __name__)

CONFLICT_MESSAGE = "该任务已被他人处理，以下是案件的最新状态。"


def task_url(row: TaskIndex, filing_id: int | None = None) -> str:
    """Where a task is done: the page another feature registered for its formKey
    (``app.extensions["task_urls"][form_key] = lambda row: url``), the filing form for the enterprise's
    tasks, else the task page with the decision form."""
    custom = current_app.extensions.get("task_urls", {}).get(row.form_key)
    if custom is not None:
        return str(custom(row))
    if row.form_key == "filing_edit" and filing_id is not None:
        return url_for("filings.edit", filing_id=filing_id)
    return url_for("tasks.show", task_id=row.task_id)


PER_PAGE = 20


@bp.route("/tasks/")
@login_required
def inbox() -> str:
    actor = current_actor()
    selected = request.args.get("task") or None
    only_overdue = request.args.get("overdue") == "1"
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    at = now()
    filters = service.TaskFilters(task_name=selected, overdue=only_overdue, at=at)
    rows, shown_total = service.task_page(db_session(), actor, filters, page, PER_PAGE)
    counts = service.task_counts(db_session(), actor, filters)
    links = {r.task.task_id: task_url(r.task, r.filing_id) for r in rows}
    return render_template(
        "tasks/inbox.html", rows=rows, total=counts.total, shown_total=shown_total, counts=counts.by_task,
        overdue_count=counts.overdue, overdue={r.task.task_id for r in rows if r.overdue(at)},
        selected=selected, only_overdue=only_overdue, links=links, pager=Page(page, PER_PAGE, shown_total),
        args={k: v for k, v in request.args.items() if k != "page"},
        case_links={r.task.instance_id: case_url(r.task.kind, r.task.instance_id) for r in rows},
        district_name=DISTRICTS.get(actor.district_code or "", ""))


def _already_done(actor: Actor, task_id: str) -> Response:
    """Someone completed the task first: say so, change nothing, show the case as it is now."""
    case_id = service.case_of_task(db_session(), actor, task_id)
    flash(CONFLICT_MESSAGE, "warning")
    return redirect(url_for("cases.detail", case_id=case_id))


def case_url(kind: str, instance_id: int) -> str:
    """The page of a case: the one its feature registered (``app.extensions["case_links"][kind]``),
    else the generic case detail."""
    custom = current_app.extensions.get("case_links", {}).get(kind)
    if custom is not None and kind != "filing":
        return str(custom(instance_id))
    return url_for("cases.detail", case_id=instance_id)


@bp.route("/tasks/<task_id>", methods=["GET", "POST"])
@login_required
def show(task_id: str):  # type: ignore[no-untyped-def]
    actor = current_actor()
    try:
        row = service.get_task(db_session(), actor, task_id)
    except errors.Conflict:
        return _already_done(actor, task_id)
    # get_task already checked scope; the case itself is loaded only when the page is rendered.
    filing = service.filing_of_case(db_session(), row.instance_id) if row.kind == "filing" else None
    if row.form_key not in TASK_FORMS:
        target = task_url(row, filing.id if filing is not None else None)
        if target != url_for("tasks.show", task_id=row.task_id):
            return redirect(target)
        raise errors.NotFound("未找到该任务。")
    form_class, partial = TASK_FORMS[row.form_key]
    title = row.title  # the row is gone once the task is completed
    form = form_class()
    results = list(filing.check_results or []) if filing is not None else []
    if isinstance(form, DistrictReviewForm):
        form.confirm_mismatches.choices = options(
            (r["field"], r["message"]) for r in results
            if r.get("rule") == "job_post_match" and (r.get("details") or {}).get("result") == "mismatch"
        )
    general_errors: list[str] = []
    if form.validate_on_submit():
        confirmed = form.all_confirmed() if isinstance(form, DistrictReviewForm) else False
        label = form.decision_label()
        try:
            service.complete_task(db_session(), actor, task_id, form.decision.data or "", form.comment.data or "",
                                  confirm_mismatches=confirmed)
        except errors.Conflict:
            return _already_done(actor, task_id)
        except errors.ValidationFailed as exc:
            general_errors.extend(place_errors(exc.fields, form))
            if not exc.fields:
                general_errors.append(exc.message)
        else:
            flash(f"已办理“{title}”：{label}。", "success")
            return redirect(url_for("tasks.inbox"))
    instance = service.get_case(db_session(), actor, row.instance_id)
    info = service.case_infos(db_session(), [instance.id]).get(instance.id)
    status = 422 if request.method == "POST" else 200
    return render_template(
        "tasks/show.html", row=row, instance=instance, filing=filing, form=form, partial=partial,
        results=results, general_errors=general_errors, history=service.history(db_session(), instance.id),
        enterprise_name=info.enterprise_name if info else "", district_name=info.district_name if info else "",
        overdue=row.due_at is not None and row.due_at < now(),
    ), status
