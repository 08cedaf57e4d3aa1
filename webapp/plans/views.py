"""Quarterly plans: the district's list and the city's quarter overview, the plan page (compile, record or
return, urge, history, diagram) and the Excel downloads. Every rule is in workflows.plans."""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from flask_login import login_required

from webapp.extensions import db_session
from webapp.form_errors import place_errors
from webapp.models import current_actor
from webapp.plans.forms import OpenPlanForm, PlanCompileForm, PlanDecisionForm, UrgeForm
from workflows import clock, errors, service
from workflows.clock import now
from workflows.models import DISTRICTS, QuarterlyPlan

bp = Blueprint("plans", __name__, static_folder="static", static_url_path="/plans/static")


@bp.record_once
def _setup(state: BlueprintSetupState) -> None:
    app = state.app
    service.configure_plans(due_day=app.config.get("PLAN_DUE_DAY"), reminder_days=app.config.get("PLAN_REMINDER_DAYS"))
    links = app.extensions.setdefault("case_links", {})
    links[service.PLAN_KIND] = lambda instance_id: url_for("plans.detail", instance_id=instance_id)
    task_urls = app.extensions.setdefault("task_urls", {})
    for form_key in ("plan_compile", "plan_record"):
        task_urls[form_key] = lambda row: url_for("plans.detail", instance_id=row.instance_id)


def _quarter_arg() -> tuple[int, int]:
    try:
        return service.parse_quarter_key(request.values.get("quarter", ""))
    except ValueError:
        return service.quarter_of(clock.china_today())


def _quarter_choices(year: int, quarter: int) -> list[tuple[str, str]]:
    """Last year's quarters up to next quarter (plus the one shown)."""
    cy, cq = service.quarter_of(clock.china_today())
    upto = (cy + (1 if cq == 4 else 0), cq % 4 + 1)
    keys = {(y, q) for y in range(cy - 1, cy + 2) for q in range(1, 5) if (y, q) <= upto}
    keys.add((year, quarter))
    return [(service.quarter_key(y, q), f"{y}年第{q}季度") for y, q in sorted(keys, reverse=True)]


@bp.route("/plans/")
@login_required
def index():  # type: ignore[no-untyped-def]
    actor = current_actor()
    if actor.role == "district":
        items = service.district_plans(db_session(), actor)
        return render_template("plans/index.html", items=items, district_view=True,
                               district_name=DISTRICTS.get(actor.district_code or "", ""),
                               labels=service.PLAN_STATUS_LABELS)
    year, quarter = _quarter_arg()
    items = service.quarter_overview(db_session(), actor, year, quarter)
    open_form = OpenPlanForm(quarter=service.quarter_key(year, quarter))
    return render_template("plans/index.html", items=items, district_view=False, year=year, quarter=quarter,
                           quarter_key=service.quarter_key(year, quarter),
                           quarter_choices=_quarter_choices(year, quarter), open_form=open_form,
                           missing=sum(1 for it in items if it.plan is None), labels=service.PLAN_STATUS_LABELS)


@bp.route("/plans/open", methods=["POST"])
@login_required
def open_plan():  # type: ignore[no-untyped-def]
    actor = current_actor()
    form = OpenPlanForm()
    year, quarter = _quarter_arg()
    if not form.validate_on_submit():
        flash("请求无效，请刷新页面后重试。", "error")
    elif form.district_code.data:
        service.open_plan(db_session(), actor, form.district_code.data, year, quarter)
        flash(f"已开启{service.plan_title(form.district_code.data, year, quarter)}。", "success")
    else:
        opened = service.open_missing(db_session(), actor, year, quarter)
        flash(f"已开启 {opened} 个区的{year}年第{quarter}季度计划。", "success")
    return redirect(url_for("plans.index", quarter=service.quarter_key(year, quarter)))


def _compile_form(plan: QuarterlyPlan) -> PlanCompileForm:
    form = PlanCompileForm()
    if request.method == "GET" or not form.rows.entries:
        while form.rows.entries:
            form.rows.pop_entry()
        for row in plan.rows:
            form.rows.append_entry({"row_id": str(row.id), "included": row.included, "reason": row.reason})
        form.notes.data = form.notes.data if request.method == "POST" else plan.notes
        form.justification.data = form.justification.data if request.method == "POST" else plan.justification
    return form


def _edit_of(form: PlanCompileForm) -> service.PlanEdit:
    rows = []
    for entry in form.rows.entries:
        try:
            row_id = int(entry.form.row_id.data or 0)
        except ValueError:
            row_id = 0
        rows.append(service.PlanRowEdit(row_id=row_id, included=bool(entry.form.included.data),
                                      reason=entry.form.reason.data or ""))
    return service.PlanEdit(notes=form.notes.data or "", justification=form.justification.data or "", rows=rows)


