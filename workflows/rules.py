"""The domain checks of SPEC.md section 4: hard rules block a submission, soft rules inform the reviewer.

Pure functions over plain dataclasses: no database, no Flask, no SpiffWorkflow, no I/O. The service
layer loads the catalogues and the district's figures, builds a ``FilingInput`` and calls
``hard_checks`` (all failures at once, each naming its field), ``soft_checks`` (one result per soft
rule, figures in ``details``) and, at approval, ``budget_check``. Identifier checks live in
``workflows.rules_ids`` and are re-exported here. Messages are Simplified Chinese; amounts are
integer fen; shares in ``details`` are floats rounded to 4 places.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

from workflows.rules_ids import (
    APPRENTICESHIP_TYPES,
    COURSE_CATEGORIES,
    GUANGZHOU_AREAS,
    INSTITUTION_TYPES,
    LEVELS,
    Occupation,
    Textbook,
    add_years,
    area_label,
    credit_code_area,
    credit_code_error,
    id_birth_date,
    id_number_error,
    is_guangzhou_area,
    isbn_error,
    load_occupations_csv,
    load_textbooks_csv,
    normalize_credit_code,
    normalize_id_number,
    normalize_isbn,
    occupations_by_code,
    textbooks_by_isbn,
)

__all__ = [
    "GUANGZHOU_AREAS", "add_years", "area_label", "credit_code_area", "credit_code_error",
    "id_birth_date", "id_number_error", "is_guangzhou_area", "isbn_error", "normalize_credit_code",
    "normalize_id_number", "normalize_isbn",
    "APPRENTICESHIP_TYPES", "LEVELS", "COURSE_CATEGORIES", "INSTITUTION_TYPES",
    "CheckResult", "Occupation", "Textbook", "load_occupations_csv", "load_textbooks_csv",
    "occupations_by_code", "textbooks_by_isbn", "job_post_match",
    "TraineeInput", "CourseInput", "FilingInput", "ActiveEnrolment", "Params", "DistrictYearFigures",
    "hard_checks", "soft_checks", "budget_check", "period_years", "subsidy_fen", "fen_to_yuan_str",
    "format_share", "shared_job_post_tokens",
]


@dataclass(frozen=True)
class CheckResult:
    """One rule's verdict; ``details`` holds the JSON-serializable figures behind the message."""

    rule: str
    severity: str
    ok: bool
    field: str | None
    message: str
    details: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON columns, the API and the workflow data."""
        return asdict(self)


def _find_textbook(textbooks: Mapping[str, Textbook], isbn: str) -> Textbook | None:
    if not isbn.strip() or isbn_error(isbn):
        return None
    return textbooks.get(normalize_isbn(isbn)) or textbooks.get(isbn.strip())


# --- job post / occupation matching (R2) ---------------------------------------------------------

# Bigrams shared by many unrelated posts; sharing only these says nothing about the occupation.
_GENERIC_BIGRAMS = frozenset(
    "操作 人员 技术 工程 管理 服务 系统 设备 生产 专员 助理 主管 经理 组长 班长 工人 员工 作业 岗位 "
    "高级 中级 初级 技工 普工 学徒 数控 机床 加工 维护 调试 中心 车间 一线".split()
)
# Role words that may follow the occupation in a post title ("焊工班长") without changing the trade.
_ROLE_SUFFIXES = ("组长", "班长", "领班", "主管", "师傅", "学徒", "助理", "岗")
_BRACKETED = re.compile(r"[(\[【].*?[)\]】]")
_NOISE = re.compile(r"[\s\-_/·.、,，;；:：]+")


def _norm_post(text: str) -> str:
    return _NOISE.sub("", unicodedata.normalize("NFKC", text or "")).lower()


def _tokens(text: str) -> set[str]:
    """Meaningful tokens: CJK bigrams not in the generic list, and ASCII words of 2+ letters (CNC, PLC)."""
    grams = {a + b for a, b in zip(text, text[1:], strict=False) if _is_cjk(a) and _is_cjk(b)}
    words = {w for w in re.findall(r"[a-z0-9]{2,}", text) if not w.isdigit()}
    return (grams - _GENERIC_BIGRAMS) | words


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def _terms(occupation: Occupation) -> list[str]:
    names = (occupation.name, *occupation.aliases, *occupation.job_posts)
    return [t for t in (_norm_post(n) for n in names) if t]


def _post_variants(job_post: str) -> set[str]:
    """The post as typed, without bracketed remarks, and without a trailing role word."""
    base = {_norm_post(job_post), _norm_post(_BRACKETED.sub("", unicodedata.normalize("NFKC", job_post)))}
    stripped = {v[: -len(s)] for v in base for s in _ROLE_SUFFIXES if v.endswith(s) and len(v) > len(s)}
    return {v for v in base | stripped if v}


def shared_job_post_tokens(job_post: str, occupation: Occupation) -> list[str]:
    """The meaningful tokens a post shares with the occupation's name, aliases and job posts."""
    post_tokens = _tokens(_norm_post(job_post))
    occupation_tokens: set[str] = set()
    for term in _terms(occupation):
        occupation_tokens |= _tokens(term)
    return sorted(post_tokens & occupation_tokens)


