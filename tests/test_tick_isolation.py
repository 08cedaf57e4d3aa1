"""`workflows tick` isolates each case: a corrupt state or a failing timer expression is rolled back, logged,
marked on the case for the admin's 异常案件 screen at once, and the other due timers still fire; the
command reports counts and exits non-zero only when nothing could run. `workflows scheduler` keeps going
with backoff while the database is unreachable and carries on once it is back."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from tests.factories import submitted_filing, task_of
from tests.test_web_helpers import login, text
from webapp.cli import backoff_seconds
from workflows import service, store
from workflows.engine import get_engine
from workflows.models import AuditEvent, WorkflowInstance

ROOT = Path(__file__).resolve().parent.parent
LATER = (datetime.now(UTC) + timedelta(days=40)).isoformat()


def returned_filings(session, world, n: int) -> list[int]:  # type: ignore[no-untyped-def]
    ids = []
    for seed in range(1, n + 1):
        filing = submitted_filing(session, world, seed=seed)
        service.complete_task(session, world.actor("review-440106"), task_of(session, filing).task_id, "return",
                              "请补充材料")
        ids.append(filing.instance_id)
    session.commit()
    return ids


def corrupt_state(session, instance_id: int) -> None:  # type: ignore[no-untyped-def]
    instance = session.get(WorkflowInstance, instance_id)
    instance.state_json = "z1:this is not zlib"
    session.commit()


def break_timer_expression(session, instance_id: int) -> str:  # type: ignore[no-untyped-def]
    """Remove the variable the boundary timer's expression reads: firing it raises inside the engine."""
    instance = session.scalars(select(WorkflowInstance).where(WorkflowInstance.id == instance_id)).one()
    original = instance.state_json
    workflow = store.load_workflow(get_engine(), instance)
    for task in workflow.get_tasks():
        task.data.pop("resubmit_deadline", None)
        task.internal_data.pop("event_value", None)  # the evaluated deadline: the engine evaluates again
    instance.state_json = store.encode_state(get_engine().dumps(workflow))
    session.commit()
    return original


def json_lines(stream: str) -> list[dict]:
    return [json.loads(line) for line in stream.splitlines() if line.startswith("{")]


def test_one_broken_case_is_marked_and_the_other_timers_still_fire(app, session, world, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setitem(app.config, "PERIOD_AUTO_OPEN", False)
    corrupt, broken, healthy = returned_filings(session, world, 3)
    corrupt_state(session, corrupt)
    original = break_timer_expression(session, broken)

    result = app.test_cli_runner().invoke(args=["workflows", "tick", "--now", LATER])
    assert result.exit_code == 0, result.output
    assert "已触发 1 个到期定时器；失败 2 个" in result.stdout
    session.expire_all()
    rows = {i: session.get(WorkflowInstance, i) for i in (corrupt, broken, healthy)}
    assert rows[healthy].status == "expired" and rows[healthy].failed_at is None
    for bad in (corrupt, broken):
        assert rows[bad].status == "returned"  # rolled back, not half-advanced
        assert rows[bad].failed_at is not None and rows[bad].failure
        assert not session.scalars(select(AuditEvent).where(AuditEvent.instance_id == bad,
                                                            AuditEvent.action == "timer")).all()
    assert "NameError" in rows[broken].failure or "resubmit_deadline" in rows[broken].failure, rows[broken].failure
    logged = json_lines(result.stderr)
    failures = [line for line in logged if line["message"].startswith("timer of case")]
    assert {line["instance_id"] for line in failures} == {corrupt, broken}
    assert all(line["level"] == "ERROR" and "exception" in line for line in failures)
    summary = [line for line in logged if line["logger"] == "workflows.tick"][-1]
    assert (summary["fired"], summary["failed"]) == (1, 2)

    # The admin's 异常案件 screen lists both at once, failures first, with the error.
    stuck = service.stuck_instances(session, world.actor("admin"))
    assert [i.id for i in stuck[:2]] == sorted([corrupt, broken], key=lambda i: rows[i].updated_at)
    page = text(login(app, "admin").get("/admin/stuck"))
    assert page.count("处理失败") == 2 and rows[corrupt].business_key in page

    # Repaired, the next tick fires it and the mark goes.
    rows[broken].state_json = original
    session.commit()
    again = app.test_cli_runner().invoke(args=["workflows", "tick", "--now", LATER])
    assert "已触发 1 个到期定时器；失败 1 个" in again.stdout, again.output
    session.expire_all()
    repaired = session.get(WorkflowInstance, broken)
    assert repaired.status == "expired" and repaired.failed_at is None and repaired.failure is None


def test_tick_exits_non_zero_only_when_nothing_could_run(app, session, world, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setitem(app.config, "PERIOD_AUTO_OPEN", False)
    (only,) = returned_filings(session, world, 1)
    nothing_due = app.test_cli_runner().invoke(args=["workflows", "tick"])
    assert nothing_due.exit_code == 0, nothing_due.output
    corrupt_state(session, only)
    result = app.test_cli_runner().invoke(args=["workflows", "tick", "--now", LATER])
    assert result.exit_code == 1 and "已触发 0 个到期定时器；失败 1 个" in result.stdout, result.output


def test_backoff_doubles_up_to_the_ceiling() -> None:
    assert [backoff_seconds(n, 60, 30) for n in range(1, 8)] == [5, 10, 20, 30, 30, 30, 30]
    assert [backoff_seconds(n, 1, 300) for n in range(1, 4)] == [1, 2, 4]


def test_scheduler_survives_an_unreachable_database_and_carries_on(tmp_path: Path) -> None:
    folder = tmp_path / "not-yet"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder / 'app.db'}", "SCHEDULER_ENABLED": "0",
           "APP_ENV": "development", "UPLOAD_DIR": str(tmp_path / "uploads"), "PERIOD_AUTO_OPEN": "0"}
    env.pop("TEST_DATABASE_URL", None)
    flask = [sys.executable, "-m", "flask", "--app", "webapp"]
    log_file = tmp_path / "scheduler.log"

    def lines() -> list[dict]:
        return json_lines(log_file.read_text(encoding="utf-8"))

    def wait_for(predicate, seconds: float) -> bool:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if predicate(lines()):
                return True
            time.sleep(0.3)
        return False

    retrying = "scheduler: tick failed, retrying"
    with log_file.open("w") as sink:
        scheduler = subprocess.Popen([*flask, "workflows", "scheduler", "--interval", "1", "--max-backoff", "2"],
                                     cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=sink, text=True)
        try:
            assert wait_for(lambda ls: sum(line["message"] == retrying for line in ls) >= 3, 60), log_file.read_text()
            assert scheduler.poll() is None
            folder.mkdir()
            init = subprocess.run([*flask, "init-db"], cwd=ROOT, env=env, capture_output=True, text=True,
                                  timeout=120)
            assert init.returncode == 0, init.stderr
            assert wait_for(lambda ls: any(line["message"].startswith("tick:") for line in ls), 30), \
                log_file.read_text()[-2000:]
            assert scheduler.poll() is None
        finally:
            scheduler.terminate()
            scheduler.wait(timeout=30)
    retries = [line for line in lines() if line["message"] == retrying]
    assert [line["retry_in_s"] for line in retries[:3]] == [1, 2, 2], retries
    assert [line["failures"] for line in retries[:3]] == [1, 2, 3]
    assert any(line["message"].startswith("tick:") and line["failed"] == 0 for line in lines())
