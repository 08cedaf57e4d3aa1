"""Semiannual reports and the gallery through the API, as each role: list and detail, summary, typical cases,
multipart uploads with the screens' content checks and limits (refusals store nothing), scoped downloads,
publicity, submit (422), the city's accept / ask for more (dedicated and generic), urge, opening; scope."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests import test_uploads_samples as samples
from tests.test_api_helpers import USERS, Api, error_of, fast_passwords, openapi, tokens_for  # noqa: F401
from tests.test_plans_helpers import fresh_spec_caches  # noqa: F401
from tests.test_reports_helpers import DISTRICT, OCCUPATION, OTHER, file_tuple, open_h1, stored_files
from workflows.models.report_models import ReportAttachment

REV, OTHER_REV = f"review-{DISTRICT}", f"review-{OTHER}"
CASE = {"title": "黄埔区汽车零部件企业学徒培养案例", "enterprise_name": "广州黄埔汽车零部件制造有限公司",
        "occupation_code": OCCUPATION, "apprenticeship_type": "enterprise_apprentice",
        "narrative": "企业与技工院校共同制定培养方案。\n\n双导师带教，学徒全部取得中级工证书。"}


@pytest.fixture()
def api(client, world):  # type: ignore[no-untyped-def]
    return Api(client)


@pytest.fixture()
def tokens(api):  # type: ignore[no-untyped-def]
    return tokens_for(api.client)


@pytest.fixture()
def rid(session, world):  # type: ignore[no-untyped-def]
    """Id of 440112's 2027H1 report (every district's is opened)."""
    return open_h1(session).id


def upload(api: Api, token: str, rid: int, case_id: int, **files: list):  # type: ignore[no-untyped-def,type-arg]
    return api.post("/reports/{id}/cases/{case_id}/attachments", id=rid, case_id=case_id, token=token,
                    data=files, content_type="multipart/form-data")


def download(api: Api, template: str, token: str, **path):  # type: ignore[no-untyped-def]
    """A binary download: its media type is a documented one (errors go through the JSON checks)."""
    response = api.client.get("/api/v1" + template.format(**path), headers={"Authorization": f"Bearer {token}"})
    if response.status_code != 200:
        return api.get(template, token=token, **path)
    assert response.mimetype in openapi()["paths"][template]["get"]["responses"]["200"]["content"]
    return response


def typical_files() -> dict[str, list]:  # type: ignore[type-arg]
    return {"pictures": [file_tuple(samples.picture("JPEG"), "学徒风采.jpg", "image/jpeg")],
            "videos": [file_tuple(samples.mp4(), "实训视频.mp4", "video/mp4")],
            "documents": [file_tuple(samples.docx(), "培养方案.docx"), file_tuple(samples.pdf(), "证书.pdf")]}


def filled(api: Api, token: str, rid: int) -> dict:  # type: ignore[type-arg]
    """A complete typical case with a picture, a video and two documents."""
    case = api.post("/reports/{id}/cases", id=rid, token=token, json=CASE)
    assert case.status_code == 201, case.get_json()
    r = upload(api, token, rid, case.get_json()["id"], **typical_files())
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def attachment_count(session) -> int:  # type: ignore[no-untyped-def]
    session.expire_all()
    return int(session.scalar(select(func.count()).select_from(ReportAttachment)))


# --- the whole cycle -------------------------------------------------------------------------------------


def test_write_upload_submit_ask_for_more_accept_and_gallery(api, tokens, rid, session, app):  # type: ignore[no-untyped-def]
    rev, city, other = tokens[REV], tokens["city"], tokens[OTHER_REV]
    report = api.get("/reports/{id}", id=rid, token=rev).get_json()
    assert (report["district_code"], report["period_key"], report["status"], report["status_label"]) == (
        DISTRICT, "2027H1", "compiling", "待编制")
    assert report["can_edit"] and report["due_at"].startswith("2027-07-10")
    assert set(report["problems"]) == {"summary", "cases"}
    assert [(t["form_key"], t["decisions"]) for t in report["tasks"]] == [("report_edit", [])]
    r = api.post("/reports/{id}/submit", id=rid, token=rev)
    assert r.status_code == 422 and set(error_of(r)["fields"]) == {"summary", "cases"}

    assert api.put("/reports/{id}", id=rid, token=rev, json={"summary": "上半年共备案学徒 320 人。"}).status_code == 200
    draft = api.post("/reports/{id}/cases", id=rid, token=rev, json={"title": "草稿案例"})
    assert draft.status_code == 201 and draft.get_json()["occupation_code"] == ""
    case = filled(api, rev, rid)
    assert case["occupation_name"] == "车工" and case["type_label"] == "企业新型学徒"
    files = {a["original_name"]: a for a in case["attachments"]}
    assert sorted((a["kind"], a["format"]) for a in files.values()) == [
        ("document", "docx"), ("document", "pdf"), ("picture", "jpeg"), ("video", "mp4")]
    picture = files["学徒风采.jpg"]
    assert picture["thumbnail_url"] == picture["url"] + "/thumbnail" and files["证书.pdf"]["thumbnail_url"] is None
    got = download(api, "/reports/{id}/attachments/{attachment_id}", rev, id=rid, attachment_id=picture["id"])
    assert got.status_code == 200 and got.mimetype == "image/jpeg" and got.headers["X-Content-Type-Options"] == "nosniff"
    assert "UTF-8''" in got.headers["Content-Disposition"]
    thumb = download(api, "/reports/{id}/attachments/{attachment_id}/thumbnail", rev, id=rid,
                     attachment_id=picture["id"])
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"
    pdf = files["证书.pdf"]
    assert download(api, "/reports/{id}/attachments/{attachment_id}/thumbnail", rev, id=rid,
                    attachment_id=pdf["id"]).status_code == 404
    # A draft's file can be removed; a case never submitted can be deleted.
    assert api.delete("/reports/{id}/attachments/{attachment_id}", id=rid, attachment_id=pdf["id"],
                      token=rev).status_code == 204
    assert api.delete("/reports/{id}/cases/{case_id}", id=rid, case_id=draft.get_json()["id"],
                      token=rev).status_code == 204
    edited = api.put("/reports/{id}/cases/{case_id}", id=rid, case_id=case["id"], token=rev,
                     json={**CASE, "narrative": "双导师带教。"})
    assert edited.status_code == 200 and len(edited.get_json()["attachments"]) == 3  # files stay
    link = api.post("/reports/{id}/publicity", id=rid, token=rev, content_type="multipart/form-data", data={
        "outlet": "广州日报", "published_on": "2026-05-20", "title": "新型学徒制见成效",
        "link": "https://www.gzdaily.cn/a/1"})
    assert link.status_code == 201 and link.get_json()["scan"] is None
    scan = api.post("/reports/{id}/publicity", id=rid, token=rev, content_type="multipart/form-data", data={
        "outlet": "黄埔发布", "published_on": "2026-06-01", "title": "学徒结业",
        "scan": file_tuple(samples.pdf(), "报道.pdf", "application/pdf")})
    assert scan.status_code == 201 and scan.get_json()["scan"]["format"] == "pdf"

    submitted = api.post("/reports/{id}/submit", id=rid, token=rev)
    assert submitted.status_code == 200, submitted.get_json()
    body = submitted.get_json()
    assert (body["status"], body["submissions"], body["can_edit"], body["problems"]) == ("city_record", 1, False, {})
    assert all(c["locked"] for c in body["cases"]) and all(p["locked"] for p in body["publicity"])
    assert api.delete("/reports/{id}/attachments/{attachment_id}", id=rid, attachment_id=picture["id"],
                      token=rev).status_code == 409
    assert api.put("/reports/{id}", id=rid, token=rev, json={"summary": "改"}).status_code == 409
    assert upload(api, rev, rid, case["id"], **typical_files()).status_code == 409

    task = next(t for t in api.get("/tasks", token=city).get_json()["items"] if t["kind"] == "semiannual_report")
    assert {d["code"]: d["comment_required"] for d in task["decisions"]} == {"accept": False, "more": True}
    r = api.post("/reports/{id}/review", id=rid, token=city, json={"decision": "more", "comment": " "})
    assert r.status_code == 422 and "comment" in error_of(r)["fields"]
    asked = api.post("/reports/{id}/review", id=rid, token=city, json={"decision": "more", "comment": "请补充视频"})
    assert asked.status_code == 200 and asked.get_json()["status_label"] == "已退回"
    back = api.get("/reports/{id}", id=rid, token=rev).get_json()
    assert back["can_edit"] and back["last_request"]["comment"] == "请补充视频"
    # Submitted files stay; a new one may be added (and removed again) during the revision.
    assert api.delete("/reports/{id}/cases/{case_id}", id=rid, case_id=case["id"], token=rev).status_code == 409
    more = upload(api, rev, rid, case["id"], videos=[file_tuple(samples.mp4(8192), "补充视频.mp4", "video/mp4")])
    assert more.status_code == 201 and len(more.get_json()["attachments"]) == 4
    assert api.post("/reports/{id}/submit", id=rid, token=rev).get_json()["submissions"] == 2

    # The generic task endpoint accepts the report's decisions too.
    task = next(t for t in api.get("/tasks", token=city).get_json()["items"] if t["kind"] == "semiannual_report")
    done = api.post("/tasks/{id}/complete", id=task["id"], token=city, json={"decision": "accept"})
    assert done.status_code == 200
    assert done.get_json()["status_label"] == "已接收" and done.get_json()["next_tasks"] == []
    full = api.get("/cases/{id}", id=done.get_json()["case_id"], token=city).get_json()
    assert full["semiannual_report"]["id"] == rid
    assert api.post("/reports/{id}/urge", id=rid, token=city, json={"message": "x"}).status_code == 409

    # Accepted cases are in the city-wide gallery; another district may open their files.
    gallery = api.get("/gallery", token=other).get_json()
    assert gallery["total"] == 1 and gallery["items"][0]["id"] == case["id"]
    assert (gallery["items"][0]["district_code"], gallery["items"][0]["period_key"]) == (DISTRICT, "2027H1")
    assert download(api, "/reports/{id}/attachments/{attachment_id}", other, id=rid,
                    attachment_id=picture["id"]).status_code == 200
    publicity_scan = scan.get_json()["scan"]["id"]  # not a case's file: not in the gallery
    assert download(api, "/reports/{id}/attachments/{attachment_id}", other, id=rid,
                    attachment_id=publicity_scan).status_code == 404
    for query, total in (({"district": DISTRICT}, 1), ({"district": OTHER}, 0), ({"occupation": OCCUPATION}, 1),
                         ({"type": "student_apprentice"}, 0), ({"period": "2027H1"}, 1), ({"period": "2027H2"}, 0),
                         ({"excellent": "true"}, 0)):
        assert api.get("/gallery", token=city, query=query).get_json()["total"] == total, query
    assert api.post("/gallery/cases/{case_id}/excellent", case_id=case["id"], token=other,
                    json={"excellent": True}).status_code == 404
    marked = api.post("/gallery/cases/{case_id}/excellent", case_id=case["id"], token=city, json={"excellent": True})
    assert marked.status_code == 200 and marked.get_json()["excellent"] is True
    assert api.get("/gallery", token=city, query={"excellent": "true"}).get_json()["total"] == 1
    history = [h["action"] for h in api.get("/reports/{id}", id=rid, token=city).get_json()["history"]]
    assert history[0] == "open" and history.index("more") < history.index("resubmit") < history.index("accept")


# --- uploads: the screens' checks and limits -------------------------------------------------------------


@pytest.mark.parametrize(("field", "data", "name", "ctype", "says"), [
    ("pictures", samples.exe(), "照片.jpg", "image/jpeg", "可执行程序"),
    ("pictures", samples.SVG, "标志.svg", "image/svg+xml", "SVG"),
    ("documents", samples.plain_zip(), "方案.docx", "application/octet-stream", "压缩包"),
    ("videos", samples.picture("JPEG"), "视频.mp4", "video/mp4", "只能上传视频"),
])
def test_refused_files_store_nothing(api, tokens, rid, session, app, field, data, name, ctype, says):  # type: ignore[no-untyped-def]
    rev = tokens[REV]
    case_id = api.post("/reports/{id}/cases", id=rid, token=rev, json=CASE).get_json()["id"]
    before = stored_files(app.config["UPLOAD_DIR"])
    good = [file_tuple(samples.picture("PNG"), "好图.png", "image/png")]
    r = upload(api, rev, rid, case_id, **{field: [file_tuple(data, name, ctype)]},
               **({"pictures": good} if field != "pictures" else {}))
    assert r.status_code == 422
    err = error_of(r)
    assert says in err["fields"][field][0] and name in err["fields"][field][0] and "本次未保存任何内容" in err["message"]
    assert attachment_count(session) == 0 and stored_files(app.config["UPLOAD_DIR"]) == before


def test_upload_requests_are_checked(api, tokens, rid, session, app, monkeypatch):  # type: ignore[no-untyped-def]
    rev = tokens[REV]
    case_id = api.post("/reports/{id}/cases", id=rid, token=rev, json=CASE).get_json()["id"]
    def picture():  # type: ignore[no-untyped-def]
        return file_tuple(samples.picture("JPEG"), "a.jpg", "image/jpeg")

    r = upload(api, rev, rid, case_id)
    assert r.status_code == 422 and "files" in error_of(r)["fields"]
    r = upload(api, rev, rid, case_id, photos=[picture()])
    assert r.status_code == 422 and error_of(r)["fields"] == {"photos": ["不允许的字段"]}
    r = upload(api, rev, rid, case_id, pictures=[picture()], note="x")
    assert r.status_code == 422 and "note" in error_of(r)["fields"]
    r = api.post("/reports/{id}/cases/{case_id}/attachments", id=rid, case_id=case_id, token=rev, json={"a": 1})
    assert r.status_code == 422 and "multipart" in error_of(r)["message"]
    other_case = api.post("/reports/{id}/cases", id=open_h1(session, OTHER).id, token=tokens[OTHER_REV],
                          json=CASE).get_json()
    r = upload(api, rev, rid, other_case["id"], pictures=[file_tuple(samples.picture("JPEG"), "a.jpg")])
    assert r.status_code == 404  # a case of another report (and district)
    # Per-file limits from the configuration, as on the screens.
    monkeypatch.setitem(app.config, "UPLOAD_MAX_PICTURE_BYTES", 2048)
    big = samples.picture("PNG", size=(600, 600), gps=False)
    r = upload(api, rev, rid, case_id, pictures=[file_tuple(big, "大图.png", "image/png")])
    assert r.status_code == 422 and "超过图片大小上限 2 KB" in error_of(r)["fields"]["pictures"][0]
    # A body beyond the largest file plus the form's room is refused before it is read.
    from webapp.reports import views

    monkeypatch.setattr(views, "MULTIPART_ROOM", 0)
    for key in ("UPLOAD_MAX_VIDEO_BYTES", "UPLOAD_MAX_DOCUMENT_BYTES"):
        monkeypatch.setitem(app.config, key, 4096)
    before = stored_files(app.config["UPLOAD_DIR"])
    r = upload(api, rev, rid, case_id, videos=[file_tuple(samples.mp4(64 * 1024), "v.mp4", "video/mp4")])
    assert r.status_code == 413 and error_of(r)["code"] == "payload_too_large"
    assert attachment_count(session) == 0 and stored_files(app.config["UPLOAD_DIR"]) == before
    # Publicity: a link or a scan; one scan at most; the date is a real date, not in the future.
    for data, field in (({"outlet": "广州日报", "published_on": "2026-05-20", "title": "t"}, "link"),
                        ({"outlet": "广州日报", "published_on": "2026-02-30", "title": "t", "link": "x"}, "published_on"),
                        ({"outlet": "广州日报", "published_on": "2099-01-01", "title": "t",
                          "link": "https://a.cn"}, "published_on"),
                        ({"outlet": "广州日报", "published_on": "2026-05-20", "title": "t",
                          "link": "javascript:alert(1)"}, "link"),
                        ({"published_on": "2026-05-20", "title": "t", "link": "https://a.cn"}, "outlet")):
        r = api.post("/reports/{id}/publicity", id=rid, token=rev, data=data, content_type="multipart/form-data")
        assert r.status_code == 422 and field in error_of(r)["fields"], (data, error_of(r))
    two = {"outlet": "o", "published_on": "2026-05-20", "title": "t",
           "scan": [file_tuple(samples.pdf(), "1.pdf"), file_tuple(samples.pdf(), "2.pdf")]}
    r = api.post("/reports/{id}/publicity", id=rid, token=rev, data=two, content_type="multipart/form-data")
    assert r.status_code == 422 and "scan" in error_of(r)["fields"]


# --- lists and scope -------------------------------------------------------------------------------------


def test_list_filters_and_pages_in_scope(api, tokens, rid):  # type: ignore[no-untyped-def]
    def listed(who, **query):  # type: ignore[no-untyped-def]
        r = api.get("/reports", token=tokens[who], query=query)
        assert r.status_code == 200
        return r.get_json()

    mine = listed(REV)
    assert mine["total"] == 1 and mine["items"][0]["id"] == rid and mine["items"][0]["can_urge"] is False
    assert listed(REV, district=OTHER)["total"] == 0
    assert listed("city")["total"] == 11 and listed("city")["items"][0]["can_urge"] is True
    assert listed("admin", year=2027, half=1, status="compiling")["total"] == 11
    assert listed("city", half=2)["total"] == 0 and listed("city", status="recorded")["total"] == 0
    assert listed("city", district=DISTRICT)["items"][0]["id"] == rid
    page = listed("city", per_page=5, page=3)
    assert (page["total"], len(page["items"])) == (11, 1)
    for query in ({"half": 3}, {"status": "draft"}, {"page": 0}):
        assert api.get("/reports", token=tokens["city"], query=query).status_code == 422, query
    assert api.get("/gallery", token=tokens["city"], query={"period": "2027Q1"}).status_code == 422


def test_every_report_endpoint_as_every_role(api, tokens, rid, session):  # type: ignore[no-untyped-def]
    """440112's report, being written: only its district writes; the city urges; the rest get 404."""
    rev = tokens[REV]
    case = filled(api, rev, rid)
    spare = api.post("/reports/{id}/cases", id=rid, token=rev, json={"title": "备用"}).get_json()
    pid = api.post("/reports/{id}/publicity", id=rid, token=rev, content_type="multipart/form-data", data={
        "outlet": "o", "published_on": "2026-05-20", "title": "t", "link": "https://a.cn"}).get_json()["id"]
    picture = next(a for a in case["attachments"] if a["kind"] == "picture")["id"]
    document = next(a for a in case["attachments"] if a["format"] == "pdf")["id"]
    sees = {REV, "city", "admin"}
    for who in USERS:
        t = tokens[who]
        role = who.split("-")[0]
        own = who == REV
        expectations = [
            (api.get("/reports", token=t), 404 if role == "ent" else 200),
            (api.get("/gallery", token=t), 404 if role == "ent" else 200),
            (api.get("/reports/{id}", id=rid, token=t), 200 if who in sees else 404),
            (download(api, "/reports/{id}/attachments/{attachment_id}", t, id=rid, attachment_id=picture),
             200 if who in sees else 404),
            (download(api, "/reports/{id}/attachments/{attachment_id}/thumbnail", t, id=rid, attachment_id=picture),
             200 if who in sees else 404),
            (api.put("/reports/{id}", id=rid, token=t, json={"summary": "总结"}), 200 if own else 404),
            (api.post("/reports/{id}/cases", id=rid, token=t, json={"title": "新"}), 201 if own else 404),
            (api.put("/reports/{id}/cases/{case_id}", id=rid, case_id=case["id"], token=t, json=CASE),
             200 if own else 404),
            (upload(api, t, rid, case["id"], pictures=[file_tuple(samples.picture("PNG"), "p.png")]),
             201 if own else 404),
            (api.post("/reports/{id}/review", id=rid, token=t, json={"decision": "accept"}),
             409 if who == "city" else 404),
            (api.post("/reports/{id}/urge", id=rid, token=t, json={"message": "请报送"}),
             200 if who in ("city", "admin") else 404),
            (api.post("/reports/open", token=t, json={"district_code": DISTRICT, "year": 2027, "half": 2}),
             {"city": 201, "admin": 409}.get(who, 404)),
            (api.post("/gallery/cases/{case_id}/excellent", case_id=case["id"], token=t, json={"excellent": True}),
             404),  # not accepted yet: not in the gallery
        ]
        if not own:
            expectations += [
                (api.delete("/reports/{id}/attachments/{attachment_id}", id=rid, attachment_id=document, token=t),
                 404),
                (api.delete("/reports/{id}/cases/{case_id}", id=rid, case_id=spare["id"], token=t), 404),
                (api.delete("/reports/{id}/publicity/{item_id}", id=rid, item_id=pid, token=t), 404),
                (api.post("/reports/{id}/submit", id=rid, token=t), 404),
            ]
        got = [r.status_code for r, _ in expectations]
        assert got == [status for _, status in expectations], who
    assert api.delete("/reports/{id}/attachments/{attachment_id}", id=rid, attachment_id=document,
                      token=rev).status_code == 204
    assert api.delete("/reports/{id}/cases/{case_id}", id=rid, case_id=spare["id"], token=rev).status_code == 204
    assert api.delete("/reports/{id}/publicity/{item_id}", id=rid, item_id=pid, token=rev).status_code == 204
    # Ids that do not belong to the path's report are unknown.
    other = open_h1(session, OTHER).id
    assert api.get("/reports/{id}/attachments/{attachment_id}", id=other, attachment_id=picture,
                   token=tokens["city"]).status_code == 404
    assert api.put("/reports/{id}/cases/{case_id}", id=other, case_id=case["id"], token=tokens[OTHER_REV],
                   json=CASE).status_code == 404
    assert api.get("/reports/{id}", id=999_999, token=tokens["city"]).status_code == 404
    case_id = api.get("/reports/{id}", id=rid, token=tokens["city"]).get_json()["case_id"]
    for who in USERS:
        r = api.get("/cases/{id}", id=case_id, token=tokens[who])
        assert r.status_code == (200 if who in sees else 404), who
        if r.status_code == 200:
            assert r.get_json()["semiannual_report"]["id"] == rid


