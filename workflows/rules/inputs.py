"""The data the filing rules work on: ``CheckResult`` (one rule's verdict) and the plain inputs
(``FilingInput`` with its trainees and courses, other filings' ``ActiveEnrolment``s, policy ``Params``,
the district's ``DistrictYearFigures``), plus the small labelling helpers hard and soft checks share.

Pure dataclasses: no database, no Flask, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from workflows.rules.ids import COURSE_CATEGORIES, Textbook, isbn_error, normalize_isbn


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
        """Plain dict for JSON columns, the API and the workflow data (``details`` copied, as ``asdict`` would,
        without its generic per-field walk: this runs for every result of every check)."""
        return {"rule": self.rule, "severity": self.severity, "ok": self.ok, "field": self.field,
                "message": self.message, "details": _plain(self.details)}


def _plain(value: Any) -> Any:
    """A copy of JSON-like data (dicts, lists and tuples of scalars)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_plain(v) for v in value)
    return value


@dataclass
class TraineeInput:
    """A trainee as entered; school/graduation/recruitment fields apply to 技培生 and 学生学徒."""

    name: str
    id_number: str
    job_post: str
    contract_start: date | None = None
    contract_end: date | None = None
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
    # The kinds of the supporting documents attached (``models.filing.ATTACHMENT_KINDS`` codes).
    attachment_kinds: tuple[str, ...] = ()


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
    max_trainee_age: int = 60
    student_graduation_window_years: int = 2
    # The highest level (lowest number: 3 = 三级/高级工) a 学生学徒 filing may train without a soft flag.
    student_highest_level: int = 3
    min_hours_per_year: int = 600
    min_class_hours_per_year: int = 120
    # apprenticeship type -> supporting-document kinds required at submission
    required_attachments: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


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


# --- labels and look-ups shared by the hard and soft checks ----------------------------------------


def find_textbook(textbooks: Mapping[str, Textbook], isbn: str) -> Textbook | None:
    """The catalogue textbook for an ISBN as typed (normalized or verbatim), or None (blank/invalid/unknown)."""
    if not isbn.strip() or isbn_error(isbn):
        return None
    return textbooks.get(normalize_isbn(isbn)) or textbooks.get(isbn.strip())


def trainee_label(i: int) -> str:
    """How messages name the i-th trainee (0-based): 第1名学员."""
    return f"第{i + 1}名学员"


def course_label(i: int, course: CourseInput) -> str:
    """How messages name a course: its category and title, or its position when untitled."""
    label = COURSE_CATEGORIES.get(course.category, "课程")
    return f"{label}《{course.name.strip()}》" if course.name.strip() else f"第{i + 1}门课程（{label}）"


# --- dates as people type them -----------------------------------------------------------------------

DATE_FORMS_HINT = "2027-03-01、2027/3/1、20270301 或 2027年3月1日"
# The forms the filing screens accept (the page's text inputs carry the same pattern, DATE_PATTERN).
_DATE_FORMS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
)
DATE_PATTERN = r"\s*(\d{4}[\-\/.]\d{1,2}[\-\/.]\d{1,2}|\d{8}|\d{4}年\d{1,2}月\d{1,2}日?)\s*"


def parse_date_text(text: str | None) -> date | None:
    """A date typed in one of the usual Chinese forms (``DATE_FORMS_HINT``); None when blank.

    Full-width digits and separators are folded first (２０２７－０３－０１). ValueError (with a Chinese
    message) for anything else or an impossible day (2027-02-30)."""
    value = (text or "").strip()
    if not value:
        return None
    value = value.translate(_FULL_WIDTH).replace(" ", "")
    for form in _DATE_FORMS:
        match = form.match(value)
        if match:
            year, month, day = (int(g) for g in match.groups())
            try:
                return date(year, month, day)
            except ValueError:
                raise ValueError(f"日期“{text}”不存在，请检查年月日") from None
    raise ValueError(f"日期格式不正确，请填写如 {DATE_FORMS_HINT}")


_FULL_WIDTH = str.maketrans("０１２３４５６７８９－／．", "0123456789-/.")