def _render(instance_id: int, compile_form: PlanCompileForm | None = None,
            decision_form: PlanDecisionForm | None = None, urge_form: UrgeForm | None = None,
            errors: list[str] | None = None, row_errors: dict[int, list[str]] | None = None,
            status: int = 200):  # type: ignore[no-untyped-def]
    actor = current_actor()
    plan, instance = service.get_plan(db_session(), actor, instance_id)
    district_task = service.plan_ready_task(db_session(), instance.id, "district")
    city_task = service.plan_ready_task(db_session(), instance.id, "city")
    may_compile = district_task is not None and service.may_complete(actor, district_task)
    may_decide = city_task is not None and service.may_complete(actor, city_task)
    if may_compile and compile_form is None:
        compile_form = _compile_form(plan)
    if may_decide and decision_form is None:
        decision_form = PlanDecisionForm()
    can_urge = service.can_urge(db_session(), actor, instance)
    if can_urge and urge_form is None:
        urge_form = UrgeForm()
    figures = service.plan_figures(db_session(), plan) if instance.completed_at is None else (plan.figures or {})
    rows_by_id = {row.id: row for row in plan.rows}
    _, current_ids, done_ids = service.plan_diagram(db_session(), actor, instance_id)
    return render_template(
        "plans/detail.html", plan=plan, instance=instance, figures=figures,
        district_name=DISTRICTS.get(plan.district_code, plan.district_code),
        status_label=service.PLAN_STATUS_LABELS.get(instance.status, ""),
        overdue=service.is_overdue(instance, now()), compile_form=compile_form if may_compile else None,
        decision_form=decision_form if may_decide else None, urge_form=urge_form if can_urge else None,
        rows_by_id=rows_by_id, errors=errors or [], row_errors=row_errors or {},
        history=service.history(db_session(), instance.id), action_labels=service.PLAN_ACTION_LABELS,
        current_ids=current_ids, done_ids=done_ids,
    ), status


@bp.route("/plans/<int:instance_id>")
@login_required
def detail(instance_id: int):  # type: ignore[no-untyped-def]
    return _render(instance_id)


def _names_row(key: str) -> bool:
    """A service error's path naming a plan row (``row_<id>``): shown on that row of the table."""
    return key.startswith("row_") and key[4:].isdigit()


@bp.route("/plans/<int:instance_id>/compile", methods=["POST"])
@login_required
def compile_plan(instance_id: int):  # type: ignore[no-untyped-def]
    actor = current_actor()
    service.get_plan(db_session(), actor, instance_id)
    form = PlanCompileForm()
    if not form.validate_on_submit():
        return _render(instance_id, compile_form=form, errors=["提交的内容有误，请检查标出的内容。"], status=422)
    try:
        if form.refresh.data:
            added, removed = service.refresh_plan(db_session(), actor, instance_id)
            flash(f"已从备案数据更新：新增 {added} 条，移除 {removed} 条。", "success")
        elif form.submit.data:
            service.submit_plan(db_session(), actor, instance_id, _edit_of(form))
            flash("季度计划已提交市职业能力建设指导中心。", "success")
        else:
            service.save_plan(db_session(), actor, instance_id, _edit_of(form))
            flash("已保存。", "success")
    except errors.ValidationFailed as exc:
        row_errors = {int(key[4:]): messages for key, messages in exc.fields.items() if _names_row(key)}
        general = place_errors({key: messages for key, messages in exc.fields.items() if not _names_row(key)},
                               form, {"justification": form.justification}.get)
        return _render(instance_id, compile_form=form, errors=general or [exc.message], row_errors=row_errors,
                       status=422)
    return redirect(url_for("plans.detail", instance_id=instance_id))


@bp.route("/plans/<int:instance_id>/decide", methods=["POST"])
@login_required
def decide(instance_id: int):  # type: ignore[no-untyped-def]
    actor = current_actor()
    service.get_plan(db_session(), actor, instance_id)
    form = PlanDecisionForm()
    if not form.validate_on_submit():
        return _render(instance_id, decision_form=form, status=422)
    try:
        service.decide_plan(db_session(), actor, instance_id, form.decision.data or "", form.comment.data or "")
    except errors.ValidationFailed as exc:
        place_errors(exc.fields, form, {"comment": form.comment}.get)  # the summary stands for any other path
        return _render(instance_id, decision_form=form, errors=[exc.message], status=422)
    flash("已予以备案。" if form.decision.data == "record" else "已退回区人社局修改。", "success")
    return redirect(url_for("plans.detail", instance_id=instance_id))


@bp.route("/plans/<int:instance_id>/urge", methods=["POST"])
@login_required
def urge(instance_id: int):  # type: ignore[no-untyped-def]
    actor = current_actor()
    service.get_plan(db_session(), actor, instance_id)
    form = UrgeForm()
    if not form.validate_on_submit():
        return _render(instance_id, urge_form=form, status=422)
    service.urge_plan(db_session(), actor, instance_id, form.message.data or "")
    flash("已催办，区人社局将收到站内信。", "success")
    return redirect(request.form.get("next") == "index" and url_for(
        "plans.index", quarter=request.form.get("quarter", "")) or url_for("plans.detail", instance_id=instance_id))


def _xlsx(name: str, content: bytes) -> Response:
    response = Response(content, mimetype=service.XLSX_MIMETYPE)
    response.headers["Content-Disposition"] = f"attachment; filename=plan.xlsx; filename*=UTF-8''{quote(name)}"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/plans/<int:instance_id>/export.xlsx")
@login_required
def export(instance_id: int):  # type: ignore[no-untyped-def]
    return _xlsx(*service.export_plan(db_session(), current_actor(), instance_id))


@bp.route("/plans/quarters/<quarter_key>/export.xlsx")
@login_required
def export_quarter(quarter_key: str):  # type: ignore[no-untyped-def]
    try:
        year, quarter = service.parse_quarter_key(quarter_key)
    except ValueError as exc:
        raise errors.NotFound("未找到该页面。") from exc
    return _xlsx(*service.export_quarter(db_session(), current_actor(), year, quarter))


@bp.route("/plans/<int:instance_id>/diagram.bpmn")
@login_required
def diagram_xml(instance_id: int):  # type: ignore[no-untyped-def]
    xml, _, _ = service.plan_diagram(db_session(), current_actor(), instance_id)
    return Response(xml, mimetype="application/xml")
