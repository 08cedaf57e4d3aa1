"""Policy parameters in force at an instant (SPEC R3-R5, R9; issue "rules").

The first version comes from these defaults; versioned, admin-edited parameters build on this seam.
Money is integer fen; rates are yuan per person per year.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session


def _default_rates() -> dict[str, dict[int, int]]:
    # Guangdong 2023: 5000-8500 yuan per person per year for the new apprenticeship, 5000 for students;
    # priced by level as in Shenzhen (四级 5500, 三级 7000, 二级 8500).
    enterprise = {5: 5000, 4: 5500, 3: 7000, 2: 8500, 1: 8500}
    return {
        "enterprise_apprentice": dict(enterprise),
        "tech_trainee": dict(enterprise),
        "student_apprentice": {5: 5000, 4: 5000, 3: 5000, 2: 5000, 1: 5000},
    }


@dataclass(frozen=True)
class PolicyParams:
    version_id: int | None = None
    enterprise_share_threshold: float = 0.20
    occupation_share_threshold: float = 0.30
    intermediate_min_share: float = 0.70
    max_period_years: int = 2
    max_period_years_with_reason: int = 3
    resubmit_window_days: int = 15
    resubmit_working_days: bool = False
    rates: dict[str, dict[int, int]] = field(default_factory=_default_rates)

    def rate(self, apprenticeship_type: str, level: int) -> int:
        return int(self.rates.get(apprenticeship_type, {}).get(int(level), 0))

    def to_dict(self) -> dict:
        return asdict(self)


def in_force(session: Session, at: datetime | None = None) -> PolicyParams:
    """The parameters in force at ``at`` (defaults until an admin has versioned them)."""
    return PolicyParams()
