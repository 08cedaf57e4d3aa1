"""Versioned policy parameters: effective dates, no retroactive change, and a filing judged by the
version in force when it was submitted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.factories import filing_data, make_world, submitted_filing, task_of
from workflows import clock, errors, policy, service
from workflows.clock import frozen_now, now
from workflows.filings import checks
from workflows.models import Filing, PolicyVersion, WorkflowInstance


def version_input(**changes: object) -> policy.PolicyInput:
    data = policy.input_from(policy.DEFAULTS)
    data.effective_from = clock.china_today(now())
    for key, value in changes.items():
        setattr(data, key, value)
    return data


def publish(session, world, **changes: object) -> PolicyVersion:  # type: ignore[no-untyped-def]
    return policy.add_version(session, world.actor("admin"), version_input(**changes))


def refreshed(session, filing: Filing) -> Filing:  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.get(Filing, filing.id)


def test_defaults_apply_before_any_version(session, world):  # type: ignore[no-untyped-def]
    params = policy.in_force(session)
    assert params.version_id is None
    assert (params.enterprise_share_threshold, params.occupation_share_threshold,
            params.intermediate_min_share) == (0.20, 0.30, 0.70)
    assert (params.max_period_years, params.max_period_years_with_reason, params.resubmit_window_days) == (2, 3, 15)
    assert params.rate("enterprise_apprentice", 4) == 5500


def test_a_version_takes_effect_on_its_date(session, world):  # type: ignore[no-untyped-def]
    today = clock.china_today(now())
    current = publish(session, world, enterprise_share_pct=25.0)
    future = publish(session, world, effective_from=today + timedelta(days=10), enterprise_share_pct=15.0)
    assert policy.in_force(session).version_id == current.id
    assert policy.in_force(session).enterprise_share_threshold == 0.25
    later = datetime.now(UTC) + timedelta(days=11)
    assert policy.in_force(session, later).version_id == future.id
    assert policy.in_force(session, later).enterprise_share_threshold == 0.15
    states = {r.id: policy.version_state(r, current.id) for r in policy.versions(session)}
    assert states == {current.id: "current", future.id: "scheduled"}


def test_history_cannot_be_rewritten(session, world):  # type: ignore[no-untyped-def]
    yesterday = clock.china_today(now()) - timedelta(days=1)
    with pytest.raises(errors.ValidationFailed) as err:
        publish(session, world, effective_from=yesterday)
    assert "effective_from" in err.value.fields
    assert session.scalars(select(PolicyVersion)).all() == []


def test_a_version_created_later_does_not_change_the_answer_for_an_earlier_instant(session, world):  # type: ignore[no-untyped-def]
    before = now()
    publish(session, world, occupation_share_pct=40.0)
    assert policy.in_force(session, before).version_id is None


@pytest.mark.parametrize(("field", "value"), [
    ("enterprise_share_pct", 0), ("occupation_share_pct", 120), ("intermediate_min_pct", 70.123),
    ("max_period_years", 0), ("max_period_years_with_reason", 1), ("resubmit_window_days", 0),
])
def test_invalid_parameters_are_named(session, world, field, value):  # type: ignore[no-untyped-def]
    data = version_input(**{field: value})
    if field == "max_period_years_with_reason":
        data.max_period_years = 2
    with pytest.raises(errors.ValidationFailed) as err:
        policy.add_version(session, world.actor("admin"), data)
    assert field in err.value.fields


def test_invalid_rate_is_named(session, world):  # type: ignore[no-untyped-def]
    data = version_input()
    data.rates["tech_trainee:3"] = -1
    with pytest.raises(errors.ValidationFailed) as err:
        policy.add_version(session, world.actor("admin"), data)
    assert list(err.value.fields) == ["rate_tech_trainee_3"]


def test_only_admins_publish(session, world):  # type: ignore[no-untyped-def]
    for who in ("city", "review-440106", "ent-440106-1"):
        with pytest.raises(errors.NotFound):
            policy.add_version(session, world.actor(who), version_input())


def test_a_parameter_change_does_not_alter_filings_submitted_before_it(session, world):  # type: ignore[no-untyped-def]
    v1 = publish(session, world)
    before = submitted_filing(session, world, seed=1)
    assert refreshed(session, before).policy_version_id == v1.id
    assert refreshed(session, before).subsidy_fen == 3 * 5500 * 100
    rates = dict(policy.input_from(policy.in_force(session)).rates, **{"enterprise_apprentice:4": 8000})
    v2 = publish(session, world, rates=rates, enterprise_share_pct=0.5)

    after = submitted_filing(session, world, seed=2)
    assert refreshed(session, after).policy_version_id == v2.id
    assert refreshed(session, after).subsidy_fen == 3 * 8000 * 100
    enterprise_check = next(r for r in refreshed(session, after).check_results
                            if r["rule"] == "enterprise_concentration")
    assert enterprise_check["ok"] is False and enterprise_check["details"]["threshold"] == 0.005

    old = refreshed(session, before)
    assert (old.policy_version_id, old.subsidy_fen) == (v1.id, 3 * 5500 * 100)
    # Re-running the checks of the earlier filing still uses its own version's thresholds.
    rerun = {r.rule: r for r in checks.evaluate(session, old)}
    assert rerun["enterprise_concentration"].details["threshold"] == 0.20
    # And it is approved against the budget with the amount computed under v1.
    service.complete_task(session, world.actor("review-440106"), task_of(session, old).task_id, "approve")
    assert refreshed(session, old).subsidy_fen == 3 * 5500 * 100


def test_a_filing_submitted_before_any_version_keeps_the_defaults(session, world):  # type: ignore[no-untyped-def]
    before = submitted_filing(session, world, seed=1)
    assert refreshed(session, before).policy_version_id is None
    publish(session, world, enterprise_share_pct=0.5)
    old = refreshed(session, before)
    assert policy.for_filing(session, old).version_id is None
    rerun = {r.rule: r for r in checks.evaluate(session, old)}
    assert rerun["enterprise_concentration"].details["threshold"] == 0.20
    service.complete_task(session, world.actor("review-440106"), task_of(session, old).task_id, "approve")
    assert refreshed(session, old).subsidy_fen == 3 * 5500 * 100


def test_the_period_limit_of_the_version_in_force_is_applied(session, world):  # type: ignore[no-untyped-def]
    publish(session, world, max_period_years=1, max_period_years_with_reason=2)
    data = filing_data(3)
    data.period_end = data.period_start.replace(year=data.period_start.year + 2) - timedelta(days=1)
    ent = world.actor("ent-440106-1")
    filing = service.create_filing(session, ent, data)
    with pytest.raises(errors.ValidationFailed) as err:
        service.submit_filing(session, ent, filing.id)
    assert "period.reason" in err.value.fields
    assert "超过1年" in err.value.fields["period.reason"][0]


def test_the_resubmission_window_of_the_version_sets_the_deadline(session, world):  # type: ignore[no-untyped-def]
    publish(session, world, resubmit_window_days=3)
    filing = submitted_filing(session, world)
    start = datetime.now(UTC)
    service.complete_task(session, world.actor("review-440106"), task_of(session, filing).task_id, "return", "补充")
    session.expire_all()
    due = session.get(WorkflowInstance, filing.instance_id).next_timer_at
    expected = clock.end_of_day(clock.add_working_days(clock.china_today(start), 3))
    assert due is not None and due == expected  # 3 working days (the default counts working days)


def test_a_draft_is_estimated_with_todays_rates(session, world):  # type: ignore[no-untyped-def]
    with frozen_now(datetime.now(UTC)):
        publish(session, world, rates=dict(policy.input_from(policy.DEFAULTS).rates, **{"enterprise_apprentice:4": 6000}))
    filing = service.create_filing(session, world.actor("ent-440106-1"), filing_data(4))
    assert refreshed(session, filing).subsidy_fen == 3 * 6000 * 100
    assert refreshed(session, filing).policy_version_id is None


def test_admin_publishes_on_the_screen_and_city_only_reads(app, session):  # type: ignore[no-untyped-def]
    world = make_world(session)
    client = app.test_client()
    client.post("/login", data={"username": "city", "password": "Demo@2026"})
    assert client.get("/admin/policy").status_code == 200
    assert client.get("/admin/policy/new").status_code == 404
    client.post("/logout")
    client.post("/login", data={"username": "admin", "password": "Demo@2026"})
    page = client.get("/admin/policy/new")
    assert page.status_code == 200 and "发布新版本" in page.get_data(as_text=True)
    today = clock.china_today(now())
    form = {"effective_from": today.isoformat(), "enterprise_share_pct": "22.5", "occupation_share_pct": "30",
            "intermediate_min_pct": "70", "max_period_years": "2", "max_period_years_with_reason": "3",
            "resubmit_window_days": "10", "review_window_days": "8", "note": "穗人社规〔2026〕1号", "max_trainee_age": "60",
            "student_graduation_window_years": "2", "student_highest_level": "3", "min_hours_per_year": "600",
            "min_class_hours_per_year": "120", "start_report_days": "30",
            "advance_max_pct": "40", "notice_working_days": "5", "refund_months": "3", "fund_risk_pct": "90"}
    for kind in ("enterprise_apprentice", "tech_trainee", "student_apprentice"):
        for level in range(1, 6):
            form[f"rate_{kind}_{level}"] = str(policy.DEFAULTS.rate(kind, level))
    form["rate_tech_trainee_4"] = "5800"
    response = client.post("/admin/policy/new", data=form)
    assert response.status_code == 302
    row = session.scalars(select(PolicyVersion)).one()
    assert (row.enterprise_share_bp, row.resubmit_window_days, row.rates["tech_trainee:4"]) == (2250, 10, 5800)
    assert row.review_window_days == 8 and policy.params_of(row).review_window_days == 8  # 区级审核期限
    assert row.created_by_name == world.users["admin"].display_name
    form["effective_from"] = (today - timedelta(days=3)).isoformat()
    response = client.post("/admin/policy/new", data=form)
    assert response.status_code == 422 and "历史参数不能修改" in response.get_data(as_text=True)
    listing = client.get("/admin/policy").get_data(as_text=True)
    assert "生效中" in listing and "5,800" in listing


def test_the_policy_screen_sets_the_shortage_uplift_rates(app, session):  # type: ignore[no-untyped-def]
    """The 紧缺急需 table: prefilled with the diagram's uplifted rates; a typed value goes into the version,
    a blank one keeps the diagram's; out of range is refused on its field."""
    make_world(session)
    client = app.test_client()
    client.post("/login", data={"username": "admin", "password": "Demo@2026"})
    page = client.get("/admin/policy/new").get_data(as_text=True)
    default = policy.DEFAULTS.rate("enterprise_apprentice", 3, shortage=True)
    assert "紧缺急需职业（工种）的补贴标准" in page
    assert 'name="rate_enterprise_apprentice_3_shortage"' in page and f'value="{default}"' in page
    form = {"effective_from": clock.china_today(now()).isoformat(), "enterprise_share_pct": "20",
            "occupation_share_pct": "30", "intermediate_min_pct": "70", "max_period_years": "2",
            "max_period_years_with_reason": "3", "resubmit_window_days": "15", "review_window_days": "10",
            "max_trainee_age": "60", "student_graduation_window_years": "2", "student_highest_level": "3",
            "min_hours_per_year": "600", "min_class_hours_per_year": "120", "start_report_days": "30",
            "advance_max_pct": "40", "notice_working_days": "5", "refund_months": "3", "fund_risk_pct": "90"}
    for kind in ("enterprise_apprentice", "tech_trainee", "student_apprentice"):
        for level in range(1, 6):
            form[f"rate_{kind}_{level}"] = str(policy.DEFAULTS.rate(kind, level))
    refused = client.post("/admin/policy/new", data={**form, "rate_tech_trainee_2_shortage": "999999"})
    assert refused.status_code == 422 and "应为0至100000元" in refused.get_data(as_text=True)
    assert client.post("/admin/policy/new", data={**form, "rate_enterprise_apprentice_3_shortage": "7800"}
                       ).status_code == 302
    row = session.scalars(select(PolicyVersion)).one()
    params = policy.params_of(row)
    assert row.rates["enterprise_apprentice:3:shortage"] == 7800
    assert params.rate("enterprise_apprentice", 3, shortage=True) == 7800
    assert "tech_trainee:2:shortage" not in row.rates  # left blank: the diagram's rate
    assert params.rate("tech_trainee", 2, shortage=True) == policy.DEFAULTS.rate("tech_trainee", 2, shortage=True)
