"""The explicit list of features and what each registers with the kernel.

A feature is a process the system runs (a case kind) or a service every process uses. It says what it
brings: the labels of its status codes and of its case kind, the session-bound script helpers its
diagrams call, the decisions its review forms accept, the guard and effect of a decision on its cases,
and the period opener that starts its cases. ``install()`` registers every listed feature with the
kernel (``workflows.cases`` and ``workflows.bindings``) once, at start-up: nothing registers itself as
a side effect of being imported.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from workflows import bindings, cases, deadlines
from workflows.dto import Actor
from workflows.filings import checks, totals
from workflows.filings import status as filing_status
from workflows.models import WorkflowInstance
from workflows.notifications import delivery
from workflows.plans import compile as plan_compile
from workflows.plans import config as plan_config
from workflows.plans import use_cases as plan_cases
from workflows.projects import config as project_config
from workflows.projects import opening as project_opening
from workflows.projects import scripts as project_scripts
from workflows.reports import config as report_config
from workflows.reports import opening as report_opening


def filing_decided(session: Session, instance: WorkflowInstance, decision: str, actor: Actor, comment: str) -> None:
    """A filing decision's effect: the reviewer's confirmations of job-post mismatches go into the case
    history (R2), then the enterprise (or the district) is notified."""
    checks.record_mismatch_confirmations(session, instance, decision, actor)
    delivery.on_filing_decision(session, instance, decision, actor, comment)


@dataclass(frozen=True)
class Feature:
    """What one feature registers."""

    name: str
    kind_label: str = ""  # set for a case kind: the name of the kind people read
    status_labels: Mapping[str, str] = field(default_factory=dict)
    helpers: tuple[bindings.Factory, ...] = ()
    decisions: Mapping[str, cases.Decisions] = field(default_factory=dict)
    guard: cases.DecisionGuard | None = None
    effect: cases.DecisionEffect | None = None
    figures: cases.DecisionFigures | None = None
    openers: tuple[cases.Opener, ...] = ()
    # Effects this feature adds to decisions on another kind's cases: kind -> effect.
    effects_on: Mapping[str, cases.DecisionEffect] = field(default_factory=dict)
    tracker: cases.StepTracker | None = None  # runs around every engine move of this kind's cases


FEATURES: tuple[Feature, ...] = (
    Feature(filing_status.KIND, filing_status.KIND_LABEL, filing_status.LABELS,
            helpers=(checks.script_helpers,), decisions=filing_status.DECISIONS,
            guard=checks.before_decision, effect=filing_decided,
            figures=checks.decision_figures, tracker=totals.track),
    Feature(plan_config.KIND, plan_config.KIND_LABEL, plan_config.PLAN_STATUS_LABELS,
            helpers=(plan_compile.script_helpers,), decisions=plan_config.DECISIONS,
            openers=(plan_cases.open_quarter_plans,)),
    Feature(report_config.KIND, report_config.KIND_LABEL, report_config.STATUS_LABELS,
            decisions=report_config.DECISIONS, openers=(report_opening.open_ended_half_year,)),
    Feature(project_config.KIND, project_config.KIND_LABEL, project_config.STATUS_LABELS,
            helpers=(project_scripts.script_helpers,), decisions=project_config.DECISIONS,
            effects_on={filing_status.KIND: project_opening.start_project}),
    Feature("deadlines", helpers=(deadlines.script_helpers,)),
    Feature("notifications", helpers=(delivery.script_helpers,)),
)

CASE_KINDS: tuple[Feature, ...] = tuple(f for f in FEATURES if f.kind_label)

KIND_LABELS: dict[str, str] = {f.name: f.kind_label for f in CASE_KINDS}

# Every status code with its label; where kinds share a code, the first kind's (the filing's) label.
def _all_status_labels() -> dict[str, str]:
    labels: dict[str, str] = {}
    for feature in CASE_KINDS:
        for code, label in feature.status_labels.items():
            labels.setdefault(code, label)
    return labels


STATUS_LABELS: dict[str, str] = _all_status_labels()

# The periodic processes' labels by kind (a report's 'recorded' reads 已接收).
PERIODIC_STATUS_LABELS: dict[str, dict[str, str]] = {
    f.name: dict(f.status_labels) for f in CASE_KINDS if f.name != filing_status.KIND}

# Every review form's decisions: decision -> (audit label, comment required).
DECISIONS: dict[str, cases.Decisions] = {form: d for f in FEATURES for form, d in f.decisions.items()}

_LABELS_BY_KIND: dict[str, Mapping[str, str]] = {f.name: f.status_labels for f in CASE_KINDS}


def status_label(kind: str | None, code: str) -> str:
    """The Chinese label of a status code for a case of this kind."""
    return _LABELS_BY_KIND.get(kind or "", {}).get(code) or STATUS_LABELS.get(code, code)


def _add_effect(kind: str, effect: cases.DecisionEffect) -> None:
    effects = cases.EFFECTS.setdefault(kind, [])
    if effect not in effects:
        effects.append(effect)


def install() -> None:
    """Register every feature's helpers, decisions, guards, effects and openers with the kernel.
    Idempotent: the app factory, the CLI and the tests call it."""
    cases.DECISIONS.update(DECISIONS)
    for feature in FEATURES:
        for factory in feature.helpers:
            bindings.register(factory)
        if feature.guard is not None:
            cases.GUARDS[feature.name] = feature.guard
        if feature.effect is not None:
            _add_effect(feature.name, feature.effect)
        for kind, effect in feature.effects_on.items():
            _add_effect(kind, effect)
        if feature.figures is not None:
            cases.FIGURES[feature.name] = feature.figures
        if feature.tracker is not None:
            cases.TRACKERS[feature.name] = feature.tracker
        for opener in feature.openers:
            if opener not in cases.OPENERS:
                cases.OPENERS.append(opener)
