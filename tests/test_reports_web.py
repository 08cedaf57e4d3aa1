"""The report screens with the test client as each role: uploads through the real routes, refusals that
keep the form, the scoped file route (headers, 404s), the full cycle with ask-for-more and the gallery."""

from __future__ import annotations

import io
import re
from html import unescape
from pathlib import Path
from urllib.parse import unquote

import pytest
from PIL import Image
from sqlalchemy import func, select

from tests import test_uploads_samples as samples
from tests.test_reports_helpers import (
    DISTRICT,
    OCCUPATION,
    OTHER,
    file_tuple,
    instance_of,
    login,
    open_h1,
    outside_files,
    stored_files,
)
from workflows.models.report_models import PublicityItem, ReportAttachment, ReportCase


def page(response) -> str:  # type: ignore[no-untyped-def]
    return unescape(response.get_data(as_text=True))


def case_form(title: str = "学徒制典型案例", **files: list) -> dict:  # type: ignore[type-arg]
    data: dict = {"title": title, "enterprise_name": "广州黄埔精密模具有限公司", "occupation_code": OCCUPATION,
                  "apprenticeship_type": "tech_trainee", "narrative": "第一段。\n\n第二段：成效显著。"}
    data.update(files)
    return data


def post_case(client, report_id: int, data: dict):  # type: ignore[no-untyped-def]
    return client.post(f"/reports/{report_id}/cases/new", data=data, content_type="multipart/form-data")


def attachments(session) -> list[ReportAttachment]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return list(session.scalars(select(ReportAttachment).order_by(ReportAttachment.id)))


def by_name(session, name: str) -> ReportAttachment:  # type: ignore[no-untyped-def]
    return next(a for a in attachments(session) if a.original_name == name)


@pytest.fixture()
def report(session, world):  # type: ignore[no-untyped-def]
    return open_h1(session)


@pytest.fixture()
def district(app, report):  # type: ignore[no-untyped-def]
    return login(app, f"review-{DISTRICT}")


def filled_case(district, report, session):  # type: ignore[no-untyped-def]
    response = post_case(district, report.id, case_form(
        pictures=[file_tuple(samples.picture("JPEG"), "黄埔区学徒风采.jpg", "image/jpeg")],
        videos=[file_tuple(samples.mp4(), "实训视频.mp4", "video/mp4")],
        documents=[file_tuple(samples.docx(), "培养方案（定稿）.docx"), file_tuple(samples.pdf(), "证书.pdf")]))
    assert response.status_code == 302, page(response)[:2000]
    return session.scalars(select(ReportCase)).one()


# ---- pages ------------------------------------------------------------------------------------------


def test_pages_render_for_district_and_city(app, session, report, district):  # type: ignore[no-untyped-def]
    listing = district.get("/reports/")
    assert listing.status_code == 200 and "440112-2027H1" in page(listing) and "待编制" in page(listing)
    assert "440106-2027H1" not in page(listing)
    edit = district.get(f"/reports/{report.id}/edit")
    assert edit.status_code == 200
    for words in ("一、经验总结", "二、典型案例", "三、宣传报道", "报送市职业能力建设指导中心", "请填写经验总结"):
        assert words in page(edit), words
    new = district.get(f"/reports/{report.id}/cases/new")
    assert new.status_code == 200 and 'enctype="multipart/form-data"' in page(new)
    assert "每张不超过 10 MB" in page(new) and "每个不超过 500 MB" in page(new) and "6-18-01-01 车工" in page(new)
    detail = district.get(f"/reports/{report.id}")
    assert detail.status_code == 200 and "data-xml-url" in page(detail) and "开启报告" in page(detail)
    xml = district.get(f"/reports/{report.id}/diagram.bpmn")
    assert xml.status_code == 200 and b"semiannual_report" in xml.data
    assert district.get("/reports/gallery").status_code == 200
    city = login(app, "city")
    all_reports = city.get("/reports/")
    assert page(all_reports).count("-2027H1</a>") == 11, page(all_reports).split("<main")[1][:1500]
    assert "催办" in page(city.get(f"/reports/{report.id}"))
    assert city.get(f"/reports/{report.id}/edit").status_code == 404
    enterprise = login(app, "ent-440112-1")
    assert enterprise.get("/reports/").status_code == 404
    assert enterprise.get("/reports/gallery").status_code == 404
    assert enterprise.get(f"/reports/{report.id}").status_code == 404


# ---- uploads through the routes ---------------------------------------------------------------------


