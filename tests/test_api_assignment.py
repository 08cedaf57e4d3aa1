"""The API of 认领 / 转办 / 退回组 and 批量办理, and the inbox's ``assignee`` field and filter."""

from __future__ import annotations

from tests.factories import submitted_filing, task_of
from tests.test_api_helpers import token_for
from tests.test_assignment import colleague
from tests.test_web_helpers import status_of


def _token(client, username: str) -> str:  # type: ignore[no-untyped-def]
    return token_for(client, username)


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_claim_transfer_release_and_the_inbox_filter(client, world, session):  # type: ignore[no-untyped-def]
    filing = submitted_filing(session, world)
    other = submitted_filing(session, world, "ent-440106-2", seed=2)
    task_id = task_of(session, filing).task_id
    colleague(session)
    first, second = _token(client, "review-440106"), _token(client, "review-440106-2")
    items = client.get("/api/v1/tasks", headers=_auth(first)).get_json()["items"]
    assert {t["id"]: t["assignee"] for t in items} == {task_id: None, task_of(session, other).task_id: None}

    reply = client.post(f"/api/v1/tasks/{task_id}/claim", headers=_auth(first))
    assert reply.status_code == 200
    assert reply.get_json() == {"id": task_id, "case_id": filing.instance_id,
                                "assignee": {"username": "review-440106", "name": "天河区审核员"}}
    refused = client.post(f"/api/v1/tasks/{task_id}/claim", headers=_auth(second))
    assert refused.status_code == 409 and "天河区审核员" in refused.get_json()["error"]["message"]
    refused = client.post(f"/api/v1/tasks/{task_id}/complete", headers=_auth(second), json={"decision": "approve"})
    assert refused.status_code == 409 and "天河区审核员" in refused.get_json()["error"]["message"]

    mine = client.get("/api/v1/tasks?assignee=me", headers=_auth(first)).get_json()
    assert [t["id"] for t in mine["items"]] == [task_id] and mine["total"] == 1
    unassigned = client.get("/api/v1/tasks?assignee=none", headers=_auth(first)).get_json()["items"]
    assert [t["id"] for t in unassigned] == [task_of(session, other).task_id]
    assert client.get("/api/v1/tasks?assignee=everyone", headers=_auth(first)).status_code == 422
    assert client.get("/api/v1/tasks?resubmitted=1", headers=_auth(first)).get_json()["total"] == 0
    assert client.get("/api/v1/tasks?flagged=0&overdue=0", headers=_auth(first)).get_json()["total"] == 2
    assert client.get("/api/v1/tasks?district=440112", headers=_auth(first)).get_json()["total"] == 0

    bad = client.post(f"/api/v1/tasks/{task_id}/transfer", headers=_auth(first), json={"to": "review-440106-2"})
    assert bad.status_code == 422
    moved = client.post(f"/api/v1/tasks/{task_id}/transfer", headers=_auth(first),
                        json={"to": "review-440106-2", "comment": "请协助"})
    assert moved.status_code == 200 and moved.get_json()["assignee"]["username"] == "review-440106-2"
    released = client.post(f"/api/v1/tasks/{task_id}/release", headers=_auth(second))
    assert released.status_code == 200 and released.get_json()["assignee"] is None
    assert client.post(f"/api/v1/tasks/{task_id}/release", headers=_auth(second)).status_code == 409
    outsider = _token(client, "review-440112")
    assert client.post(f"/api/v1/tasks/{task_id}/claim", headers=_auth(outsider)).status_code == 404


def test_batch_complete_reports_each_item(client, world, session):  # type: ignore[no-untyped-def]
    filings = [submitted_filing(session, world, "ent-440106-1", seed=s) for s in (1, 2)]
    ids = [task_of(session, f).task_id for f in filings]
    token = _token(client, "review-440106")
    reply = client.post("/api/v1/tasks/batch-complete", headers=_auth(token),
                        json={"task_ids": [ids[0], "missing-task", ids[1]], "decision": "approve", "comment": "同意"})
    assert reply.status_code == 200
    results = reply.get_json()["results"]
    assert [(r["task_id"], r["ok"]) for r in results] == [(ids[0], True), ("missing-task", False), (ids[1], True)]
    assert results[0]["error"] is None and "未找到" in results[1]["error"]
    assert [status_of(session, f.instance_id) for f in filings] == ["city_record", "city_record"]
    empty = client.post("/api/v1/tasks/batch-complete", headers=_auth(token), json={"task_ids": [], "decision": "x"})
    assert empty.status_code == 422
    ent = _token(client, "ent-440106-1")
    assert client.post("/api/v1/tasks/batch-complete", headers=_auth(ent),
                       json={"task_ids": ids, "decision": "approve"}).status_code == 404
