"""Excel exports of quarterly plans, read back with openpyxl."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tests.test_plans_helpers import edit_of, filing_in, fresh_spec_caches, open_q1, plan_of  # noqa: F401
from tests.test_web_helpers import login
from workflows import service
from workflows.spreadsheets import XLSX_MIMETYPE

COLUMNS = ["区", "企业名称", "统一社会信用代码", "培训工种（职业）", "项目", "等级", "培训人数", "资金使用计划（元）", "备注"]


def test_plan_export_columns_rows_and_totals(app, session, world):  # type: ignore[no-untyped-def]
    a = filing_in(session, world, "ent-440106-1", 1, level=4, trainees=3)
    b = filing_in(session, world, "ent-440106-2", 2, level=3, trainees=2, record=True)
    c = filing_in(session, world, "ent-440106-1", 3, level=4, trainees=5)
    open_q1(session)
    plan, instance = plan_of(session)
    edit = edit_of(plan, **{str(c.id): (False, "企业推迟培训")})
    edit.notes = "另有两家企业正在准备材料"
    service.save_plan(session, world.actor("review-440106"), instance.id, edit)
    for f in (a, b):
        session.refresh(f)
    response = login(app, "review-440106").get(f"/plans/{instance.id}/export.xlsx")
    assert response.status_code == 200
    assert response.mimetype == XLSX_MIMETYPE
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    ws = load_workbook(io.BytesIO(response.data)).active
    assert ws.title == "天河区"
    assert "天河区2027年第1季度" in ws["A1"].value
    rows = [list(r) for r in ws.iter_rows(min_row=2, values_only=True)]
    assert rows[0] == COLUMNS
    body, totals = rows[1:-1], rows[-1]
    assert len(body) == 2  # the excluded filing is not exported
    by_name = {r[1]: r for r in body}
    first = by_name["广州天河智能装备有限公司"]
    assert first[0] == "天河区" and len(first[2]) == 18
    assert first[3].startswith(a.occupation_name) and first[4] == "企业新型学徒" and first[5] == "四级/中级工"
    assert first[6] == 3 and first[7] == pytest.approx(a.subsidy_fen / 100)
    second = by_name["广州天河云服科技有限公司"]
    assert (second[5], second[6], second[7]) == ("三级/高级工", 2, pytest.approx(b.subsidy_fen / 100))
    assert totals[0] == "合计" and totals[6] == 5
    assert totals[7] == pytest.approx((a.subsidy_fen + b.subsidy_fen) / 100)
    assert totals[8] == "另有两家企业正在准备材料"
    assert ws.cell(row=3, column=8).number_format == "#,##0.00"


def test_city_quarter_workbook_has_summary_and_a_sheet_per_district(app, session, world):  # type: ignore[no-untyped-def]
    a = filing_in(session, world, "ent-440106-1", 1, trainees=3)
    b = filing_in(session, world, "ent-440112-1", 2, trainees=4)
    open_q1(session)
    _, tianhe = plan_of(session, "440106")
    service.submit_plan(session, world.actor("review-440106"), tianhe.id)
    for f in (a, b):
        session.refresh(f)
    city = login(app, "city")
    response = city.get("/plans/quarters/2027Q1/export.xlsx")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.data))
    assert wb.sheetnames[0] == "汇总" and len(wb.sheetnames) == 12
    assert {"天河区", "黄埔区", "从化区"} <= set(wb.sheetnames)
    summary = [list(r) for r in wb["汇总"].iter_rows(min_row=2, values_only=True)]
    assert summary[0][:7] == ["区", "状态", "是否逾期", "计划企业数", "培训项目数", "培训人数", "资金使用计划（元）"]
    by_district = {r[0]: r for r in summary[1:-1]}
    assert len(by_district) == 11
    assert by_district["天河区"][1] == "待市备案" and by_district["天河区"][5] == 3
    assert by_district["黄埔区"][1] == "待编制" and by_district["黄埔区"][5] == 4
    assert summary[-1][0] == "合计" and summary[-1][5] == 7
    assert summary[-1][6] == pytest.approx((a.subsidy_fen + b.subsidy_fen) / 100)
    huangpu = [list(r) for r in wb["黄埔区"].iter_rows(min_row=2, values_only=True)]
    assert huangpu[0] == COLUMNS and huangpu[1][1] == "广州黄埔汽车零部件制造有限公司" and huangpu[-1][6] == 4
    assert login(app, "review-440106").get("/plans/quarters/2027Q1/export.xlsx").status_code == 404
    assert city.get("/plans/quarters/2027Q9/export.xlsx").status_code == 404
