"""Hard rules (SPEC.md section 4): the failures that block a submission, all at once, each naming its field.

``hard_checks`` is the entry point; the parts check the header (enterprise, type, institution, tutors,
occupation and level), the training period, the trainees (identity numbers, duplicates, other active
filings), the fields of 技培生 / 学生学徒 filings and the courses' textbooks (R9). Pure functions, no
I/O.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from workflows.rules.ids import (
    APPRENTICESHIP_TYPES,
    ATTACHMENT_KINDS,
    COURSE_CATEGORIES,
    INSTITUTION_TYPES,
    LEVELS,
    Occupation,
    Textbook,
    add_years,
    credit_code_error,
    id_birth_date,
    id_number_error,
    isbn_error,
    normalize_id_number,
    normalize_isbn,
)
from workflows.rules.inputs import (
    ActiveEnrolment,
    CheckResult,
    FilingInput,
    Params,
    course_label,
    find_textbook,
    trainee_label,
)


def _hard(rule: str, field: str | None, message: str, **details: Any) -> CheckResult:
    return CheckResult(rule, "hard", False, field, message, details)


def _blank(value: str | None) -> bool:
    return not (value or "").strip()


def _check_header(f: FilingInput, occupations: Mapping[str, Occupation]) -> list[CheckResult]:
    out = []
    error = credit_code_error(f.enterprise_credit_code)
    if error:
        out.append(_hard("credit_code", "enterprise_credit_code", f"企业{error}"))
    if f.apprenticeship_type not in APPRENTICESHIP_TYPES:
        out.append(_hard("apprenticeship_type", "apprenticeship_type", "未选择有效的学徒类型"))
    if f.institution_type not in INSTITUTION_TYPES:
        out.append(_hard("institution_type", "institution.type", "未选择有效的培训机构类型"))
    if _blank(f.institution_name):
        out.append(_hard("institution", "institution.name", "未填写培训机构名称"))
    if _blank(f.tutor_enterprise):
        out.append(_hard("tutors", "tutors.enterprise", "未填写企业导师（双导师制）"))
    if _blank(f.tutor_institution):
        out.append(_hard("tutors", "tutors.institution", "未填写院校导师（双导师制）"))
    occupation = occupations.get(f.occupation_code)
    if _blank(f.occupation_code):
        out.append(_hard("occupation", "occupation_code", "未选择培训职业（工种）"))
    elif occupation is None:
        out.append(_hard("occupation", "occupation_code",
                         f"培训职业（工种）代码“{f.occupation_code}”不在职业分类目录内"))
    if not isinstance(f.level, int) or f.level not in LEVELS:
        out.append(_hard("level", "level", "未选择有效的技能等级"))
    elif occupation is not None and f.level not in occupation.levels:
        allowed = "、".join(LEVELS[x] for x in occupation.levels)
        out.append(_hard("level", "level", f"{occupation.name}不设{LEVELS[f.level]}，可选等级：{allowed}",
                         allowed=list(occupation.levels)))
    return out


def _check_period(f: FilingInput, params: Params) -> list[CheckResult]:
    """1 to ``max_period_years`` years, up to ``max_period_years_with_reason`` with a written reason.

    The end date may be written inclusive (2024-03-01 to 2026-02-28) or exclusive (to 2026-03-01):
    both count as 2 years, so the lower bound allows one day less and the upper bound none more.
    """
    start, end = f.period_start, f.period_end
    out = []
    if start is None:
        out.append(_hard("period", "period.start", "未填写培训期限开始日期"))
    if end is None:
        out.append(_hard("period", "period.end", "未填写培训期限结束日期"))
    if start is None or end is None:
        return out
    figures = {"start": start.isoformat(), "end": end.isoformat(), "days": (end - start).days}
    longest, absolute = params.max_period_years, params.max_period_years_with_reason
    if end < start:
        out.append(_hard("period", "period.end", "培训期限结束日期早于开始日期", **figures))
    elif end == start:
        out.append(_hard("period", "period.end", "培训期限结束日期与开始日期相同", **figures))
    elif end < add_years(start, 1) - timedelta(days=1):
        out.append(_hard("period", "period.end", "培训期限不足1年", **figures))
    elif end > add_years(start, absolute):
        out.append(_hard("period", "period.end", f"培训期限超过{absolute}年的上限", **figures))
    elif end > add_years(start, longest) and _blank(f.period_reason):
        out.append(_hard("period", "period.reason",
                         f"培训期限超过{longest}年，须填写延长理由（最长{absolute}年）", **figures))
    return out


def _conflict_reasons(f: FilingInput, other: ActiveEnrolment) -> list[str]:
    reasons = []
    if f.period_start and f.period_end and other.period_start <= f.period_end \
            and f.period_start <= other.period_end:
        reasons.append("培训期限重叠")
    if other.occupation_code == f.occupation_code and other.level == f.level:
        reasons.append("同一职业（工种）和等级")
    return reasons


def _age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _check_employment(f: FilingInput, params: Params) -> list[CheckResult]:
    """Apprentices are employees under contract (SPEC section 4): a labour contract that starts on or before
    the training start (and, when it has an end, does not end before the training does); age at the start
    no higher than the policy maximum (the minimum of 16 is part of the ID number check)."""
    out = []
    start, end = f.period_start, f.period_end
    for i, t in enumerate(f.trainees):
        who, path = trainee_label(i), f"trainees[{i}]"
        if t.contract_start is None:
            out.append(_hard("labour_contract", f"{path}.contract_start",
                             f"{who}未填写劳动合同起始日期（学徒须为与企业签订劳动合同的职工）"))
        elif start is not None and t.contract_start > start:
            out.append(_hard("labour_contract", f"{path}.contract_start",
                             f"{who}的劳动合同起始日期（{t.contract_start.isoformat()}）晚于培训开始日期"
                             f"（{start.isoformat()}），须在培训开始前签订劳动合同",
                             contract_start=t.contract_start.isoformat(), period_start=start.isoformat()))
        if t.contract_end is not None and t.contract_start is not None and t.contract_end < t.contract_start:
            out.append(_hard("labour_contract", f"{path}.contract_end",
                             f"{who}的劳动合同终止日期早于起始日期"))
        elif t.contract_end is not None and end is not None and t.contract_end < end:
            out.append(_hard("labour_contract", f"{path}.contract_end",
                             f"{who}的劳动合同终止日期（{t.contract_end.isoformat()}）早于培训结束日期"
                             f"（{end.isoformat()}），劳动合同须覆盖整个培训期限",
                             contract_end=t.contract_end.isoformat(), period_end=end.isoformat()))
        birth = id_birth_date(t.id_number) if t.id_number else None
        if birth is not None and start is not None and birth <= start:
            age = _age_on(birth, start)
            if age > params.max_trainee_age:
                out.append(_hard("age", f"{path}.id_number",
                                 f"{who}培训开始时年龄为{age}周岁，超过{params.max_trainee_age}周岁的上限",
                                 age=age, max_age=params.max_trainee_age))
    return out


def _check_trainees(f: FilingInput, active: Sequence[ActiveEnrolment], reveal: bool) -> list[CheckResult]:
    if not f.trainees:
        return [_hard("no_trainees", "trainees", "未填写学员，至少需要1名学员")]
    out = []
    first_seen: dict[str, int] = {}
    active_by_id: dict[str, list[ActiveEnrolment]] = {}
    for enrolment in active:
        active_by_id.setdefault(normalize_id_number(enrolment.id_number), []).append(enrolment)
    for i, t in enumerate(f.trainees):
        who, path = trainee_label(i), f"trainees[{i}]"
        if _blank(t.name):
            out.append(_hard("trainee_name", f"{path}.name", f"{who}未填写姓名"))
        error = id_number_error(t.id_number, f.period_start)
        if error:
            out.append(_hard("id_number", f"{path}.id_number", f"{who}的{error}"))
        number = normalize_id_number(t.id_number)
        if number and number in first_seen:
            out.append(_hard("duplicate_id", f"{path}.id_number",
                             f"{who}的身份证号码与第{first_seen[number] + 1}名学员重复",
                             other_index=first_seen[number]))
        elif number:
            first_seen[number] = i
            conflicts = [(e, r) for e in active_by_id.get(number, []) if (r := _conflict_reasons(f, e))]
            if conflicts:
                reasons = sorted({r for _, rs in conflicts for r in rs})
                refs = "、".join(e.filing_ref for e, _ in conflicts)
                where = f"其他有效备案（{refs}）" if reveal else "其他有效备案"
                details: dict[str, Any] = {"reasons": reasons, "count": len(conflicts)}
                if reveal:
                    details["filing_refs"] = [e.filing_ref for e, _ in conflicts]
                out.append(_hard("other_active_filing", f"{path}.id_number",
                                 f"{who}已在{where}中参加培训（{'；'.join(reasons)}），不能重复备案",
                                 **details))
        if _blank(t.job_post):
            out.append(_hard("job_post_missing", f"{path}.job_post", f"{who}未填写工作岗位"))
    return out


def _check_type_dates(f: FilingInput, params: Params) -> list[CheckResult]:
    """R7: a 技培生 graduated (year) no later than recruited, and was recruited no later than the training
    start. R8: a 学生学徒 graduates after the training start, within the policy window."""
    out = []
    start = f.period_start
    for i, t in enumerate(f.trainees):
        who, path = trainee_label(i), f"trainees[{i}]"
        if f.apprenticeship_type == "tech_trainee":
            if t.graduation_year is not None and t.recruited_on is not None \
                    and t.graduation_year > t.recruited_on.year:
                out.append(_hard("tech_trainee_dates", f"{path}.graduation_year",
                                 f"{who}的毕业年份（{t.graduation_year}年）晚于招用日期"
                                 f"（{t.recruited_on.isoformat()}），技培生应招用已毕业的学生"))
            if t.recruited_on is not None and start is not None and t.recruited_on > start:
                out.append(_hard("tech_trainee_dates", f"{path}.recruited_on",
                                 f"{who}的招用日期（{t.recruited_on.isoformat()}）晚于培训开始日期"
                                 f"（{start.isoformat()}）"))
        elif f.apprenticeship_type == "student_apprentice" and t.expected_graduation is not None \
                and start is not None:
            window = params.student_graduation_window_years
            if t.expected_graduation <= start:
                out.append(_hard("student_dates", f"{path}.expected_graduation",
                                 f"{who}的预计毕业时间（{t.expected_graduation.isoformat()}）不晚于培训开始日期"
                                 f"（{start.isoformat()}），学生学徒应为在读学生"))
            elif t.expected_graduation > add_years(start, window):
                out.append(_hard("student_dates", f"{path}.expected_graduation",
                                 f"{who}的预计毕业时间（{t.expected_graduation.isoformat()}）超出培训开始后"
                                 f"{window}年的范围", window_years=window))
    return out


def _check_type_fields(f: FilingInput) -> list[CheckResult]:
    """R7 技培生 and R8 学生学徒 carry extra fields on the filing and on every trainee."""
    kind = f.apprenticeship_type
    if kind == "tech_trainee":
        filing_fields = [("career_plan", f.career_plan, "职业发展规划")]
        trainee_fields = [("school", "毕业院校"), ("graduation_year", "毕业年份"),
                          ("recruited_on", "招用日期")]
    elif kind == "student_apprentice":
        filing_fields = [("training_goals", f.training_goals, "培养目标"),
                         ("retention_measures", f.retention_measures, "留用及晋升措施")]
        trainee_fields = [("school", "在读院校"), ("major", "所学专业"),
                          ("expected_graduation", "预计毕业时间")]
    else:
        return []
    label = APPRENTICESHIP_TYPES[kind]
    out = [_hard("type_fields", name, f"{label}备案须填写{words}")
           for name, value, words in filing_fields if _blank(value)]
    for i, t in enumerate(f.trainees):
        for name, words in trainee_fields:
            value = getattr(t, name)
            if value is None or (isinstance(value, str) and _blank(value)):
                out.append(_hard("type_fields", f"trainees[{i}].{name}",
                                 f"{trainee_label(i)}未填写{words}（{label}必填）"))
    return out


def _check_courses(f: FilingInput, textbooks: Mapping[str, Textbook]) -> list[CheckResult]:
    """R9: required courses use catalogue textbooks; other off-catalogue textbooks need a reason."""
    if not f.courses:
        return [_hard("no_courses", "courses", "未填写培训课程，至少需要1门课程")]
    out = []
    for i, c in enumerate(f.courses):
        what, path = course_label(i, c), f"courses[{i}]"
        if c.category not in COURSE_CATEGORIES:
            out.append(_hard("course_category", f"{path}.category", f"第{i + 1}门课程的课程类别无效"))
        if _blank(c.name):
            out.append(_hard("course_name", f"{path}.name", f"第{i + 1}门课程未填写课程名称"))
        if not isinstance(c.hours, int) or c.hours <= 0:
            out.append(_hard("course_hours", f"{path}.hours", f"{what}的学时应大于0"))
        isbn = c.textbook_isbn.strip()
        error = isbn_error(isbn) if isbn else None
        if error:
            out.append(_hard("isbn", f"{path}.textbook_isbn", f"{what}的教材{error}"))
            continue
        in_catalogue = find_textbook(textbooks, isbn) is not None
        if c.category == "general_required" and not isbn:
            out.append(_hard("required_textbook", f"{path}.textbook_isbn",
                             f"{what}未填写教材ISBN，通用素质必修课须使用全国职业培训规划教材目录内的教材"))
        elif c.category == "general_required" and not in_catalogue:
            out.append(_hard("required_textbook", f"{path}.textbook_isbn",
                             f"{what}的教材不在全国职业培训规划教材目录内", isbn=normalize_isbn(isbn)))
        elif c.category in COURSE_CATEGORIES and not in_catalogue and _blank(c.off_catalogue_reason):
            problem = "的教材不在全国职业培训规划教材目录内" if isbn else "未使用目录内教材"
            out.append(_hard("off_catalogue_reason", f"{path}.off_catalogue_reason",
                             f"{what}{problem}，须填写使用理由"))
    return out


# Course categories taught in class (theory); 专业技能课 is practical training.
CLASS_CATEGORIES = ("general_required", "general_elective", "professional_basic")


def training_months(start: date, end: date) -> int:
    """Whole months of a training period (an inclusive end such as 2024-03-01 to 2026-02-28 counts 24)."""
    last = end + timedelta(days=1)
    months = (last.year - start.year) * 12 + last.month - start.month - (last.day < start.day)
    return max(months, 1)


def _check_hours(f: FilingInput, params: Params) -> list[CheckResult]:
    """At least one 通用素质必修课; total and in-class hours at least the policy minimum per training year."""
    if not f.courses:
        return []
    out = []
    if not any(c.category == "general_required" for c in f.courses):
        out.append(_hard("general_required_missing", "courses",
                         "未安排通用素质必修课，至少需要1门通用素质必修课"))
    if f.period_start is None or f.period_end is None or f.period_end <= f.period_start:
        return out
    months = training_months(f.period_start, f.period_end)
    hours = [c.hours if isinstance(c.hours, int) and c.hours > 0 else 0 for c in f.courses]
    total = sum(hours)
    in_class = sum(h for h, c in zip(hours, f.courses, strict=True) if c.category in CLASS_CATEGORIES)
    need_total = math.ceil(params.min_hours_per_year * months / 12)
    need_class = math.ceil(params.min_class_hours_per_year * months / 12)
    years = f"{months // 12}年" + (f"{months % 12}个月" if months % 12 else "") if months >= 12 else f"{months}个月"
    if total < need_total:
        out.append(_hard("training_hours", "courses",
                         f"培训总学时为{total}学时，少于培训期限（{years}）要求的{need_total}学时"
                         f"（每年至少{params.min_hours_per_year}学时）",
                         total=total, required=need_total, months=months))
    if in_class < need_class:
        out.append(_hard("class_hours", "courses",
                         f"理论课（通用素质课、专业基础课）学时为{in_class}学时，少于培训期限（{years}）要求的"
                         f"{need_class}学时（每年至少{params.min_class_hours_per_year}学时）",
                         in_class=in_class, required=need_class, months=months))
    return out


def _check_attachments(f: FilingInput, params: Params) -> list[CheckResult]:
    """A required supporting document missing (SPEC section 4; the kinds per type are a policy parameter)."""
    present = set(f.attachment_kinds)
    return [_hard("attachment_missing", "attachments",
                  f"缺少证明材料：{ATTACHMENT_KINDS.get(kind, kind)}"
                  f"（{APPRENTICESHIP_TYPES.get(f.apprenticeship_type, '')}备案必须上传）", kind=kind)
            for kind in params.required_attachments.get(f.apprenticeship_type, ()) if kind not in present]


def hard_checks(f: FilingInput, occupations: Mapping[str, Occupation], textbooks: Mapping[str, Textbook],
                active: Sequence[ActiveEnrolment], params: Params,
                reveal_other_filing: bool = False) -> list[CheckResult]:
    """Every hard-rule failure of a filing at once (empty list: it may be submitted).

    ``active`` holds the trainees of other active filings; a trainee conflicts with one when the
    periods overlap or it is for the same occupation and level. The enterprise is not told which
    filing unless ``reveal_other_filing`` (reviewers).
    """
    return [
        *_check_header(f, occupations),
        *_check_period(f, params),
        *_check_trainees(f, active, reveal_other_filing),
        *_check_employment(f, params),
        *_check_type_fields(f),
        *_check_type_dates(f, params),
        *_check_courses(f, textbooks),
        *_check_hours(f, params),
        *_check_attachments(f, params),
    ]
