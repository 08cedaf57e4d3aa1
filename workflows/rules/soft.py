"""Soft rules (SPEC.md section 4): what the reviewer is told, one result per rule, figures in ``details``.

Job post against occupation (R2), the enterprise's and the occupation's share of the district's
planned headcount (R4), the share of 中级工 and above (R3), off-catalogue textbooks and the
enterprise's registration area. "Before" and "after" figures show the effect of approving the
filing. Pure functions, no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workflows.rules.ids import (
    LEVELS,
    Occupation,
    Textbook,
    area_label,
    credit_code_area,
    credit_code_error,
    is_guangzhou_area,
)
from workflows.rules.inputs import (
    CheckResult,
    DistrictYearFigures,
    FilingInput,
    Params,
    course_label,
    find_textbook,
    trainee_label,
)
from workflows.rules.job_post import job_post_match, shared_job_post_tokens
from workflows.rules.money import format_share


def _soft(rule: str, ok: bool, field: str | None, message: str, **details: Any) -> CheckResult:
    return CheckResult(rule, "soft", ok, field, message, details)


def _ratio(count: int, total: int) -> float | None:
    return count / total if total > 0 else None


def _r4(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def _pct(x: float | None) -> str:
    return "—" if x is None else format_share(x)


def _job_post_results(f: FilingInput, occupation: Occupation | None) -> list[CheckResult]:
    words = {"match": "一致", "likely": "相近，请审核人确认", "mismatch": "不一致，请审核人确认或退回修改"}
    out = []
    for i, t in enumerate(f.trainees):
        post = t.job_post.strip()
        if occupation is None:
            out.append(_soft("job_post_match", False, f"trainees[{i}].job_post",
                             f"{trainee_label(i)}的工作岗位无法比对：培训职业（工种）不在目录内",
                             result="mismatch", job_post=post, tokens=[]))
            continue
        result = job_post_match(post, occupation)
        out.append(_soft("job_post_match", result == "match", f"trainees[{i}].job_post",
                         f"{trainee_label(i)}的工作岗位“{post}”与培训职业（工种）“{occupation.name}”{words[result]}",
                         result=result, job_post=post, occupation_name=occupation.name,
                         tokens=shared_job_post_tokens(post, occupation)))
    return out


def _concentration(rule: str, field: str | None, subject: str, same: int, n: int,
                   year: DistrictYearFigures, threshold: float) -> CheckResult:
    """R4: share of the district's planned headcount (or its actual trainees, if more)."""
    denominator_before = max(year.planned_headcount, year.trainees_total)
    denominator_after = max(year.planned_headcount, year.trainees_total + n)
    before, after = _ratio(same, denominator_before), _ratio(same + n, denominator_after)
    ok = after is None or after <= threshold
    verdict = "未超过" if ok else "超过"
    return _soft(rule, ok, field,
                 f"{subject}学员占本区年度计划人数的比例：备案前{_pct(before)}，备案后{_pct(after)}"
                 f"（{same + n}/{denominator_after}人），{verdict}{format_share(threshold)}的提示线",
                 before=_r4(before), after=_r4(after), threshold=threshold, count_before=same,
                 count_after=same + n, denominator_before=denominator_before,
                 denominator_after=denominator_after)


def _intermediate(n: int, level: int | None, year: DistrictYearFigures, minimum: float) -> CheckResult:
    """R3: trainees at 四级/中级工 and above as a share of the district's trainees this year."""
    counts = isinstance(level, int) and 1 <= level <= 4
    up_after, total_after = year.trainees_intermediate_up + (n if counts else 0), year.trainees_total + n
    before = _ratio(year.trainees_intermediate_up, year.trainees_total)
    after = _ratio(up_after, total_after)
    ok = after is None or after >= minimum
    return _soft("intermediate_share", ok, "level",
                 f"本区本年度四级/中级工及以上学员占比：备案前{_pct(before)}，备案后{_pct(after)}"
                 f"（{up_after}/{total_after}人），{'达到' if ok else '低于'}{format_share(minimum)}的要求",
                 before=_r4(before), after=_r4(after), minimum=minimum, count_after=up_after,
                 total_after=total_after)


