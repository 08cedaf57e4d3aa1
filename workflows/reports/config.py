"""The semiannual report's constants, settings and half-year periods: kind and process, the editable
statuses, status labels, the city's decisions, size limits, the deadline settings (``configure``), and
period keys and labels (``2027H1``, ``2027年上半年``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from workflows.clock import china_today
from workflows.models.report_models import HALF_LABELS

KIND = "semiannual_report"
PROCESS_ID = "semiannual_report"
EDIT_FORM = "report_edit"  # the district's task: write, and after ask-for-more revise, the report
ACCEPT_FORM = "report_accept"  # the city's task: accept or ask for more

# Plan/report statuses (SPEC section 6); a report's 'recorded' reads 已接收.
STATUS_LABELS: dict[str, str] = {
    "compiling": "待编制",
    "city_record": "待市接收",
    "returned": "已退回",
    "recorded": "已接收",
}

KIND_LABEL = "半年报告"

# The city's decisions on form report_accept: audit action label, comment required.
DECISIONS: dict[str, dict[str, tuple[str, bool]]] = {
    "report_accept": {"accept": ("接收", False), "more": ("要求补充", True)},
}

MAX_FILES_PER_CASE = 60
MAX_CASES = 100
MAX_PUBLICITY = 200


@dataclass
class ReportSettings:
    """Parameters (config REPORT_DUE_DAY, REPORT_REMINDER_DAYS), set by the web layer at start-up."""

    due_day: int = 10  # day of the month after the half-year
    reminder_days: int = 5  # reminder this many days before the due date


SETTINGS = ReportSettings()


def configure(due_day: int | None = None, reminder_days: int | None = None) -> ReportSettings:
    """Set the report parameters (called once with the app's config)."""
    if due_day is not None:
        SETTINGS.due_day = int(due_day)
    if reminder_days is not None:
        SETTINGS.reminder_days = int(reminder_days)
    return SETTINGS


# --------------------------------------------------------------------------------------------------
# Periods


def half_of(day: date) -> tuple[int, int]:
    """(year, half 1-2) of a date."""
    return day.year, 1 if day.month <= 6 else 2


def last_ended_half(at: datetime) -> tuple[int, int]:
    """The most recent half-year that has ended by ``at`` (China time)."""
    year, half = half_of(china_today(at))
    return (year - 1, 2) if half == 1 else (year, 1)


def period_key(year: int, half: int) -> str:
    """(2027, 1) -> '2027H1'."""
    return f"{year}H{half}"


def parse_period_key(key: str) -> tuple[int, int]:
    """'2027H1' -> (2027, 1); ValueError otherwise."""
    year, sep, half = key.strip().upper().partition("H")
    y, h = int(year), int(half)
    if not sep or not (2000 <= y <= 2100 and h in (1, 2)):
        raise ValueError(key)
    return y, h


def period_label(year: int, half: int) -> str:
    """(2027, 1) -> '2027年上半年'."""
    return f"{year}年{HALF_LABELS[half]}"


def business_key(district_code: str, year: int, half: int) -> str:
    """The case's business key: ``440112-2027H1``."""
    return f"{district_code}-{period_key(year, half)}"


def status_label(code: str) -> str:
    """The Chinese label of a report status (a report's 'recorded' reads 已接收)."""
    return STATUS_LABELS.get(code, code)
