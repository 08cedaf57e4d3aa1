"""Issue 17's checks: labour contract, age, 技培生 / 学生学徒 dates and level, required courses and hours,
whole-word job-post matching, the reviewer's confirmation in the history, the district-assignment warning."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import select

from tests.factories import filing_data, make_world, submitted_filing, task_of
from tests.test_rules import (
    BY_NAME,
    OCCUPATIONS,
    PARAMS,
    SZ_CODE,
    TEXTBOOKS,
    YEAR,
    filing,
    hard,
    only,
    ric,
    trainee,
)
from workflows import errors, service
from workflows.models import AuditEvent, Filing
from workflows.rules.hard import hard_checks, training_months
from workflows.rules.inputs import CourseInput, Params
from workflows.rules.job_post import job_post_match
from workflows.rules.soft import soft_checks

# --- labour contract ----------------------------------------------------------------------------------


def test_a_trainee_without_a_labour_contract_is_refused_by_name() -> None:
    results = hard(filing(trainees=[trainee(0), trainee(1, contract_start=None)]))
    result = only(results, "labour_contract")
    assert result.field == "trainees[1].contract_start" and "第2名学员" in result.message


def test_a_contract_starting_after_the_training_is_refused_and_on_the_day_is_accepted() -> None:
    late = hard(filing(trainees=[trainee(0, contract_start=date(2024, 3, 2))]))
    assert "晚于培训开始日期" in only(late, "labour_contract").message
    assert hard(filing(trainees=[trainee(0, contract_start=date(2024, 3, 1))])) == []


def test_a_contract_ending_before_the_training_ends_is_refused() -> None:
    short = hard(filing(trainees=[trainee(0, contract_end=date(2026, 2, 27))]))
    assert only(short, "labour_contract").field == "trainees[0].contract_end"
    assert hard(filing(trainees=[trainee(0, contract_end=date(2026, 2, 28))])) == []
    assert hard(filing(trainees=[trainee(0, contract_end=None)])) == []  # open-ended contract


# --- age --------------------------------------------------------------------------------------------


def test_age_at_the_start_above_the_policy_maximum_is_refused() -> None:
    sixty = trainee(0, id_number=ric("440106", "19640301", 11))   # 60 on 2024-03-01
    sixty_one = trainee(1, id_number=ric("440106", "19630201", 12))  # 61 on 2024-03-01
    assert hard(filing(trainees=[sixty])) == []
    result = only(hard(filing(trainees=[sixty, sixty_one])), "age")
    assert result.field == "trainees[1].id_number" and "61周岁" in result.message
    stricter = hard_checks(filing(trainees=[sixty]), OCCUPATIONS, TEXTBOOKS, [], Params(max_trainee_age=55))
    assert only(stricter, "age").details == {"age": 60, "max_age": 55}


def test_age_below_sixteen_is_still_refused() -> None:
    young = trainee(0, id_number=ric("440106", "20080302", 13))
    assert only(hard(filing(trainees=[young])), "id_number").message.endswith("（出生日期2008-03-02）")


# --- 技培生 and 学生学徒 -------------------------------------------------------------------------------


def tech(**changes: object) -> list:
    fields: dict[str, object] = {"school": "广州市技师学院", "graduation_year": 2023, "recruited_on": date(2024, 1, 10)}
    return [trainee(0, **{**fields, **changes})]


def test_tech_trainee_graduating_after_recruitment_or_recruited_after_the_start_is_refused() -> None:
    base = dict(apprenticeship_type="tech_trainee", career_plan="三年成长为骨干")
    assert hard(filing(**base, trainees=tech())) == []
    late_graduate = hard(filing(**base, trainees=tech(graduation_year=2025)))
    assert only(late_graduate, "tech_trainee_dates").field == "trainees[0].graduation_year"
    late_recruit = hard(filing(**base, trainees=tech(recruited_on=date(2024, 3, 2))))
    assert only(late_recruit, "tech_trainee_dates").field == "trainees[0].recruited_on"


def student(graduation: date) -> list:
    return [trainee(0, school="广州市工贸技师学院", major="数控加工", expected_graduation=graduation)]


STUDENT = dict(apprenticeship_type="student_apprentice", training_goals="培养目标", retention_measures="留用措施")


def test_student_apprentice_graduation_after_the_start_within_the_window() -> None:
    assert hard(filing(**STUDENT, trainees=student(date(2025, 6, 30)))) == []
    before = hard(filing(**STUDENT, trainees=student(date(2024, 2, 29))))
    assert "不晚于培训开始日期" in only(before, "student_dates").message
    too_far = hard(filing(**STUDENT, trainees=student(date(2026, 3, 2))))
    assert only(too_far, "student_dates").details == {"window_years": 2}
    wider = hard_checks(filing(**STUDENT, trainees=student(date(2026, 3, 2))), OCCUPATIONS, TEXTBOOKS, [],
                        Params(student_graduation_window_years=3))
    assert wider == []


@pytest.mark.parametrize(("level", "flagged"), [(5, False), (4, False), (3, False), (2, True), (1, True)])
def test_student_apprentice_above_level_three_is_a_soft_flag(level: int, flagged: bool) -> None:
    f = filing(**STUDENT, level=level, trainees=student(date(2025, 6, 30)))
    result = only(soft_checks(f, OCCUPATIONS, TEXTBOOKS, YEAR, PARAMS), "student_level")
    assert result.severity == "soft" and result.ok is not flagged
    allowed = soft_checks(f, OCCUPATIONS, TEXTBOOKS, YEAR, Params(student_highest_level=1))
    assert only(allowed, "student_level").ok


def test_other_types_get_no_student_level_result() -> None:
    assert not [r for r in soft_checks(filing(level=2), OCCUPATIONS, TEXTBOOKS, YEAR, PARAMS)
                if r.rule == "student_level"]


# --- courses and hours ------------------------------------------------------------------------------------


def test_a_filing_without_a_general_required_course_is_refused() -> None:
    courses = [c for c in filing().courses if c.category != "general_required"]
    assert only(hard(filing(courses=courses)), "general_required_missing").field == "courses"


def test_one_hour_of_training_in_total_is_refused() -> None:
    one = [replace(filing().courses[0], hours=1)]
    results = hard(filing(courses=one))
    total = only(results, "training_hours")
    assert total.details == {"total": 1, "required": 1200, "months": 24}
    assert only(results, "class_hours").details["required"] == 240


def test_hours_are_required_per_training_year_and_in_class() -> None:
    one_year = filing(period_end=date(2025, 2, 28))
    assert training_months(date(2024, 3, 1), date(2025, 2, 28)) == 12
    courses = [CourseInput("general_required", "职业道德", 120, one_year.courses[0].textbook_isbn),
               CourseInput("professional_skill", "车工技能", 480, one_year.courses[3].textbook_isbn)]
    assert hard(replace(one_year, courses=courses)) == []  # 600 in total, 120 in class: the defaults
    stricter = hard_checks(replace(one_year, courses=courses), OCCUPATIONS, TEXTBOOKS, [],
                           Params(min_class_hours_per_year=150))
    assert only(stricter, "class_hours").details == {"in_class": 120, "required": 150, "months": 12}
    fewer = hard_checks(replace(one_year, courses=courses), OCCUPATIONS, TEXTBOOKS, [],
                        Params(min_hours_per_year=601, min_class_hours_per_year=0))
    assert only(fewer, "training_hours").details["required"] == 601


def test_course_hours_must_be_positive() -> None:
    bad = [*filing().courses, CourseInput("general_elective", "选修", 0, filing().courses[0].textbook_isbn)]
    assert only(hard(filing(courses=bad)), "course_hours").field == "courses[4].hours"


# --- job post matching ------------------------------------------------------------------------------------


@pytest.mark.parametrize("post", ["机修钳工", "工具钳工"])
def test_a_listed_alias_does_not_turn_another_specialisation_into_a_match(post: str) -> None:
    assert "钳工" in BY_NAME["装配钳工"].aliases
    assert job_post_match(post, BY_NAME["装配钳工"]) == "mismatch"


@pytest.mark.parametrize("post", ["钳工", "装配钳工", "高级钳工", "钳工组长", "总装钳工", "设备装配钳工"])
def test_whole_word_aliases_and_listed_posts_still_match(post: str) -> None:
    assert job_post_match(post, BY_NAME["装配钳工"]) == "match"


def test_an_alias_never_matches_as_a_substring_inside_a_word() -> None:
    assert job_post_match("钳工学徒工艺员", BY_NAME["装配钳工"]) != "match"
    assert job_post_match("汽车工艺员", BY_NAME["车工"]) != "match"


# --- through the engine and the database -------------------------------------------------------------------


def test_a_submitted_filing_without_contract_is_refused_and_nothing_is_saved(session, world):  # type: ignore[no-untyped-def]
    data = filing_data(1)
    data.trainees[0].contract_start = None
    who = world.actor("ent-440106-1")
    draft = service.create_filing(session, who, data)
    with pytest.raises(errors.ValidationFailed) as refused:
        service.submit_filing(session, who, draft.id)
    assert "trainees[0].contract_start" in refused.value.fields
    assert session.get(Filing, draft.id).submitted_at is None


def test_the_reviewers_confirmation_of_each_mismatch_is_in_the_case_history(session, world):  # type: ignore[no-untyped-def]
    who = world.actor("ent-440106-1")
    data = filing_data(2)
    data.trainees[1].job_post = "仓库管理员"
    draft = service.create_filing(session, who, data)
    service.submit_filing(session, who, draft.id)
    reviewer = world.actor("review-440106")
    task = task_of(session, draft)
    with pytest.raises(errors.ValidationFailed):
        service.complete_task(session, reviewer, task.task_id, "approve")
    service.complete_task(session, reviewer, task.task_id, "approve", confirm_mismatches=True)
    rows = session.scalars(select(AuditEvent).where(AuditEvent.instance_id == draft.instance_id,
                                                    AuditEvent.action == "confirm_mismatch")).all()
    assert len(rows) == 1
    name = session.get(Filing, draft.id).trainees[1].name
    assert name in rows[0].comment and "第2名学员" in rows[0].comment and "仓库管理员" in rows[0].comment
    assert rows[0].actor_name == reviewer.name
    assert [e.action for e in service.history(session, draft.instance_id)][-2:] == ["approve", "confirm_mismatch"]


def test_a_returned_case_records_no_confirmation(session, world):  # type: ignore[no-untyped-def]
    draft = submitted_filing(session, world)
    service.complete_task(session, world.actor("review-440106"), task_of(session, draft).task_id, "return", "补")
    assert not session.scalars(select(AuditEvent).where(AuditEvent.action == "confirm_mismatch")).all()


def test_assigning_an_enterprise_registered_outside_guangzhou_warns_at_once(app, session):  # type: ignore[no-untyped-def]
    make_world(session)
    assert "不在广州市" in (service.district_assignment_warning(SZ_CODE, "440106") or "")
    assert service.district_assignment_warning(filing().enterprise_credit_code, "440106") is None
    client = app.test_client()
    client.post("/login", data={"username": "admin", "password": "Demo@2026"})
    response = client.post("/admin/enterprises/new", data={
        "name": "深圳某精密制造有限公司", "credit_code": SZ_CODE, "district_code": "440106", "size_class": "中型"},
        follow_redirects=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "已保存企业" in body and "不在广州市（4401），现已分配到天河" in body
