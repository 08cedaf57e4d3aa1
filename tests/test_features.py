"""Explicit registration: features.install() fills the kernel's registries once, and the kernel refuses to
run a use case that needs them before it has run."""

from __future__ import annotations

import pytest

from workflows import bindings, cases, features, service
from workflows.dto import Actor
from workflows.projects import config as project_config


def test_install_registers_every_feature_once() -> None:
    features.install()
    features.install()
    assert set(cases.DECISIONS) == {"district_review", "city_record", "plan_record", "report_accept",
                                    *project_config.DECISIONS}
    assert set(cases.GUARDS) == set(cases.EFFECTS) == {"filing"}
    # The filing's own effect first, then the training project's start on 予以备案 (each once).
    assert [fn.__name__ for fn in cases.EFFECTS["filing"]] == ["filing_decided", "start_project"]
    assert [fn.__name__ for fn in cases.OPENERS] == ["open_quarter_plans", "open_ended_half_year"]
    helper_names = set(bindings.for_session(None, None))  # type: ignore[arg-type]  (factories only bind)
    assert {"run_filing_checks", "record_fund_plan", "run_plan_checks", "plan_share_below_min", "notify_role",
            "quarter_due_at", "days_before"} <= helper_names


def test_labels_come_from_the_features_once() -> None:
    assert list(features.KIND_LABELS) == ["filing", "quarterly_plan", "semiannual_report", "training_project"]
    assert features.status_label("training_project", "publicity") == "公示中"
    assert list(features.STATUS_LABELS)[:8] == ["draft", "district_review", "returned", "city_record", "recorded",
                                                "rejected", "withdrawn", "expired"]
    assert features.status_label("semiannual_report", "recorded") == "已接收"
    assert features.status_label("filing", "recorded") == "已备案"
    assert service.status_label is features.status_label


def test_use_cases_refuse_to_run_before_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cases, "DECISIONS", {})
    city = Actor(id=1, role="city", name="市中心")
    with pytest.raises(RuntimeError, match="features.install"):
        cases.complete_task(None, city, "any-task", "record")  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match="features.install"):
        cases.open_due_periods(None, None)  # type: ignore[arg-type]
    monkeypatch.setattr(bindings, "_FACTORIES", [])
    with pytest.raises(RuntimeError, match="features.install"):
        bindings.for_session(None, None)  # type: ignore[arg-type]
