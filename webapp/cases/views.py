"""Case list (scoped, filtered, paginated), case detail (data, tasks, history, diagram), diagram XML."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import login_required
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from webapp.extensions import db_session, limiter
from webapp.filings.forms import ConfirmForm, WithdrawForm
from webapp.forms import RowForm, ZhForm, options
from webapp.models import current_actor
from webapp.pagination import Page
from webapp.tasks.views import case_url, task_url
from workflows import errors, service
from workflows.clock import now
from workflows.models import DISTRICTS
from workflows.models.filing import APPRENTICESHIP_TYPES

bp = Blueprint("cases", __name__, static_folder="static", static_url_path="/cases/static")

PER_PAGE = 20

ACTION_LABELS = {
    "create": "创建备案草稿", "save": "保存草稿", "submit": "提交备案", "resubmit": "重新提交",
    "approve": "区人社局审核通过", "return": "退回企业修改", "reject": "不予通过", "record": "予以备案",
    "send_back": "退回区局重新审核", "withdraw": "企业撤回", "timer": "期限届满，系统自动处理",
    "claim": "认领任务", "transfer": "转办", "release": "退回组", "urge": "催办",
    "confirm_mismatch": "确认岗位与职业不一致", "recompute_deadline": "节假日安排确认后重新计算期限",
    "attach": "上传证明材料", "detach": "删除证明材料", "copy": "复制为新备案",
}
COPY_PROMINENT = ("withdrawn", "rejected", "expired")
ROLE_ACTORS = {"enterprise": "企业", "district": "区人社局", "city": "市职业能力建设指导中心"}
# Comments the service writes itself; the timeline shows only what a person wrote.
DEFAULT_COMMENTS = frozenset({"创建备案草稿", "保存草稿", "提交备案", "重新提交", "企业撤回"})


def _any(label: str, items: dict[str, str]):  # type: ignore[no-untyped-def]
    """An "all" option first, then the items."""
    return options([("", label), *items.items()])


class UrgeForm(ZhForm):
    message = TextAreaField("催办内容", [InputRequired("请填写催办内容"),
                                     Length(max=500, message="催办内容不能超过500字")])


class CaseFilterForm(RowForm):
    """GET filters of the case list (no CSRF: nothing changes)."""

    q = StringField("企业名称或编号", [Optional(), Length(max=100)])
    # default "": an absent filter is the "全部" option, not an invalid choice shown as an error.
    district = SelectField("所在区", choices=_any("全部区", DISTRICTS), default="")
    status = SelectField("状态", choices=_any("全部状态", service.STATUS_LABELS), default="")
    apprenticeship_type = SelectField("学徒类型", choices=_any("全部类型", APPRENTICESHIP_TYPES), default="")
    kind = SelectField("业务类型", choices=_any("全部业务", service.KIND_LABELS), default="")


def _clean(form: CaseFilterForm) -> service.CaseFilters:
    """Filter values that are valid choices; anything else is ignored rather than an error page."""
    form.validate()
    values = {}
    for name in ("district", "status", "apprenticeship_type", "kind"):
        field = form[name]
        values[name] = field.data if field.data and not field.errors else None
    q = (form.q.data or "").strip()[:100] or None
    return service.CaseFilters(q=q, **values)


@bp.route("/cases/")
@login_required
def index():  # type: ignore[no-untyped-def]
    actor = current_actor()
    if actor.role == "enterprise":
        return redirect(url_for("filings.index"))
    form = CaseFilterForm(request.args)
    filters = _clean(form)
    if actor.role == "district":
        filters.district = None  # the scope already limits a district reviewer to its own district
    page = service.page_number(request.args.get("page"))
    rows, total = service.list_cases(db_session(), actor, filters, page, PER_PAGE)
    infos = service.case_infos(db_session(), [r.id for r in rows])
    return render_template(
        "cases/index.html", form=form, rows=rows, infos=infos, total=total, pager=Page(page, PER_PAGE, total),
        links={r.id: case_url(r.kind, r.id) for r in rows},
        args={k: v for k, v in request.args.items() if k != "page"}, now=now(),
        filtered=any([filters.q, filters.district, filters.status, filters.apprenticeship_type, filters.kind]),
    )


@bp.route("/cases/export.xlsx")
@login_required
def export():  # type: ignore[no-untyped-def]
    """案件查询 to Excel with the list's filters (streamed; rosters with masked ID numbers on request)."""
    actor = current_actor()
    if actor.role not in ("district", "city"):
        raise errors.NotFound("页面不存在，或您无权查看。")
    form = CaseFilterForm(request.args)
    filters = _clean(form)
    if actor.role == "district":
        filters.district = None
    name, chunks = service.export_cases(db_session(), actor, filters, rosters=request.args.get("rosters") == "1")
    response = Response(stream_with_context(chunks), mimetype=service.XLSX_MIMETYPE)
    response.headers["Content-Disposition"] = service.content_disposition(name, False)
    return response


@bp.route("/cases/<int:case_id>")
@login_required
def detail(case_id: int):  # type: ignore[no-untyped-def]
    return _detail(case_id)


@bp.route("/cases/<int:case_id>/reveal-ids", methods=["POST"])
@login_required
def reveal_ids(case_id: int):  # type: ignore[no-untyped-def]
    """A district or city reviewer shows the full ID numbers of this case's trainees (written to the security
    log); the page is answered directly, never as a link that could be replayed or cached."""
    service.reveal_id_numbers(db_session(), current_actor(), case_id, request.remote_addr or "")
    return _detail(case_id, full=True)


