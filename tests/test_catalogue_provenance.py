"""Catalogues with provenance (issue 17): the shipped data is marked illustrative, imports record source,
edition, date, who and when; admins see a banner outside development; CSV files in UTF-8 (with or without
BOM) or GB18030/GBK; the occupation Excel import; the occupation picker's data."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook

from webapp import create_app
from workflows import service
from workflows.catalogue import admin as catalogue_admin
from workflows.catalogue import reads as catalogue_reads
from workflows.models import CatalogueSource

OCCUPATION_CSV = ("code,name,aliases,job_posts,levels\n"
                  "6-18-01-01,车工,数控车工|普通车工,车工|数控车床操作工,5|4|3|2|1\n"
                  "6-20-01-01,装配钳工,钳工,装配钳工,5|4|3\n")


def sheet(header: list[str], rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    ws = workbook.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(("data", "label"), [
    (OCCUPATION_CSV.encode("utf-8"), "UTF-8"),
    (b"\xef\xbb\xbf" + OCCUPATION_CSV.encode("utf-8"), "UTF-8（带BOM）"),
    (OCCUPATION_CSV.encode("gbk"), "GB18030/GBK"),
    (OCCUPATION_CSV.encode("gb18030"), "GB18030/GBK"),
])
def test_csv_in_utf8_with_or_without_bom_and_gbk_is_read_and_named(data: bytes, label: str) -> None:
    text, encoding = catalogue_admin.decode_csv(data)
    assert encoding == label and text.startswith("code,name") and "装配钳工" in text


def test_an_undecodable_csv_gives_a_chinese_message() -> None:
    with pytest.raises(ValueError, match="无法识别文件编码"):
        catalogue_admin.decode_csv(OCCUPATION_CSV.encode("utf-16"))


def test_the_cli_imports_a_gbk_file_says_so_and_records_the_source(app, session, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "职业.csv"
    path.write_bytes(OCCUPATION_CSV.encode("gbk"))
    result = app.test_cli_runner().invoke(args=[
        "catalogues", "import", "--occupations", str(path), "--replace",
        "--source", "中华人民共和国职业分类大典（2022年版）", "--edition", "2022年版", "--date", "2022-09-28"])
    assert result.exit_code == 0, result.output
    assert "职业目录文件编码：GB18030/GBK" in result.output
    row = session.get(CatalogueSource, "occupation")
    assert (row.source_document, row.edition, row.published_on, row.illustrative) == (
        "中华人民共和国职业分类大典（2022年版）", "2022年版", date(2022, 9, 28), False)
    assert row.imported_by_name and row.imported_at is not None
    assert set(catalogue_reads.occupations(session)) == {"6-18-01-01", "6-20-01-01"}
    bad = tmp_path / "bad.csv"
    bad.write_bytes(OCCUPATION_CSV.encode("utf-16"))
    failed = app.test_cli_runner().invoke(args=["catalogues", "import", "--occupations", str(bad)])
    assert failed.exit_code == 1 and "无法识别文件编码" in failed.output


def test_the_shipped_data_is_marked_illustrative(session) -> None:  # type: ignore[no-untyped-def]
    assert catalogue_reads.illustrative_in_use(session) == ["职业（工种）目录", "教材目录"]  # not even loaded
    catalogue_admin.ensure_loaded(session)
    sources = catalogue_reads.sources(session)
    assert sources["textbook"] is not None and sources["textbook"].illustrative
    assert "ISBN为占位号" in sources["textbook"].source_document
    assert catalogue_reads.illustrative_in_use(session) == ["职业（工种）目录", "教材目录"]


def test_admins_see_the_banner_outside_development_only(app, session, world) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    client.post("/login", data={"username": "admin", "password": "Demo@2026"})
    page = client.get("/admin/").get_data(as_text=True)
    assert "当前使用的教材目录是随系统提供的示意数据" in page and "职业（工种）目录是随系统提供的示意数据" in page
    client.post("/logout")
    client.post("/login", data={"username": "city", "password": "Demo@2026"})
    assert "示意数据，不是官方目录" not in client.get("/admin/").get_data(as_text=True)

    from config import TestConfig

    class DevConfig(TestConfig):
        ENV_NAME = "development"
        SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]

    dev = create_app(DevConfig)
    with dev.app_context():
        dev_client = dev.test_client()
        dev_client.post("/login", data={"username": "admin", "password": "Demo@2026"})
        assert "示意数据，不是官方目录" not in dev_client.get("/admin/").get_data(as_text=True)


def test_an_excel_import_records_provenance_and_replacing_ends_the_illustrative_state(app, session, world):  # type: ignore[no-untyped-def]
    client = app.test_client()
    client.post("/login", data={"username": "admin", "password": "Demo@2026"})
    header = ["职业代码", "职业名称", "别名", "典型工作岗位", "可培训等级"]
    rows = [["6-18-01-01", "车工", "数控车工|普通车工", "车工", "五级|四级|三级|二级|一级"],
            ["6-20-01-01", "装配钳工", "钳工", "装配钳工", "5|4|3"]]
    missing = client.post("/admin/occupations/import", data={"file": (io.BytesIO(sheet(header, rows)), "o.xlsx")},
                          content_type="multipart/form-data")
    assert missing.status_code == 422 and "请填写来源文件" in missing.get_data(as_text=True)
    bad = client.post("/admin/occupations/import", data={
        "file": (io.BytesIO(sheet(header, [["6-18-01", "车工", "", "", "六级"]])), "o.xlsx"),
        "source_document": "职业分类大典"}, content_type="multipart/form-data")
    body = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "格式应为 6-18-01-01" in body and "可培训等级无效（六级）" in body
    added = client.post("/admin/occupations/import", data={
        "file": (io.BytesIO(sheet(header, rows)), "o.xlsx"), "source_document": "中华人民共和国职业分类大典（2022年版）"},
        content_type="multipart/form-data")
    assert added.status_code == 302
    assert session.get(CatalogueSource, "occupation").illustrative  # added to the demo rows: still mixed
    replaced = client.post("/admin/occupations/import", data={
        "file": (io.BytesIO(sheet(header, rows)), "o.xlsx"), "source_document": "中华人民共和国职业分类大典（2022年版）",
        "edition": "2022年版", "published_on": "2022-09-28", "replace": "y"}, content_type="multipart/form-data")
    assert replaced.status_code == 302
    session.expire_all()
    row = session.get(CatalogueSource, "occupation")
    assert not row.illustrative and row.imported_by_name == "管理员" and row.published_on == date(2022, 9, 28)
    assert catalogue_reads.occupations(session)["6-20-01-01"].levels == (5, 4, 3)
    page = client.get("/admin/occupations").get_data(as_text=True)
    assert "来源：中华人民共和国职业分类大典（2022年版）（2022年版），发布日期 2022-09-28；管理员" in page
    assert "职业（工种）目录是随系统提供的示意数据" not in page
    template = client.get("/admin/occupations/template.xlsx")
    assert template.status_code == 200 and template.mimetype.endswith("spreadsheetml.sheet")


def test_the_occupation_picker_data_has_code_name_and_aliases(app, session, world) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    client.post("/login", data={"username": "ent-440106-1", "password": "Demo@2026"})
    response = client.get("/filings/occupations.json")
    entries = response.get_json()
    lathe = next(e for e in entries if e["code"] == "6-18-01-01")
    assert lathe["name"] == "车工" and "数控车工" in lathe["aliases"] and lathe["label"] == "6-18-01-01 车工"
    assert len(entries) == len(service.occupations(session))
    again = client.get("/filings/occupations.json", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    form = client.get("/filings/new").get_data(as_text=True)
    assert 'data-occupation-picker="/filings/occupations.json"' in form
    assert "/static/vendor/tom-select/tom-select.complete.min.js" in form and "js/occupation-picker.js" in form
