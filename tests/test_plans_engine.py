"""The quarterly plan diagram without Flask or a database: timers, urge loop, return loop, serialized and
restored between every step."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from workflows import deadlines, runner
from workflows.bindings import STATIC_HELPERS
from workflows.clock import frozen_now
from workflows.deadlines import SCRIPT_HELPERS
from workflows.engine import Engine, script_services

BPMN = Path(__file__).resolve().parent.parent / "bpmn"
CN = ZoneInfo("Asia/Shanghai")
DATA = {"plan_id": 1, "district_code": "440106", "district_name": "天河区", "plan_year": 2027, "plan_quarter": 1,
        "plan_title": "天河区2027年第1季度培训计划", "case_kind": "quarterly_plan", "case_key": "440106-2027Q1",
        "due_day": 10, "reminder_days": 5}


@pytest.fixture(scope="module")
def engine() -> Engine:
    e = Engine(BPMN, {**STATIC_HELPERS, **SCRIPT_HELPERS})
    e.load()
    return e


class Plan:
    """Drives one plan; the fake helpers record notifications and answer the checks."""

    def __init__(self, engine: Engine, opened: datetime, errors: int = 0, below: bool = False):
        self.engine, self.version = engine, engine.current("quarterly_plan")
        self.sent: list[tuple[str, str]] = []
        self.errors, self.below = errors, below
        with frozen_now(opened), script_services(self.services()):
            self.state = engine.dumps(runner.start(engine, self.version, dict(DATA)))

    def services(self) -> dict:
        def notify_role(role, title, body="", kind="info", **scope):  # type: ignore[no-untyped-def]
            assert scope["case_key"] == "440106-2027Q1"
            self.sent.append((role, kind))
            return 1

        return {"notify_role": notify_role, "run_plan_checks": lambda _id: self.errors,
                "plan_share_below_min": lambda _id: self.below}

    def wf(self):  # type: ignore[no-untyped-def]
        return self.engine.loads(self.state, self.version)

    def _save(self, wf) -> None:  # type: ignore[no-untyped-def]
        self.state = self.engine.dumps(wf)

    def status(self) -> str:
        return runner.derive_status(self.wf())[0]

    def do(self, **data: object) -> None:
        wf = self.wf()
        task = runner.ready_human_tasks(wf)[0]
        with script_services(self.services()):
            runner.complete(wf, task.id, {"decision": "", "comment": "", **data})
        self._save(wf)

    def tick(self, at: datetime) -> None:
        wf = self.wf()
        with frozen_now(at), script_services(self.services()):
            runner.fire_timers(wf)
        self._save(wf)

    def urge(self, message: str) -> bool:
        wf = self.wf()
        with script_services(self.services()):
            ok = runner.send_message(wf, "urge", {"urge_message": message, "urged_by": "市中心"})
        self._save(wf)
        return ok

    def kinds(self) -> list[str]:
        return [kind for _, kind in self.sent]


def test_deadline_timers_fire_once_each(engine):  # type: ignore[no-untyped-def]
    plan = Plan(engine, datetime(2027, 1, 1, 0, 5, tzinfo=CN))
    wf = plan.wf()
    assert plan.status() == "compiling"
    assert runner.data_of(wf)["due_at"] == "2027-01-10T23:59:59+08:00"
    assert runner.next_timer_at(wf) == datetime(2027, 1, 5, 9, 0, tzinfo=CN)
    [task] = runner.ready_human_tasks(wf)
    assert (task.role, task.form_key, task.status) == ("district", "plan_compile", "compiling")
    plan.tick(datetime(2027, 1, 5, 8, 59, tzinfo=CN))
    assert plan.sent == []
    for _ in range(3):
        plan.tick(datetime(2027, 1, 5, 9, 0, 1, tzinfo=CN))
    assert plan.sent == [("district", "reminder")]
    assert runner.next_timer_at(plan.wf()) == datetime(2027, 1, 10, 23, 59, 59, tzinfo=CN)
    for _ in range(3):
        plan.tick(datetime(2027, 1, 11, 0, 0, 1, tzinfo=CN))
    assert plan.sent == [("district", "reminder"), ("district", "overdue"), ("city", "escalation")]
    assert runner.next_timer_at(plan.wf()) is None
    assert plan.status() == "compiling"  # the timers never take the task away


def test_submitted_plan_cancels_the_timers_and_return_loops(engine):  # type: ignore[no-untyped-def]
    plan = Plan(engine, datetime(2027, 1, 1, 0, 5, tzinfo=CN))
    plan.do()
    assert plan.status() == "city_record" and runner.next_timer_at(plan.wf()) is None
    plan.tick(datetime(2027, 2, 1, tzinfo=CN))
    assert plan.sent == []
    for round_ in range(2):
        plan.do(decision="return", comment=f"第{round_ + 1}次退回")
        assert plan.status() == "returned"
        [task] = runner.ready_human_tasks(plan.wf())
        assert (task.name, task.role, task.form_key) == ("revise_plan", "district", "plan_compile")
        plan.do()
        assert plan.status() == "city_record"
    plan.do(decision="record", comment="同意")
    wf = plan.wf()
    assert plan.status() == "recorded" and wf.completed
    assert runner.waiting_message_names(wf) == set()
    assert plan.kinds() == ["returned", "returned", "decision"]


def test_urge_any_number_of_times_while_open(engine):  # type: ignore[no-untyped-def]
    plan = Plan(engine, datetime(2027, 1, 1, 0, 5, tzinfo=CN))
    assert runner.waiting_message_names(plan.wf()) == {"urge"}
    assert all(plan.urge(f"第{i}次催办") for i in range(3))
    assert plan.sent == [("district", "urge")] * 3
    assert plan.status() == "compiling"
    plan.do()
    plan.do(decision="record")
    assert not plan.urge("已备案")


def test_check_failure_loops_back_and_share_flag_notifies_the_city(engine):  # type: ignore[no-untyped-def]
    plan = Plan(engine, datetime(2027, 1, 1, 0, 5, tzinfo=CN), errors=2)
    plan.do()
    assert plan.status() == "compiling"  # the service rolls this back and reports the errors
    plan.errors, plan.below = 0, True
    plan.do()
    assert plan.status() == "city_record"
    assert plan.sent == [("city", "flag")]


def test_late_opening_sends_no_reminder(engine):  # type: ignore[no-untyped-def]
    opened = datetime(2027, 1, 8, 15, 0, tzinfo=CN)
    plan = Plan(engine, opened)
    assert runner.next_timer_at(plan.wf()) == opened
    plan.tick(datetime(2027, 1, 8, 15, 1, tzinfo=CN))
    assert plan.kinds() == []  # the opening notice (sent by open_plan) carries the due date


def test_working_day_deadlines_follow_the_official_calendar() -> None:
    from datetime import date

    from workflows.clock import add_working_days

    assert add_working_days(date(2025, 9, 26), 1) == date(2025, 9, 28)   # Sunday 28 Sep 2025 was a working day
    assert add_working_days(date(2025, 9, 30), 1) == date(2025, 10, 9)   # National Day holiday 1-8 Oct
    assert add_working_days(date(2025, 10, 10), 1) == date(2025, 10, 11)  # Saturday 11 Oct 2025 was a working day


def test_period_helpers() -> None:
    from datetime import date



    assert deadlines.quarter_of(date(2027, 3, 31)) == (2027, 1)
    assert deadlines.quarter_of(date(2027, 10, 1)) == (2027, 4)
    assert deadlines.quarter_bounds(2027, 4) == (date(2027, 10, 1), date(2027, 12, 31))
    assert deadlines.parse_quarter_key("2027q2") == (2027, 2)
    with pytest.raises(ValueError):
        deadlines.parse_quarter_key("2027Q5")
    assert deadlines.quarter_due_at(2027, 3, 10) == "2027-07-10T23:59:59+08:00"
    assert deadlines.period_due_at(2027, 2, 31) == "2027-02-28T23:59:59+08:00"
    assert deadlines.days_before("2027-07-10T23:59:59+08:00", 5) == "2027-07-05T09:00:00+08:00"
    assert deadlines.date_label("2027-07-10T23:59:59+08:00") == "2027年7月10日"
