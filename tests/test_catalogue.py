"""Catalogues in the database: CSV fallback, first-use load, admin edits seen at once, the all-or-nothing
Excel import of the textbook catalogue and `flask catalogues import`."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from tests.factories import filing_data
from workflows import errors, service
from workflows.accounts.admin import catalogues
from workflows.catalogue import admin as catalogue_admin
from workflows.catalogue import excel as catalogue_excel
from workflows.catalogue import reads as catalogue_reads
from workflows.filings import checks
from workflows.models import CatalogueRevision, Filing, Occupation, Textbook
from workflows.rules import ids
from workflows.spreadsheets import SpreadsheetInvalid

HEADER = ["ISBN", "书名", "出版社", "课程类别", "适用职业代码"]


def xlsx(rows: list[list[object]], header: list[str] = HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def count(session, model) -> int:  # type: ignore[no-untyped-def]
    return int(session.scalar(select(func.count()).select_from(model)))


def test_empty_tables_read_the_shipped_files(session):  # type: ignore[no-untyped-def]
    assert catalogue_reads.is_loaded(session) == {"occupation": False, "textbook": False}
    occupations = catalogue_reads.occupations(session)
    assert len(occupations) >= 40 and occupations["6-18-01-01"].name == "车工"
    assert "数控车工" in occupations["6-18-01-01"].aliases
    assert catalogue_reads.textbooks(session)["9787516738016"].category == "general_required"
    assert catalogue_reads.occupations() == occupations  # the app's scoped session is used without an argument


def test_first_use_loads_the_shipped_files(session):  # type: ignore[no-untyped-def]
    added = catalogue_admin.ensure_loaded(session)
    session.commit()
    assert added == {"occupation": len(catalogue_reads.shipped_occupations()), "textbook": len(catalogue_reads.shipped_textbooks())}
    assert catalogue_reads.is_loaded(session) == {"occupation": True, "textbook": True}
    assert catalogue_admin.ensure_loaded(session) == {"occupation": 0, "textbook": 0}
    assert catalogue_reads.occupations(session) == {o.code: o for o in catalogue_reads.shipped_occupations()}


def test_an_admin_edit_is_seen_by_the_next_read(session, world):  # type: ignore[no-untyped-def]
    admin = world.actor("admin")
    before = catalogue_reads.occupations(session)["6-18-01-01"]
    catalogues.save_occupation(session, admin, catalogue_admin.OccupationInput(
        code="6-18-01-01", name="车工", aliases=[*before.aliases, "精车工"], job_posts=list(before.job_posts),
        levels=[5, 4, 3]), "6-18-01-01")
    after = catalogue_reads.occupations(session)["6-18-01-01"]
    assert "精车工" in after.aliases and after.levels == (5, 4, 3)
    assert count(session, Occupation) == len(catalogue_reads.shipped_occupations())  # the rest was loaded first
    # The level no longer offered is now a hard error on submission.
    ent = world.actor("ent-440106-1")
    filing = service.create_filing(session, ent, filing_data(1, level=2))
    with pytest.raises(errors.ValidationFailed) as err:
        service.submit_filing(session, ent, filing.id)
    assert "level" in err.value.fields


def test_a_change_made_elsewhere_invalidates_the_cache(session, world):  # type: ignore[no-untyped-def]
    catalogue_admin.ensure_loaded(session)
    session.commit()
    assert catalogue_reads.occupations(session)["6-18-01-02"].name == "铣工"
    # Another process changes the row and replaces the token.
    session.get(Occupation, "6-18-01-02").name = "铣工（数控）"
    catalogue_admin.touch(session, "occupation")
    session.commit()
    assert catalogue_reads.occupations(session)["6-18-01-02"].name == "铣工（数控）"


def test_aliases_from_the_database_drive_the_job_post_check(session, world):  # type: ignore[no-untyped-def]
    admin, ent = world.actor("admin"), world.actor("ent-440106-1")
    data = filing_data(1)
    data.trainees[0].job_post = "旋工"
    filing = service.create_filing(session, ent, data)
    session.commit()
    results = checks.evaluate(session, session.get(Filing, filing.id))
    assert next(r for r in results if r.field == "trainees[0].job_post").details["result"] == "mismatch"
    current = catalogue_reads.occupations(session)["6-18-01-01"]
    catalogues.save_occupation(session, admin, catalogue_admin.OccupationInput(
        current.code, current.name, [*current.aliases, "旋工"], list(current.job_posts), list(current.levels)),
        current.code)
    results = checks.evaluate(session, session.get(Filing, filing.id))
    assert next(r for r in results if r.field == "trainees[0].job_post").details["result"] == "match"


def test_occupation_form_errors(session, world):  # type: ignore[no-untyped-def]
    with pytest.raises(errors.ValidationFailed) as err:
        catalogues.save_occupation(session, world.actor("admin"), catalogue_admin.OccupationInput(
            code="6-18-1", name="", aliases=[], job_posts=[], levels=[]))
    assert set(err.value.fields) == {"code", "name", "levels"}
    with pytest.raises(errors.ValidationFailed) as err:
        catalogues.save_occupation(session, world.actor("admin"), catalogue_admin.OccupationInput(
            code="6-18-01-02", name="重复", aliases=[], job_posts=[], levels=[4]))
    assert "已存在" in err.value.fields["code"][0]
    with pytest.raises(errors.NotFound):
        catalogues.save_occupation(session, world.actor("city"), catalogue_admin.OccupationInput(
            code="6-99-01-01", name="新职业", aliases=[], job_posts=[], levels=[4]))


def test_textbook_edit_and_delete(session, world):  # type: ignore[no-untyped-def]
    admin = world.actor("admin")
    isbn = catalogues.save_textbook(session, admin, catalogue_admin.TextbookInput(
        "978-7-300-00001-5", "数控车床编程与操作", "机械工业出版社", "professional_skill", ["6-18-01-01"]))
    assert isbn == "9787300000015"
    assert catalogue_reads.find_textbook("978-7-300-00001-5", session).title == "数控车床编程与操作"
    catalogues.delete_catalogue_entry(session, admin, "textbook", isbn)
    assert catalogue_reads.find_textbook(isbn, session) is None
    with pytest.raises(errors.NotFound):
        catalogues.delete_catalogue_entry(session, admin, "textbook", isbn)
    with pytest.raises(errors.ValidationFailed) as err:
        catalogues.save_textbook(session, admin, catalogue_admin.TextbookInput(
            "978-7-300-00001-6", "", "出版社", "nonsense", ["6-99-99-99"]))
    assert set(err.value.fields) == {"isbn", "title", "category", "occupation_codes"}


def test_excel_import_reports_every_bad_row_and_imports_nothing(session, world):  # type: ignore[no-untyped-def]
    catalogue_admin.ensure_loaded(session)
    session.commit()
    before = {t.isbn: t for t in catalogue_reads.textbooks(session).values()}
    data = xlsx([
        ["978-7-300-00001-5", "数控车床编程与操作", "机械工业出版社", "专业技能课", "6-18-01-01|6-18-01-02"],  # good
        ["978-7-300-00001-6", "校验位错", "机械工业出版社", "专业技能课", ""],
        ["9787300000015", "重复", "机械工业出版社", "专业技能课", ""],
        ["9787300000022", "", "", "选修课", "6-18-1、6-99-99-99"],
    ])
    with pytest.raises(SpreadsheetInvalid) as err:
        catalogues.import_textbooks(session, world.actor("admin"), data)
    found = [(e.row, e.column) for e in err.value.errors]
    assert found == [(3, "ISBN"), (4, "ISBN"), (5, "书名"), (5, "出版社"), (5, "课程类别"), (5, "适用职业代码"),
                     (5, "适用职业代码")]
    messages = {(e.row, e.column): e.message for e in err.value.errors}
    assert messages[(3, "ISBN")] == "ISBN校验位错误"
    assert messages[(4, "ISBN")] == "与第2行的ISBN重复"
    assert "课程类别“选修课”无效" in messages[(5, "课程类别")]
    assert {t.isbn: t for t in catalogue_reads.textbooks(session).values()} == before
    assert session.get(Textbook, "9787300000015") is None


def test_excel_import_of_a_clean_sheet(session, world):  # type: ignore[no-untyped-def]
    admin = world.actor("admin")
    shipped = len(catalogue_reads.shipped_textbooks())
    data = xlsx([
        ["978-7-300-00001-5", "数控车床编程与操作", "机械工业出版社", "专业技能课", "6-18-01-01|6-18-01-02"],
        [9787516738016, "职业道德（修订版）", "中国劳动社会保障出版社", "general_required", None],
        [None, None, None, None, None],
    ])
    assert catalogues.import_textbooks(session, admin, data) == 2
    books = catalogue_reads.textbooks(session)
    assert len(books) == shipped + 1
    assert books["9787300000015"].occupation_codes == ("6-18-01-01", "6-18-01-02")
    assert books["9787516738016"].title == "职业道德（修订版）"
    assert catalogues.import_textbooks(session, admin, data, replace=True) == 2
    assert set(catalogue_reads.textbooks(session)) == {"9787300000015", "9787516738016"}


def test_excel_import_refuses_a_sheet_without_the_columns_or_not_excel(session, world):  # type: ignore[no-untyped-def]
    admin = world.actor("admin")
    with pytest.raises(SpreadsheetInvalid) as err:
        catalogues.import_textbooks(session, admin, xlsx([["x"]], header=["ISBN", "书名"]))
    assert [e.column for e in err.value.errors] == ["出版社", "课程类别", "适用职业代码"]
    with pytest.raises(SpreadsheetInvalid):
        catalogues.import_textbooks(session, admin, b"not a workbook")
    with pytest.raises(errors.NotFound):
        catalogues.import_textbooks(session, world.actor("city"), xlsx([]))


def test_the_import_template_has_the_columns(app):  # type: ignore[no-untyped-def]
    sheet = load_workbook(io.BytesIO(catalogue_excel.textbook_template())).worksheets[0]
    assert [c.value for c in sheet[1]] == HEADER


def test_cli_imports_the_shipped_files(app, session):  # type: ignore[no-untyped-def]
    result = app.test_cli_runner().invoke(args=["catalogues", "import"])
    assert result.exit_code == 0, result.output
    assert "已导入职业" in result.output
    session.expire_all()
    assert count(session, Occupation) == len(catalogue_reads.shipped_occupations())
    assert count(session, Textbook) == len(catalogue_reads.shipped_textbooks())
    assert session.get(CatalogueRevision, "textbook") is not None
    status = app.test_cli_runner().invoke(args=["catalogues", "status"])
    assert "数据库" in status.output


def test_cli_import_of_a_bad_file_changes_nothing(app, session, tmp_path):  # type: ignore[no-untyped-def]
    bad = tmp_path / "occ.csv"
    bad.write_text("code,name,aliases,job_posts,levels\n6-18-01-01,车工,,,4\n6-18-1,坏,,,9\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["catalogues", "import", "--occupations", str(bad)])
    assert result.exit_code == 1 and "第3行" in result.output
    session.expire_all()
    assert count(session, Occupation) == 0


def test_admin_screens(client, world, session):  # type: ignore[no-untyped-def]
    client.post("/login", data={"username": "city", "password": "Demo@2026"})
    assert client.get("/admin/occupations").status_code == 200
    assert client.get("/admin/occupations/6-18-01-01").status_code == 404
    assert client.get("/admin/textbooks/import").status_code == 404
    client.post("/logout")
    client.post("/login", data={"username": "admin", "password": "Demo@2026"})
    page = client.get("/admin/textbooks?q=职业道德").get_data(as_text=True)
    assert "9787516738016" in page
    response = client.post("/admin/textbooks/import", data={
        "file": (io.BytesIO(xlsx([["978-7-300-00001-6", "坏", "社", "专业技能课", ""]])), "books.xlsx"),
        "source_document": "全国职业培训规划教材目录"},
        content_type="multipart/form-data")
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "ISBN校验位错误" in body and "未导入" in body
    response = client.post("/admin/textbooks/import", data={
        "file": (io.BytesIO(xlsx([["978-7-300-00001-5", "好书", "社", "专业技能课", ""]])), "books.xlsx"),
        "source_document": "全国职业培训规划教材目录"},
        content_type="multipart/form-data")
    assert response.status_code == 302
    assert catalogue_reads.textbooks(session)["9787300000015"].title == "好书"
    response = client.post("/admin/occupations/new", data={
        "code": "4-14-02-09", "name": "营养配餐员", "aliases": "营养师\n配餐员", "job_posts": "营养配餐员", "levels": ["5", "4"]})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert catalogue_reads.occupations(session)["4-14-02-09"].aliases == ("营养师", "配餐员")
    assert client.post("/admin/occupations/4-14-02-09/delete").status_code == 302
    assert "4-14-02-09" not in catalogue_reads.occupations(session)
    template = client.get("/admin/textbooks/template.xlsx")
    assert template.status_code == 200 and template.mimetype.endswith("spreadsheetml.sheet")


def test_rules_catalogue_types_are_returned(session):  # type: ignore[no-untyped-def]
    catalogue_admin.ensure_loaded(session)
    assert isinstance(next(iter(catalogue_reads.occupations(session).values())), ids.Occupation)
    assert isinstance(next(iter(catalogue_reads.textbooks(session).values())), ids.Textbook)
