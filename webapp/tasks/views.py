"""待办 inbox and the task page: the whole filing read-only, its check results and the decision form."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from webapp.extensions import db_session
from webapp.form_errors import place_errors
from webapp.forms import options
from webapp.models import current_actor
from webapp.pagination import Page
from webapp.tasks.forms import TASK_FORMS, BatchForm, ClaimForm, DistrictReviewForm, InboxFilterForm, TransferForm
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
    form = InboxFilterForm(request.args)
    if actor.role != "city":
        del form.district
    form.validate()
    data = {name: field.data for name, field in form._fields.items() if not field.errors}
    selected = request.args.get("task") or None
    only_overdue = bool(data.get("overdue"))
    page = service.page_number(request.args.get("page"))
    at = now()
    filters = service.TaskFilters(
        q=(data.get("q") or "").strip() or None, task_name=selected, overdue=only_overdue, at=at,
        district=data.get("district") or None, flagged=bool(data.get("flagged")),
        resubmitted=bool(data.get("resubmitted")), assignee=data.get("assignee") or None,
        sort=data.get("sort") or "due")
    rows, shown_total = service.task_page(db_session(), actor, filters, page, PER_PAGE)
    counts = service.task_counts(db_session(), actor, filters)
    links = {r.task.task_id: task_url(r.task, r.filing_id) for r in rows}
    batch_decisions = _batch_decisions(actor)
    return render_template(
        "tasks/inbox.html", rows=rows, total=counts.total, shown_total=shown_total, counts=counts.by_task,
        overdue_count=counts.overdue, overdue={r.task.task_id for r in rows if r.overdue(at)},
        selected=selected, only_overdue=only_overdue, links=links, pager=Page(page, PER_PAGE, shown_total),
        args={k: v for k, v in request.args.items() if k != "page"}, form=form, at=at,
        filtered=any(request.args.get(k) for k in ("q", "task", "district", "flagged", "overdue", "resubmitted",
                                                   "assignee")),
        case_links={r.task.instance_id: case_url(r.task.kind, r.task.instance_id) for r in rows},
        district_name=DISTRICTS.get(actor.district_code or "", ""), batch_decisions=batch_decisions,
        batchable={r.task.task_id for r in rows if r.task.form_key in BATCH_FORMS},
        batch_form=BatchForm(), levels=service.LEVELS)


# Decisions offered for 批量办理 in the inbox: approve (district) and record (city); returns and rejections
# need a comment of their own, one filing at a time.
BATCH_FORMS = {"district_review": "approve", "city_record": "record"}


def _batch_decisions(actor: Actor) -> list[tuple[str, str]]:
    form_key = {"district": "district_review", "city": "city_record"}.get(actor.role)
    if form_key is None:
        return []
    code = BATCH_FORMS[form_key]
    return [(code, service.DECISIONS[form_key][code][0])]


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
        form.confirm_mismatches.choices = _mismatch_choices(results)
    general_errors: list[str] = []
    if form.validate_on_submit():
        confirmed = form.all_confirmed() if isinstance(form, DistrictReviewForm) else False
        label = form.decision_label()
        try:
            service.complete_task(db_session(), actor, task_id, form.decision.data or "", form.comment.data or "",
                                  confirm_mismatches=confirmed)
        except errors.Conflict as exc:
            if not _still_ready(actor, task_id):
                return _already_done(actor, task_id)
            general_errors.append(exc.message)  # e.g. claimed by a colleague: say who, change nothing
        except errors.ValidationFailed as exc:
            general_errors.extend(place_errors(exc.fields, form))
            if not exc.fields:
                general_errors.append(exc.message)
        else:
            flash(f"已办理“{title}”：{label}。", "success")
            return redirect(url_for("tasks.inbox"))
    return _render(actor, row, filing, form, partial, results, general_errors,
                   422 if request.method == "POST" else 200)


@bp.route("/tasks/<task_id>/reveal-ids", methods=["POST"])
@login_required
def reveal_ids(task_id: str):  # type: ignore[no-untyped-def]
    """The task page with the full ID numbers of the case's trainees (the reveal is written to the security
    log); the decision form stays empty."""
    actor = current_actor()
    try:
        row = service.get_task(db_session(), actor, task_id)
    except errors.Conflict:
        return _already_done(actor, task_id)
    if row.kind != "filing" or row.form_key not in TASK_FORMS:
        raise errors.NotFound("未找到该任务。")
    filing = service.reveal_id_numbers(db_session(), actor, row.instance_id, request.remote_addr or "")
    form_class, partial = TASK_FORMS[row.form_key]
    form = form_class(formdata=None)
    results = list(filing.check_results or [])
    if isinstance(form, DistrictReviewForm):
        form.confirm_mismatches.choices = _mismatch_choices(results)
    return _render(actor, row, filing, form, partial, results, [], 200, full=True)


def _mismatch_choices(results: list[dict]) -> list:
    return options(
        (r["field"], r["message"]) for r in results
        if r.get("rule") == "job_post_match" and (r.get("details") or {}).get("result") == "mismatch"
    )


def _render(actor: Actor, row: TaskIndex, filing, form, partial: str, results: list[dict],  # type: ignore[no-untyped-def]
            general_errors: list[str], status: int, full: bool = False):
    instance = service.get_case(db_session(), actor, row.instance_id)
    info = service.case_infos(db_session(), [instance.id]).get(instance.id)
    history = service.history(db_session(), instance.id)
    row = service.get_task(db_session(), actor, row.task_id)  # fresh: the assignee may have changed
    return render_template(
        "tasks/show.html", row=row, instance=instance, filing=filing, form=form, partial=partial,
        results=results, general_errors=general_errors, history=history,
        enterprise_name=info.enterprise_name if info else "", district_name=info.district_name if info else "",
        overdue=row.due_at is not None and row.due_at < now(),
        **_review_context(actor, row, instance, filing, history),
        people=service.trainees_shown(actor, filing.trainees, full) if filing is not None else [],
        reveal_url=(url_for("tasks.reveal_ids", task_id=row.task_id)
                    if filing is not None and service.may_reveal_ids(actor) else None),
    ), status


def _still_ready(actor: Actor, task_id: str) -> bool:
    try:
        service.get_task(db_session(), actor, task_id)
    except (errors.Conflict, errors.NotFound):
        return False
    return True


def _review_context(actor: Actor, row: TaskIndex, instance, filing, history) -> dict:  # type: ignore[no-untyped-def]
    """What the review screen shows beside the filing: the step indicator, the live R3/R4/R5 figures and
    remaining budget, what changed since the previous round, the district's decision (for the city), and
    who the task belongs to (认领 / 转办 / 退回组)."""
    session = db_session()
    assignee = service.assignee_of(session, row)
    return {
        "progress": service.filing_progress(history, instance.status) if filing is not None else None,
        "figures": service.live_figures(session, filing) if filing is not None else None,
        "round_diff": service.filing_round_diff(session, filing.id) if filing is not None else None,
        "district_decision": service.district_decision(history) if row.role == "city" else None,
        "assignee": assignee,
        "mine": assignee is not None and assignee[0] == getattr(current_user, "username", None),
        "candidates": service.transfer_candidates(session, actor, row),
        "may_reassign": actor.role in ("city", "admin"),
        "decision_labels": {code: label for code, (label, _) in service.DECISIONS.get(row.form_key, {}).items()},
        "claim_form": ClaimForm(prefix="claim"), "release_form": ClaimForm(prefix="release"),
        "transfer_form": _transfer_form(session, actor, row),
    }


def _transfer_form(session, actor: Actor, row: TaskIndex) -> TransferForm:  # type: ignore[no-untyped-def]
    form = TransferForm(prefix="transfer")
    form.to.choices = options([("", "请选择同组人员"), *((u.username, u.display_name)
                                                   for u in service.transfer_candidates(session, actor, row))])
    return form


def _task_or_done(actor: Actor, task_id: str) -> TaskIndex | Response:
    try:
        return service.get_task(db_session(), actor, task_id)
    except errors.Conflict:
        return _already_done(actor, task_id)


@bp.route("/tasks/<task_id>/claim", methods=["POST"])
@login_required
def claim(task_id: str):  # type: ignore[no-untyped-def]
    actor = current_actor()
    if not ClaimForm(prefix="claim").validate_on_submit():
        raise errors.ValidationFailed("请求已过期，请刷新页面后重试。")
    try:
        service.claim_task(db_session(), actor, task_id)
    except errors.Conflict as exc:
        if not _still_ready(actor, task_id):
            return _already_done(actor, task_id)
        flash(exc.message, "error")
    else:
        flash("已认领该任务，其他同事不能再办理。", "success")
    return redirect(url_for("tasks.show", task_id=task_id))


@bp.route("/tasks/<task_id>/release", methods=["POST"])
@login_required
def release(task_id: str):  # type: ignore[no-untyped-def]
    actor = current_actor()
    if not ClaimForm(prefix="release").validate_on_submit():
        raise errors.ValidationFailed("请求已过期，请刷新页面后重试。")
    try:
        service.release_task(db_session(), actor, task_id)
    except errors.Conflict as exc:
        if not _still_ready(actor, task_id):
            return _already_done(actor, task_id)
        flash(exc.message, "error")
    else:
        flash("已退回组，本组人员均可办理。", "success")
    return redirect(url_for("tasks.show", task_id=task_id) if _still_ready(actor, task_id)
                    else url_for("tasks.inbox"))


@bp.route("/tasks/<task_id>/transfer", methods=["POST"])
@login_required
def transfer(task_id: str):  # type: ignore[no-untyped-def]
    actor = current_actor()
    row = _task_or_done(actor, task_id)
    if not isinstance(row, TaskIndex):
        return row
    form = _transfer_form(db_session(), actor, row)
    if form.validate_on_submit():
        try:
            service.transfer_task(db_session(), actor, task_id, form.to.data or "", form.comment.data or "")
        except errors.Conflict as exc:
            if not _still_ready(actor, task_id):
                return _already_done(actor, task_id)
            flash(exc.message, "error")
        except errors.ValidationFailed as exc:
            flash(exc.message, "error")
        else:
            flash("已转办，对方已收到通知。", "success")
            return redirect(url_for("tasks.inbox"))
    else:
        flash("；".join(e for errs in form.errors.values() for e in errs) or "转办信息有误。", "error")
    return redirect(url_for("tasks.show", task_id=task_id))


@bp.route("/tasks/batch", methods=["POST"])
@login_required
def batch():  # type: ignore[no-untyped-def]
    """批量办理 from the inbox: the selected rows, one decision, one comment; each item reported."""
    actor = current_actor()
    form = BatchForm()
    if not form.validate_on_submit():
        flash("；".join(e for errs in form.errors.values() for e in errs) or "请选择要办理的任务。", "error")
        return redirect(request.referrer if _same_site(request.referrer) else url_for("tasks.inbox"))
    try:
        results = service.batch_complete(db_session(), actor, form.task_ids.data or [], form.decision.data or "",
                                         form.comment.data or "")
    except errors.ValidationFailed as exc:
        flash(exc.message, "error")
        return redirect(url_for("tasks.inbox"))
    done = [r for r in results if r.ok]
    failed = [r for r in results if not r.ok]
    if done:
        flash(f"已批量办理 {len(done)} 项。", "success")
    if failed:
        titles = service.batch_labels(db_session(), actor, [r.task_id for r in failed])
        flash(f"{len(failed)} 项未办理，保持原状：" + "；".join(
            f"{titles.get(r.task_id, r.task_id)}：{r.error}" for r in failed), "error")
    return redirect(url_for("tasks.inbox"))


def _same_site(url: str | None) -> bool:
    from urllib.parse import urlsplit

    if not url:
        return False
    parts = urlsplit(url)
    return parts.netloc in ("", request.host) and parts.scheme in ("", request.scheme)
