"""系统管理 · 节假日安排 (the working-day calendar every deadline is counted with), on the admin blueprint."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from webapp.admin.blueprint import admin_post, bp, saved
from webapp.admin.forms import ActionForm, HolidayYearForm
from webapp.extensions import db_session
from webapp.models import current_actor
from workflows import service


@bp.route("/holidays")
@login_required
def holidays():  # type: ignore[no-untyped-def]
    actor = current_actor()
    service.require_role(actor, "admin")
    session = db_session()
    rows = service.holiday_years(session)
    counts = {row.year: len(service.holiday_days(session, row.year)) for row in rows}
    return render_template("admin/holidays.html", rows=rows, counts=counts, labels=service.HOLIDAY_STATUS_LABELS,
                           estimated=service.estimated_deadlines(session), action_form=ActionForm())


@bp.route("/holidays/seed", methods=["POST"])
@login_required
def holidays_seed() -> Response:
    actor = admin_post()
    added = service.seed_calendar(db_session(), by=actor.name)
    db_session().commit()
    years = "、".join(str(y) for y in added)
    flash(f"已从日历库载入{years}年的节假日安排。" if added else "没有需要载入的年份。", "success")
    return redirect(url_for("admin.holidays"))


@bp.route("/holidays/<int:year>", methods=["GET", "POST"])
@login_required
def holiday_year(year: int):  # type: ignore[no-untyped-def]
    actor = current_actor()
    service.require_role(actor, "admin")
    session = db_session()
    form = HolidayYearForm()
    if request.method == "GET":
        row = next((r for r in service.holiday_years(session) if r.year == year), None)
        days = service.holiday_days(session, year)
        form.confirmed.data = row is not None and row.status == "confirmed"
        default_notice = f"国务院办公厅关于{year}年部分节假日安排的通知"
        form.source_notice.data = row.source_notice if row is not None else default_notice
        form.holidays.data = "\n".join(f"{d.day.isoformat()} {d.name}" for d in days if not d.is_working)
        form.workdays.data = "\n".join(f"{d.day.isoformat()} {d.name}" for d in days if d.is_working)
    elif form.validate_on_submit():
        data = service.HolidayYearInput(year=year, confirmed=bool(form.confirmed.data),
                                        source_notice=form.source_notice.data or "",
                                        holidays=form.holidays.data or "", workdays=form.workdays.data or "")
        done = saved(form, lambda: service.save_holiday_year(session, actor, data),
                     lambda row: f"已保存{row.year}年节假日安排（{service.HOLIDAY_STATUS_LABELS[row.status]}）。",
                     "admin.holidays")
        if done is not None:
            return done
    status = 422 if request.method == "POST" else 200
    return render_template("admin/holiday_form.html", form=form, year=year), status