def job_post_match(job_post: str, occupation: Occupation) -> str:
    """Classify a trainee's job post against the trained occupation: 'match', 'likely' or 'mismatch'.

    Heuristic (after NFKC folding, lower-casing and removing spaces and punctuation); the catalogue's
    name, aliases and typical job posts are the "terms":

    * 'match' when the post (or the post without a bracketed remark, or without a trailing role word
      such as 组长/班长/学徒) equals a term or ends with it ("数控车工", "高级焊工", "车工组长" all match
      车工), or contains a term of 4+ characters ("CNC数控车床操作工（夜班）"). Ending, not containing,
      for short terms, so that "汽车工艺员" does not match 车工.
    * 'likely' when post and terms share a meaningful token: two consecutive CJK characters that are
      not a generic word (操作, 管理, 数控, 设备 ...), or an ASCII word such as CNC or PLC.
    * 'mismatch' otherwise, including an empty post.
    """
    variants = _post_variants(job_post)
    if not variants:
        return "mismatch"
    for term in _terms(occupation):
        for post in variants:
            if post == term or post.endswith(term) or (len(term) >= 4 and term in post):
                return "match"
    return "likely" if shared_job_post_tokens(job_post, occupation) else "mismatch"


# --- filing input ---------------------------------------------------------------------------------


@dataclass
class TraineeInput:
    """A trainee as entered; school/graduation/recruitment fields apply to 技培生 and 学生学徒."""

    name: str
    id_number: str
    job_post: str
    contract_start: date | None = None
    school: str = ""
    graduation_year: int | None = None
    recruited_on: date | None = None
    major: str = ""
    expected_graduation: date | None = None


@dataclass
class CourseInput:
    """A course; ``textbook_isbn`` empty means no catalogue textbook (enterprise material)."""

    category: str
    name: str
    hours: int
    textbook_isbn: str = ""
    off_catalogue_reason: str = ""


@dataclass
class FilingInput:
    """The content of one training filing, as the checks need it."""

    enterprise_credit_code: str
    apprenticeship_type: str
    occupation_code: str
    level: int
    period_start: date | None
    period_end: date | None
    period_reason: str
    trainees: list[TraineeInput]
    courses: list[CourseInput]
    career_plan: str = ""
    training_goals: str = ""
    retention_measures: str = ""
    institution_name: str = ""
    institution_type: str = ""
    tutor_enterprise: str = ""
    tutor_institution: str = ""


@dataclass(frozen=True)
class ActiveEnrolment:
    """A trainee in another active filing; ``filing_ref`` is shown to reviewers only."""

    id_number: str
    occupation_code: str
    level: int
    period_start: date
    period_end: date
    filing_ref: str


@dataclass(frozen=True)
class Params:
    """Policy parameters in force."""

    max_period_years: int = 2
    max_period_years_with_reason: int = 3
    enterprise_share_threshold: float = 0.20
    occupation_share_threshold: float = 0.30
    intermediate_min_share: float = 0.70


@dataclass(frozen=True)
class DistrictYearFigures:
    """The district's year so far, NOT counting the filing being checked; money in fen."""

    planned_headcount: int
    budget_fen: int
    committed_fen: int
    trainees_total: int
    trainees_intermediate_up: int
    trainees_same_enterprise: int
    trainees_same_occupation: int


# --- hard checks -----------------------------------------------------------------------------------


def _hard(rule: str, field: str | None, message: str, **details: Any) -> CheckResult:
    return CheckResult(rule, "hard", False, field, message, details)


def _blank(value: str | None) -> bool:
    return not (value or "").strip()


def _trainee(i: int) -> str:
    return f"第{i + 1}名学员"


def _course(i: int, course: CourseInput) -> str:
    label = COURSE_CATEGORIES.get(course.category, "课程")
    return f"{label}《{course.name.strip()}》" if course.name.strip() else f"第{i + 1}门课程（{label}）"


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


def _check_trainees(f: FilingInput, active: Sequence[ActiveEnrolment], reveal: bool) -> list[CheckResult]:
    if not f.trainees:
        return [_hard("no_trainees", "trainees", "未填写学员，至少需要1名学员")]
    out = []
    first_seen: dict[str, int] = {}
    active_by_id: dict[str, list[ActiveEnrolment]] = {}
    for enrolment in active:
        active_by_id.setdefault(normalize_id_number(enrolment.id_number), []).append(enrolment)
    for i, t in enumerate(f.trainees):
        who, path = _trainee(i), f"trainees[{i}]"
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
                                 f"{_trainee(i)}未填写{words}（{label}必填）"))
    return out


