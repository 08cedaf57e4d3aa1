"""The 典型案例 gallery: cases of accepted reports across districts, filtered and paged, one case's page,
and the city marking a case as excellent. Routes on the ``reports`` blueprint.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from webapp.extensions import db_session
from webapp.forms import options as choices
from webapp.models import current_actor
from webapp.reports.blueprint import bp
from webapp.reports.forms import ExcellentForm, GalleryFilterForm
from workflows import service
from workflows.models.filing import APPRENTICESHIP_TYPES
from workflows.models.org import DISTRICTS


@bp.route("/reports/gallery")
@login_required
def gallery():  # type: ignore[no-untyped-def]
    actor = current_actor()
    form = GalleryFilterForm(request.args)
    options = service.gallery_options(db_session())
    form.occupation.choices = choices([("", "全部"), *options.occupations])
    form.period.choices = choices([("", "全部"), *options.periods])
    page = service.page_number(request.args.get("page"))
    per_page = 24
    filters = service.GalleryFilters(
        district=form.district.data or None, occupation=form.occupation.data or None,
        apprenticeship_type=form.apprenticeship_type.data or None, period=form.period.data or None,
        excellent_only=bool(form.excellent.data))
    cases, total = service.gallery(db_session(), actor, filters, page=page, per_page=per_page)
    pages = max((total + per_page - 1) // per_page, 1)
    return render_template("reports/gallery.html", cases=cases, total=total, form=form, page=page, pages=pages,
                           excellent_form=ExcellentForm(), districts=DISTRICTS, types=APPRENTICESHIP_TYPES,
                           actor=actor, page_args={k: v for k, v in request.args.items() if k != "page"})


@bp.route("/reports/gallery/cases/<int:case_id>")
@login_required
def case_detail(case_id: int):  # type: ignore[no-untyped-def]
    actor = current_actor()
    case = service.get_report_case(db_session(), actor, case_id)
    return render_template("reports/case_detail.html", case=case, report=case.report,
                           district_name=DISTRICTS.get(case.report.district_code, ""),
                           accepted=service.is_accepted(db_session(), case.report),
                           excellent_form=ExcellentForm(), actor=actor)


@bp.route("/reports/gallery/cases/<int:case_id>/excellent", methods=["POST"])
@login_required
def excellent(case_id: int) -> Response:
    actor = current_actor()
    form = ExcellentForm()
    if form.validate_on_submit():
        marked = form.excellent.data != "0"
        case = service.mark_excellent(db_session(), actor, case_id, marked)
        flash(f"已{'标记' if marked else '取消'}优秀案例“{case.title}”。", "success")
    target = request.form.get("next") or ""
    if target.startswith("/reports/") and not target.startswith("//"):
        return redirect(target)
    return redirect(url_for("reports.gallery"))
