"""Hash chains: each row's hash is SHA-256 over the previous row's hash and the row's own content, so a
changed, deleted or out-of-order row breaks every hash after it.

The security log is one global chain (its head row in ``security_chain_head``); the case audit trail is
chained per case (its head in ``workflow_instance.audit_hash``), so completions on different cases never
wait for one another. The content is canonical JSON (sorted keys, UTC instants to the microsecond), the
same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any


def instant(value: datetime) -> str:
    """A UTC instant as the chain hashes it (microseconds; the databases keep them)."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def link(prev_hash: str, content: dict[str, Any]) -> str:
    """The hash of a row whose predecessor's hash is ``prev_hash``."""
    body = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256((prev_hash + "\n" + body).encode("utf-8")).hexdigest()


def security_content(*, created_at: datetime, user_id: int | None, username: str, address: str, action: str,
                     target: str, detail: str) -> dict[str, Any]:
    """What of a security_event row the chain covers (everything but its id and hashes)."""
    return {"at": instant(created_at), "user_id": user_id, "username": username, "address": address,
            "action": action, "target": target, "detail": detail}


def audit_content(*, instance_id: int, actor_id: int | None, actor_name: str, action: str, task_name: str,
                  task_id: str, comment: str, status_before: str, status_after: str, created_at: datetime
                  ) -> dict[str, Any]:
    """What of an audit_event row the per-case chain covers (everything but its id and hashes)."""
    return {"instance_id": instance_id, "actor_id": actor_id, "actor_name": actor_name, "action": action,
            "task_name": task_name, "task_id": task_id, "comment": comment, "status_before": status_before,
            "status_after": status_after, "at": instant(created_at)}
