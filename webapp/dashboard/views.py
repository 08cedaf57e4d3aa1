"""全市概览: the dashboard for city staff and admins (whole city, or one district); a district reviewer
gets the same page for their own district; enterprises get 404 (``workflows.dashboard.scope.resolve_scope``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, current_app, render_template, request, url_for
from flask_login import login_required

from webapp.dashboard import charts
from webapp.dashboard.forms import CaseSearchForm, DashboardFilterForm, year_arg
from webapp.extensions import db_session
from webapp.models import current_actor
from workflows import service
from workflows.models import DISTRICTS
from workflows.service import STATUS_LABELS

bp = Blueprint("dashboard", __name__, static_folder="static", static_url_path="/dashboard/static")


@bp.get("/dashboard")
@login_required
def index() -> str:
    actor = current_actor()
    default_year = service.current_year()
    year = year_arg(request.args.get("year"), default_year)
    district = request.args.get("district") or None
    data = service.dashboard_overview(db_session(), actor, year=year, district=district)
    scope = data.scope

    filters = DashboardFilterForm(request.args)
    years = sorted({*data.years, year}, reverse=True)
    filters.configure(years, year, district_choice=actor.role in ("city", "admin"))
    filters.year.data = year
    filters.district.data = scope.single if actor.role in ("city", "admin") and scope.single else ""

    risk_share = service.policy_in_force(db_session()).fund_risk_share
    funds = (service.fund_figures(db_session(), actor, year, scope.single if actor.role != "district" else None,
                                  risk_share) if actor.role in ("district", "city", "admin") else [])
    return render_template(
        "dashboard/index.html",
        funds=funds, risk_share=risk_share,
        data=data,
        filters=filters,
        search=CaseSearchForm(request.args),
        place=_place_name(data),
        case_url=_case_url(),
        periodic_url=_periodic_url(),
        status_chart=_status_chart(data),
        budget_chart=_budget_chart(data),
        share=_share,
        DISTRICTS=DISTRICTS,
        statuses=service.FILING_STATUS_ORDER,
        period_labels=service.PERIOD_LABELS,
    )


def _place_name(data: service.Overview) -> str:
    return "全市" if data.scope.whole_city else DISTRICTS[data.scope.districts[0]]


def _share(value: float | None) -> str:
    return "—" if value is None else service.format_share(value)


def _case_url() -> Callable[..., str | None]:
    """Links into the case list (cases.index, filters ``district``/``status``/``kind``/``q``) once it exists.
    The list's address is built once and each link adds its query (the page has hundreds of links)."""
    base = url_for("cases.index") if "cases.index" in current_app.view_functions else None

    def build(**args: str | None) -> str | None:
        if base is None:
            return None
        values: dict[str, Any] = {k: v for k, v in args.items() if v}
        return f"{base}?{urlencode(values)}" if values else base

    return build


def _periodic_url() -> Callable[[service.PeriodCell], str | None]:
    """A plan or report links to its own page (registered in app.extensions['case_links']) or the case."""
    links = current_app.extensions.get("case_links", {})
    detail = "cases.detail" in current_app.view_functions

    def build(cell: service.PeriodCell) -> str | None:
        link = links.get(cell.kind)
        if link is not None:
            return str(link(cell.instance_id))
        return url_for("cases.detail", case_id=cell.instance_id) if detail else None

    return build


def _status_chart(data: service.Overview) -> charts.Chart:
    series = [(f"seg-{code}", STATUS_LABELS[code]) for code in service.FILING_STATUS_ORDER]
    rows = [(DISTRICTS[d].removesuffix("区"), [data.status.get(d, s) for s in service.FILING_STATUS_ORDER])
            for d in data.scope.districts]
    return charts.stacked_chart(
        "chart-status", "各区培训备案数量（按办理状态）",
        "堆叠条形图：每区一条，按办理状态分段，长度为备案件数。具体数字见下方表格。", rows, series)


def _budget_chart(data: service.Overview) -> charts.Chart:
    rows = []
    for r in data.district_years:
        if r.budget_fen > 0:
            text = f"已用{_share(r.used_share)}"
        else:
            text = "未设定预算"
        rows.append((r.name.removesuffix("区"), r.used_share, r.pending_share if r.budget_fen > 0 else None, text))
    return charts.share_chart(
        "chart-budget", f"{data.year}年各区培训补贴预算使用情况",
        "条形图：每区一条，浅色底条为全年预算（100%），深色段为已通过区审核的补贴，斜纹段为待区审核的补贴。"
        "具体金额见下方表格。",
        rows, [("seg-committed", "已占用（待市备案与已备案）"), ("seg-pending", "待区审核")])