def test_files_are_served_scoped_with_safe_headers_and_chinese_names(app, session, report, district):  # type: ignore[no-untyped-def]
    filled_case(district, report, session)
    picture = by_name(session, "黄埔区学徒风采.jpg")
    response = district.get(f"/reports/files/{picture.id}")
    assert response.status_code == 200
    assert response.mimetype == "image/jpeg"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("inline; ")
    encoded = re.search(r"filename\*=UTF-8''(\S+)", disposition).group(1)  # type: ignore[union-attr]
    assert unquote(encoded) == "黄埔区学徒风采.jpg"
    assert b"TestCam" not in response.data and b"xmpmeta" not in response.data
    with Image.open(io.BytesIO(response.data)) as im:
        assert not im.getexif().get_ifd(0x8825)
    thumb = district.get(f"/reports/files/{picture.id}/thumb")
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"
    assert thumb.headers["X-Content-Type-Options"] == "nosniff"

    docx = by_name(session, "培养方案（定稿）.docx")
    download = district.get(f"/reports/files/{docx.id}")
    assert download.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert download.headers["Content-Disposition"].startswith("attachment; ")
    assert unquote(download.headers["Content-Disposition"].split("UTF-8''")[1]) == "培养方案（定稿）.docx"
    assert download.data == samples.docx()
    assert district.get(f"/reports/files/{docx.id}/thumb").status_code == 404

    video = by_name(session, "实训视频.mp4")
    ranged = district.get(f"/reports/files/{video.id}", headers={"Range": "bytes=0-99"})
    assert ranged.status_code == 206 and len(ranged.data) == 100 and ranged.mimetype == "video/mp4"
    assert not [p for p in Path(app.static_folder).rglob("*") if p.suffix in (".mp4", ".docx", ".pdf")]


def test_other_districts_and_enterprises_get_404_for_files(app, session, report, district):  # type: ignore[no-untyped-def]
    case = filled_case(district, report, session)
    picture = by_name(session, "黄埔区学徒风采.jpg")
    other = login(app, f"review-{OTHER}")
    enterprise = login(app, "ent-440112-1")
    for client in (other, enterprise):
        assert client.get(f"/reports/files/{picture.id}").status_code == 404
        assert client.get(f"/reports/files/{picture.id}/thumb").status_code == 404
        assert client.get(f"/reports/{report.id}/edit").status_code == 404
        assert client.get(f"/reports/{report.id}/cases/{case.id}/edit").status_code == 404
        assert client.get(f"/reports/gallery/cases/{case.id}").status_code == 404
        assert client.post(f"/reports/files/{picture.id}/delete").status_code == 404
        assert client.post(f"/reports/cases/{case.id}/delete").status_code == 404
    assert other.get(f"/reports/{report.id}/diagram.bpmn").status_code == 404
    assert session.get(ReportAttachment, picture.id) is not None
    assert district.get("/reports/files/999999").status_code == 404


@pytest.mark.parametrize(("field", "data", "name", "ctype", "says"), [
    ("pictures", samples.exe(), "照片.jpg", "image/jpeg", "文件内容是可执行程序"),
    ("pictures", samples.HTML, "截图.png", "image/png", "网页"),
    ("pictures", samples.SVG, "标志.svg", "image/svg+xml", "SVG"),
    ("pictures", samples.truncated_jpeg(), "半张.jpg", "image/jpeg", "不完整或已损坏"),
    ("documents", samples.plain_zip(), "方案.docx", "application/octet-stream", "压缩包而不是 Word 文档"),
    ("videos", samples.picture("JPEG"), "视频.mp4", "video/mp4", "不符"),
])
def test_refused_upload_keeps_the_form_and_stores_nothing(app, session, report, district, field, data, name, ctype,  # type: ignore[no-untyped-def]
                                                          says):
    before = stored_files(app.config["UPLOAD_DIR"])
    good = [file_tuple(samples.picture("PNG"), "好图.png", "image/png")] if field != "pictures" else []
    form = case_form("保留我的标题", **{field: [file_tuple(data, name, ctype)]}, **({"pictures": good} if good else {}))
    response = post_case(district, report.id, form)
    assert response.status_code == 422
    html = page(response)
    assert f"「{name}」未上传：" in html and says in html and "本次未保存任何内容" in html
    assert 'value="保留我的标题"' in html and "第二段：成效显著。" in html
    assert f'<p class="field-error" id="{field}-error">' in response.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(ReportCase)) == 0
    assert attachments(session) == []
    assert stored_files(app.config["UPLOAD_DIR"]) == before