def _check_courses(f: FilingInput, textbooks: Mapping[str, Textbook]) -> list[CheckResult]:
    """R9: required courses use catalogue textbooks; other off-catalogue textbooks need a reason."""
    if not f.courses:
        return [_hard("no_courses", "courses", "未填写培训课程，至少需要1门课程")]
    out = []
    for i, c in enumerate(f.courses):
        what, path = _course(i, c), f"courses[{i}]"
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
        in_catalogue = _find_textbook(textbooks, isbn) is not None
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
        *_check_type_fields(f),
        *_check_courses(f, textbooks),
    ]


# --- soft checks -----------------------------------------------------------------------------------


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
                             f"{_trainee(i)}的工作岗位无法比对：培训职业（工种）不在目录内",
                             result="mismatch", job_post=post, tokens=[]))
            continue
        result = job_post_match(post, occupation)
        out.append(_soft("job_post_match", result == "match", f"trainees[{i}].job_post",
                         f"{_trainee(i)}的工作岗位“{post}”与培训职业（工种）“{occupation.name}”{words[result]}",
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


def _intermediate(f: FilingInput, year: DistrictYearFigures, minimum: float) -> CheckResult:
    """R3: trainees at 四级/中级工 and above as a share of the district's trainees this year."""
    n = len(f.trainees)
    counts = isinstance(f.level, int) and 1 <= f.level <= 4
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
        if c.category == "general_required" or _find_textbook(textbooks, c.textbook_isbn) is not None:
            continue
        isbn = c.textbook_isbn.strip()
        reason = c.off_catalogue_reason.strip()
        out.append(_soft("off_catalogue_textbook", False, f"courses[{i}].textbook_isbn",
                         f"{_course(i, c)}使用目录外教材（ISBN：{isbn or '未填写'}），"
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


def soft_checks(f: FilingInput, occupations: Mapping[str, Occupation], textbooks: Mapping[str, Textbook],
                year: DistrictYearFigures, params: Params) -> list[CheckResult]:
    """The soft rules for the reviewer: one result per rule (per trainee / course where it applies).

    ``year`` excludes this filing; "before" and "after" figures show the effect of approving it.
    """
    occupation = occupations.get(f.occupation_code)
    n = len(f.trainees)
    occupation_name = occupation.name if occupation else f.occupation_code
    return [
        *_job_post_results(f, occupation),
        _concentration("enterprise_concentration", None, "本企业", year.trainees_same_enterprise, n, year,
                       params.enterprise_share_threshold),
        _concentration("occupation_concentration", "occupation_code", f"{occupation_name}职业（工种）",
                       year.trainees_same_occupation, n, year, params.occupation_share_threshold),
        _intermediate(f, year, params.intermediate_min_share),
        *_off_catalogue(f, textbooks),
        _area(f),
    ]


# --- money (R5) ------------------------------------------------------------------------------------


def budget_check(subsidy_fen: int, year: DistrictYearFigures) -> CheckResult:
    """Hard rule at approval: the district's committed subsidy plus this one must fit the budget."""
    remaining = year.budget_fen - year.committed_fen
    after = remaining - subsidy_fen
    ok = after >= 0
    tail = f"，批准后剩余{fen_to_yuan_str(after)}元" if ok else f"，超出{fen_to_yuan_str(-after)}元，不能批准"
    return CheckResult(
        "budget", "hard", ok, "fund_plan",
        f"本区年度培训经费预算{fen_to_yuan_str(year.budget_fen)}元，已占用{fen_to_yuan_str(year.committed_fen)}元，"
        f"本次申请补贴{fen_to_yuan_str(subsidy_fen)}元，剩余{fen_to_yuan_str(remaining)}元{tail}",
        {"budget_fen": year.budget_fen, "committed_fen": year.committed_fen, "subsidy_fen": subsidy_fen,
         "remaining_fen": remaining, "remaining_after_fen": after},
    )


def period_years(start: date, end: date) -> int:
    """Whole years billed for a period: the ceiling of its length in calendar years, at least 1.

    Inclusive and exclusive end dates both bill 2 years for 2024-03-01 to 2026-02-28 / 2026-03-01.
    """
    years = 1
    while add_years(start, years) < end:
        years += 1
    return years


def subsidy_fen(trainee_count: int, rate_yuan_per_year: int, years: int) -> int:
    """Requested subsidy in fen: trainees x yearly rate per person (yuan) x years billed."""
    if min(trainee_count, rate_yuan_per_year, years) < 0:
        raise ValueError("人数、补贴标准和年数不能为负数")
    return trainee_count * rate_yuan_per_year * 100 * years


def fen_to_yuan_str(fen: int) -> str:
    """Integer fen as yuan with thousands separators and 2 decimals: 1234500 -> '12,345.00'."""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}{yuan:,}.{cents:02d}"


def format_share(x: float) -> str:
    """A share as a percentage with one decimal: 0.725 -> '72.5%'."""
    return f"{round(x * 100, 1):.1f}%"