def test_city_opens_and_urges_and_the_district_is_told(api, tokens, rid):  # type: ignore[no-untyped-def]
    city = tokens["city"]
    r = api.post("/reports/open", token=city, json={"district_code": "440106", "year": 2026.0, "half": 2.0})
    assert r.status_code == 201 and r.headers["Location"] == f"/api/v1/reports/{r.get_json()['id']}"
    assert (r.get_json()["period_label"], r.get_json()["status"]) == ("2026年下半年", "compiling")
    assert api.post("/reports/open", token=city, json={"district_code": "440106", "year": 2026,
                                                        "half": 2}).status_code == 409
    r = api.post("/reports/open", token=city, json={"district_code": "440106", "year": 2026, "half": 3})
    assert r.status_code == 422 and "half" in error_of(r)["fields"]
    urged = api.post("/reports/{id}/urge", id=rid, token=city, json={"message": "请抓紧报送半年报告"})
    assert urged.status_code == 200 and urged.get_json()["history"][-1]["action"] == "urge"
    told = api.get("/notifications", token=tokens[REV], query={"unread": "true"}).get_json()["items"]
    urge = next(n for n in told if n["kind"] == "urge")  # (the opening notice is dated at the half-year's end)
    assert "请抓紧报送半年报告" in urge["body"] and urge["case_id"] == urged.get_json()["case_id"]
    assert urge["web_path"] == f"/reports/case/{urged.get_json()['case_id']}"