def test_oversize_file_is_refused_with_nothing_stored(app, session, report, district, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setitem(app.config, "UPLOAD_MAX_PICTURE_BYTES", 2048)
    before = stored_files(app.config["UPLOAD_DIR"])
    big = samples.picture("PNG", size=(600, 600), gps=False) + b""
    assert len(big) > 2048
    response = post_case(district, report.id, case_form(pictures=[file_tuple(big, "大图.png", "image/png")]))
    assert response.status_code == 422 and "超过图片大小上限 2 KB" in page(response)
    assert attachments(session) == [] and stored_files(app.config["UPLOAD_DIR"]) == before


def test_a_body_beyond_the_upload_cap_is_413_and_stores_nothing(app, session, report, district, monkeypatch):  # type: ignore[no-untyped-def]
    from webapp.reports import views

    monkeypatch.setattr(views, "MULTIPART_ROOM", 0)
    for key in ("UPLOAD_MAX_PICTURE_BYTES", "UPLOAD_MAX_VIDEO_BYTES", "UPLOAD_MAX_DOCUMENT_BYTES"):
        monkeypatch.setitem(app.config, key, 4096)
    before = stored_files(app.config["UPLOAD_DIR"])
    response = post_case(district, report.id, case_form(videos=[file_tuple(samples.mp4(64 * 1024), "v.mp4")]))
    assert response.status_code == 413 and "上传的内容过大" in page(response)
    assert attachments(session) == [] and stored_files(app.config["UPLOAD_DIR"]) == before
    # Forms without files accept 1 MB at most.
    response = district.post(f"/reports/{report.id}/summary", data={"summary": "长" * 400_000})
    assert response.status_code == 413


def test_traversal_and_odd_filenames_through_the_route(app, session, report, district):  # type: ignore[no-untyped-def]
    root = str(app.config["UPLOAD_DIR"])
    response = post_case(district, report.id, case_form(pictures=[
        file_tuple(samples.picture("JPEG"), "../../../../escape-upload.jpg", "image/jpeg"),
        file_tuple(samples.picture("PNG"), "/etc/逃逸.png", "image/png"),
        file_tuple(samples.picture("WEBP"), "a%22b;c=d.webp", "image/webp")]))  # browsers send " as %22
    assert response.status_code == 302, page(response)[:1000]
    names = sorted(a.original_name for a in attachments(session))
    assert names == ["a\"b;c=d.webp", "escape-upload.jpg", "逃逸.png"]
    assert outside_files(root, "escape-upload.jpg") == [] and outside_files(root, "逃逸.png") == []
    for a in attachments(session):
        assert re.fullmatch(r"[0-9a-f]{32}\.(jpg|png|webp)", a.stored_name)
        disposition = district.get(f"/reports/files/{a.id}").headers["Content-Disposition"]
        assert disposition.count('"') == 2 and "\r" not in disposition and "\n" not in disposition
        assert unquote(disposition.split("UTF-8''")[1]) == a.original_name
    for url in ("/reports/files/..%2F..%2Fetc%2Fpasswd", "/reports/files/../../etc/passwd",
                "/reports/files/%2e%2e/thumb", "/reports/files/1%00"):
        assert district.get(url).status_code == 404, url
    rlo = post_case(district, report.id, case_form("RLO", pictures=[
        file_tuple(samples.picture("JPEG"), "照片\u202egpj.exe", "image/jpeg")]))
    assert rlo.status_code == 422 and "扩展名 .exe" in page(rlo)


def test_attachments_can_be_removed_in_a_draft_only(app, session, report, district):  # type: ignore[no-untyped-def]
    filled_case(district, report, session)
    pdf = by_name(session, "证书.pdf")
    pdf_id, path = pdf.id, f"{app.config['UPLOAD_DIR']}/{pdf.stored_name[:2]}/{pdf.stored_name}"
    assert district.post(f"/reports/files/{pdf_id}/delete").status_code == 302
    assert all(a.id != pdf_id for a in attachments(session))
    assert not Path(path).exists()
    district.post(f"/reports/{report.id}/summary", data={"summary": "总结一段。"})
    assert district.post(f"/reports/{report.id}/submit").status_code == 302
    assert instance_of(session, report).status == "city_record"
    picture = by_name(session, "黄埔区学徒风采.jpg")
    assert district.post(f"/reports/files/{picture.id}/delete").status_code == 409
    assert district.get(f"/reports/files/{picture.id}").status_code == 200


# ---- the whole story through the pages ----------------------------------------------------------------


def test_full_cycle_through_the_pages_with_ask_for_more_and_gallery(app, session, report, district):  # type: ignore[no-untyped-def]
    district.post(f"/reports/{report.id}/summary", data={"summary": "上半年工作总结。\n\n主要做法。"})
    filled_case(district, report, session)
    bad_link = district.post(f"/reports/{report.id}/publicity", content_type="multipart/form-data", data={
        "outlet": "某网站", "published_on": "2026-05-20", "title": "报道", "link": "javascript:alert(1)"})
    assert bad_link.status_code == 422 and "http://" in page(bad_link)
    scan = district.post(f"/reports/{report.id}/publicity", content_type="multipart/form-data", data={
        "outlet": "广州日报", "published_on": "2026-05-20", "title": "新型学徒制见成效", "link": "",
        "scan": file_tuple(samples.pdf(), "报纸扫描件.pdf", "application/pdf")})
    assert scan.status_code == 302, page(scan)[:1500]
    assert district.post(f"/reports/{report.id}/submit").status_code == 302

    city = login(app, "city")
    review = city.get(f"/reports/{report.id}/review")
    assert review.status_code == 200 and "黄埔区学徒风采.jpg" in page(review) and "报纸扫描件.pdf" in page(review)
    refused = city.post(f"/reports/{report.id}/review", data={"decision": "more", "comment": ""})
    assert refused.status_code == 422 and "必须填写意见" in page(refused)
    assert city.post(f"/reports/{report.id}/review",
                     data={"decision": "more", "comment": "请补充学徒在岗视频。"}).status_code == 302
    edit = district.get(f"/reports/{report.id}/edit")
    assert "请补充学徒在岗视频。" in page(edit) and "补充后重新报送" in page(edit)
    assert "已报送，不能删除" in page(edit)
    response = post_case(district, report.id, case_form("补充：在岗视频案例", videos=[
        file_tuple(samples.mp4(), "在岗.mp4", "video/mp4")]))
    assert response.status_code == 302
    assert district.post(f"/reports/{report.id}/submit").status_code == 302
    assert city.post(f"/reports/{report.id}/review", data={"decision": "accept", "comment": ""}).status_code == 302
    assert instance_of(session, report).status == "recorded"
    assert "已接收" in page(city.get("/reports/"))

    other = login(app, f"review-{OTHER}")
    gallery = other.get("/reports/gallery")
    assert "学徒制典型案例" in page(gallery) and "补充：在岗视频案例" in page(gallery) and "共 2 个案例" in page(gallery)
    assert "标为优秀案例" not in page(gallery)
    accepted_picture = by_name(session, "黄埔区学徒风采.jpg")
    assert other.get(f"/reports/files/{accepted_picture.id}/thumb").status_code == 200  # gallery: city-wide
    scan_file = session.scalars(select(PublicityItem)).one().scan
    assert other.get(f"/reports/files/{scan_file.id}").status_code == 404  # publicity stays with the district
    filtered = other.get("/reports/gallery", query_string={"district": OTHER})
    assert "共 0 个案例" in page(filtered)
    tech = other.get("/reports/gallery", query_string={"apprenticeship_type": "tech_trainee", "period": "2027H1",
                                                       "occupation": OCCUPATION, "district": DISTRICT})
    assert "共 2 个案例" in page(tech)
    assert "共 0 个案例" in page(other.get("/reports/gallery", query_string={"apprenticeship_type": "student_apprentice"}))

    case = session.scalars(select(ReportCase).where(ReportCase.title == "补充：在岗视频案例")).one()
    assert other.post(f"/reports/gallery/cases/{case.id}/excellent", data={"excellent": "1"}).status_code == 404
    marked = city.post(f"/reports/gallery/cases/{case.id}/excellent",
                       data={"excellent": "1", "next": "/reports/gallery?excellent=y"})
    assert marked.status_code == 302 and marked.headers["Location"].endswith("/reports/gallery?excellent=y")
    assert city.post(f"/reports/gallery/cases/{case.id}/excellent",
                     data={"excellent": "1", "next": "https://evil.example/"}).headers["Location"].endswith(
        "/reports/gallery")
    best = city.get("/reports/gallery", query_string={"excellent": "y"})
    assert "共 1 个案例" in page(best) and "优秀案例" in page(best)
    detail = other.get(f"/reports/gallery/cases/{case.id}")
    assert detail.status_code == 200 and "优秀案例" in page(detail)
    history = page(city.get(f"/reports/{report.id}"))
    for words in ("报送", "要求补充", "请补充学徒在岗视频。", "补充后重新报送", "接收", "标记优秀案例"):
        assert words in history, words


def test_inbox_and_notification_links_lead_to_the_report_pages(app, session, report, district):  # type: ignore[no-untyped-def]
    with app.test_request_context():
        assert app.extensions["case_links"]["semiannual_report"](report.instance_id) == \
            f"/reports/case/{report.instance_id}"
    to_edit = district.get(f"/reports/case/{report.instance_id}")
    assert to_edit.status_code == 302 and to_edit.headers["Location"].endswith(f"/reports/{report.id}/edit")
    inbox = district.get("/tasks/")
    assert f"/reports/case/{report.instance_id}" in page(inbox)
    city = login(app, "city")
    assert city.get(f"/reports/case/{report.instance_id}").headers["Location"].endswith(f"/reports/{report.id}")
    assert login(app, f"review-{OTHER}").get(f"/reports/case/{report.instance_id}").status_code == 404
