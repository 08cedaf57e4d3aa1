"""The training project diagram's session-bound script helpers (registered by ``workflows.features``):
applying a decided change, publishing the 公示 and handling its objections, and the due dates of timers.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from workflows.clock import china_today, end_of_day
from workflows.dto import Actor
from workflows.projects.changes import decide_change
from workflows.projects.notice import open_objection_count, publish_notice, resolve_objections
from workflows.rules import money


def months_after_due_at(months: int) -> str:
    """End of the day ``months`` months after today (China time), ISO."""
    return end_of_day(money.add_months(china_today(), int(months))).isoformat()


def script_helpers(session: Session, actor: Actor | None) -> dict[str, Any]:
    """The project diagram's session-bound script helpers (registered by ``workflows.features``)."""
    return {
        "decide_change": lambda project_id, decision: decide_change(session, project_id, decision),
        "publish_notice": lambda project_id: publish_notice(session, project_id),
        "open_objection_count": lambda project_id: open_objection_count(session, project_id),
        "resolve_objections": lambda project_id, decision, comment: resolve_objections(
            session, project_id, decision, comment),
        "months_after_due_at": months_after_due_at,
        "yuan": money.fen_to_yuan_str,
    }
