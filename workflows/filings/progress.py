"""The step indicator of a filing (企业提交 -> 区审核 -> 市备案): who did each step and when, with every
return shown as a loop, read from the case history (pure: no engine, no query); and the district's
decision the city's record page shows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


class Event(Protocol):
    action: str
    actor_name: str
    comment: str
    created_at: datetime
    details: dict | None


STEPS: tuple[tuple[str, str], ...] = (("submit", "企业提交"), ("district", "区审核"), ("city", "市备案"))
# Which history actions complete (or end) each step.
STEP_ACTIONS: dict[str, tuple[str, ...]] = {
    "submit": ("submit", "resubmit"),
    "district": ("approve", "reject"),
    "city": ("record",),
}
LOOP_ACTIONS: dict[str, str] = {"return": "区人社局退回企业修改", "send_back": "市中心退回区局重新审核"}
ENDINGS: dict[str, str] = {"rejected": "不予通过", "withdrawn": "企业撤回", "expired": "逾期关闭"}
# The step a case in each status is at.
CURRENT: dict[str, str] = {"draft": "submit", "returned": "submit", "district_review": "district",
                           "city_record": "city"}


@dataclass
class Step:
    key: str
    label: str
    state: str = "pending"  # done | current | pending | ended | skipped
    who: str = ""
    when: datetime | None = None
    note: str = ""


@dataclass
class Loop:
    """A return: which way it went, who sent it, when and why."""

    label: str
    who: str
    when: datetime
    comment: str


@dataclass
class Progress:
    steps: list[Step] = field(default_factory=list)
    loops: list[Loop] = field(default_factory=list)
    ended: str = ""  # 不予通过 / 企业撤回 / 逾期关闭 when the case stopped early


def progress(history: Sequence[Event], status: str) -> Progress:
    """The three steps with their latest completion, the loops in order, and how an early end reads."""
    steps = {key: Step(key, label) for key, label in STEPS}
    loops: list[Loop] = []
    for event in history:
        if event.action in LOOP_ACTIONS:
            loops.append(Loop(LOOP_ACTIONS[event.action], event.actor_name, event.created_at, event.comment or ""))
            # A return reopens the steps after the one it goes back to.
            reopened = ("submit", "district", "city") if event.action == "return" else ("district", "city")
            for key in reopened:
                steps[key].state, steps[key].who, steps[key].when = "pending", "", None
            continue
        for key, actions in STEP_ACTIONS.items():
            if event.action in actions:
                step = steps[key]
                step.state, step.who, step.when = "done", event.actor_name, event.created_at
                step.note = {"resubmit": "重新提交", "reject": "不予通过"}.get(event.action, "")
                if event.action == "reject":
                    step.state = "ended"
    current = CURRENT.get(status)
    if current is not None:
        steps[current].state = "current"
        steps[current].who, steps[current].when = "", None
    ended = ENDINGS.get(status, "")
    if ended:
        for step in steps.values():
            if step.state == "pending":
                step.state = "skipped"
    return Progress(list(steps.values()), loops, ended)


@dataclass(frozen=True)
class DistrictDecision:
    """The district's latest decision on a filing, as the city reads it."""

    decision: str
    label: str
    comment: str
    reviewer: str
    at: datetime
    figures: dict[str, Any]


DISTRICT_LABELS = {"approve": "通过", "return": "退回修改", "reject": "不予通过"}


def district_decision(history: Sequence[Event]) -> DistrictDecision | None:
    """The last district decision in the history (None if the district has not decided yet)."""
    for event in reversed(list(history)):
        if event.action in DISTRICT_LABELS:
            return DistrictDecision(event.action, DISTRICT_LABELS[event.action], event.comment or "",
                                    event.actor_name, event.created_at,
                                    dict((event.details or {}).get("figures") or {}))
    return None
