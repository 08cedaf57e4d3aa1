"""Every hard and soft rule of SPEC section 4 through the service, on the real database with the real
catalogue data: hard rules refuse the submission (every error by field, nothing saved), soft rules are
stored on the filing with their figures, and the approval guards (R2 confirm, R5 budget) hold."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from stdnum import ean

from tests.factories import filing_data, make_world, submitted_filing, task_of
from workflows import errors, service
from workflows.accounts.users import create_user
from workflows.demo import DEMO_PASSWORD, credit_code, id_number
from workflows.dto import Actor, CourseData, FilingData
from workflows.filings import checks
from workflows.models import Enterprise, Filing, WorkflowInstance

ENT = "ent-440106-1"
REVIEWER = "review-440106"


def isbn_not_in_catalogue(n: int = 1) -> str:
    body = f"97873000{n:04d}"
    return body + ean.calc_check_digit(body)


def status(session, filing: Filing) -> str:  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.get(WorkflowInstance, filing.instance_id).status


def refused(session, world, data: FilingData, username: str = ENT) -> errors.ValidationFailed:  # type: ignore[no-untyped-def]
    """Create a draft with ``data``, submit it, and return the refusal (the draft stays a draft)."""
    who = world.actor(username)
    filing = service.create_filing(session, who, data)
    with pytest.raises(errors.ValidationFailed) as err:
        service.submit_filing(session, who, filing.id)
    assert status(session, filing) == "draft"
    assert session.get(Filing, filing.id).submitted_at is None
    return err.value


def soft(session, filing: Filing, rule: str) -> list[dict]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return [r for r in session.get(Filing, filing.id).check_results if r["rule"] == rule]


# --- hard rules -----------------------------------------------------------------------------------


def test_invalid_id_number_and_missing_job_post_are_listed_together(session, world):  # type: ignore[no-untyped-def]
    data = filing_data(1)
    number = data.trainees[0].id_number
    data.trainees[0].id_number = number[:-1] + ("0" if number[-1] != "0" else "1")
    data.trainees[1].job_post = " "
    data.trainees[2].id_number = "44010620150101001X"
    err = refused(session, world, data)
    assert err.fields["trainees[0].id_number"] == ["第1名学员的身份证号码校验位错误"]
    assert err.fields["trainees[1].job_post"] == ["第2名学员未填写工作岗位"]
    assert "trainees[2].id_number" in err.fields


def test_under_sixteen_at_the_start_is_refused(session, world):  # type: ignore[no-untyped-def]
    data = filing_data(2)
    data.trainees[0].id_number = id_number("440106", date(data.period_start.year - 15, 1, 1), 7)
    err = refused(session, world, data)
    assert "未满16周岁" in err.fields["trainees[0].id_number"][0]


def test_same_id_twice_in_one_filing(session, world):  # type: ignore[no-untyped-def]
    data = filing_data(3)
    data.trainees[2].id_number = data.trainees[0].id_number.lower()
    err = refused(session, world, data)
    assert err.fields["trainees[2].id_number"] == ["第3名学员的身份证号码与第1名学员重复"]


def test_trainee_in_another_active_filing_is_refused_without_naming_it(session, world):  # type: ignore[no-untyped-def]
    first = submitted_filing(session, world, seed=4)
    data = filing_data(4)  # the same people, an overlapping period
    err = refused(session, world, data, username="ent-440106-2")
    message = err.fields["trainees[0].id_number"][0]
    assert "其他有效备案" in message and "培训期限重叠" in message
    assert f"备案{first.id}" not in str(err.fields)
    # The reviewer sees which filing it is.
    draft = session.scalars(select(Filing).order_by(Filing.id.desc())).first()
    revealed = checks.evaluate(session, draft, reveal_other_filing=True)
    assert any(f"备案{first.id}" in r.message for r in revealed)


def test_same_occupation_and_level_in_a_later_period_is_still_refused(session, world):  # type: ignore[no-untyped-def]
    submitted_filing(session, world, seed=5)
    data = filing_data(5)
    data.period_start = data.period_start.replace(year=data.period_start.year + 2)
    data.period_end = data.period_end.replace(year=data.period_end.year + 2)
    err = refused(session, world, data)
    assert "同一职业（工种）和等级" in err.fields["trainees[0].id_number"][0]


def test_a_withdrawn_filing_no_longer_blocks_its_trainees(session, world):  # type: ignore[no-untyped-def]
    first = submitted_filing(session, world, seed=6)
    service.withdraw_filing(session, world.actor(ENT), first.id)
    again = submitted_filing(session, world, seed=6)
    assert status(session, again) == "district_review"


def test_required_course_textbook_must_be_in_the_catalogue(session, world):  # type: ignore[no-untyped-def]
    data = filing_data(7)
    data.courses[0].textbook_isbn = isbn_not_in_catalogue()
    data.courses[0].off_catalogue_reason = "企业自编"
    err = refused(session, world, data)
    assert "不在全国职业培训规划教材目录内" in err.fields["courses[0].textbook_isbn"][0]


def test_bad_periods(session, world):  # type: ignore[no-untyped-def]
    data = filing_data(8)
    data.period_end = data.period_start - timedelta(days=1)
    assert refused(session, world, data).fields["period.end"] == ["培训期限结束日期早于开始日期"]
    data = filing_data(8)
    data.period_end = data.period_start.replace(year=data.period_start.year + 2) + timedelta(days=30)
    assert "须填写延长理由" in refused(session, world, data).fields["period.reason"][0]
    data.period_reason = "企业技术改造，培养周期延长"
    data.period_end = data.period_start.replace(year=data.period_start.year + 3) + timedelta(days=1)
    assert "超过3年" in refused(session, world, data).fields["period.end"][0]


def test_tech_trainee_fields_are_required(session, world):  # type: ignore[no-untyped-def]
    data = filing_data(9, apprenticeship_type="tech_trainee")
    err = refused(session, world, data)
    assert err.fields["career_plan"] == ["技培生备案须填写职业发展规划"]
    for field in ("school", "graduation_year", "recruited_on"):
        assert f"trainees[0].{field}" in err.fields
    for t in data.trainees:
        t.school, t.graduation_year, t.recruited_on = "广州市机电技师学院", 2023, date(2023, 7, 1)
    data.career_plan = "一年内达到四级/中级工，两年内可独立操作数控车床"
    filing = service.create_filing(session, world.actor(ENT), data)
    service.submit_filing(session, world.actor(ENT), filing.id)
    assert status(session, filing) == "district_review"


def test_student_apprentice_fields_are_required(session, world):  # type: ignore[no-untyped-def]
    data = filing_data(10, apprenticeship_type="student_apprentice")
    err = refused(session, world, data)
    assert {"training_goals", "retention_measures", "trainees[1].school", "trainees[1].major",
            "trainees[1].expected_graduation"} <= set(err.fields)


def test_unknown_occupation_and_level_not_offered(session, world):  # type: ignore[no-untyped-def]
    err = refused(session, world, filing_data(11, occupation_code="9-99-99-99"))
    assert "不在职业分类目录内" in err.fields["occupation_code"][0]
    err = refused(session, world, filing_data(11, occupation_code="4-14-02-02", level=5))  # 健康管理师: 三级 and up
    assert "不设五级/初级工" in err.fields["level"][0]


# --- soft rules -----------------------------------------------------------------------------------


def test_job_post_match_likely_and_mismatch_with_catalogue_aliases(session, world):  # type: ignore[no-untyped-def]
    data = filing_data(12)  # 车工
    data.trainees[0].job_post, data.trainees[1].job_post, data.trainees[2].job_post = "数控车工", "CNC车床操作", "仓库管理员"
    filing = service.create_filing(session, world.actor(ENT), data)
    service.submit_filing(session, world.actor(ENT), filing.id)
    results = soft(session, filing, "job_post_match")
    assert [r["details"]["result"] for r in results] == ["match", "likely", "mismatch"]
    assert [r["ok"] for r in results] == [True, False, False]
    assert "仓库管理员" in results[2]["message"] and "车工" in results[2]["message"]


def test_approving_a_mismatch_needs_explicit_confirmation(session, world):  # type: ignore[no-untyped-def]
    data = filing_data(13)
    data.trainees[0].job_post = "仓库管理员"
    filing = service.create_filing(session, world.actor(ENT), data)
    service.submit_filing(session, world.actor(ENT), filing.id)
    rev = world.actor(REVIEWER)
    with pytest.raises(errors.ValidationFailed) as err:
        service.complete_task(session, rev, task_of(session, filing).task_id, "approve")
    assert "confirm_mismatches" in err.value.fields
    service.complete_task(session, rev, task_of(session, filing).task_id, "approve", confirm_mismatches=True)
    assert status(session, filing) == "city_record"


def test_concentration_of_enterprise_and_occupation(app, session):  # type: ignore[no-untyped-def]
    world = make_world(session, headcount=20)
    first = submitted_filing(session, world, seed=14)  # 3 of 20 planned: 15%
    assert soft(session, first, "enterprise_concentration")[0]["ok"] is True
    second = submitted_filing(session, world, seed=15)  # the same enterprise and occupation: 6 of 20
    enterprise = soft(session, second, "enterprise_concentration")[0]
    assert enterprise["ok"] is False
    assert (enterprise["details"]["before"], enterprise["details"]["after"]) == (0.15, 0.3)
    assert "备案前15.0%，备案后30.0%" in enterprise["message"]
    occupation = soft(session, second, "occupation_concentration")[0]
    assert occupation["ok"] is True and occupation["details"]["after"] == 0.3  # 30% is not above 30%
    third = submitted_filing(session, world, username="ent-440106-2", seed=16)
    occupation = soft(session, third, "occupation_concentration")[0]
    assert occupation["ok"] is False and occupation["details"]["after"] == 0.45
    assert soft(session, third, "enterprise_concentration")[0]["ok"] is True


def test_intermediate_share_before_and_after(session, world):  # type: ignore[no-untyped-def]
    first = submitted_filing(session, world, seed=17)  # 四级: 3 of 3
    data = filing_data(18, level=5)
    filing = service.create_filing(session, world.actor(ENT), data)
    service.submit_filing(session, world.actor(ENT), filing.id)
    share = soft(session, filing, "intermediate_share")[0]
    assert share["ok"] is False and (share["details"]["before"], share["details"]["after"]) == (1.0, 0.5)
    assert "低于70.0%" in share["message"]
    assert soft(session, first, "intermediate_share")[0]["ok"] is True


def test_off_catalogue_textbook_in_another_category_is_flagged_with_its_reason(session, world):  # type: ignore[no-untyped-def]
    data = filing_data(19)
    data.courses.append(CourseData(category="professional_skill", name="企业数控实操手册", hours=80,
                                   textbook_isbn=isbn_not_in_catalogue(2), off_catalogue_reason="企业自编实操教材"))
    filing = service.create_filing(session, world.actor(ENT), data)
    service.submit_filing(session, world.actor(ENT), filing.id)
    flagged = [r for r in soft(session, filing, "off_catalogue_textbook") if not r["ok"]]
    assert len(flagged) == 1 and flagged[0]["details"]["reason"] == "企业自编实操教材"
    # Without a reason it is a hard error.
    data.courses[-1].off_catalogue_reason = ""
    err = refused(session, world, filing_data(20, courses=data.courses))
    assert "须填写使用理由" in err.fields[f"courses[{len(data.courses) - 1}].off_catalogue_reason"][0]


def test_credit_code_area_outside_guangzhou(session, world):  # type: ignore[no-untyped-def]
    enterprise = Enterprise(name="深圳南山精工有限公司", credit_code=credit_code("440305", 4403051),
                            district_code="440106", size_class="小型", tags=[])
    session.add(enterprise)
    session.flush()
    user = create_user(session, username="ent-sz", password=DEMO_PASSWORD, display_name="深圳经办",
                       role="enterprise", district_code="440106", enterprise_id=enterprise.id)
    session.commit()
    who = Actor(user.id, user.display_name, "enterprise", "440106", enterprise.id)
    filing = service.create_filing(session, who, filing_data(21))
    service.submit_filing(session, who, filing.id)
    area = soft(session, filing, "credit_code_area")[0]
    assert area["ok"] is False and area["details"]["area_code"] == "440305"
    local = submitted_filing(session, world, seed=22)
    assert soft(session, local, "credit_code_area")[0]["ok"] is True


def test_invalid_enterprise_credit_code_is_a_hard_error(session, world):  # type: ignore[no-untyped-def]
    enterprise = session.get(Enterprise, world.users[ENT].enterprise_id)
    enterprise.credit_code = enterprise.credit_code[:-1] + ("0" if enterprise.credit_code[-1] != "0" else "1")
    session.commit()
    err = refused(session, world, filing_data(23))
    assert "enterprise_credit_code" in err.fields


# --- the budget at approval (R5) ------------------------------------------------------------------


def test_approval_beyond_the_remaining_budget_is_refused_with_the_amounts(app, session):  # type: ignore[no-untyped-def]
    world = make_world(session, budget_fen=2_000_000)  # 20,000 yuan; one filing asks 16,500
    rev = world.actor(REVIEWER)
    first = submitted_filing(session, world, seed=24)
    second = submitted_filing(session, world, username="ent-440106-2", seed=25)
    service.complete_task(session, rev, task_of(session, first).task_id, "approve")
    with pytest.raises(errors.ValidationFailed) as err:
        service.complete_task(session, rev, task_of(session, second).task_id, "approve")
    # The fund plan is split across budget years by months (10 of the 12 fall in the start year), so
    # the start year holds 13,750.00 of the first filing and refuses the second's 13,750.00.
    message = err.value.message
    year = date.today().year
    assert f"{year}年度" in message and "20,000.00" in message and "13,750.00" in message
    assert "剩余6,250.00元" in message and "超出7,500.00元" in message
    assert status(session, second) == "district_review"
    # Returning it is still possible.
    service.complete_task(session, rev, task_of(session, second).task_id, "return", "请压缩人数")
    assert status(session, second) == "returned"
