"""The quarterly plan's constants and settings: its kind and process, status labels, the filings it is
pre-filled from, the city's decisions, the deadline settings (``configure``), business key and title,
and the history's action labels.
"""

from __future__ import annotations

from dataclasses import dataclass

from workflows import deadlines
from workflows.filings.status import COUNTED
from workflows.models import DISTRICTS

KIND = "quarterly_plan"
PROCESS_ID = "quarterly_plan"

PLAN_STATUS_LABELS: dict[str, str] = {
    "compiling": "待编制",
    "city_record": "待市备案",
    "returned": "已退回",
    "recorded": "已备案",
}
# Filings a plan is pre-filled from: under district review or approved (SPEC R11, issue 5).
SOURCE_STATUSES = COUNTED

KIND_LABEL = "季度计划"

# The city's decision on a submitted plan (task form ``plan_record``); the gateway reads ``decision``.
DECISIONS: dict[str, dict[str, tuple[str, bool]]] = {
    "plan_record": {"record": ("予以备案", False), "return": ("退回修改", True)},
}


@dataclass
class PlanSettings:
    """Parameters of the plan deadline (set from the app config by the web layer)."""

    due_day: int = 10          # due: this day of the quarter's first month (end of day, China time)
    reminder_days: int = 5     # in-app reminder this many days before the due date
    auto_open: bool = True     # open every district's plan when the quarter begins (tick)


SETTINGS = PlanSettings()


def configure(due_day: int | None = None, reminder_days: int | None = None, auto_open: bool | None = None) -> None:
    """Set the deadline settings from the app config (None leaves a setting as it is)."""
    if due_day is not None:
        SETTINGS.due_day = int(due_day)
    if reminder_days is not None:
        SETTINGS.reminder_days = int(reminder_days)
    if auto_open is not None:
        SETTINGS.auto_open = bool(auto_open)


def business_key(district_code: str, year: int, quarter: int) -> str:
    """The case's business key: ``440106-2027Q1``."""
    return f"{district_code}-{deadlines.quarter_key(year, quarter)}"


def plan_title(district_code: str, year: int, quarter: int) -> str:
    """The plan's title as people read it: 天河区2027年第1季度培训计划."""
    return f"{DISTRICTS.get(district_code, district_code)}{year}年第{quarter}季度培训计划"


ACTION_LABELS: dict[str, str] = {
    "open": "开启计划", "save": "保存计划", "refresh": "更新备案数据", "submit": "提交计划",
    "resubmit": "重新提交计划", "record": "予以备案", "return": "退回修改", "urge": "催办", "timer": "期限届满",
}
