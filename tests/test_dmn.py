"""The subsidy-rate DMN table (bpmn/subsidy_rates.dmn) evaluated by the training-filing diagram: the
rates come back from the diagram, a policy version's rates override the table's defaults, and the
fund plan written on the filing is the diagram's."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

import pytest
from lxml import etree

from tests.factories import filing_data, submitted_filing
from workflows import deadlines, policy, runner, service, store
from workflows.bindings import STATIC_HELPERS
from workflows.engine import Engine, get_engine, script_services
from workflows.models import Filing, WorkflowInstance

BPMN = Path(__file__).resolve().parent.parent / "bpmn"

# SPEC section 3: Guangdong 2023 5000-8500 yuan per person per year; Shenzhen prices 四级/三级/二级 at
# 5500/7000/8500; student apprentices 5000.
EXPECTED = {
    "enterprise_apprentice": {5: 5000, 4: 5500, 3: 7000, 2: 8500, 1: 8500},
    "tech_trainee": {5: 5000, 4: 5500, 3: 7000, 2: 8500, 1: 8500},
    "student_apprentice": {5: 5000, 4: 5000, 3: 5000, 2: 5000, 1: 5000},
}
CASES = [(kind, level, rate) for kind, levels in EXPECTED.items() for level, rate in levels.items()]
# Shortage-list occupations (紧缺急需) at 三级 and above: the uplift rows (+30%, Guangdong's ceiling).
UPLIFT = {
    "enterprise_apprentice": {3: 9100, 2: 11050, 1: 11050},
    "tech_trainee": {3: 9100, 2: 11050, 1: 11050},
    "student_apprentice": {3: 6500, 2: 6500, 1: 6500},
}
UPLIFT_CASES = [(kind, level, rate) for kind, levels in UPLIFT.items() for level, rate in levels.items()]


@pytest.fixture(scope="module")
def engine() -> Engine:
    e = Engine(BPMN, STATIC_HELPERS)
    e.load()
    return e


def run_to_review(engine: Engine, data: dict, version=None) -> tuple[dict, list]:  # type: ignore[no-untyped-def]
    """Submit a filing in the bare diagram (checks pass); return the task data at 区人社局审核 and what
    the diagram asked to record."""
    recorded: list = []
    wf = runner.start(engine, version or engine.current("training_filing"), {"filing_id": 42})
    task = runner.ready_human_tasks(wf)[0]
    services = {"run_filing_checks": lambda _id: 0,
                "compute_subsidy_fen": lambda n, rate, months: n * rate * months * 100 // 12,
                "record_fund_plan": lambda filing_id, fen: recorded.append((filing_id, fen)),
                "note_estimated_deadline": lambda _id, _name, _days, _working: False,
                **deadlines.SCRIPT_HELPERS, "notify_role": lambda *a, **k: 0}
    with script_services(services):
        runner.complete(wf, task.id, {"resubmit_window_days": 15, "resubmit_working_days": False,
                                      "review_window_days": 10, "case_kind": "filing", "case_key": "F00000042",
                                      "district_code": "440106", "filing_title": "测试", **data})
    wf = engine.loads(engine.dumps(wf), version or engine.current("training_filing"))
    ready = runner.ready_human_tasks(wf)
    assert [t.name for t in ready] == ["district_review"]
    return dict(wf.get_task_from_id(UUID(ready[0].id)).data), recorded


@pytest.mark.parametrize(("kind", "level", "rate"), CASES)
def test_every_rate_of_the_table_comes_back_from_the_diagram(engine, kind, level, rate):  # type: ignore[no-untyped-def]
    data, recorded = run_to_review(engine, {"apprenticeship_type": kind, "level": level, "trainee_count": 4,
                                            "shortage": False, "billed_months": 24, "policy_rates": {}})
    assert data["rate_yuan"] == rate
    assert data["subsidy_fen"] == 4 * rate * 2 * 100
    assert recorded == [(42, 4 * rate * 2 * 100)]


@pytest.mark.parametrize(("kind", "level", "rate"), UPLIFT_CASES + [
    ("enterprise_apprentice", 4, 5500), ("tech_trainee", 5, 5000), ("student_apprentice", 4, 5000)])
def test_shortage_list_occupations_take_the_uplift_row_from_level_three_up(engine, kind, level, rate):  # type: ignore[no-untyped-def]
    data, _ = run_to_review(engine, {"apprenticeship_type": kind, "level": level, "trainee_count": 1,
                                     "shortage": True, "billed_months": 12, "policy_rates": {}})
    assert data["rate_yuan"] == rate


def test_a_policy_version_replaces_an_uplift_row(engine):  # type: ignore[no-untyped-def]
    data, _ = run_to_review(engine, {"apprenticeship_type": "enterprise_apprentice", "level": 3, "trainee_count": 1,
                                     "shortage": True, "billed_months": 12,
                                     "policy_rates": {"enterprise_apprentice:3:shortage": 8400}})
    assert data["rate_yuan"] == 8400


def test_a_policy_version_rate_overrides_the_default_of_its_row_only(engine):  # type: ignore[no-untyped-def]
    overrides = {"enterprise_apprentice:4": 6200, "student_apprentice:4": 5100}
    data, _ = run_to_review(engine, {"apprenticeship_type": "enterprise_apprentice", "level": 4, "trainee_count": 1,
                                     "shortage": False, "billed_months": 12, "policy_rates": overrides})
    assert data["rate_yuan"] == 6200
    data, _ = run_to_review(engine, {"apprenticeship_type": "enterprise_apprentice", "level": 3, "trainee_count": 1,
                                     "shortage": False, "billed_months": 12, "policy_rates": overrides})
    assert data["rate_yuan"] == 7000


def test_the_decision_table_survives_the_spec_round_trip(engine):  # type: ignore[no-untyped-def]
    version = engine.current("training_filing")
    restored = Engine(BPMN, STATIC_HELPERS).version_from_json(
        version.process_id, version.version_hash, engine.spec_to_json(version), version.bpmn_xml)
    data, _ = run_to_review(engine, {"apprenticeship_type": "tech_trainee", "level": 2, "trainee_count": 2,
                                     "shortage": False, "billed_months": 36, "policy_rates": {}}, version=restored)
    assert data["rate_yuan"] == 8500 and data["subsidy_fen"] == 2 * 8500 * 3 * 100


def test_the_table_covers_every_type_and_level_once() -> None:
    ns = {"dmn": "https://www.omg.org/spec/DMN/20191111/MODEL/"}
    root = etree.parse(str(BPMN / "subsidy_rates.dmn")).getroot()
    keys = [tuple(e.findtext("dmn:text", namespaces=ns) for e in rule.findall("dmn:inputEntry", ns))
            for rule in root.iterfind(".//dmn:rule", ns)]
    assert len(keys) == len(set(keys)) == 15 + 9  # 9 uplift rows: three types x 三级/二级/一级
    diagram = (BPMN / "training_filing.bpmn").read_text(encoding="utf-8")
    assert "<spiffworkflow:calledDecisionId>subsidy_rate</spiffworkflow:calledDecisionId>" in diagram
    assert 'bpmnElement="decide_subsidy_rate"' in diagram and 'bpmnElement="compute_fund_plan"' in diagram


def test_policy_reads_the_defaults_from_the_diagram(app) -> None:  # type: ignore[no-untyped-def]
    defaults = policy.dmn_default_rates()
    assert defaults == {**{policy.rate_key(k, lv): r for k, lv, r in CASES},
                        **{policy.rate_key(k, lv, True): r for k, lv, r in UPLIFT_CASES}}
    assert policy.DEFAULTS.rate("tech_trainee", 3, shortage=True) == 9100
    assert policy.DEFAULTS.rate("tech_trainee", 4, shortage=True) == 5500
    assert policy.DEFAULTS.rate("tech_trainee", 3) == 7000
    assert policy.DEFAULTS.rates["student_apprentice"][1] == 5000


def test_submission_writes_the_diagrams_fund_plan_on_the_filing(session, world):  # type: ignore[no-untyped-def]
    ent = world.actor("ent-440106-1")
    filing = service.create_filing(session, ent, filing_data(1, level=3))
    session.get(Filing, filing.id).subsidy_fen = 1  # a stale draft estimate: the diagram must replace it
    session.commit()
    service.submit_filing(session, ent, filing.id)
    session.expire_all()
    filing = session.get(Filing, filing.id)
    assert filing.subsidy_fen == 3 * 7000 * 1 * 100
    workflow = store.load_workflow(get_engine(), session.get(WorkflowInstance, filing.instance_id))
    data = runner.data_of(workflow)
    assert (data["rate_yuan"], data["subsidy_fen"], data["policy_version_id"]) == (7000, 2_100_000, None)


def test_two_years_and_a_day_bill_twenty_five_months_not_three_years(session, world):  # type: ignore[no-untyped-def]
    data = filing_data(2)
    data.period_end = data.period_start.replace(year=data.period_start.year + 2)  # 2 years and 1 day
    data.period_reason = "跨年度实训安排"
    for course in data.courses:  # three training years (25 months) need the hours of each year (600 per year)
        course.hours *= 3
    ent = world.actor("ent-440106-1")
    filing = service.create_filing(session, ent, data)
    service.submit_filing(session, ent, filing.id)
    session.expire_all()
    assert session.get(Filing, filing.id).subsidy_fen == 3 * 5500 * 100 * 25 // 12  # 412,500.00 yuan


def test_shortage_flag_of_the_catalogue_entry_reaches_the_diagram(session, world):  # type: ignore[no-untyped-def]
    from workflows.catalogue import admin as catalogue_admin
    from workflows.catalogue import reads as catalogue_reads
    from workflows.models import Occupation

    catalogue_admin.ensure_loaded(session)
    code = filing_data(1).occupation_code
    session.get(Occupation, code).shortage = True
    catalogue_admin.touch(session, "occupation")
    session.commit()
    assert catalogue_reads.occupations(session)[code].shortage
    ent = world.actor("ent-440106-1")
    filing = service.create_filing(session, ent, filing_data(1, level=3))
    service.submit_filing(session, ent, filing.id)
    session.expire_all()
    assert session.get(Filing, filing.id).subsidy_fen == 3 * 9100 * 100  # 12 months at the uplifted rate


def test_resubmission_recomputes_the_fund_plan(session, world):  # type: ignore[no-untyped-def]
    filing = submitted_filing(session, world)
    ent, rev = world.actor("ent-440106-1"), world.actor("review-440106")
    task = service.ready_tasks(session, filing.instance_id)[0]
    service.complete_task(session, rev, task.task_id, "return", "请减少人数")
    fewer = filing_data(1)
    fewer.trainees = fewer.trainees[:2]
    service.submit_filing(session, ent, filing.id, fewer)
    session.expire_all()
    assert session.get(Filing, filing.id).subsidy_fen == 2 * 5500 * 100
