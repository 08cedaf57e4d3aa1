"""Excel exports of quarterly plans (SPEC R11): one plan, or a whole quarter for the city (a summary
sheet and one sheet per district). Columns as the city center's template: 区, 企业名称, 统一社会信用代码,
培训工种（职业）, 项目, 等级, 培训人数, 资金使用计划（元）, 备注, then a totals row.

Only rows the district included are exported; money is written in yuan as numbers (fen / 100).
"""

from __future__ import annotations

import io
from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows import clock, deadlines
from workflows.cases import unit_of_work
from workflows.clock import now
from workflows.dto import Actor
from workflows.errors import NotFound
from workflows.models import DISTRICTS, QuarterlyPlan, WorkflowInstance
from workflows.plans import config as plan_config
from workflows.plans import queries as plan_queries
from workflows.security import log
from workflows.spreadsheets import safe_cell

PLAN_COLUMNS = ["区", "企业名称", "统一社会信用代码", "培训工种（职业）", "项目", "等级", "培训人数",
                "资金使用计划（元）", "备注"]
SUMMARY_COLUMNS = ["区", "状态", "是否逾期", "计划企业数", "培训项目数", "培训人数", "资金使用计划（元）",
                   "全年中级工及以上占比", "占比预警", "提交时间"]
_WIDTHS = [10, 34, 22, 22, 14, 14, 10, 18, 30]
_BOLD = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
MONEY_FORMAT = "#,##0.00"


def _header(ws: Worksheet, row: int, columns: list[str]) -> None:
    for col, title in enumerate(columns, start=1):
        cell = ws.cell(row=row, column=col, value=safe_cell(title))
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
        cell.border = _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _title(ws: Worksheet, text: str, width: int) -> None:
    ws.cell(row=1, column=1, value=safe_cell(text)).font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)


def write_plan_sheet(ws: Worksheet, plan: QuarterlyPlan) -> tuple[int, int]:
    """Title, header (row 2), one row per included plan row, a totals row. Returns (trainees, fund fen)."""
    district = DISTRICTS.get(plan.district_code, plan.district_code)
    _title(ws, f"{district}{plan.year}年第{plan.quarter}季度企业新型学徒制培训计划", len(PLAN_COLUMNS))
    _header(ws, 2, PLAN_COLUMNS)
    row_no = 3
    trainees = fund = 0
    for row in plan.rows:
        if not row.included:
            continue
        values = [district, row.enterprise_name, row.credit_code,
                  f"{row.occupation_name}（{row.occupation_code}）" if row.occupation_code else row.occupation_name,
                  row.project, row.level_label, row.trainees, row.fund_fen / 100, row.reason]
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=row_no, column=col, value=safe_cell(value))
            cell.border = _BORDER
        ws.cell(row=row_no, column=8).number_format = MONEY_FORMAT
        trainees += row.trainees
        fund += row.fund_fen
        row_no += 1
    totals = ["合计", f"{row_no - 3}项", None, None, None, None, trainees, fund / 100,
              plan.notes or None]
    for col, value in enumerate(totals, start=1):
        cell = ws.cell(row=row_no, column=col, value=safe_cell(value))
        cell.font = _BOLD
        cell.border = _BORDER
    ws.cell(row=row_no, column=8).number_format = MONEY_FORMAT
    for col, width in enumerate(_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A3"
    return trainees, fund


def _bytes(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def plan_workbook(plan: QuarterlyPlan) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = DISTRICTS.get(plan.district_code, plan.district_code)
    write_plan_sheet(ws, plan)
    return _bytes(wb)


def _label(status: str) -> str:
    return plan_config.PLAN_STATUS_LABELS.get(status, status)


def quarter_workbook(session: Session, year: int, quarter: int, at: datetime | None = None) -> bytes:
    """Summary sheet (every district, with status, overdue flag, totals, R3 share and flag) and one sheet per
    district that has a plan."""
    at = at or now()
    pairs = {p.district_code: (p, i) for p, i in session.execute(
        select(QuarterlyPlan, WorkflowInstance).join(WorkflowInstance, QuarterlyPlan.instance_id == WorkflowInstance.id)
        .where(QuarterlyPlan.year == year, QuarterlyPlan.quarter == quarter)).tuples()}
    wb = Workbook()
    summary = wb.active
    summary.title = "汇总"
    _title(summary, f"{year}年第{quarter}季度各区企业新型学徒制培训计划汇总", len(SUMMARY_COLUMNS))
    _header(summary, 2, SUMMARY_COLUMNS)
    row_no = 3
    total_trainees = total_fund = 0
    for code, name in DISTRICTS.items():
        pair = pairs.get(code)
        if pair is None:
            values: list[object] = [name, "未开启", "", 0, 0, 0, 0, None, "", None]
        else:
            plan, instance = pair
            ws = wb.create_sheet(title=name)
            trainees, fund = write_plan_sheet(ws, plan)
            total_trainees += trainees
            total_fund += fund
            rows_in = [r for r in plan.rows if r.included]
            share = (plan.figures or {}).get("intermediate_share")
            values = [name, _label(instance.status), "已逾期" if deadlines.is_overdue(instance, at) else "",
                      len({r.enterprise_id for r in rows_in}), len(rows_in), trainees, fund / 100,
                      round(share * 100, 1) if isinstance(share, int | float) else None,
                      "低于规定比例" if plan.share_flagged else "",
                      plan.submitted_at.astimezone(clock.CHINA_TZ).strftime("%Y-%m-%d %H:%M")
                      if plan.submitted_at else None]
        for col, value in enumerate(values, start=1):
            summary.cell(row=row_no, column=col, value=safe_cell(value)).border = _BORDER
        summary.cell(row=row_no, column=7).number_format = MONEY_FORMAT
        row_no += 1
    for col, value in enumerate(["合计", None, None, None, None, total_trainees, total_fund / 100], start=1):
        cell = summary.cell(row=row_no, column=col, value=safe_cell(value))
        cell.font = _BOLD
        cell.border = _BORDER
    summary.cell(row=row_no, column=7).number_format = MONEY_FORMAT
    for col, width in enumerate([10, 12, 10, 12, 12, 10, 18, 20, 14, 18], start=1):
        summary.column_dimensions[get_column_letter(col)].width = width
    return _bytes(wb)


def export_plan(session: Session, actor: Actor, instance_id: int) -> tuple[str, bytes]:
    """(file name, .xlsx bytes) of one plan in the actor's scope; NotFound otherwise."""
    with unit_of_work(session):  # commits the security log entry of the export
        plan, _ = plan_queries.get_plan(session, actor, instance_id)
        name = f"{DISTRICTS.get(plan.district_code, plan.district_code)}{plan.year}年第{plan.quarter}季度培训计划.xlsx"
        data = plan_workbook(plan)
        log.record_actor(session, actor, "export", f"case:{instance_id}", {"file": name})
    return name, data


def export_quarter(session: Session, actor: Actor, year: int, quarter: int) -> tuple[str, bytes]:
    """The city's workbook of a whole quarter; NotFound for anyone but city staff and admins."""
    if actor.role not in ("city", "admin"):
        raise NotFound("未找到该页面。")
    with unit_of_work(session):  # commits the security log entry of the export
        name = f"{year}年第{quarter}季度各区培训计划汇总.xlsx"
        data = quarter_workbook(session, year, quarter)
        log.record_actor(session, actor, "export", f"plans:{year}Q{quarter}", {"file": name})
    return name, data
