"""案件查询 to Excel: the list's filters and scope, rosters with masked ID numbers, formula-safe cells,
through the API and the button."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from tests.factories import filing_data, submitted_filing
from tests.test_api_helpers import token_for
from tests.test_web_helpers import login
from workflows import service
from workflows.spreadsheets import safe_cell


def sheets(data: bytes):  # type: ignore[no-untyped-def]
    wb = load_workbook(io.BytesIO(data), read_only=True)
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def test_export_api_filters_scope_rosters_masked(client, world, session):  # type: ignore[no-untyped-def]
    first = submitted_filing(session, world, "ent-440106-1", seed=1)
    submitted_filing(session, world, "ent-440112-1", seed=2)
    who = world.actor("ent-440106-2")
    data = filing_data(3)
    data.trainees[0].job_post = "=HYPERLINK(\"http://evil\")"  # a formula-looking job post (a soft flag only)
    evil = service.create_filing(session, who, data)
    service.submit_filing(session, who, evil.id)
    token = token_for(client, "city")
    reply = client.get("/api/v1/cases/export.xlsx?rosters=1&district=440106",
                       headers={"Authorization": f"Bearer {token}"})
    assert reply.status_code == 200 and reply.mimetype.endswith("spreadsheetml.sheet")
    assert "attachment" in reply.headers["Content-Disposition"]
    book = sheets(reply.get_data())
    cases, roster = book["案件"], book["学员名单"]
    assert cases[0][0] == "案件编号" and len(cases) == 3  # header + 2 天河 cases, not 黄埔
    assert {row[4] for row in cases[1:]} == {"天河区"}
    ids = [row[4] for row in roster[1:]]
    assert ids and all("**********" in i for i in ids)
    raw = [t.id_number for t in first.trainees]
    assert not any(r in str(book) for r in raw)  # no ID number in clear anywhere
    assert "=HYPERLINK(\"http://evil\")" in [str(row[5]) for row in roster[1:]]
    formulas = [c for ws in load_workbook(io.BytesIO(reply.get_data())).worksheets
                for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []  # written as text, never as a formula
    assert evil.id
    district = token_for(client, "review-440112")
    own = sheets(client.get("/api/v1/cases/export.xlsx", headers={"Authorization": f"Bearer {district}"}).get_data())
    assert len(own["案件"]) == 2 and "学员名单" not in own  # only its own district, no roster unless asked
    ent = token_for(client, "ent-440106-1")
    assert client.get("/api/v1/cases/export.xlsx", headers={"Authorization": f"Bearer {ent}"}).status_code == 404


def test_export_button_on_the_case_search(app, world, session):  # type: ignore[no-untyped-def]
    submitted_filing(session, world)
    city = login(app, "city")
    page = city.get("/cases/?q=天河").get_data(as_text=True)
    assert "导出Excel" in page and "/cases/export.xlsx?q=" in page
    reply = city.get("/cases/export.xlsx?q=天河")
    assert reply.status_code == 200
    assert len(sheets(reply.get_data())["案件"]) == 2
    assert login(app, "ent-440106-1").get("/cases/export.xlsx").status_code == 404


def test_safe_cell() -> None:
    assert str(safe_cell("=1+1")) == "=1+1" and not isinstance(safe_cell("=1+1"), str)
    assert safe_cell("张三") == "张三" and safe_cell(5) == 5 and safe_cell(None) is None
