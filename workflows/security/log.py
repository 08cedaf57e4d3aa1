"""TEMPORARY minimal security log — replaced by issue-11a (its hash-chained version wins at merge).

Only the contract is kept here so issue 11b can record ID reveals and exports:
``record(session, action, *, user_id, username, address, target="", detail=None)``. Nothing commits: the row
rides in the caller's unit of work.
"""

from __future__ import annotations

import json

from sqlalchemy.orm import Session

from workflows.models.security import SecurityEvent


def record(session: Session, action: str, *, user_id: int | None, username: str, address: str, target: str = "",
           detail: dict | None = None) -> None:
    """Append one security event (who, from where, what) to the caller's transaction."""
    session.add(SecurityEvent(user_id=user_id, username=username[:64], address=(address or "")[:64],
                              action=action[:40], target=target[:200],
                              detail=json.dumps(detail or {}, ensure_ascii=False, sort_keys=True)))
    session.flush()
