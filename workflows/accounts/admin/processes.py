"""Deployed process versions and the instances that need attention (admin only): every stored spec
version with how many cases run on it, and the cases the engine cannot move on by itself (waiting, a
timer overdue by more than ``STUCK_TIMER_GRACE``, or a timer that failed in ``workflows tick``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from workflows.accounts.admin.access import require
from workflows.clock import now
from workflows.dto import Actor
from workflows.engine import get_engine
from workflows.models import SpecVersion, WorkflowInstance

STUCK_TIMER_GRACE = timedelta(hours=1)


@dataclass
class ProcessVersionRow:
    id: int
    process_id: str
    version_hash: str
    created_at: datetime
    instances: int
    open_instances: int
    current: bool


def process_versions(session: Session, actor: Actor) -> list[ProcessVersionRow]:
    """Every stored spec version with how many cases run on it; the one new cases start on is current."""
    require(actor, "admin")
    counts = {r[0]: (int(r[1]), int(r[2] or 0)) for r in session.execute(
        select(WorkflowInstance.spec_version_id, func.count(),
               func.sum(case((WorkflowInstance.completed_at.is_(None), 1), else_=0)))
        .group_by(WorkflowInstance.spec_version_id))}
    engine = get_engine()
    current: set[tuple[str, str]] = set()
    for process_id in session.scalars(select(SpecVersion.process_id).distinct()):
        try:
            current.add((process_id, engine.current(process_id).version_hash))
        except KeyError:  # a process no longer in bpmn/: its versions live on for their cases
            continue
    rows = []
    for spec in session.execute(select(SpecVersion.id, SpecVersion.process_id, SpecVersion.version_hash,
                                       SpecVersion.created_at)
                                .order_by(SpecVersion.process_id, SpecVersion.created_at.desc())):
        total, open_ = counts.get(spec.id, (0, 0))
        rows.append(ProcessVersionRow(spec.id, spec.process_id, spec.version_hash, spec.created_at, total, open_,
                                      (spec.process_id, spec.version_hash) in current))
    return rows


def stuck_instances(session: Session, actor: Actor, at: datetime | None = None, limit: int = 200
                    ) -> list[WorkflowInstance]:
    """Cases the engine cannot move on by itself: status 'waiting' (no ready task, not finished), a timer
    that fell due more than an hour ago and was not fired (is ``workflows tick`` running?), or a case
    whose timer failed in ``workflows tick`` (``failed_at``; listed at once, with the error)."""
    require(actor, "admin")
    at = at or now()
    return list(session.scalars(
        select(WorkflowInstance)
        .where((WorkflowInstance.status == "waiting")
               | (WorkflowInstance.next_timer_at < at - STUCK_TIMER_GRACE)
               | WorkflowInstance.failed_at.is_not(None))
        .order_by(WorkflowInstance.failed_at.is_(None), WorkflowInstance.updated_at).limit(limit)))