def _off_catalogue(f: FilingInput, textbooks: Mapping[str, Textbook]) -> list[CheckResult]:
    out = []
    for i, c in enumerate(f.courses):
        if c.category == "general_required" or find_textbook(textbooks, c.textbook_isbn) is not None:
            continue
        isbn = c.textbook_isbn.strip()
        reason = c.off_catalogue_reason.strip()
        out.append(_soft("off_catalogue_textbook", False, f"courses[{i}].textbook_isbn",
                         f"{course_label(i, c)}使用目录外教材（ISBN：{isbn or '未填写'}），"
                         f"理由：{reason or '未填写'}",
                         isbn=isbn, reason=reason))
    if not out:
        out.append(_soft("off_catalogue_textbook", True, "courses",
                         "全部课程均使用全国职业培训规划教材目录内的教材", count=0))
    return out


def _area(f: FilingInput) -> CheckResult:
    error = credit_code_error(f.enterprise_credit_code)
    if error:
        return _soft("credit_code_area", False, "enterprise_credit_code",
                     f"无法判断企业登记地：{error}", area_code=None, guangzhou=False)
    area = credit_code_area(f.enterprise_credit_code)
    if is_guangzhou_area(area):
        return _soft("credit_code_area", True, "enterprise_credit_code",
                     f"统一社会信用代码中的行政区划码为{area_label(area)}，属广州市", area_code=area,
                     guangzhou=True)
    return _soft("credit_code_area", False, "enterprise_credit_code",
                 f"统一社会信用代码中的行政区划码为{area}，不在广州市（4401），请核实企业登记地",
                 area_code=area, guangzhou=False)


def _student_level(f: FilingInput, params: Params) -> list[CheckResult]:
    """R8: 学生学徒 train up to 三级/高级工 unless the policy allows a higher level (a lower number)."""
    if f.apprenticeship_type != "student_apprentice" or not isinstance(f.level, int) or f.level not in LEVELS:
        return []
    highest = params.student_highest_level
    ok = f.level >= highest
    label = LEVELS.get(highest, str(highest))
    message = (f"学生学徒培训等级为{LEVELS[f.level]}，未超过{label}" if ok else
               f"学生学徒培训等级为{LEVELS[f.level]}，高于政策规定的{label}，请审核人确认是否适当")
    return [_soft("student_level", ok, "level", message, level=f.level, highest_level=highest)]


def soft_checks(f: FilingInput, occupations: Mapping[str, Occupation], textbooks: Mapping[str, Textbook],
                year: DistrictYearFigures, params: Params) -> list[CheckResult]:
    """The soft rules for the reviewer: one result per rule (per trainee / course where it applies).

    ``year`` excludes this filing; "before" and "after" figures show the effect of approving it.
    """
    occupation = occupations.get(f.occupation_code)
    occupation_name = occupation.name if occupation else f.occupation_code
    return [
        *_job_post_results(f, occupation),
        *year_checks(len(f.trainees), f.level, occupation_name, year, params),
        *_off_catalogue(f, textbooks),
        _area(f),
        *_student_level(f, params),
    ]


def year_checks(n: int, level: int | None, occupation_name: str, year: DistrictYearFigures, params: Params
                ) -> list[CheckResult]:
    """The rules on the district's year for a filing of ``n`` trainees at ``level`` (R4 concentration by
    enterprise and by occupation, then R3 share at 四级/中级工 and above): what the review screen shows live."""
    return [
        _concentration("enterprise_concentration", None, "本企业", year.trainees_same_enterprise, n, year,
                       params.enterprise_share_threshold),
        _concentration("occupation_concentration", "occupation_code", f"{occupation_name}职业（工种）",
                       year.trainees_same_occupation, n, year, params.occupation_share_threshold),
        _intermediate(n, level, year, params.intermediate_min_share),
    ]
