"""Issue 15, a clerk's filing: supporting documents, private drafts, delete and copy, one draft per form,
typed Chinese dates, the job-post check while typing, roster import on unsaved filings, the receipt PDF
and its public verification. Real engine, real database, real uploads checked by content."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from config import TestConfig
from tests import test_uploads_samples as samples
from tests.factories import filing_data, submitted_filing, task_of
from tests.test_api_helpers import Api, filing_body, tokens_for
from tests.test_web_helpers import location, login
from webapp import create_app
from workflows import errors, policy, service
from workflows.models import AuditEvent, Enterprise, Filing, FilingAttachment, WorkflowInstance
from workflows.rules import hard
from workflows.rules.ids import mask_id_number
from workflows.rules.inputs import FilingInput, Params, parse_date_text

ENT = "ent-440106-1"


def limits() -> service.UploadLimits:
    return service.UploadLimits()


def attach(session, world, filing, kind: str, data: bytes | None = None, name: str = "材料.pdf",  # type: ignore[no-untyped-def]
           upload_dir: str = "", who: str = ENT) -> FilingAttachment:
    return service.add_filing_attachment(
        session, world.actor(who), filing.id,
        service.IncomingDocument(io.BytesIO(data if data is not None else samples.pdf()), name, None, kind),
        upload_dir=upload_dir, limits=limits())


def stored_files(upload_dir: Path) -> list[Path]:
    return [p for p in upload_dir.rglob("*") if p.is_file() and "tmp" not in p.parts]


# --- supporting documents: required kinds (policy parameter), checked uploads, scope, history ----------


@pytest.mark.required_attachments
def test_required_kinds_are_a_policy_parameter_with_the_issue_defaults() -> None:
    params = policy.PolicyParams()
    assert params.required_attachment_kinds("enterprise_apprentice") == ("labour_contract", "training_agreement")
    assert params.required_attachment_kinds("tech_trainee") == ("labour_contract", "training_agreement")
    assert params.required_attachment_kinds("student_apprentice") == (
        "labour_contract", "training_agreement", "school_agreement")
    assert list(service.ATTACHMENT_KINDS) == ["labour_contract", "business_licence", "training_agreement",
                                              "school_agreement", "training_plan", "other"]


@pytest.mark.required_attachments
def test_the_hard_rule_names_each_missing_kind() -> None:
    f = FilingInput(enterprise_credit_code="", apprenticeship_type="student_apprentice", occupation_code="",
                    level=4, period_start=None, period_end=None, period_reason="", trainees=[], courses=[],
                    attachment_kinds=("labour_contract",))
    params = Params(required_attachments=policy.DEFAULT_REQUIRED_ATTACHMENTS)
    found = [r for r in hard.hard_checks(f, {}, {}, [], params) if r.rule == "attachment_missing"]
    assert [r.details["kind"] for r in found] == ["training_agreement", "school_agreement"]
    assert "培训协议" in found[0].message and "学生学徒的校企培养协议" in found[1].message
    assert all(r.field == "attachments" for r in found)


@pytest.mark.required_attachments
def test_submission_without_required_documents_is_refused_naming_them(session, world, tmp_path):  # type: ignore[no-untyped-def]
    who = world.actor(ENT)
    filing = service.create_filing(session, who, filing_data(1))
    with pytest.raises(errors.ValidationFailed) as refused:
        service.submit_filing(session, who, filing.id)
    messages = refused.value.fields["attachments"]
    assert any("劳动合同或社保缴费证明" in m for m in messages)
    assert any("培训协议" in m for m in messages)
    session.expire_all()
    assert session.get(WorkflowInstance, filing.instance_id).status == "draft"

    attach(session, world, filing, "labour_contract", upload_dir=str(tmp_path))
    with pytest.raises(errors.ValidationFailed) as still:
        service.submit_filing(session, who, filing.id)
    assert [m for m in still.value.fields["attachments"] if "培训协议" in m]
    assert not [m for m in still.value.fields["attachments"] if "劳动合同" in m]

    attach(session, world, filing, "training_agreement", samples.docx(), "培训协议.docx", upload_dir=str(tmp_path))
    service.submit_filing(session, who, filing.id)
    session.expire_all()
    assert session.get(WorkflowInstance, filing.instance_id).status == "district_review"
    actions = [e.action for e in service.history(session, filing.instance_id)]
    assert actions == ["create", "attach", "attach", "submit"]
    comments = [e.comment for e in service.history(session, filing.instance_id) if e.action == "attach"]
    assert "劳动合同或社保缴费证明" in comments[0] and "培训协议.docx" in comments[1]


@pytest.mark.parametrize(("data", "name", "says"), [
    (samples.HTML, "劳动合同.pdf", "不"),
    (samples.exe(), "营业执照.pdf", "不"),
    (samples.mp4(), "合同.mp4", "只能上传证明材料"),
    (samples.pdf(), "合同.png", "扩展名"),
])
def test_disguised_or_unwanted_files_are_refused_and_leave_nothing(session, world, tmp_path, data, name, says):  # type: ignore[no-untyped-def]
    filing = service.create_filing(session, world.actor(ENT), filing_data(1))
    with pytest.raises(errors.ValidationFailed) as refused:
        attach(session, world, filing, "labour_contract", data, name, upload_dir=str(tmp_path))
    assert says in refused.value.message and name in refused.value.message
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(FilingAttachment)) == 0
    assert stored_files(tmp_path) == []


def test_size_limit_applies(session, world, tmp_path):  # type: ignore[no-untyped-def]
    filing = service.create_filing(session, world.actor(ENT), filing_data(1))
    big = samples.pdf() + b"%" * 4096
    with pytest.raises(errors.ValidationFailed) as refused:
        service.add_filing_attachment(session, world.actor(ENT), filing.id, service.IncomingDocument(
            io.BytesIO(big), "合同.pdf", None, "labour_contract"), upload_dir=str(tmp_path),
            limits=service.UploadLimits(picture=1024, document=1024))
    assert "大小上限" in refused.value.message
    assert stored_files(tmp_path) == []


def test_pictures_get_a_thumbnail_and_unknown_kinds_are_refused(session, world, tmp_path):  # type: ignore[no-untyped-def]
    filing = service.create_filing(session, world.actor(ENT), filing_data(1))
    row = attach(session, world, filing, "business_licence", samples.picture("PNG"), "营业执照.png",
                 upload_dir=str(tmp_path))
    assert row.format == "png" and row.thumb_name and row.previewable
    with pytest.raises(errors.ValidationFailed) as refused:
        attach(session, world, filing, "social_insurance", upload_dir=str(tmp_path))
    assert "kind" in refused.value.fields


def test_api_attachments_upload_list_delete_and_scope(app, client, world):  # type: ignore[no-untyped-def]
    api = Api(client)
    tokens = tokens_for(client)
    case = api.post("/filings", token=tokens[ENT], json=filing_body()).get_json()
    fid = case["filing"]["id"]
    r = api.post("/filings/{id}/attachments", id=fid, token=tokens[ENT], content_type="multipart/form-data",
                 data={"kind": "labour_contract", "note": "全体学员", "file": (io.BytesIO(samples.pdf()), "劳动合同.pdf")})
    assert r.status_code == 201, r.get_json()
    created = r.get_json()
    assert created["kind"] == "labour_contract" and created["format"] == "pdf" and created["note"] == "全体学员"
    listed = api.get("/filings/{id}/attachments", id=fid, token=tokens[ENT]).get_json()
    assert [a["id"] for a in listed["items"]] == [created["id"]]
    assert listed["required_kinds"] == []  # this test runs under a policy requiring none (conftest)
    bad = api.post("/filings/{id}/attachments", id=fid, token=tokens[ENT], content_type="multipart/form-data",
                   data={"kind": "passport", "file": (io.BytesIO(samples.pdf()), "x.pdf")})
    assert bad.status_code == 422 and "kind" in bad.get_json()["error"]["fields"]
    disguised = api.post("/filings/{id}/attachments", id=fid, token=tokens[ENT], content_type="multipart/form-data",
                         data={"kind": "other", "file": (io.BytesIO(samples.HTML), "说明.pdf")})
    assert disguised.status_code == 422
    # Out of scope: another enterprise and (a draft) the district and the city: 404.
    for other in ("ent-440106-2", "review-440106", "city"):
        assert api.get("/filings/{id}/attachments", id=fid, token=tokens[other]).status_code == 404
    assert api.call("DELETE", "/filings/{id}/attachments/{attachment_id}", id=fid, attachment_id=created["id"],
                    token=tokens[ENT]).status_code == 204
    assert api.get("/filings/{id}/attachments", id=fid, token=tokens[ENT]).get_json()["items"] == []
    # Once submitted the documents are fixed: DELETE and POST give 409.
    again = api.post("/filings/{id}/attachments", id=fid, token=tokens[ENT], content_type="multipart/form-data",
                     data={"kind": "other", "file": (io.BytesIO(samples.pdf()), "其他.pdf")}).get_json()
    assert api.post("/filings/{id}/submit", id=fid, token=tokens[ENT]).status_code == 200
    assert api.call("DELETE", "/filings/{id}/attachments/{attachment_id}", id=fid, attachment_id=again["id"],
                    token=tokens[ENT]).status_code == 409
    assert api.post("/filings/{id}/attachments", id=fid, token=tokens[ENT], content_type="multipart/form-data",
                    data={"kind": "other", "file": (io.BytesIO(samples.pdf()), "x.pdf")}).status_code == 409
    # The district now sees the filing and its documents; another district does not.
    assert len(api.get("/filings/{id}/attachments", id=fid, token=tokens["review-440106"]).get_json()["items"]) == 1
    assert api.get("/filings/{id}/attachments", id=fid, token=tokens["review-440112"]).status_code == 404


def test_review_screen_previews_documents_in_scope(app, session, world):  # type: ignore[no-untyped-def]
    upload_dir = app.config["UPLOAD_DIR"]
    who = world.actor(ENT)
    filing = service.create_filing(session, who, filing_data(1))
    pdf_row = attach(session, world, filing, "labour_contract", upload_dir=upload_dir)
    png_row = attach(session, world, filing, "business_licence", samples.picture("PNG"), "执照.png",
                     upload_dir=upload_dir)
    service.submit_filing(session, who, filing.id)
    reviewer = login(app, "review-440106")
    page = reviewer.get(f"/tasks/{task_of(session, filing).task_id}").get_data(as_text=True)
    assert "证明材料" in page and "劳动合同或社保缴费证明" in page
    pdf_url = f"/filings/{filing.id}/attachments/{pdf_row.id}"
    assert f'<iframe src="{pdf_url}"' in page and f"/filings/{filing.id}/attachments/{png_row.id}?thumb=1" in page
    shown = reviewer.get(pdf_url)
    assert shown.status_code == 200 and shown.mimetype == "application/pdf"
    assert shown.headers["Content-Disposition"].startswith("inline")
    assert "frame-ancestors 'self'" in shown.headers["Content-Security-Policy"]
    assert reviewer.get(f"/filings/{filing.id}/attachments/{png_row.id}?thumb=1").mimetype == "image/jpeg"
    assert login(app, "review-440112").get(pdf_url).status_code == 404
    assert login(app, "ent-440106-2").get(pdf_url).status_code == 404


# --- drafts: private, deletable, never created twice by the same form -------------------------------


def test_drafts_are_private_to_their_enterprise(app, session, world):  # type: ignore[no-untyped-def]
    who = world.actor(ENT)
    draft = service.create_filing(session, who, filing_data(1))
    submitted = submitted_filing(session, world, seed=2)
    for viewer in ("review-440106", "city", "admin"):
        actor = world.actor(viewer)
        rows, total = service.list_cases(session, actor, service.CaseFilters(), 1, 50)
        assert draft.instance_id not in [r.id for r in rows] and submitted.instance_id in [r.id for r in rows]
        assert "draft" not in service.status_counts(session, actor)
        with pytest.raises(errors.NotFound):
            service.get_case(session, actor, draft.instance_id)
        found, _ = service.list_cases(session, actor, service.CaseFilters(q=draft_key(draft)), 1, 50)
        assert found == []
    assert login(app, "review-440106").get(f"/cases/{draft.instance_id}").status_code == 404
    city_page = login(app, "city").get("/cases/?status=draft").get_data(as_text=True)
    assert draft_key(draft) not in city_page
    assert login(app, ENT).get(f"/cases/{draft.instance_id}").status_code == 200


def draft_key(filing: Filing) -> str:
    return f"F{filing.id:08d}"


def test_api_delete_a_draft_204_anything_else_409(client, session, world):  # type: ignore[no-untyped-def]
    api = Api(client)
    tokens = tokens_for(client)
    draft = api.post("/filings", token=tokens[ENT], json=filing_body()).get_json()
    fid, case_id = draft["filing"]["id"], draft["id"]
    assert api.call("DELETE", "/filings/{id}", id=fid, token=tokens["ent-440106-2"]).status_code == 404
    assert api.call("DELETE", "/filings/{id}", id=fid, token=tokens[ENT]).status_code == 204
    session.expire_all()
    assert session.get(Filing, fid) is None and session.get(WorkflowInstance, case_id) is None
    assert session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.instance_id == case_id)) == 0
    assert api.get("/filings/{id}", id=fid, token=tokens[ENT]).status_code == 404
    other = api.post("/filings", token=tokens[ENT], json=filing_body()).get_json()
    assert api.post("/filings/{id}/submit", id=other["filing"]["id"], token=tokens[ENT]).status_code == 200
    refused = api.call("DELETE", "/filings/{id}", id=other["filing"]["id"], token=tokens[ENT])
    assert refused.status_code == 409 and "草稿" in refused.get_json()["error"]["message"]
    withdrawn = api.post("/filings/{id}/withdraw", id=other["filing"]["id"], token=tokens[ENT])
    assert withdrawn.status_code == 200
    assert api.call("DELETE", "/filings/{id}", id=other["filing"]["id"], token=tokens[ENT]).status_code == 409


def test_web_delete_draft_button(app, session, world):  # type: ignore[no-untyped-def]
    filing_id = service.create_filing(session, world.actor(ENT), filing_data(1)).id
    client = login(app, ENT)
    page = client.get(f"/filings/{filing_id}/edit").get_data(as_text=True)
    assert f'action="/filings/{filing_id}/delete"' in page and "删除草稿" in page
    response = client.post(f"/filings/{filing_id}/delete")
    assert response.status_code == 302 and location(response).endswith("/filings/")
    session.expire_all()
    assert session.get(Filing, filing_id) is None


def _new_form_post(client, token: str, submit: bool = False) -> object:  # type: ignore[no-untyped-def]
    data = {"creation_token": token, "apprenticeship_type": "enterprise_apprentice", "level": "4",
            "occupation_code": next(iter(service.occupations())),
            "institution_type": "technical_school", "institution_name": "广州市工贸技师学院",
            "period_start": "2027/3/1", "period_end": "2028年2月28日",
            "trainees-0-name": "张伟", "trainees-0-id_number": "", "courses-0-category": "general_required"}
    data["submit" if submit else "save"] = "1"
    return client.post("/filings/new", data=data)


def test_repeated_post_of_the_new_filing_form_creates_one_draft(app, session, world):  # type: ignore[no-untyped-def]
    client = login(app, ENT)
    page = client.get("/filings/new").get_data(as_text=True)
    token = re.search(r'name="creation_token" type="hidden" value="([^"]+)"', page).group(1)
    first = _new_form_post(client, token)
    assert first.status_code == 302
    # Back + Enter, a double click, a resent form: the same token again.
    for _ in range(3):
        again = _new_form_post(client, token)
        assert again.status_code == 302 and location(again) == location(first)
    assert session.scalar(select(func.count()).select_from(Filing)) == 1
    # A fresh form (a new GET) creates a new draft.
    fresh = re.search(r'name="creation_token" type="hidden" value="([^"]+)"',
                      client.get("/filings/new").get_data(as_text=True)).group(1)
    assert fresh != token and _new_form_post(client, fresh).status_code == 302
    assert session.scalar(select(func.count()).select_from(Filing)) == 2


def test_enter_cannot_submit_and_the_form_warns_before_leaving(app, world):  # type: ignore[no-untyped-def]
    page = login(app, ENT).get("/filings/new").get_data(as_text=True)
    assert re.search(r'<form method="post" id="filing-form"[^>]*data-unsaved-warning', page)
    script = (Path(__file__).parents[1] / "webapp/filings/static/filing_form.js").read_text()
    assert "event.key === 'Enter'" in script


# --- copy --------------------------------------------------------------------------------------------


def test_api_copy_creates_a_new_draft_with_the_same_content(app, client, session, world):  # type: ignore[no-untyped-def]
    api = Api(client)
    tokens = tokens_for(client)
    case = api.post("/filings", token=tokens[ENT], json=filing_body(2)).get_json()
    fid = case["filing"]["id"]
    assert api.post("/filings/{id}/attachments", id=fid, token=tokens[ENT], content_type="multipart/form-data",
                    data={"kind": "labour_contract", "file": (io.BytesIO(samples.pdf()), "劳动合同.pdf")}
                    ).status_code == 201
    api.post("/filings/{id}/submit", id=fid, token=tokens[ENT])
    api.post("/filings/{id}/withdraw", id=fid, token=tokens[ENT])
    r = api.post("/filings/{id}/copy", id=fid, token=tokens[ENT])
    assert r.status_code == 201, r.get_json()
    copy = r.get_json()
    assert copy["status"] == "draft" and copy["id"] != case["id"] and r.headers["Location"].endswith(str(copy["id"]))
    original, new = session.get(Filing, fid), session.get(Filing, copy["filing"]["id"])
    assert [(t.name, t.id_number, t.job_post) for t in new.trainees] == [
        (t.name, t.id_number, t.job_post) for t in original.trainees]
    assert (new.occupation_code, new.level, new.period_start, new.institution_name) == (
        original.occupation_code, original.level, original.period_start, original.institution_name)
    assert [(c.name, c.hours) for c in new.courses] == [(c.name, c.hours) for c in original.courses]
    assert new.receipt_code and new.receipt_code != original.receipt_code
    # The documents come along, each copy with its own stored file.
    assert [(a.kind, a.original_name) for a in new.attachments] == [("labour_contract", "劳动合同.pdf")]
    assert new.attachments[0].stored_name != original.attachments[0].stored_name
    copied = Path(app.config["UPLOAD_DIR"]) / new.attachments[0].stored_name[:2] / new.attachments[0].stored_name
    assert copied.read_bytes() == samples.pdf()
    assert api.call("DELETE", "/filings/{id}/attachments/{attachment_id}", id=new.id,
                    attachment_id=new.attachments[0].id, token=tokens[ENT]).status_code == 204
    original_file = Path(app.config["UPLOAD_DIR"]) / original.attachments[0].stored_name[:2] / (
        original.attachments[0].stored_name)
    assert original_file.is_file()
    assert api.post("/filings/{id}/copy", id=fid, token=tokens["ent-440106-2"]).status_code == 404
    assert api.post("/filings/{id}/copy", id=fid, token=tokens["review-440106"]).status_code == 404


def test_withdrawn_filing_offers_copy_prominently(app, session, world):  # type: ignore[no-untyped-def]
    who = world.actor(ENT)
    filing = submitted_filing(session, world)
    client = login(app, ENT)
    page = client.get(f"/cases/{filing.instance_id}").get_data(as_text=True)
    assert "复制为新备案" in page and "copy-notice" not in page
    service.withdraw_filing(session, who, filing.id, "期限填错")
    page = client.get(f"/cases/{filing.instance_id}").get_data(as_text=True)
    assert 'class="card copy-notice' in page and "需要重新备案" in page
    response = client.post(f"/filings/{filing.id}/copy")
    assert response.status_code == 302 and "/edit" in location(response)
    assert session.scalar(select(func.count()).select_from(Filing)) == 2


# --- dates, job posts, rosters ---------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["2027-03-01", "2027/3/1", "20270301", "2027年3月1日", "2027.3.1",
                                   " 2027-3-1 ", "２０２７－０３－０１", "2027年03月01日"])
def test_chinese_date_forms_parse(typed: str) -> None:
    assert parse_date_text(typed) == date(2027, 3, 1)


@pytest.mark.parametrize("typed", ["2027-02-30", "03/01/2027", "明年三月", "2027-13-01", "202731"])
def test_bad_dates_are_refused_with_a_chinese_message(typed: str) -> None:
    with pytest.raises(ValueError, match="日期"):
        parse_date_text(typed)


def test_filing_form_accepts_typed_chinese_dates(app, session, world):  # type: ignore[no-untyped-def]
    client = login(app, ENT)
    response = _new_form_post(client, "token-dates")
    assert response.status_code == 302
    filing = session.scalars(select(Filing)).one()
    assert (filing.period_start, filing.period_end) == (date(2027, 3, 1), date(2028, 2, 28))
    page = client.get(location(response)).get_data(as_text=True)
    assert 'value="2027-03-01"' in page and "data-date-text" in page and 'pattern="' in page
    bad = client.post(f"/filings/{filing.id}/edit", data={
        "apprenticeship_type": "enterprise_apprentice", "level": "4", "institution_type": "technical_school",
        "occupation_code": next(iter(service.occupations())), "period_start": "2027-02-30", "save": "1"})
    assert bad.status_code == 422 and "不存在" in bad.get_data(as_text=True)


def test_job_post_check_endpoint_uses_the_server_rule(app, world):  # type: ignore[no-untyped-def]
    from workflows.rules.job_post import job_post_match

    occupation = next(iter(service.occupations().values()))
    posts = [occupation.name, "财务会计", ""]
    answer = login(app, ENT).get("/filings/job-post-check", query_string={
        "occupation_code": occupation.code, "job_post": posts}).get_json()
    assert [r["result"] for r in answer["results"]] == [
        job_post_match(posts[0], occupation), job_post_match(posts[1], occupation), None]
    assert answer["results"][1]["result"] == "mismatch" and "不一致" in answer["results"][1]["message"]
    assert login(app, "review-440106").get("/filings/job-post-check").status_code == 404


def _roster(rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "身份证号码", "工作岗位", "劳动合同起始日期"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_roster_is_read_for_an_unsaved_filing(app, session, world):  # type: ignore[no-untyped-def]
    client = login(app, ENT)
    a, b = service.id_number("440106", date(2000, 1, 2), 11), service.id_number("440106", date(2001, 3, 4), 12)
    data = _roster([["张伟", a, "车工", "2026/9/1"], ["李娜", b, "车工", "2026年9月1日"]])
    r = client.post("/rosters/parse", data={"file": (io.BytesIO(data), "名单.xlsx"), "period_start": "2027-03-01",
                                            "apprenticeship_type": "enterprise_apprentice"},
                    content_type="multipart/form-data")
    assert r.status_code == 200, r.get_data(as_text=True)
    assert [(t["name"], t["id_number"], t["contract_start"]) for t in r.get_json()["trainees"]] == [
        ("张伟", a, "2026-09-01"), ("李娜", b, "2026-09-01")]
    assert session.scalar(select(func.count()).select_from(Filing)) == 0  # nothing stored
    bad = client.post("/rosters/parse", data={"file": (io.BytesIO(_roster([["王五", "123", "车工", ""]])), "x.xlsx")},
                      content_type="multipart/form-data")
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["column"] == "身份证号码"


def test_roster_import_appends_or_replaces(app, session, world):  # type: ignore[no-untyped-def]
    who = world.actor(ENT)
    filing = service.create_filing(session, who, filing_data(1, trainees=filing_data(1).trainees[:1]))
    first = filing.trainees[0].name
    new_id = service.id_number("440106", date(2001, 3, 4), 77)
    data = _roster([["赵六", new_id, "车工", "2026-09-01"]])
    service.import_roster(session, who, filing.id, data, "append")
    session.expire_all()
    assert [t.name for t in session.get(Filing, filing.id).trainees] == [first, "赵六"]
    with pytest.raises(errors.ValidationFailed, match="已在当前名单中"):
        service.import_roster(session, who, filing.id, data, "append")
    service.import_roster(session, who, filing.id, data, "replace")
    session.expire_all()
    assert [t.name for t in session.get(Filing, filing.id).trainees] == ["赵六"]
    client = login(app, ENT)
    response = client.post(f"/filings/{filing.id}/roster", data={"file": (io.BytesIO(_roster([[
        "钱七", service.id_number("440106", date(2002, 5, 6), 78), "车工", ""]])), "名单.xlsx"), "mode": "append"},
        content_type="multipart/form-data")
    assert response.status_code == 302
    session.expire_all()
    assert [t.name for t in session.get(Filing, filing.id).trainees] == ["赵六", "钱七"]


# --- receipt and verification ------------------------------------------------------------------------------


def _recorded(session, world) -> Filing:  # type: ignore[no-untyped-def]
    filing = submitted_filing(session, world)
    service.complete_task(session, world.actor("review-440106"), task_of(session, filing).task_id, "approve")
    service.complete_task(session, world.actor("city"), task_of(session, filing).task_id, "record", "同意备案")
    session.expire_all()
    return session.get(Filing, filing.id)


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_recorded_filing_prints_a_receipt_with_the_chinese_text_and_qr(app, session, world):  # type: ignore[no-untyped-def]
    filing = _recorded(session, world)
    response = login(app, ENT).get(f"/cases/{filing.instance_id}/receipt.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    enterprise = session.get(Enterprise, filing.enterprise_id)
    for expected in ("广州市企业新型学徒制培训备案回执", "广州市人力资源和社会保障局", f"F{filing.id:08d}",
                     enterprise.name, enterprise.credit_code, filing.occupation_name, filing.level_label,
                     filing.institution_name, f"{len(filing.trainees)} 人", "区人社局审核通过",
                     "市职业能力建设指导中心予以备案", "同意备案", "（盖章）", "核验网址"):
        assert expected in text, expected
    for trainee in filing.trainees:
        assert mask_id_number(trainee.id_number) in text and trainee.id_number not in text
        assert trainee.name in text
    assert f"/verify/{filing.receipt_code}" in text
    fonts = [f for page in PdfReader(io.BytesIO(response.data)).pages
             for f in page["/Resources"]["/Font"].values()]
    descendant = fonts[0].get_object()["/DescendantFonts"][0].get_object()
    assert "/FontFile2" in descendant["/FontDescriptor"] or "/FontFile3" in descendant["/FontDescriptor"]
    reader = PdfReader(io.BytesIO(response.data))
    assert any("/XObject" in page["/Resources"] for page in reader.pages)  # the QR code image
    # In scope like the case: the district sees it, another enterprise gets 404.
    assert login(app, "review-440106").get(f"/cases/{filing.instance_id}/receipt.pdf").status_code == 200
    assert login(app, "ent-440106-2").get(f"/cases/{filing.instance_id}/receipt.pdf").status_code == 404
    page = login(app, ENT).get(f"/cases/{filing.instance_id}").get_data(as_text=True)
    assert f"/cases/{filing.instance_id}/receipt.pdf" in page and "打印备案回执" in page


def test_draft_and_under_review_print_a_marked_application_form(app, session, world):  # type: ignore[no-untyped-def]
    draft = service.create_filing(session, world.actor(ENT), filing_data(1))
    client = login(app, ENT)
    text = pdf_text(client.get(f"/cases/{draft.instance_id}/receipt.pdf").data)
    assert "培训备案申请表" in text and "不是备案回执" in text and "草稿" in text and "备案回执" not in text.replace(
        "不是备案回执", "")
    assert "/verify/" not in text
    submitted = submitted_filing(session, world, seed=2)
    text = pdf_text(client.get(f"/cases/{submitted.instance_id}/receipt.pdf").data)
    assert "培训备案申请表" in text and "待区审核" in text and "/verify/" not in text


def test_verify_shows_nothing_personal_and_unknown_is_not_found(app, session, world):  # type: ignore[no-untyped-def]
    filing = _recorded(session, world)
    anonymous = app.test_client()
    page = anonymous.get(f"/verify/{filing.receipt_code}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    enterprise = session.get(Enterprise, filing.enterprise_id)
    assert f"F{filing.id:08d}" in html and enterprise.name in html and "已备案" in html and "真实有效" in html
    for trainee in filing.trainees:
        assert trainee.name not in html and trainee.id_number[-4:] not in html
    assert enterprise.credit_code not in html
    assert len(filing.receipt_code) >= 32
    missing = anonymous.get("/verify/not-a-real-code-0000000000000000")
    assert missing.status_code == 404 and "未找到" in missing.get_data(as_text=True)
    draft = service.create_filing(session, world.actor(ENT), filing_data(2))
    assert anonymous.get(f"/verify/{draft.receipt_code}").status_code == 404


def test_verify_is_rate_limited(tmp_path) -> None:  # type: ignore[no-untyped-def]
    class Limited(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'limited.db'}"
        RATELIMIT_ENABLED = True

    from webapp.extensions import db, limiter

    # init_app overwrites the module-level limiter's flag: restore it, or every later test is limited.
    was = limiter.enabled
    app = create_app(Limited)
    try:
        with app.app_context():
            db.create_all()
        client = app.test_client()
        statuses = [client.get(f"/verify/guess-{i:04d}").status_code for i in range(35)]
    finally:
        limiter.enabled = was
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    assert statuses[:30] == [404] * 30 and statuses[-1] == 429


def test_print_stylesheet_hides_navigation_and_diagram() -> None:
    css = (Path(__file__).parents[1] / "webapp/cases/static/cases.css").read_text()
    block = css[css.index("@media print"):]
    assert ".case-diagram-card" in block and ".no-print" in block
    app_css = (Path(__file__).parents[1] / "webapp/static/css/app.css").read_text()
    assert ".site-nav" in app_css[app_css.index("@media print"):]


@pytest.mark.required_attachments
def test_admin_sets_the_required_kinds_in_a_policy_version(app, session, world, tmp_path):  # type: ignore[no-untyped-def]
    admin = login(app, "admin")
    page = admin.get("/admin/policy/new").get_data(as_text=True)
    # The form starts from what is in force: the shipped defaults are ticked.
    assert re.search(r'name="required_student_apprentice"[^>]*value="school_agreement"[^>]*checked|'
                     r'checked[^>]*name="required_student_apprentice"[^>]*value="school_agreement"', page)
    data = policy.input_from(service.policy_in_force(session))
    data.effective_from = service.policy_in_force(session).effective_from or date.today()
    from workflows import clock
    from workflows.clock import now

    data.effective_from = clock.china_today(now())
    data.required_attachments = {"enterprise_apprentice": ("business_licence",), "tech_trainee": (),
                                 "student_apprentice": ("school_agreement",)}
    service.add_policy_version(session, world.actor("admin"), data)
    params = service.policy_in_force(session)
    assert params.required_attachment_kinds("enterprise_apprentice") == ("business_licence",)
    who = world.actor(ENT)
    filing = service.create_filing(session, who, filing_data(1))
    with pytest.raises(errors.ValidationFailed) as refused:
        service.submit_filing(session, who, filing.id)
    assert refused.value.fields["attachments"] == ["缺少证明材料：营业执照（企业新型学徒备案必须上传）"]
    attach(session, world, filing, "business_licence", upload_dir=str(tmp_path))
    service.submit_filing(session, who, filing.id)
    session.expire_all()
    assert session.get(WorkflowInstance, filing.instance_id).status == "district_review"
    bad = policy.input_from(params)
    bad.effective_from = data.effective_from
    bad.required_attachments = {"enterprise_apprentice": ("passport",)}
    with pytest.raises(errors.ValidationFailed):
        service.add_policy_version(session, world.actor("admin"), bad)
