"""Trainee roster import: the template, every bad cell by row and column, all or nothing, and the
filing's trainees replaced through the save path."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from openpyxl import Workbook, load_workbook

from tests.factories import filing_data, submitted_filing
from workflows import errors, service
from workflows.demo import id_number
from workflows.filings import rosters
from workflows.models import AuditEvent, Filing
from workflows.spreadsheets import SpreadsheetInvalid

ENT = "ent-440106-1"


def roster(rows: list[list[object]], header: tuple[str, ...] = rosters.COLUMNS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def person(i: int, **changes: object) -> list[object]:
    values: dict[str, object] = {
        "姓名": f"学员{i}", "身份证号码": id_number("440106", date(1999, 1, 1 + i % 28), i), "工作岗位": "数控车工",
        "劳动合同起始日期": "2024-09-01", "劳动合同终止日期": "", "院校": "", "毕业年份": "", "招聘日期": "", "专业": "", "预计毕业日期": "",
    }
    values.update(changes)
    return [values[c] for c in rosters.COLUMNS]


@pytest.fixture()
def draft(session, world):  # type: ignore[no-untyped-def]
    return service.create_filing(session, world.actor(ENT), filing_data(1))


def trainees(session, filing: Filing) -> list:  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.get(Filing, filing.id).trainees


def test_template_has_the_columns_as_text(app):  # type: ignore[no-untyped-def]
    workbook = load_workbook(io.BytesIO(rosters.template()))
    sheet = workbook.worksheets[0]
    assert tuple(c.value for c in sheet[1]) == rosters.COLUMNS
    assert sheet["B2"].number_format == "@"  # ID numbers keep 18 digits
    assert workbook.sheetnames == ["学员名册", "填写说明"]


def test_a_clean_roster_replaces_the_trainees(session, world, draft):  # type: ignore[no-untyped-def]
    data = roster([person(1), person(2, 劳动合同起始日期=datetime(2024, 3, 1), 工作岗位="车工组长"),
                   person(3, 身份证号码=id_number("440106", date(2000, 5, 6), 9).lower())])
    rosters.import_roster(session, world.actor(ENT), draft.id, data)
    rows = trainees(session, draft)
    assert [t.name for t in rows] == ["学员1", "学员2", "学员3"]
    assert rows[1].contract_start == date(2024, 3, 1) and rows[1].job_post == "车工组长"
    assert rows[2].id_number.endswith(rows[2].id_number[-1].upper())
    session.expire_all()
    assert session.get(Filing, draft.id).trainee_count == 3
    assert session.get(Filing, draft.id).courses  # the rest of the filing is kept
    assert session.query(AuditEvent).filter_by(action="save").count() == 1


def test_every_bad_cell_is_reported_and_nothing_is_imported(session, world, draft):  # type: ignore[no-untyped-def]
    before = [t.id_number for t in trainees(session, draft)]
    good = person(1)
    bad_check = str(good[1])[:-1] + ("0" if str(good[1])[-1] != "0" else "1")
    data = roster([
        good,
        person(2, 姓名="", 工作岗位=""),
        person(3, 身份证号码=bad_check, 劳动合同起始日期="2024-13-01"),
        person(4, 身份证号码=good[1]),
        person(5, 毕业年份="二〇二三"),
    ])
    with pytest.raises(SpreadsheetInvalid) as err:
        rosters.import_roster(session, world.actor(ENT), draft.id, data)
    assert [(e.row, e.column) for e in err.value.errors] == [
        (3, "姓名"), (3, "工作岗位"), (4, "身份证号码"), (4, "劳动合同起始日期"), (5, "身份证号码"), (6, "毕业年份")]
    messages = {(e.row, e.column): e.message for e in err.value.errors}
    assert messages[(3, "姓名")] == "姓名不能为空"
    assert messages[(4, "身份证号码")] == "身份证号码校验位错误"
    assert messages[(4, "劳动合同起始日期")] == "劳动合同起始日期不是有效的日期"
    assert messages[(5, "身份证号码")] == "与第2行的身份证号码重复"
    assert [t.id_number for t in trainees(session, draft)] == before


def test_tech_trainee_columns_are_required(session, world):  # type: ignore[no-untyped-def]
    filing = service.create_filing(session, world.actor(ENT), filing_data(2, apprenticeship_type="tech_trainee"))
    with pytest.raises(SpreadsheetInvalid) as err:
        rosters.import_roster(session, world.actor(ENT), filing.id, roster([person(1)]))
    assert [(e.row, e.column) for e in err.value.errors] == [(2, "院校"), (2, "招聘日期"), (2, "毕业年份")]
    assert all("技培生必填" in e.message for e in err.value.errors)
    rosters.import_roster(session, world.actor(ENT), filing.id, roster([
        person(1, 院校="广州市机电技师学院", 毕业年份=2023, 招聘日期="2023/7/1"),
        person(2, 院校="广东轻工职业技术学院", 毕业年份="2022年", 招聘日期="2023年8月15日")]))
    rows = trainees(session, filing)
    assert (rows[0].graduation_year, rows[0].recruited_on) == (2023, date(2023, 7, 1))
    assert (rows[1].graduation_year, rows[1].recruited_on) == (2022, date(2023, 8, 15))


def test_student_apprentice_columns_must_exist(session, world):  # type: ignore[no-untyped-def]
    filing = service.create_filing(session, world.actor(ENT), filing_data(3, apprenticeship_type="student_apprentice"))
    header = ("姓名", "身份证号码", "工作岗位", "院校")
    with pytest.raises(SpreadsheetInvalid) as err:
        rosters.import_roster(session, world.actor(ENT), filing.id, roster([["张三", "x", "车工", "学校"]], header))
    assert [(e.row, e.column) for e in err.value.errors] == [(1, "专业"), (1, "预计毕业日期")]


def test_under_age_at_the_start_of_training(session, world, draft):  # type: ignore[no-untyped-def]
    young = id_number("440106", date(draft.period_start.year - 15, 6, 1), 3)
    with pytest.raises(SpreadsheetInvalid) as err:
        rosters.import_roster(session, world.actor(ENT), draft.id, roster([person(1, 身份证号码=young)]))
    assert "未满16周岁" in err.value.errors[0].message


def test_empty_roster_and_not_a_workbook(session, world, draft):  # type: ignore[no-untyped-def]
    with pytest.raises(SpreadsheetInvalid) as err:
        rosters.import_roster(session, world.actor(ENT), draft.id, roster([]))
    assert err.value.errors[0].message == "名册中没有学员"
    with pytest.raises(SpreadsheetInvalid):
        rosters.import_roster(session, world.actor(ENT), draft.id, b"PK\x03\x04 broken")


def test_only_the_owner_and_only_while_editable(session, world, draft):  # type: ignore[no-untyped-def]
    data = roster([person(1)])
    for who in ("ent-440106-2", "review-440106", "city", "admin"):
        with pytest.raises(errors.NotFound):
            rosters.import_roster(session, world.actor(who), draft.id, data)
    submitted = submitted_filing(session, world, seed=5)
    with pytest.raises(errors.Conflict):
        rosters.import_roster(session, world.actor(ENT), submitted.id, data)


def test_upload_screen(client, world, session, draft):  # type: ignore[no-untyped-def]
    client.post("/login", data={"username": ENT, "password": "Demo@2026"})
    page = client.get(f"/filings/{draft.id}/roster")
    assert page.status_code == 200 and "下载学员名册模板" in page.get_data(as_text=True)
    template = client.get("/rosters/template.xlsx")
    assert template.status_code == 200 and template.mimetype.endswith("spreadsheetml.sheet")
    response = client.post(f"/filings/{draft.id}/roster", content_type="multipart/form-data",
                           data={"file": (io.BytesIO(roster([person(1, 工作岗位="")])), "名册.xlsx")})
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "工作岗位不能为空" in body and "未导入" in body
    response = client.post(f"/filings/{draft.id}/roster", content_type="multipart/form-data",
                           data={"file": (io.BytesIO(roster([person(1), person(2)])), "名册.xlsx")})
    assert response.status_code == 302
    assert len(trainees(session, draft)) == 2
    client.post("/logout")
    client.post("/login", data={"username": "ent-440106-2", "password": "Demo@2026"})
    assert client.get(f"/filings/{draft.id}/roster").status_code == 404


def _handmade_xlsx() -> bytes:
    """A workbook as Excel writes it: shared strings (one with a phonetic run), a date style, gaps."""
    import zipfile

    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    files = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType='
        '"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
        '"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
        'worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sharedStrings+xml"/><Override PartName="/xl/styles.xml" ContentType='
        '"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>',
        "_rels/.rels": f'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        f'relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<?xml version="1.0"?><workbook {ns} xmlns:r="{rel}"><sheets><sheet name="名册" sheetId="1"'
        ' r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
        f'package/2006/relationships"><Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId3" '
        f'Type="{rel}/styles" Target="styles.xml"/></Relationships>',
        "xl/sharedStrings.xml": f'<?xml version="1.0"?><sst {ns}><si><t>姓名</t></si><si><t>身份证号码</t></si>'
        '<si><t>劳动合同起始日期</t></si><si><r><t>张</t></r><r><t>三</t></r><rPh sb="0" eb="1"><t>zhang</t></rPh>'
        '</si><si><t>440106199501010001</t></si></sst>',
        "xl/styles.xml": f'<?xml version="1.0"?><styleSheet {ns}><cellXfs count="2"><xf numFmtId="0"/>'
        '<xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>',
        "xl/worksheets/sheet1.xml": f'<?xml version="1.0"?><worksheet {ns}><sheetData>'
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="D1" t="s"><v>2</v></c></row>'
        '<row r="3"><c r="A3" t="s"><v>3</v></c><c r="B3" t="s"><v>4</v></c><c r="D3" s="1"><v>45352</v></c>'
        '<c r="E3"><v>2023</v></c><c r="F3" t="b"><v>1</v></c></row></sheetData></worksheet>',
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_the_lean_reader_agrees_with_openpyxl_on_an_excel_style_file() -> None:
    from workflows.spreadsheets import _fast_rows, read_sheet

    data = _handmade_xlsx()
    fast = list(_fast_rows(data))
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    slow = [tuple(v for v in row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    strip = [tuple(v for v in row if v is not None) for row in fast]
    assert strip == [tuple(v for v in row if v is not None) for row in slow]
    assert fast[2] == ("张三", "440106199501010001", None, datetime(2024, 3, 1), 2023, True)
    sheet = read_sheet(data, ("姓名", "身份证号码"))
    assert sheet.rows[0][0] == 3 and sheet.value(sheet.rows[0][1], "劳动合同起始日期") == datetime(2024, 3, 1)
