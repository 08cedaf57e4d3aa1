"""Running totals of the district year (R3-R5): kept in the same transaction as each case step, equal to
what the cases say after a random mix of drafts, draft deletions, submissions, approvals, returns,
resubmissions, withdrawals, rejections, records and send-backs (the year figures and the filing cases per
district and status); `flask workflows reconcile` reports a difference and exits 1; the
atomic increments are safe under concurrent transactions on PostgreSQL."""

from __future__ import annotations

import random
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tests.factories import filing_data
from workflows import service
from workflows.clock import now
from workflows.errors import Conflict, ValidationFailed
from workflows.filings import totals
from workflows.models import DistrictYearFigure, Filing, TaskIndex, WorkflowInstance

ENTERPRISES = ("ent-440106-1", "ent-440106-2", "ent-440112-1")


def _ready(session, form_key: str) -> list[TaskIndex]:  # type: ignore[no-untyped-def]
    return list(session.scalars(select(TaskIndex).where(TaskIndex.form_key == form_key).order_by(TaskIndex.id)))


def _filings_in(session, status: str) -> list[Filing]:  # type: ignore[no-untyped-def]
    return list(session.scalars(select(Filing).join(WorkflowInstance, WorkflowInstance.id == Filing.instance_id)
                                .where(WorkflowInstance.status == status).order_by(Filing.id)))


def _reviewer(world, task: TaskIndex):  # type: ignore[no-untyped-def]
    return world.actor(f"review-{task.district_code}")


def _random_mix(session, world, seed: int, steps: int) -> dict[str, int]:  # type: ignore[no-untyped-def]
    rng = random.Random(seed)
    done: dict[str, int] = {}
    owner = {world.actor(u).enterprise_id: u for u in ENTERPRISES}
    for _ in range(steps):
        op = rng.choice(["submit"] * 3 + ["approve"] * 3 + ["return", "reject", "record", "record", "send_back",
                         "resubmit", "resubmit", "withdraw", "withdraw_returned", "draft", "delete_draft"])
        try:
            if op == "draft":
                service.create_filing(session, world.actor(rng.choice(ENTERPRISES)),
                                      filing_data(rng.randint(1, 10_000)))
            elif op == "delete_draft":
                drafts = _filings_in(session, "draft")
                if not drafts:
                    continue
                filing = rng.choice(drafts)
                service.delete_draft(session, world.actor(owner[filing.enterprise_id]), filing.id)
            elif op == "submit":
                who = world.actor(rng.choice(ENTERPRISES))
                # Trainee numbers are unique per seed: a repeat would be blocked by R11 (also fine).
                filing = service.create_filing(session, who, filing_data(rng.randint(1, 10_000),
                                                                         level=rng.choice([2, 3, 4, 5])))
                service.submit_filing(session, who, filing.id)
            elif op in ("approve", "return", "reject"):
                tasks = _ready(session, "district_review")
                if not tasks:
                    continue
                task = rng.choice(tasks)
                service.complete_task(session, _reviewer(world, task), task.task_id, op,
                                      "" if op == "approve" else "随机意见", confirm_mismatches=True)
            elif op in ("record", "send_back"):
                tasks = _ready(session, "city_record")
                if not tasks:
                    continue
                service.complete_task(session, world.actor("city"), rng.choice(tasks).task_id, op,
                                      "" if op == "record" else "请核实")
            elif op == "resubmit":
                returned = _filings_in(session, "returned")
                if not returned:
                    continue
                filing = rng.choice(returned)
                service.submit_filing(session, world.actor(owner[filing.enterprise_id]), filing.id)
            else:
                pool = _filings_in(session, "district_review" if op == "withdraw" else "returned")
                if not pool:
                    continue
                filing = rng.choice(pool)
                service.withdraw_filing(session, world.actor(owner[filing.enterprise_id]), filing.id, "撤回")
        except (ValidationFailed, Conflict):
            done["refused"] = done.get("refused", 0) + 1
            continue
        done[op] = done.get(op, 0) + 1
    return done


