"""Filing rules (SPEC.md section 4) against the real catalogues in data/."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from workflows.rules.hard import hard_checks
from workflows.rules.ids import (
    Occupation,
    isbn_error,
    load_occupations_csv,
    load_textbooks_csv,
    occupations_by_code,
    textbooks_by_isbn,
)
from workflows.rules.inputs import (
    ActiveEnrolment,
    CheckResult,
    CourseInput,
    DistrictYearFigures,
    FilingInput,
    Params,
    TraineeInput,
)
from workflows.rules.job_post import job_post_match
from workflows.rules.money import (
    budget_check,
    fen_to_yuan_str,
    format_share,
    months_by_year,
    period_months,
    split_total_fen,
    subsidy_fen,
    year_split_fen,
)
from workflows.rules.soft import soft_checks

DATA = Path(__file__).resolve().parents[1] / "data"
OCCUPATION_LIST = load_occupations_csv((DATA / "occupations.csv").read_text(encoding="utf-8"))
TEXTBOOK_LIST = load_textbooks_csv((DATA / "textbooks.csv").read_text(encoding="utf-8"))
OCCUPATIONS = occupations_by_code(OCCUPATION_LIST)
TEXTBOOKS = textbooks_by_isbn(TEXTBOOK_LIST)
BY_NAME = {o.name: o for o in OCCUPATION_LIST}
PARAMS = Params()
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def uscc(body: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * pow(3, i, 31) for i, c in enumerate(body))
    return body + USCC_ALPHABET[(31 - total % 31) % 31]


def ric(area: str, born: str, seq: int) -> str:
    body = f"{area}{born}{seq:03d}"
    return body + "10X98765432"[sum(int(c) * pow(2, 17 - i, 11) for i, c in enumerate(body)) % 11]


def isbn13(body: str) -> str:
    return body + str(-sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(body)) % 10)


GZ_CODE = uscc("91440106MA59ABCD1")  # 天河区
SZ_CODE = uscc("91440300MA5FXYW12")  # 深圳市
LATHE = BY_NAME["车工"]
ROBOT = BY_NAME["工业机器人系统运维员"]


def textbook(title: str) -> str:
    return next(t.isbn for t in TEXTBOOK_LIST if t.title == title)


def trainee(i: int, **changes: Any) -> TraineeInput:
    base = TraineeInput(
        name=f"学员{i}",
        id_number=ric("440106", f"200{i % 5}0315", 100 + i),
        job_post="数控车工",
        contract_start=date(2024, 2, 1),
    )
    return replace(base, **changes)


def filing(**changes: Any) -> FilingInput:
    """A filing that passes every hard rule: 车工 四级, 2 years, 3 trainees, catalogue textbooks."""
    base = FilingInput(
        enterprise_credit_code=GZ_CODE,
        apprenticeship_type="enterprise_apprentice",
        occupation_code=LATHE.code,
        level=4,
        period_start=date(2024, 3, 1),
        period_end=date(2026, 2, 28),
        period_reason="",
        trainees=[trainee(i) for i in range(3)],
        courses=[
            CourseInput(
                "general_required", "职业道德", 40, textbook("职业道德（企业新型学徒制培训通用教材）")
            ),
            CourseInput(
                "general_required", "安全生产", 40, textbook("安全生产基础知识（企业新型学徒制培训通用教材）")
            ),
            CourseInput("professional_basic", "机械制图", 300, textbook("机械制图（第七版）")),
            CourseInput("professional_skill", "车工技能", 1520, textbook("车工工艺与技能训练")),
        ],
        institution_name="广州市机电技师学院",
        institution_type="technical_school",
        tutor_enterprise="王师傅",
        tutor_institution="李老师",
    )
    return replace(base, **changes)


def hard(
    f: FilingInput, active: list[ActiveEnrolment] | None = None, reveal: bool = False
) -> list[CheckResult]:
    return hard_checks(f, OCCUPATIONS, TEXTBOOKS, active or [], PARAMS, reveal_other_filing=reveal)


def only(results: list[CheckResult], rule: str) -> CheckResult:
    matching = [r for r in results if r.rule == rule]
    assert len(matching) == 1, results
    return matching[0]


YEAR = DistrictYearFigures(
    planned_headcount=100,
    budget_fen=100_000_000,
    committed_fen=60_000_000,
    trainees_total=50,
    trainees_intermediate_up=40,
    trainees_same_enterprise=10,
    trainees_same_occupation=20,
)


# --- catalogues ------------------------------------------------------------------------------------


def test_occupation_catalogue_is_complete_and_consistent() -> None:
    assert len(OCCUPATION_LIST) >= 45
    assert len(OCCUPATIONS) == len(OCCUPATION_LIST)
    for o in OCCUPATION_LIST:
        assert (
            o.levels and set(o.levels) <= {1, 2, 3, 4, 5} and list(o.levels) == sorted(o.levels, reverse=True)
        )
        assert o.aliases and o.job_posts
    assert LATHE.code == "6-18-01-01" and "数控车工" in LATHE.aliases
    assert ROBOT.levels == (4, 3, 2, 1)


def test_textbook_catalogue_is_valid_and_covers_occupations() -> None:
    assert 45 <= len(TEXTBOOK_LIST) <= 60
    for t in TEXTBOOK_LIST:
        assert isbn_error(t.isbn) is None and len(t.isbn) == 13
        assert isbn13(t.isbn[:12]) == t.isbn
        assert set(t.occupation_codes) <= set(OCCUPATIONS)
        assert bool(t.occupation_codes) == t.category.startswith("professional")
    assert sum(t.category == "general_required" for t in TEXTBOOK_LIST) >= 6
    covered = {c for t in TEXTBOOK_LIST if t.category.startswith("professional") for c in t.occupation_codes}
    assert len(covered) >= 15


def test_occupation_csv_errors_name_their_lines() -> None:
    text = (
        "code,name,aliases,job_posts,levels\n6-18-01-01,车工,,,5|4\n618-01,坏代码,,,5\n"
        "6-18-01-02,,,,6\n6-18-01-01,重复,,,4\n"
    )
    with pytest.raises(ValueError) as caught:
        load_occupations_csv(text)
    message = str(caught.value)
    assert "第3行" in message and "格式" in message
    assert "第4行" in message and "职业名称为空" in message and "技能等级" in message
    assert "第5行" in message and "重复" in message
    assert "第2行" not in message
    with pytest.raises(ValueError, match="第1行"):
        load_occupations_csv("code,name\n6-18-01-01,车工\n")


def test_textbook_csv_errors_name_their_lines() -> None:
    good = TEXTBOOK_LIST[0]
    text = (
        "\ufeffisbn,title,publisher,category,occupation_codes\n"
        f"{good.isbn},职业道德,中国劳动社会保障出版社,general_required,\n"
        "978-7-5167-3801-7,书,社,general_required,\n"
        f"{good.isbn},重复,社,elective,6-18\n"
    )
    with pytest.raises(ValueError) as caught:
        load_textbooks_csv(text)
    message = str(caught.value)
    assert "第3行" in message and "校验位错误" in message
    assert (
        "第4行" in message and "重复" in message and "课程类别" in message and "职业代码格式错误" in message
    )


def test_isbn10_in_catalogue_is_stored_as_isbn13() -> None:
    books = load_textbooks_csv(
        "isbn,title,publisher,category,occupation_codes\n"
        "7-5045-1234-6,旧书,中国劳动社会保障出版社,general_elective,\n"
    )
    assert books[0].isbn == isbn13("978750451234")


# --- job post / occupation (R2) ----------------------------------------------------------------------


@pytest.mark.parametrize("occupation", OCCUPATION_LIST, ids=lambda o: o.name)
def test_catalogue_names_aliases_and_posts_match_their_occupation(occupation: Occupation) -> None:
    for term in (occupation.name, *occupation.aliases, *occupation.job_posts):
        assert job_post_match(term, occupation) == "match", term


def test_no_occupation_name_matches_another_occupation() -> None:
    for a in OCCUPATION_LIST:
        for b in OCCUPATION_LIST:
            if a is not b:
                assert job_post_match(b.name, a) != "match", (b.name, a.name)


@pytest.mark.parametrize(
    ("post", "name", "expected"),
    [
        ("数控车工", "车工", "match"),
        ("高级车工", "车工", "match"),
        ("车工组长", "车工", "match"),
        ("CNC 数控车床操作工（夜班）", "车工", "match"),
        ("电焊工(学徒)", "焊工", "match"),
        ("汽车工艺员", "车工", "likely"),
        ("数控铣工", "车工", "mismatch"),
        ("仓库管理员", "车工", "mismatch"),
        ("", "车工", "mismatch"),
        ("厨师", "中式烹调师", "likely"),
        ("粤菜厨师", "中式烹调师", "match"),
        ("西餐厨师", "中式烹调师", "likely"),
        ("机器人调试工程师", "工业机器人系统运维员", "likely"),
        ("PLC编程员", "电工", "mismatch"),
        ("ＣＮＣ操机员", "多工序数控机床操作调整工", "match"),
        ("设备维修电工", "电工", "match"),
        ("前台文员", "前厅服务员", "likely"),
    ],
)
def test_job_post_heuristic(post: str, name: str, expected: str) -> None:
    assert job_post_match(post, BY_NAME[name]) == expected


# --- hard rules ----------------------------------------------------------------------------------


def test_valid_filing_has_no_hard_failures() -> None:
    assert hard(filing()) == []


def test_invalid_credit_code_is_hard() -> None:
    result = only(
        hard(filing(enterprise_credit_code=GZ_CODE[:-1] + ("0" if GZ_CODE[-1] != "0" else "1"))),
        "credit_code",
    )
    assert (result.severity, result.ok, result.field) == ("hard", False, "enterprise_credit_code")
    assert result.message == "企业统一社会信用代码校验位错误"


def test_invalid_id_number_names_the_trainee() -> None:
    people = [trainee(0), trainee(1), trainee(2, id_number="360426199101010072")]
    result = only(hard(filing(trainees=people)), "id_number")
    assert result.field == "trainees[2].id_number"
    assert result.message == "第3名学员的身份证号码校验位错误"


def test_trainee_under_16_at_start_is_hard() -> None:
    young = trainee(1, id_number=ric("440113", "20080302", 11))
    result = only(hard(filing(trainees=[trainee(0), young])), "id_number")
    assert result.field == "trainees[1].id_number" and "未满16周岁" in result.message


def test_same_id_twice_is_hard() -> None:
    twin = trainee(2, id_number=trainee(0).id_number.lower())
    result = only(hard(filing(trainees=[trainee(0), trainee(1), twin])), "duplicate_id")
    assert result.field == "trainees[2].id_number"
    assert result.message == "第3名学员的身份证号码与第1名学员重复"


def test_trainee_in_overlapping_active_filing_is_hard_and_discreet() -> None:
    other = ActiveEnrolment(
        trainee(1).id_number, BY_NAME["焊工"].code, 3, date(2023, 9, 1), date(2024, 8, 31), "BA-2023-0042"
    )
    result = only(hard(filing(), [other]), "other_active_filing")
    assert result.field == "trainees[1].id_number"
    assert "第2名学员已在其他有效备案中参加培训" in result.message and "培训期限重叠" in result.message
    assert "BA-2023-0042" not in json.dumps(result.to_dict(), ensure_ascii=False)
    revealed = only(hard(filing(), [other], reveal=True), "other_active_filing")
    assert "第2名学员已在其他有效备案（BA-2023-0042）中参加培训" in revealed.message and revealed.details[
        "filing_refs"
    ] == ["BA-2023-0042"]


def test_same_occupation_and_level_conflicts_even_without_overlap() -> None:
    other = ActiveEnrolment(trainee(0).id_number, LATHE.code, 4, date(2021, 1, 1), date(2022, 12, 31), "X-1")
    result = only(hard(filing(), [other]), "other_active_filing")
    assert result.details["reasons"] == ["同一职业（工种）和等级"]


def test_other_filing_for_another_occupation_in_another_period_is_fine() -> None:
    other = ActiveEnrolment(trainee(0).id_number, LATHE.code, 3, date(2021, 1, 1), date(2022, 12, 31), "X-1")
    unrelated = ActiveEnrolment(
        ric("440104", "19990101", 5), LATHE.code, 4, date(2024, 1, 1), date(2025, 1, 1), "X-2"
    )
    assert hard(filing(), [other, unrelated]) == []


def test_missing_trainee_fields_and_empty_roster_are_hard() -> None:
    results = hard(filing(trainees=[trainee(0, job_post=" "), trainee(1, name="")]))
    assert only(results, "job_post_missing").message == "第1名学员未填写工作岗位"
    assert only(results, "job_post_missing").field == "trainees[0].job_post"
    assert only(results, "trainee_name").field == "trainees[1].name"
    assert only(hard(filing(trainees=[])), "no_trainees").field == "trainees"


def test_unknown_occupation_and_disallowed_level_are_hard() -> None:
    assert only(hard(filing(occupation_code="9-99-99-99")), "occupation").field == "occupation_code"
    result = only(
        hard(filing(occupation_code=ROBOT.code, level=5, trainees=[trainee(0, job_post="机器人运维员")])),
        "level",
    )
    assert result.message.startswith("工业机器人系统运维员不设五级/初级工") and result.details["allowed"] == [
        4,
        3,
        2,
        1,
    ]
    health = BY_NAME["健康管理师"]
    assert only(hard(filing(occupation_code=health.code, level=4)), "level").field == "level"
    assert only(hard(filing(level=7)), "level").message == "未选择有效的技能等级"


def test_required_course_textbook_must_be_in_catalogue() -> None:
    off_catalogue = isbn13("978711100000")
    courses = [CourseInput("general_required", "职业道德", 16, off_catalogue, "企业自编")]
    result = only(hard(filing(courses=courses)), "required_textbook")
    assert result.field == "courses[0].textbook_isbn"
    assert result.message == "通用素质必修课《职业道德》的教材不在全国职业培训规划教材目录内"
    missing = only(
        hard(filing(courses=[CourseInput("general_required", "安全生产", 16)])), "required_textbook"
    )
    assert "未填写教材ISBN" in missing.message


def test_invalid_isbn_is_hard_in_any_category() -> None:
    results = hard(filing(courses=[CourseInput("professional_skill", "车工技能", 100, "978-7-5167-3841-0")]))
    result = only(results, "isbn")
    assert (
        result.field == "courses[0].textbook_isbn"
        and result.message == "专业技能课《车工技能》的教材ISBN校验位错误"
    )


def test_off_catalogue_textbook_outside_required_courses_needs_a_reason() -> None:
    own = CourseInput("professional_skill", "企业数控工艺", 80, isbn13("978711100000"))
    result = only(hard(filing(courses=[*filing().courses, own])), "off_catalogue_reason")
    assert result.field == "courses[4].off_catalogue_reason"
    assert "须填写使用理由" in result.message
    reasoned = replace(own, off_catalogue_reason="目录内暂无五轴加工教材，采用企业自编讲义")
    assert hard(filing(courses=[*filing().courses, reasoned])) == []
    unexplained = CourseInput("general_elective", "企业文化", 8)
    result = only(hard(filing(courses=[*filing().courses, unexplained])), "off_catalogue_reason")
    assert result.message == "通用素质选修课《企业文化》未使用目录内教材，须填写使用理由"
    no_isbn = CourseInput("general_elective", "企业文化", 8, "", "企业自编讲义")
    assert hard(filing(courses=[*filing().courses, no_isbn])) == []


def test_courses_must_exist_and_have_hours() -> None:
    assert only(hard(filing(courses=[])), "no_courses").field == "courses"
    bad = [replace(filing().courses[0], hours=0)]
    assert only(hard(filing(courses=bad)), "course_hours").field == "courses[0].hours"
    odd = [replace(filing().courses[2], category="misc")]
    assert only(hard(filing(courses=odd)), "course_category").field == "courses[0].category"


@pytest.mark.parametrize(
    ("start", "end", "reason", "field", "message"),
    [
        (None, date(2026, 2, 28), "", "period.start", "未填写培训期限开始日期"),
        (date(2024, 3, 1), None, "", "period.end", "未填写培训期限结束日期"),
        (date(2024, 3, 1), date(2024, 2, 1), "", "period.end", "培训期限结束日期早于开始日期"),
        (date(2024, 3, 1), date(2024, 3, 1), "", "period.end", "培训期限结束日期与开始日期相同"),
        (date(2024, 3, 1), date(2025, 2, 27), "", "period.end", "培训期限不足1年"),
        (
            date(2024, 3, 1),
            date(2026, 3, 2),
            "",
            "period.reason",
            "培训期限超过2年，须填写延长理由（最长3年）",
        ),
        (date(2024, 3, 1), date(2027, 3, 2), "工艺复杂", "period.end", "培训期限超过3年的上限"),
    ],
)
def test_period_rules(start: date | None, end: date | None, reason: str, field: str, message: str) -> None:
    result = only(hard(filing(period_start=start, period_end=end, period_reason=reason)), "period")
    assert (result.field, result.message) == (field, message)


@pytest.mark.parametrize(
    ("end", "reason"),
    [
        (date(2025, 2, 28), ""),
        (date(2025, 3, 1), ""),
        (date(2026, 3, 1), ""),
        (date(2027, 2, 28), "高级工培养周期长"),
        (date(2027, 3, 1), "高级工培养周期长"),
    ],
)
def test_periods_within_limits_pass(end: date, reason: str) -> None:
    assert hard(filing(period_end=end, period_reason=reason)) == []


def test_period_limits_follow_params() -> None:
    strict = Params(max_period_years=1, max_period_years_with_reason=2)
    results = hard_checks(filing(), OCCUPATIONS, TEXTBOOKS, [], strict)
    assert only(results, "period").field == "period.reason"


def test_tech_trainee_fields_are_required() -> None:
    results = hard(
        filing(apprenticeship_type="tech_trainee", trainees=[trainee(0, school="广州市工贸技师学院")])
    )
    fields = {r.field for r in results if r.rule == "type_fields"}
    assert fields == {"career_plan", "trainees[0].graduation_year", "trainees[0].recruited_on"}
    assert any(r.message == "第1名学员未填写毕业年份（技培生必填）" for r in results)
    complete = trainee(0, school="广州市工贸技师学院", graduation_year=2023, recruited_on=date(2024, 1, 15))
    assert (
        hard(filing(apprenticeship_type="tech_trainee", trainees=[complete], career_plan="三年成长为高级工"))
        == []
    )


def test_student_apprentice_fields_are_required() -> None:
    results = hard(
        filing(apprenticeship_type="student_apprentice", trainees=[trainee(0)], training_goals="中级工")
    )
    fields = {r.field for r in results if r.rule == "type_fields"}
    assert fields == {
        "retention_measures",
        "trainees[0].school",
        "trainees[0].major",
        "trainees[0].expected_graduation",
    }
    complete = trainee(
        0, school="广州市轻工技师学院", major="数控加工", expected_graduation=date(2025, 6, 30)
    )
    assert (
        hard(
            filing(
                apprenticeship_type="student_apprentice",
                trainees=[complete],
                training_goals="中级工",
                retention_measures="毕业后优先录用，定岗定级",
            )
        )
        == []
    )


def test_all_failures_are_reported_at_once_and_serialize() -> None:
    f = filing(
        enterprise_credit_code="123",
        period_end=date(2023, 1, 1),
        courses=[],
        trainees=[trainee(0, job_post=""), trainee(1, id_number="1")],
    )
    results = hard(f)
    assert {r.rule for r in results} == {
        "credit_code",
        "period",
        "job_post_missing",
        "id_number",
        "no_courses",
    }
    assert all(r.severity == "hard" and not r.ok and r.field for r in results)
    json.dumps([r.to_dict() for r in results])


# --- soft rules ----------------------------------------------------------------------------------


def soft(f: FilingInput, year: DistrictYearFigures = YEAR, params: Params = PARAMS) -> list[CheckResult]:
    return soft_checks(f, OCCUPATIONS, TEXTBOOKS, year, params)


def test_soft_checks_report_every_rule_once_with_figures() -> None:
    results = soft(filing())
    assert [r.rule for r in results] == ["job_post_match"] * 3 + [
        "enterprise_concentration",
        "occupation_concentration",
        "intermediate_share",
        "off_catalogue_textbook",
        "credit_code_area",
    ]
    assert all(r.severity == "soft" for r in results)
    assert all(r.ok for r in results)
    json.dumps([r.to_dict() for r in results])


def test_job_post_mismatch_is_flagged_per_trainee() -> None:
    people = [trainee(0), trainee(1, job_post="厨师"), trainee(2, job_post="仓库管理员")]
    results = [r for r in soft(filing(trainees=people)) if r.rule == "job_post_match"]
    assert [r.details["result"] for r in results] == ["match", "mismatch", "mismatch"]
    assert [r.ok for r in results] == [True, False, False]
    assert results[2].field == "trainees[2].job_post"
    assert "仓库管理员" in results[2].message and "车工" in results[2].message
    cook = [
        r
        for r in soft(filing(occupation_code=BY_NAME["中式烹调师"].code, trainees=people))
        if r.rule == "job_post_match"
    ]
    assert cook[1].details["result"] == "likely" and not cook[1].ok and "厨师" in cook[1].details["tokens"]


def test_enterprise_concentration_before_and_after() -> None:
    ok = only(soft(filing()), "enterprise_concentration")
    assert ok.ok and ok.details["before"] == 0.1 and ok.details["after"] == 0.13
    crowded = only(soft(filing(), replace(YEAR, trainees_same_enterprise=18)), "enterprise_concentration")
    assert not crowded.ok and crowded.details["after"] == 0.21
    assert (
        "备案前18.0%" in crowded.message
        and "备案后21.0%" in crowded.message
        and "超过20.0%" in crowded.message
    )


def test_concentration_denominator_grows_past_the_plan() -> None:
    year = replace(YEAR, planned_headcount=10, trainees_total=20, trainees_same_occupation=5)
    result = only(soft(filing(), year), "occupation_concentration")
    assert result.details["denominator_before"] == 20 and result.details["denominator_after"] == 23
    assert result.details["after"] == round(8 / 23, 4) and not result.ok
    assert "车工职业（工种）" in result.message


def test_occupation_concentration_threshold_is_a_parameter() -> None:
    assert only(soft(filing()), "occupation_concentration").ok  # 23 / 100
    assert not only(
        soft(filing(), params=Params(occupation_share_threshold=0.2)), "occupation_concentration"
    ).ok


def test_intermediate_share_before_and_after() -> None:
    year = replace(YEAR, trainees_total=100, trainees_intermediate_up=70)
    entry_level = only(
        soft(filing(level=5, trainees=[trainee(i) for i in range(10)]), year), "intermediate_share"
    )
    assert not entry_level.ok
    assert entry_level.details["before"] == 0.7 and entry_level.details["after"] == round(70 / 110, 4)
    assert "低于70.0%" in entry_level.message and "63.6%" in entry_level.message
    intermediate = only(
        soft(filing(level=4, trainees=[trainee(i) for i in range(10)]), year), "intermediate_share"
    )
    assert intermediate.ok and intermediate.details["after"] == round(80 / 110, 4)


def test_intermediate_share_of_an_empty_district() -> None:
    year = replace(YEAR, trainees_total=0, trainees_intermediate_up=0)
    result = only(soft(filing(), year), "intermediate_share")
    assert result.ok and result.details["before"] is None and result.details["after"] == 1.0


def test_off_catalogue_textbooks_are_listed_with_their_reason() -> None:
    own = CourseInput("professional_skill", "企业数控工艺", 80, isbn13("978711100000"), "目录内暂无五轴教材")
    results = [
        r for r in soft(filing(courses=[*filing().courses, own])) if r.rule == "off_catalogue_textbook"
    ]
    assert len(results) == 1 and not results[0].ok and results[0].field == "courses[4].textbook_isbn"
    assert "目录内暂无五轴教材" in results[0].message and "专业技能课《企业数控工艺》" in results[0].message


def test_credit_code_area_outside_guangzhou_is_flagged() -> None:
    assert only(soft(filing()), "credit_code_area").message.endswith("440106（天河区），属广州市")
    result = only(soft(filing(enterprise_credit_code=SZ_CODE)), "credit_code_area")
    assert not result.ok and result.details == {"area_code": "440300", "guangzhou": False}
    assert not only(soft(filing(enterprise_credit_code="bad")), "credit_code_area").ok


# --- money (R5) ------------------------------------------------------------------------------------


def test_budget_check_allows_what_fits() -> None:
    result = budget_check(30_000_000, YEAR)
    assert result.ok and result.severity == "hard" and result.details["remaining_after_fen"] == 10_000_000
    assert result.message == (
        "本区年度培训经费预算1,000,000.00元，已占用600,000.00元，本次申请补贴300,000.00元，"
        "剩余400,000.00元，批准后剩余100,000.00元"
    )
    assert budget_check(40_000_000, YEAR).ok


def test_budget_check_blocks_what_does_not_fit() -> None:
    result = budget_check(40_000_001, YEAR)
    assert not result.ok and "超出0.01元，不能批准" in result.message and "剩余400,000.00元" in result.message


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (date(2024, 3, 1), date(2024, 9, 1), 7),  # March .. September: the started September counts
        (date(2024, 3, 1), date(2025, 2, 28), 12),
        (date(2024, 3, 1), date(2025, 3, 1), 13),  # one year and one day = 13 months, not 2 years
        (date(2024, 3, 1), date(2026, 2, 28), 24),
        (date(2024, 3, 15), date(2025, 3, 14), 12),  # months run from the start day, not the calendar
        (date(2024, 1, 31), date(2024, 2, 28), 1),
        (date(2024, 1, 31), date(2024, 2, 29), 2),  # 01-31 + 1 month = 02-29 (clamped) starts month 2
        (date(2027, 3, 1), date(2028, 3, 31), 13),
        (date(2024, 3, 1), date(2024, 1, 1), 0),
    ],
)
def test_period_months(start: date, end: date, months: int) -> None:
    assert period_months(start, end) == months


def test_month_billing_and_year_split_of_the_issue_example() -> None:
    """2027-03-01 to 2028-03-31 at 5,500 a year: 13 months, 5,958.33 yuan, of which 4,583.33 in 2027
    (10 months) and 1,375.00 in 2028 (3 months)."""
    months = period_months(date(2027, 3, 1), date(2028, 3, 31))
    assert months == 13
    assert months_by_year(date(2027, 3, 1), months) == {2027: 10, 2028: 3}
    assert fen_to_yuan_str(subsidy_fen(1, 5500, months)) == "5,958.33"
    split = year_split_fen(1, 5500, date(2027, 3, 1), months)
    assert {y: fen_to_yuan_str(v) for y, v in split.items()} == {2027: "4,583.33", 2028: "1,375.00"}
    assert sum(split.values()) == subsidy_fen(1, 5500, months)


def test_a_computed_fund_plan_is_split_by_months_and_adds_up() -> None:
    assert split_total_fen(595833, date(2027, 3, 1), 13) == {2027: 458333, 2028: 137500}
    assert split_total_fen(1_650_000, date(2026, 3, 1), 12) == {2026: 1_375_000, 2027: 275_000}
    assert sum(split_total_fen(1001, date(2025, 5, 31), 25).values()) == 1001


@pytest.mark.parametrize("trainees", [1, 2, 3, 7, 11])
@pytest.mark.parametrize("start", [date(2025, 1, 31), date(2025, 7, 15), date(2025, 12, 1)])
def test_year_split_always_adds_up_to_the_whole(trainees: int, start: date) -> None:
    for months in range(1, 37):
        split = year_split_fen(trainees, 7000, start, months)
        assert sum(split.values()) == subsidy_fen(trainees, 7000, months)
        assert sum(months_by_year(start, months).values()) == months


def test_subsidy_and_formatting() -> None:
    assert subsidy_fen(3, 5500, 24) == 3_300_000
    assert fen_to_yuan_str(subsidy_fen(3, 5500, 24)) == "33,000.00"
    assert subsidy_fen(1, 5000, 1) == 41667  # 416.666... yuan rounds half up to the fen
    assert fen_to_yuan_str(1_234_500) == "12,345.00"
    assert fen_to_yuan_str(5) == "0.05" and fen_to_yuan_str(-123_456) == "-1,234.56"
    assert format_share(0.725) == "72.5%" and format_share(0.7) == "70.0%" and format_share(1) == "100.0%"
    with pytest.raises(ValueError):
        subsidy_fen(-1, 5000, 1)


def test_institution_and_double_tutors_are_required() -> None:
    results = hard(filing(institution_name=" ", institution_type="", tutor_enterprise="", tutor_institution=""))
    fields = {r.field for r in results}
    assert {"institution.name", "institution.type", "tutors.enterprise", "tutors.institution"} <= fields
    assert all(r.severity == "hard" and not r.ok for r in results)
    assert any("院校导师" in r.message for r in results)


def test_occupation_catalogue_csv_carries_the_shortage_flag_both_ways() -> None:
    from workflows.rules.ids import load_occupations_csv, occupations_csv

    text = ("code,name,aliases,job_posts,levels,shortage\n"
            "6-18-01-01,车工,数控车工,车工,5|4|3,是\n6-18-01-02,铣工,,铣工,5|4,\n")
    items = load_occupations_csv(text)
    assert [o.shortage for o in items] == [True, False]
    assert load_occupations_csv(occupations_csv(items)) == items
    # The column is optional (older files), and a bad value names its line.
    assert not load_occupations_csv("code,name,aliases,job_posts,levels\n6-18-01-01,车工,,车工,5\n")[0].shortage
    with pytest.raises(ValueError, match="第2行"):
        load_occupations_csv("code,name,aliases,job_posts,levels,shortage\n6-18-01-01,车工,,车工,5,也许\n")
