"""Engine tests without Flask or a database: the real diagram, serialized and restored between steps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine

from workflows import deadlines, runner
from workflows.bindings import STATIC_HELPERS
from workflows.clock import frozen_now
from workflows.engine import (
    BpmnFileError,
    Engine,
    ProcessVersion,
    RestrictedEnvironment,
    ScriptNotAllowed,
    script_services,
)

BPMN = Path(__file__).resolve().parent.parent / "bpmn"
# What submit_filing puts into the task data for the DMN 确定补贴标准 and the script 计算资金计划.
FUND_PLAN_INPUTS = {"apprenticeship_type": "enterprise_apprentice", "level": 4, "shortage": False,
                    "trainee_count": 3, "billed_months": 12, "policy_rates": {}, "review_window_days": 10,
                    "case_kind": "filing", "case_key": "F00000001", "district_code": "440106",
                    "filing_title": "测试备案"}
FUND_PLAN_SERVICES = {"record_fund_plan": lambda _id, _fen: None,
                      "note_estimated_deadline": lambda _id, _name, _days, _working: False,
                      "compute_subsidy_fen": lambda n, rate, months: n * rate * months * 100 // 12,
                      **deadlines.SCRIPT_HELPERS, "notify_role": lambda *a, **k: 0}


@pytest.fixture(scope="module")
def engine() -> Engine:
    e = Engine(BPMN, STATIC_HELPERS)
    e.load()
    return e


@pytest.fixture(scope="module")
def version(engine: Engine) -> ProcessVersion:
    return engine.current("training_filing")


class Case:
    """Drives one filing, round-tripping the state through JSON after every step."""

    def __init__(self, engine: Engine, version: ProcessVersion, hard_errors: int = 0):
        self.engine, self.version, self.hard_errors = engine, version, hard_errors
        self.state = engine.dumps(runner.start(engine, version, {"filing_id": 7}))

    def _wf(self):  # type: ignore[no-untyped-def]
        return self.engine.loads(self.state, self.version)

    def status(self) -> str:
        return runner.derive_status(self._wf())[0]

    def tasks(self) -> list[runner.HumanTask]:
        return runner.ready_human_tasks(self._wf())

    def do(self, **data: object) -> None:
        wf = self._wf()
        task = runner.ready_human_tasks(wf)[0]
        data.setdefault("resubmit_window_days", 15)
        data.setdefault("resubmit_working_days", False)
        for key, value in FUND_PLAN_INPUTS.items():
            data.setdefault(key, value)
        with script_services({"run_filing_checks": lambda _id: self.hard_errors, **FUND_PLAN_SERVICES}):
            runner.complete(wf, task.id, data)
        self.state = self.engine.dumps(wf)

    def message(self, name: str) -> bool:
        wf = self._wf()
        ok = runner.send_message(wf, name, {})
        self.state = self.engine.dumps(wf)
        return ok

    def tick(self, at: datetime) -> None:
        wf = self._wf()
        with frozen_now(at):
            runner.fire_timers(wf)
        self.state = self.engine.dumps(wf)


def test_happy_path(engine, version):  # type: ignore[no-untyped-def]
    case = Case(engine, version)
    assert case.status() == "draft"
    assert case.tasks()[0].role == "enterprise"
    case.do()
    assert case.status() == "district_review" and case.tasks()[0].role == "district"
    case.do(decision="approve")
    assert case.status() == "city_record" and case.tasks()[0].role == "city"
    case.do(decision="record")
    assert case.status() == "recorded" and case.tasks() == []


def test_return_and_resubmit_twice(engine, version):  # type: ignore[no-untyped-def]
    case = Case(engine, version)
    case.do()
    for _ in range(2):
        case.do(decision="return", comment="补充")
        assert case.status() == "returned"
        assert case.tasks()[0].name == "revise_filing"
        case.do()
        assert case.status() == "district_review"
    case.do(decision="approve")
    assert case.status() == "city_record"


def test_reject(engine, version):  # type: ignore[no-untyped-def]
    case = Case(engine, version)
    case.do()
    case.do(decision="reject", comment="不符合")
    assert case.status() == "rejected"


def test_withdraw_in_review_and_when_returned(engine, version):  # type: ignore[no-untyped-def]
    case = Case(engine, version)
    assert case.message("withdraw") is False  # a draft has nothing to withdraw
    case.do()
    assert case.message("withdraw") is True
    assert case.status() == "withdrawn"
    returned = Case(engine, version)
    returned.do()
    returned.do(decision="return", comment="补充")
    assert returned.message("withdraw") is True
    assert returned.status() == "withdrawn"


def test_expiry_by_timer(engine, version):  # type: ignore[no-untyped-def]
    case = Case(engine, version)
    case.do()
    case.do(decision="return", comment="补充")
    due = runner.next_timer_at(case._wf())
    assert due is not None
    case.tick(due - timedelta(minutes=1))
    assert case.status() == "returned"
    case.tick(due + timedelta(seconds=1))
    assert case.status() == "expired"
    assert runner.next_timer_at(case._wf()) is None


def test_city_send_back(engine, version):  # type: ignore[no-untyped-def]
    case = Case(engine, version)
    case.do()
    case.do(decision="approve")
    case.do(decision="send_back", comment="核实")
    assert case.status() == "district_review"


def test_hard_errors_loop_back_to_the_enterprise(engine, version):  # type: ignore[no-untyped-def]
    case = Case(engine, version, hard_errors=2)
    case.do()
    assert case.status() == "draft"


def test_completing_a_task_that_is_not_ready_raises(engine, version):  # type: ignore[no-untyped-def]
    wf = runner.start(engine, version, {"filing_id": 1})
    task_id = runner.ready_human_tasks(wf)[0].id
    with script_services({"run_filing_checks": lambda _id: 0, **FUND_PLAN_SERVICES}):
        runner.complete(wf, task_id, {"resubmit_window_days": 15, "resubmit_working_days": False,
                                      **FUND_PLAN_INPUTS})
    with pytest.raises(runner.TaskNotReady):
        runner.complete(wf, task_id, {})
    with pytest.raises(runner.TaskNotReady):
        runner.complete(wf, "not-a-uuid", {})


def test_state_excludes_the_spec(engine, version):  # type: ignore[no-untyped-def]
    state = engine.dumps(runner.start(engine, version, {"filing_id": 1}))
    assert '"spec"' not in state and "subprocess_specs" not in state
    assert len(state.encode()) < 8 * 1024


def test_spec_round_trip_through_json(engine, version):  # type: ignore[no-untyped-def]
    restored = Engine(BPMN, STATIC_HELPERS).version_from_json(
        version.process_id, version.version_hash, engine.spec_to_json(version), version.bpmn_xml)
    wf = runner.start(engine, restored, {"filing_id": 1})
    assert runner.ready_human_tasks(wf)[0].name == "fill_filing"


@pytest.mark.parametrize("script", [
    "import os",
    "x = __import__('os')",
    "x = open('/etc/passwd').read()",
    "x = ().__class__.__bases__[0].__subclasses__()",
    "x = (lambda: 0).__globals__",
    "x = __builtins__",
    "x = getattr(1, '__class__')",
    "x = eval('1')",
])
def test_sandbox_refuses(script: str) -> None:
    env = RestrictedEnvironment({})
    with pytest.raises((ScriptNotAllowed, NameError, ImportError, KeyError, SyntaxError)) as err:
        env.execute(script, {})
    assert str(err.value)


def test_sandbox_allows_plain_logic_and_allow_listed_helpers() -> None:
    env = RestrictedEnvironment({"double": lambda x: 2 * x})
    data: dict = {"n": 3, "items": [1, 2]}
    env.execute("total = sum(items) + double(n)\nflag = total > 5", data)
    assert data["total"] == 9 and data["flag"] is True and "double" not in data
    assert env.evaluate('n == 3 and "a" in "abc"', data) is True


def test_sandbox_errors_surface_through_the_script_engine(engine, version):  # type: ignore[no-untyped-def]
    assert isinstance(engine.script_engine, PythonScriptEngine)
    assert isinstance(engine.script_engine.environment, RestrictedEnvironment)


def test_invalid_bpmn_is_reported_by_file(tmp_path: Path) -> None:
    (tmp_path / "broken.bpmn").write_text(
        (BPMN / "training_filing.bpmn").read_text(encoding="utf-8").replace("<bpmn:startEvent", "<bpmn:startEvnt", 1),
        encoding="utf-8")
    with pytest.raises(BpmnFileError) as err:
        Engine(tmp_path).load()
    assert err.value.problems[0][0] == "broken.bpmn"


def test_frozen_clock_drives_timers(engine, version):  # type: ignore[no-untyped-def]
    at = datetime(2030, 1, 1, tzinfo=UTC)
    with frozen_now(at):
        case = Case(engine, version)
        case.do()
        case.do(decision="return", comment="x")
    due = runner.next_timer_at(case._wf())
    assert due is not None and due.year == 2030


def test_summary_agrees_with_the_single_purpose_functions(engine, version):  # type: ignore[no-untyped-def]
    def same(case: Case) -> None:
        wf = case._wf()
        summary = runner.summarize(wf)
        assert (summary.status, summary.step) == runner.derive_status(wf)
        assert summary.next_timer_at == runner.next_timer_at(wf)
        assert [h for _, h in summary.ready] == runner.ready_human_tasks(wf)
        assert summary.data == runner.data_of(wf)

    case = Case(engine, version)
    same(case)
    case.do()
    same(case)
    case.do(decision="return", comment="补充")
    same(case)
    case.do()
    case.do(decision="approve")
    same(case)
    case.do(decision="record")
    same(case)