@pytest.mark.parametrize("seed", [13, 2027])
def test_totals_equal_the_cases_after_a_random_mix(session, world, seed):  # type: ignore[no-untyped-def]
    done = _random_mix(session, world, seed, steps=60)
    assert done.get("submit", 0) >= 5 and sum(done.get(k, 0) for k in ("approve", "return", "reject", "record",
                                                                      "send_back", "withdraw")) >= 5, done
    # The returned filings that ran out of time expire (a timer step, also tracked).
    service.tick(session, now() + timedelta(days=400))
    session.expire_all()
    assert totals.differences(session) == []
    stored = totals.stored(session)
    assert stored, "some filings are counted"
    # Every filing case but the drafts (private to their enterprise) is counted once under its district and
    # current status.
    by_status = totals.status_counts(session)
    cases = session.scalars(select(WorkflowInstance).where(WorkflowInstance.kind == "filing",
                                                           WorkflowInstance.status != "draft")).all()
    assert sum(n for row in by_status.values() for n in row.values()) == len(cases) > 0
    for case in cases:
        assert by_status[case.district_code][case.status] == sum(
            1 for c in cases if (c.district_code, c.status) == (case.district_code, case.status))
    assert done.get("draft", 0) + done.get("delete_draft", 0) > 0, done
    # The district rows are the sums of their enterprise rows and of their occupation rows.
    for (district, year, dimension, _), figures in stored.items():
        if dimension != totals.DISTRICT:
            continue
        for share in (totals.ENTERPRISE, totals.OCCUPATION):
            parts = [f for (d, y, dim, _), f in stored.items() if (d, y, dim) == (district, year, share)]
            assert tuple(map(sum, zip(*parts, strict=True))) == figures


def test_approval_guard_and_checks_read_the_totals(session, world):  # type: ignore[no-untyped-def]
    who = world.actor("ent-440106-1")
    first = service.create_filing(session, who, filing_data(1))
    service.submit_filing(session, who, first.id)
    row = totals.year_totals(session, "440106", first.plan_year)
    assert row.district["filings"] == 1 and row.district["pending_fen"] == first.subsidy_fen > 0
    task = _ready(session, "district_review")[0]
    service.complete_task(session, world.actor("review-440106"), task.task_id, "approve", confirm_mismatches=True)
    row = totals.year_totals(session, "440106", first.plan_year, first.enterprise_id, first.occupation_code)
    assert (row.district["committed_fen"], row.district["pending_fen"]) == (first.subsidy_fen, 0)
    assert row.enterprise["trainees"] == row.occupation["trainees"] == first.trainee_count
    # The filing's own contribution is not counted in its own checks ("the year so far, without it").
    from workflows.filings import checks

    figures = checks.year_figures(session, first)
    assert figures.committed_fen == 0 and figures.trainees_total == 0


def test_reconcile_command_reports_and_fixes_a_difference(app, session, world):  # type: ignore[no-untyped-def]
    who = world.actor("ent-440106-1")
    filing = service.create_filing(session, who, filing_data(3))
    service.submit_filing(session, who, filing.id)
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["workflows", "reconcile"])
    assert ok.exit_code == 0 and "一致" in ok.output
    session.execute(update(DistrictYearFigure).where(DistrictYearFigure.dimension == "")
                    .values(committed_fen=DistrictYearFigure.committed_fen + 100))
    session.commit()
    bad = runner.invoke(args=["workflows", "reconcile"])
    assert bad.exit_code == 1
    assert "440106" in bad.output and "committed_fen: 100 -> 0" in bad.output and "1 处不一致" in bad.output
    fixed = runner.invoke(args=["workflows", "reconcile", "--fix"])
    assert fixed.exit_code == 0 and "已更正" in fixed.output
    assert runner.invoke(args=["workflows", "reconcile"]).exit_code == 0
    # A status count that drifted is reported with the status's label, and fixed the same way.
    session.execute(update(DistrictYearFigure).where(DistrictYearFigure.dimension == totals.STATUS)
                    .values(filings=DistrictYearFigure.filings + 2))
    session.commit()
    bad = runner.invoke(args=["workflows", "reconcile"])
    assert bad.exit_code == 1 and "440106 “待区审核”的备案数（全部年度）: 3 -> 1" in bad.output
    assert runner.invoke(args=["workflows", "reconcile", "--fix"]).exit_code == 0
    assert totals.status_counts(session) == {"440106": {"district_review": 1}}


