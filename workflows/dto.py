"""Plain data passed between the web/API layers and the service layer (no ORM, no Flask)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Actor:
    """Who is acting: enough to decide scope without touching the session's User object."""

    id: int
    name: str
    role: str  # enterprise | district | city | admin
    district_code: str | None = None
    enterprise_id: int | None = None
    # For the security log: the account name and the client's address (the web fills them in).
    username: str = ""
    address: str = ""


@dataclass
class TraineeData:
    name: str = ""
    id_number: str = ""
    job_post: str = ""
    contract_start: date | None = None
    contract_end: date | None = None
    school: str = ""
    graduation_year: int | None = None
    recruited_on: date | None = None
    major: str = ""
    expected_graduation: date | None = None


@dataclass
class CourseData:
    category: str = "general_required"
    name: str = ""
    hours: int = 0
    textbook_isbn: str = ""
    off_catalogue_reason: str = ""


@dataclass
class FilingData:
    """The content of a filing, named as the API names it (SPEC section 3)."""

    apprenticeship_type: str = "enterprise_apprentice"
    occupation_code: str = ""
    level: int = 4
    institution_name: str = ""
    institution_type: str = "technical_school"
    period_start: date | None = None
    period_end: date | None = None
    period_reason: str = ""
    tutor_enterprise: str = ""
    tutor_institution: str = ""
    career_plan: str = ""
    training_goals: str = ""
    retention_measures: str = ""
    trainees: list[TraineeData] = field(default_factory=list)
    courses: list[CourseData] = field(default_factory=list)
