"""The data the filing rules work on: ``CheckResult`` (one rule's verdict) and the plain inputs
(``FilingInput`` with its trainees and courses, other filings' ``ActiveEnrolment``s, policy ``Params``,
the district's ``DistrictYearFigures``), plus the small labelling helpers hard and soft checks share.

Pure dataclasses: no database, no Flask, no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
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
        """Plain dict for JSON columns, the API and the workflow data."""
        return asdict(self)


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
