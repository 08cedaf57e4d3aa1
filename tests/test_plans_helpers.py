"""Helpers shared by the quarterly-plan tests (this module holds no tests)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from tests.factories import task_of
from workflows import service
from workflows.demo import sample_filing
from workflows.models import Notification, QuarterlyPlan, User, WorkflowInstance
from workflows.plans import use_cases as plan_cases

CN = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def fresh_spec_caches():  # type: ignore[no-untyped-def]
    """store caches spec rows by id; the suite empties tables between tests (ids are reused), and with
    more than one process a stale id would point at another process's spec."""
    from workflows import store

    store._spec_ids.clear()
    store._versions_by_row.clear()
    yield
    store._spec_ids.clear()
    store._versions_by_row.clear()


Q1_OPEN = datetime(2027, 1, 1, 0, 5, tzinfo=CN)       # the quarter begins
BEFORE_REMINDER = datetime(2027, 1, 5, 8, 0, tzinfo=CN)
AFTER_REMINDER = datetime(2027, 1, 5, 9, 1, tzinfo=CN)  # due 10 Jan end of day, reminder 5 days before at 09:00
AFTER_DUE = datetime(2027, 1, 11, 0, 1, tzinfo=CN)


def filing_in(session, world, username: str, seed: int, *, level: int = 4, trainees: int = 3,  # type: ignore[no-untyped-def]
              start: date = date(2027, 1, 1), approve: bool = False, record: bool = False):
    who = world.actor(username)
    filing = service.create_filing(session, who, sample_filing(seed, level=level, trainees=trainees, start=start))
    service.submit_filing(session, who, filing.id)
    district = "review-" + username.split("-")[1]
    if approve or record:
        service.complete_task(session, world.actor(district), task_of(session, filing).task_id, "approve")
    if record:
        service.complete_task(session, world.actor("city"), task_of(session, filing).task_id, "record")
    return filing


def open_q1(session) -> int:  # type: ignore[no-untyped-def]
    """The quarterly-plan opener alone (tick with open_periods runs every feature's opener)."""
    return plan_cases.open_quarter_plans(session, Q1_OPEN)


def plan_of(session, district: str = "440106") -> tuple[QuarterlyPlan, WorkflowInstance]:  # type: ignore[no-untyped-def]
    session.expire_all()
    plan = session.scalars(select(QuarterlyPlan).where(
        QuarterlyPlan.district_code == district, QuarterlyPlan.year == 2027, QuarterlyPlan.quarter == 1)).one()
    return plan, session.get(WorkflowInstance, plan.instance_id)


def plan_notes(session, kind: str, role: str | None = None) -> list[Notification]:  # type: ignore[no-untyped-def]
    stmt = select(Notification).where(Notification.kind == kind, Notification.case_kind == "quarterly_plan")
    if role:
        stmt = stmt.join(User, User.id == Notification.user_id).where(User.role == role)
    return list(session.scalars(stmt.order_by(Notification.id)))


def edit_of(plan: QuarterlyPlan, **changes: tuple[bool, str]) -> plan_cases.PlanEdit:
    rows = []
    for row in plan.rows:
        included, reason = changes.get(str(row.filing_id), (row.included, row.reason))
        rows.append(plan_cases.PlanRowEdit(row.id, included, reason))
    return plan_cases.PlanEdit(notes="本季度按计划开展", justification=plan.justification, rows=rows)