def test_a_filing_awaiting_the_city_holds_its_year_shares_in_the_totals(session, world):  # type: ignore[no-untyped-def]
    """A filing whose year of training spans two budget years, approved by the district, holds each year's
    share (R5, split by months) in the YEAR_SHARE rows until the city records it or sends it back; the next
    approval's budget check reads them."""
    from datetime import date

    from workflows.filings import checks
    from workflows.models import DistrictYearPlan

    for year in (2027, 2028):  # both budget years have a budget
        plan = session.scalars(select(DistrictYearPlan).where(DistrictYearPlan.district_code == "440106",
                                                              DistrictYearPlan.year == year)).first()
        if plan is None:
            session.add(DistrictYearPlan(district_code="440106", year=year, budget_fen=300_000_000,
                                         planned_headcount=400))
    session.commit()
    who = world.actor("ent-440106-1")
    data = filing_data(7)
    data.period_start, data.period_end = date(2027, 7, 1), date(2028, 6, 30)
    filing = service.create_filing(session, who, data)
    service.submit_filing(session, who, filing.id)
    reviewer = world.actor("review-440106")
    service.complete_task(session, reviewer, _ready(session, "district_review")[0].task_id, "approve",
                          confirm_mismatches=True)
    shares = totals.year_shares(filing)
    assert sorted(shares) == [2027, 2028] and sum(shares.values()) == filing.subsidy_fen > 0
    assert totals.awaiting_shares(session, "440106", shares) == shares
    # A second filing sees them as used in each year, not counting its own (it is not awaiting the city).
    other = service.create_filing(session, who, filing_data(8))
    service.submit_filing(session, who, other.id)
    session.refresh(other)
    used = checks.budget_by_year(session, other, "district_review", totals.year_shares(other))
    assert all(used[year][1] == shares.get(year, 0) for year in used), used
    assert totals.differences(session) == []
    # Sent back to the district: the shares are released.
    service.complete_task(session, world.actor("city"), _ready(session, "city_record")[0].task_id, "send_back",
                          "请补充材料")
    assert totals.awaiting_shares(session, "440106", shares) == dict.fromkeys(shares, 0)
    assert totals.differences(session) == []


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_migrations_write_the_year_shares_and_status_counts_of_cases_already_there(backend, tmp_path):  # type: ignore[no-untyped-def]
    from flask_migrate import downgrade, upgrade

    from config import TestConfig
    from tests.databases import drop_database, empty_database
    from tests.factories import make_world
    from webapp import create_app
    from webapp.extensions import db

    url = empty_database(backend, tmp_path, "shares")

    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        UPLOAD_DIR = str(tmp_path / "uploads")

    try:
        app = create_app(Cfg)
        with app.app_context():
            upgrade()
            world = make_world(db.session)
            who = world.actor("ent-440106-1")
            filing = service.create_filing(db.session, who, filing_data(9))
            service.submit_filing(db.session, who, filing.id)
            service.complete_task(db.session, world.actor("review-440106"),
                                  _ready(db.session, "district_review")[0].task_id, "approve",
                                  confirm_mismatches=True)
            service.create_filing(db.session, who, filing_data(10))  # a draft: counted nowhere
            expected = totals.awaiting_shares(db.session, "440106", totals.year_shares(filing))
            assert sum(expected.values()) == filing.subsidy_fen > 0
            statuses = totals.status_counts(db.session)
            assert statuses == {"440106": {"city_record": 1}}
            db.session.remove()
            downgrade(revision="14a1c0ffee01")  # as a database of an earlier release: no year-share rows
            assert totals.awaiting_shares(db.session, "440106", expected) == {}
            assert totals.status_counts(db.session) == {}
            db.session.remove()
            upgrade()
            assert totals.awaiting_shares(db.session, "440106", expected) == expected
            assert totals.status_counts(db.session) == statuses
            assert totals.differences(db.session) == []
            db.session.remove()
            db.engine.dispose()
    finally:
        drop_database(url)


@pytest.mark.postgres
def test_concurrent_increments_are_not_lost_on_postgresql(app, session, world):  # type: ignore[no-untyped-def]
    engine = session.get_bind().engine
    if engine.dialect.name != "postgresql":
        pytest.skip("needs TEST_DATABASE_URL pointing at PostgreSQL (SQLite has one writer at a time)")
    key = ("440106", 2031, totals.DISTRICT, "")
    barrier = threading.Barrier(4)
    failures: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            for _ in range(25):
                with Session(bind=engine) as own:
                    totals.add(own, key, (1, 2, 1, 100, 0))
                    own.commit()
        except BaseException as exc:  # noqa: BLE001 (reported below)
            failures.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    session.expire_all()
    row = session.get(DistrictYearFigure, key)
    assert row is not None and (row.filings, row.trainees, row.committed_fen) == (100, 200, 10_000)
