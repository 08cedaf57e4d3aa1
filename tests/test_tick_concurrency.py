"""Exactly-once timers with several workers: two real `flask workflows tick --now ...` processes at once
against PostgreSQL (each instance is locked with SELECT ... FOR UPDATE and re-checked; openers rely on the
unique business key). Skipped on SQLite, which has no concurrent writers; CI sets TEST_DATABASE_URL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from config import TestConfig
from tests.factories import submitted_filing, task_of
from tests.test_plans_helpers import fresh_spec_caches  # noqa: F401
from workflows import service
from workflows.models import AuditEvent, Notification, QuarterlyPlan, WorkflowInstance

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture()
def pg_url(app) -> str:  # type: ignore[no-untyped-def]
    url = str(app.config["SQLALCHEMY_DATABASE_URI"])
    if not url.startswith("postgresql"):
        pytest.skip("needs TEST_DATABASE_URL pointing at PostgreSQL (SQLite has no concurrent writers; CI sets it)")
    return url


def tick_twice_at_once(url: str, at: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "SCHEDULER_ENABLED": "0", "PERIOD_AUTO_OPEN": "1",
           "APP_ENV": "test", "SECRET_KEY": "tick-concurrency-test-secret-key-0123456789",
           "PII_KEY": TestConfig.PII_KEY}
    command = [sys.executable, "-m", "flask", "--app", "webapp", "workflows", "tick", "--now", at]
    workers = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True) for _ in range(2)]
    for worker in workers:
        out, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, out + err
        assert "已触发" in out, out + err


def plan_notes(session, kind: str) -> list[Notification]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return list(session.scalars(select(Notification).where(
        Notification.kind == kind, Notification.case_kind == "quarterly_plan")))


def test_two_tick_processes_open_and_fire_each_timer_exactly_once(pg_url, session, world):  # type: ignore[no-untyped-def]
    returned = []
    for seed in (1, 2, 3):
        filing = submitted_filing(session, world, seed=seed)
        service.complete_task(session, world.actor("review-440106"), task_of(session, filing).task_id, "return",
                              "请补充材料")
        returned.append(filing.instance_id)
    session.commit()

    # Both workers open the quarter's plans when it begins (a race on the unique business key).
    tick_twice_at_once(pg_url, "2027-01-01T00:05:00+08:00")
    session.expire_all()
    assert session.scalar(select(func.count(QuarterlyPlan.id))) == 11
    keys = list(session.scalars(select(WorkflowInstance.business_key).where(
        WorkflowInstance.kind == "quarterly_plan")))
    assert len(keys) == len(set(keys)) == 11
    assert len(plan_notes(session, "opened")) == 11
    # the returned filings' resubmission windows ran out: each expired once, one audit row each
    for instance_id in returned:
        timers = session.scalars(select(AuditEvent).where(
            AuditEvent.instance_id == instance_id, AuditEvent.action == "timer")).all()
        assert len(timers) == 1 and timers[0].status_after == "expired"

    # Both workers see the 11 reminder timers due: each fires once.
    tick_twice_at_once(pg_url, "2027-01-05T09:30:00+08:00")
    reminders = plan_notes(session, "reminder")
    assert len(reminders) == 11 and len({n.instance_id for n in reminders}) == 11

    # After the due date: one escalation per plan to the city, one overdue notice per plan to the district.
    tick_twice_at_once(pg_url, "2027-01-11T00:30:00+08:00")
    escalations = plan_notes(session, "escalation")
    assert len(escalations) == 11 and len({n.instance_id for n in escalations}) == 11
    assert len(plan_notes(session, "overdue")) == 11

    # Nothing is due any more: nothing fires twice.
    tick_twice_at_once(pg_url, "2027-01-20T00:00:00+08:00")
    assert len(plan_notes(session, "reminder")) == 11
    assert len(plan_notes(session, "escalation")) == 11
    assert len(plan_notes(session, "opened")) == 11
    assert session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "timer")) == 3
