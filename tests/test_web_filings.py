"""The enterprise's screens: 我的备案, the new/edit form (save, submit, errors next to fields), withdraw."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from tests.factories import filing_data
from tests.test_web_helpers import (
    actions_of,
    field_error,
    filings_of,
    form_fields,
    fresh,
    input_value,
    location,
    login,
    status_of,
    text,
)
from workflows.dto import CourseData
from workflows.models import AuditEvent, Filing


def _bad_check_digit(id_number: str) -> str:
    return id_number[:-1] + ("0" if id_number[-1] != "0" else "1")


def test_new_form_renders_every_section(app, world):  # type: ignore[no-untyped-def]
    ent = login(app, "ent-440106-1")
    page = ent.get("/filings/new")
    assert page.status_code == 200
    html = text(page)
    for words in ("新建培训备案", "学徒类型", "企业新型学徒", "技培生", "学生学徒", "培训职业（工种）",
                  "6-18-01-01 车工", "五级/初级工", "一级/高级技师", "培训机构类型", "技工院校", "企业导师",
                  "院校导师", "学员名单", "培训课程", "通用素质必修课", "补贴资金测算", "保存草稿", "提交"):
        assert words in html, words
    assert 'class="dynamic-rows" data-prefix="trainees"' in html
    assert 'name="trainees-__index__-name"' in html  # the row template for 添加学员
    assert '<datalist id="textbook-options">' in html
    assert 'name="csrf_token"' in html


def test_save_draft_then_edit_shows_fund_plan(app, world, session):  # type: ignore[no-untyped-def]
    ent = login(app, "ent-440106-1")
    data = filing_data(1)
    response = ent.post("/filings/new", data=form_fields(data, "save"))
    assert response.status_code == 302
    [filing] = filings_of(session, world.users["ent-440106-1"].enterprise_id)
    assert location(response).endswith(f"/filings/{filing.id}/edit")
    assert status_of(session, filing.instance_id) == "draft"
    assert [t.name for t in filing.trainees] == [t.name for t in data.trainees]
    assert len(filing.courses) == len(data.courses)
    # 3 trainees x 5500 yuan (四级, 企业新型学徒) x 12 months / 12
    assert filing.subsidy_fen == 3 * 5500 * 100

    page = ent.get(location(response))
    html = text(page)
    assert page.status_code == 200 and "草稿已保存" in html
    assert "3 人" in html and "5,500 元/人·年" in html and "12 个月" in html and "16,500.00" in html
    assert input_value(page, "trainees-2-id_number") == data.trainees[2].id_number

    # Change the level and the period: the fund plan is recomputed on save.
    data.level = 3
    data.period_end = date(data.period_start.year + 2, data.period_start.month, 1)
    response = ent.post(location(response), data=form_fields(data, "save"))
    assert response.status_code == 302
    filing = fresh(session).get(Filing, filing.id)
    # Two years and a day: 25 months (a started month counts), not 3 years; split across the budget years.
    assert filing.level == 3 and filing.subsidy_fen == 3 * 7000 * 100 * 25 // 12
    page_text = text(ent.get(f"/filings/{filing.id}/edit"))
    assert "43,750.00" in page_text and "25 个月" in page_text and "分年度" in page_text

    listing = text(ent.get("/filings/"))
    assert "草稿" in listing and "6-18-01-01" in listing and "43,750.00" in listing


def test_hard_errors_come_back_next_to_their_fields(app, world, session):  # type: ignore[no-untyped-def]
    ent = login(app, "ent-440106-1")
    good = filing_data(1)
    ent.post("/filings/new", data=form_fields(good, "save"))
    [filing] = filings_of(session, world.users["ent-440106-1"].enterprise_id)
    audit_before = actions_of(session, filing.instance_id)

    bad = filing_data(1)
    bad.trainees[2].id_number = _bad_check_digit(bad.trainees[2].id_number)
    bad.trainees[1].job_post = ""
    bad.courses[0].textbook_isbn = "9787111500001"  # a well-formed ISBN that is not in the catalogue
    bad.period_end = date(bad.period_start.year - 1, 1, 1)
    fields = form_fields(bad, "submit")
    response = ent.post(f"/filings/{filing.id}/edit", data=fields)

    assert response.status_code == 422
    assert "校验位" in field_error(response, "trainees-2-id_number")
    assert "工作岗位" in field_error(response, "trainees-1-job_post")
    assert "不在全国职业培训规划教材目录内" in field_error(response, "courses-0-textbook_isbn")
    assert "结束日期" in field_error(response, "period_end")
    assert field_error(response, "trainees-0-id_number") == ""
    assert "请修改以下" in text(response)
    # Nothing typed is lost, nothing is saved half-way.
    assert input_value(response, "trainees-2-id_number") == bad.trainees[2].id_number
    assert input_value(response, "trainees-1-job_post") == ""
    assert input_value(response, "period_end") == str(bad.period_end)
    assert status_of(session, filing.instance_id) == "draft"
    assert actions_of(session, filing.instance_id) == audit_before
    assert fresh(session).get(Filing, filing.id).period_end == good.period_end

    # Fixed: the submission goes through to the district.
    response = ent.post(f"/filings/{filing.id}/edit", data=form_fields(good, "submit"))
    assert response.status_code == 302
    assert location(response).endswith(f"/cases/{filing.instance_id}")
    assert status_of(session, filing.instance_id) == "district_review"
    assert actions_of(session, filing.instance_id)[-1] == "submit"
    page = ent.get(location(response))
    assert "备案已提交" in text(page) and "待区审核" in text(page)


def test_errors_map_to_the_form_rows_when_blank_rows_are_skipped(app, world, session):  # type: ignore[no-untyped-def]
    ent = login(app, "ent-440106-1")
    data = filing_data(2)
    fields = form_fields(data, "submit")
    # Insert a completely blank row 1: the service sees rows 0, 2, 3 as its 0, 1, 2.
    for i in (2, 1):
        for name in ("name", "id_number", "job_post", "contract_start"):
            fields[f"trainees-{i + 1}-{name}"] = fields[f"trainees-{i}-{name}"]
    for name in ("name", "id_number", "job_post", "contract_start"):
        fields[f"trainees-1-{name}"] = ""
    fields["trainees-3-id_number"] = _bad_check_digit(fields["trainees-3-id_number"])
    response = ent.post("/filings/new", data=fields)
    assert response.status_code == 422
    assert "第3名学员" in field_error(response, "trainees-3-id_number")
    assert field_error(response, "trainees-2-id_number") == ""
    # The draft was created on the way; the form now posts to its edit page.
    [filing] = filings_of(session, world.users["ent-440106-1"].enterprise_id)
    assert f'action="/filings/{filing.id}/edit"' in response.get_data(as_text=True)
    assert "已保存为草稿" in text(response)
    assert len(filing.trainees) == 3  # the blank row was not saved
    assert status_of(session, filing.instance_id) == "draft"


def test_form_level_validation_is_chinese_and_saves_nothing(app, world, session):  # type: ignore[no-untyped-def]
    ent = login(app, "ent-440106-1")
    fields = form_fields(filing_data(1), "save")
    fields["period_start"] = "2024-13-40"
    fields["courses-0-hours"] = "abc"
    fields["trainees-0-name"] = "张" * 51
    fields["trainees-1-id_number"] = "4" * 19
    response = ent.post("/filings/new", data=fields)
    assert response.status_code == 422
    assert "日期" in field_error(response, "period_start")
    assert "整数" in field_error(response, "courses-0-hours")
    assert "50" in field_error(response, "trainees-0-name")
    assert "18位" in field_error(response, "trainees-1-id_number")
    assert input_value(response, "period_start") == "2024-13-40"
    assert filings_of(session, world.users["ent-440106-1"].enterprise_id) == []


def test_submission_needs_institution_and_tutors(app, world, session):  # type: ignore[no-untyped-def]
    ent = login(app, "ent-440106-1")
    data = filing_data(1)
    data.tutor_enterprise = ""
    data.institution_name = ""
    assert ent.post("/filings/new", data=form_fields(data, "save")).status_code == 302  # a draft may lack them
    [filing] = filings_of(session, world.users["ent-440106-1"].enterprise_id)
    response = ent.post(f"/filings/{filing.id}/edit", data=form_fields(data, "submit"))
    assert response.status_code == 422
    assert "企业导师" in field_error(response, "tutor_enterprise")
    assert "培训机构名称" in field_error(response, "institution_name")
    assert status_of(session, filing.instance_id) == "draft"


def test_type_specific_fields_of_tech_trainee(app, world, session):  # type: ignore[no-untyped-def]
    ent = login(app, "ent-440106-1")
    data = filing_data(1, apprenticeship_type="tech_trainee")
    response = ent.post("/filings/new", data=form_fields(data, "submit"))
    assert response.status_code == 422
    assert "职业发展规划" in field_error(response, "career_plan")
    assert "毕业院校" in field_error(response, "trainees-0-school")
    assert "招用日期" in field_error(response, "trainees-1-recruited_on")
    assert 'data-type="tech_trainee"' in response.get_data(as_text=True)

    [filing] = filings_of(session, world.users["ent-440106-1"].enterprise_id)
    data.career_plan = "入职第一年轮岗，第二年定岗车工，第三年考取高级工。"
    for t in data.trainees:
        t.school, t.graduation_year, t.recruited_on = "广州市机电技师学院", 2024, date(2024, 7, 1)
    response = ent.post(f"/filings/{filing.id}/edit", data=form_fields(data, "submit"))
    assert response.status_code == 302, text(response)[:2000]
    assert status_of(session, filing.instance_id) == "district_review"
    assert fresh(session).get(Filing, filing.id).trainees[0].school == "广州市机电技师学院"


def test_courses_rows_and_off_catalogue_reason(app, world, session):  # type: ignore[no-untyped-def]
    ent = login(app, "ent-440106-1")
    data = filing_data(1)
    data.courses.append(CourseData(category="professional_basic", name="机械识图", hours=40,
                                   textbook_isbn="9787111500001"))
    response = ent.post("/filings/new", data=form_fields(data, "submit"))
    assert response.status_code == 422
    index = len(data.courses) - 1
    assert "理由" in field_error(response, f"courses-{index}-off_catalogue_reason")
    [filing] = filings_of(session, world.users["ent-440106-1"].enterprise_id)
    data.courses[-1].off_catalogue_reason = "企业自编教材，已经区人社局指导"
    response = ent.post(f"/filings/{filing.id}/edit", data=form_fields(data, "submit"))
    assert response.status_code == 302
    assert [c.name for c in fresh(session).get(Filing, filing.id).courses][-1] == "机械识图"


def test_withdraw_with_reason(app, world, session):  # type: ignore[no-untyped-def]
    ent = login(app, "ent-440106-1")
    ent.post("/filings/new", data=form_fields(filing_data(1), "submit"))
    [filing] = filings_of(session, world.users["ent-440106-1"].enterprise_id)
    assert status_of(session, filing.instance_id) == "district_review"
    listing = text(ent.get("/filings/"))
    assert f"/filings/{filing.id}/withdraw" in listing and "待区审核" in listing
    confirm = ent.get(f"/filings/{filing.id}/withdraw")
    assert confirm.status_code == 200 and 'data-confirm="确定撤回该备案吗' in confirm.get_data(as_text=True)

    response = ent.post(f"/filings/{filing.id}/withdraw", data={"reason": "培训计划调整"})
    assert response.status_code == 302 and location(response).endswith("/filings/")
    assert status_of(session, filing.instance_id) == "withdrawn"
    event = fresh(session).scalars(select(AuditEvent).where(AuditEvent.instance_id == filing.instance_id)
                                   .order_by(AuditEvent.id.desc())).first()
    assert (event.action, event.comment) == ("withdraw", "培训计划调整")
    # Twice: a clear message, nothing changes.
    again = ent.post(f"/filings/{filing.id}/withdraw", data={"reason": ""}, follow_redirects=True)
    assert "不能撤回" in text(again)
    assert ent.get(f"/filings/{filing.id}/edit", follow_redirects=True).status_code == 200
    assert status_of(session, filing.instance_id) == "withdrawn"


def test_index_filters_by_status(app, world, session):  # type: ignore[no-untyped-def]
    ent = login(app, "ent-440106-1")
    ent.post("/filings/new", data=form_fields(filing_data(1), "save"))
    ent.post("/filings/new", data=form_fields(filing_data(2), "submit"))
    everything = text(ent.get("/filings/"))
    assert everything.count("/cases/") >= 2 and "共 2 件" in everything
    drafts = ent.get("/filings/?status=draft")
    assert "共 1 件" in text(drafts)
    assert re.search(r'status-draft', drafts.get_data(as_text=True))
    assert "status-district_review" not in drafts.get_data(as_text=True).split("<tbody>")[1]
    assert "共 2 件" in text(ent.get("/filings/?status=nonsense"))


def test_only_enterprise_clerks_have_filing_screens(app, world, session):  # type: ignore[no-untyped-def]
    reviewer = login(app, "review-440106")
    assert reviewer.get("/filings/").status_code == 404
    assert reviewer.get("/filings/new").status_code == 404
    assert reviewer.post("/filings/new", data=form_fields(filing_data(1), "save")).status_code == 404
    anonymous = app.test_client()
    response = anonymous.get("/filings/")
    assert response.status_code == 302 and "/login" in location(response)


def test_filing_form_links_the_roster_template_and_import(app, world):  # type: ignore[no-untyped-def]
    from tests.test_web_helpers import login

    client = login(app, "ent-440106-1")
    page = client.get("/filings/new").get_data(as_text=True)
    # Issue 15: the import works on a new, unsaved filing too (the page reads the roster through /rosters/parse).
    assert "/rosters/template.xlsx" in page and 'data-url="/rosters/parse"' in page
    assert 'value="append"' in page and 'value="replace"' in page