def _detail(case_id: int, full: bool = False):  # type: ignore[no-untyped-def]
    actor = current_actor()
    instance = service.get_case(db_session(), actor, case_id)
    filing = service.filing_of(db_session(), instance) if instance.kind == "filing" else None
    info = service.case_infos(db_session(), [instance.id]).get(instance.id)
    tasks = service.ready_tasks(db_session(), instance.id)
    _, current_ids, done_ids = service.case_diagram(db_session(), actor, instance.id)
    at = now()
    history = service.history(db_session(), instance.id)
    # Linked both ways: a recorded filing shows its training project, a project its filing.
    project = (service.project_view(db_session(), actor, service.project_of_instance(db_session(), instance.id).id)
               if instance.kind == service.PROJECT_KIND else None)
    filing_project = service.project_for_filing(db_session(), filing.id) if filing is not None else None
    return render_template(
        "cases/detail.html", instance=instance, filing=filing, project=project, filing_project=filing_project,
        people=service.trainees_shown(actor, filing.trainees, full) if filing is not None else [],
        reveal_url=(url_for("cases.reveal_ids", case_id=instance.id)
                    if filing is not None and service.may_reveal_ids(actor) else None),
        enterprise_name=info.enterprise_name if info else "", district_name=info.district_name if info else "",
        tasks=tasks, can_act={t.task_id: service.may_complete(actor, t) for t in tasks},
        task_links={t.task_id: task_url(t, filing.id if filing is not None else None) for t in tasks},
        history=history, action_labels=ACTION_LABELS, role_actors=ROLE_ACTORS,
        default_comments=DEFAULT_COMMENTS,
        current_ids=current_ids, done_ids=done_ids,
        progress=service.filing_progress(history, instance.status) if filing is not None else None,
        district_decision=(service.district_decision(history) if filing is not None and actor.role != "enterprise"
                           else None),
        can_urge=filing is not None and service.can_urge(db_session(), actor, instance),
        urge_form=UrgeForm(formdata=None),
        overdue=instance.completed_at is None and instance.due_at is not None and instance.due_at < at,
        checks=service.visible_checks(actor, filing) if filing is not None else [],
        can_withdraw=(actor.role == "enterprise" and filing is not None
                      and service.filing_actions_of(instance, tasks).withdraw),
        withdraw_form=WithdrawForm(formdata=None),
        can_copy=actor.role == "enterprise" and filing is not None,
        copy_prominent=instance.status in COPY_PROMINENT,
        confirm_form=ConfirmForm(formdata=None),
        attachments=list(filing.attachments) if filing is not None else [],
    )


@bp.route("/cases/<int:case_id>/urge", methods=["POST"])
@login_required
def urge(case_id: int):  # type: ignore[no-untyped-def]
    """催办 a filing waiting for its district review (city staff)."""
    actor = current_actor()
    form = UrgeForm()
    if not form.validate_on_submit():
        flash("；".join(e for errs in form.errors.values() for e in errs) or "请填写催办内容。", "error")
        return redirect(url_for("cases.detail", case_id=case_id))
    try:
        service.urge_filing(db_session(), actor, case_id, form.message.data or "")
    except (errors.Conflict, errors.ValidationFailed) as exc:
        flash(exc.message, "error")
    else:
        flash("已催办，区人社局审核人员已收到通知。", "success")
    return redirect(url_for("cases.detail", case_id=case_id))


@bp.route("/cases/<int:case_id>/diagram.bpmn")
@login_required
def diagram_xml(case_id: int) -> Response:
    """The BPMN XML of the spec version this case runs on (scoped like the case itself)."""
    instance = service.get_case(db_session(), current_actor(), case_id)
    response = Response(instance.spec_version.bpmn_xml, mimetype="application/xml")
    response.headers["Cache-Control"] = "private, max-age=300"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def verify_url(code: str) -> str:
    """The public verification address printed on a receipt (RECEIPT_BASE_URL, else this site)."""
    base = (current_app.config.get("RECEIPT_BASE_URL") or "").rstrip("/")
    path = url_for("cases.verify", code=code)
    return f"{base}{path}" if base else url_for("cases.verify", code=code, _external=True)


@bp.route("/cases/<int:case_id>/receipt.pdf")
@login_required
def receipt(case_id: int) -> Response:
    """备案回执 (recorded) or 申请表 (anything else) of a filing case in scope, as PDF."""
    data = service.receipt_data(db_session(), current_actor(), case_id)
    try:
        font = service.receipt_font(current_app.config.get("RECEIPT_FONT") or None)
    except service.FontMissing as exc:
        return Response(str(exc), status=503, mimetype="text/plain")
    pdf = service.render_receipt(data, verify_url(data.filing.receipt_code or ""), font=font,
                                 generated_at=now())
    kind = "备案回执" if data.is_receipt else "备案申请表"
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = service.content_disposition(
        f"{kind}-{data.instance.business_key}.pdf", True)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/verify/<code>")
@limiter.limit("30/minute")
def verify(code: str) -> tuple[str, int]:
    """Is a receipt genuine? No sign-in; business key, enterprise, status and record date only."""
    try:
        found = service.verify_receipt(db_session(), code)
    except errors.NotFound:
        return render_template("cases/verify.html", found=None), 404
    return render_template("cases/verify.html", found=found), 200
