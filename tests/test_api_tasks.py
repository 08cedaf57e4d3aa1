"""Tasks through the API: inboxes by role and scope, decisions, comments, mismatches, 409 and 404."""

from __future__ import annotations

import pytest

from tests.test_api_helpers import Api, error_of, fast_passwords, filing_body, tokens_for  # noqa: F401


@pytest.fixture()
def api(client, world):  # type: ignore[no-untyped-def]
    return Api(client)


@pytest.fixture()
def tokens(api):  # type: ignore[no-untyped-def]
    return tokens_for(api.client)


def _submitted(api, tokens, who="ent-440106-1", **overrides):  # type: ignore[no-untyped-def]
    case = api.post("/filings", token=tokens[who], json=filing_body(**overrides)).get_json()
    r = api.post("/filings/{id}/submit", id=case["filing"]["id"], token=tokens[who])
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def _inbox(api, token, **query):  # type: ignore[no-untyped-def]
    r = api.get("/tasks", token=token, query=query)
    assert r.status_code == 200
    return r.get_json()["items"]


def test_inbox_by_role_and_scope(api, tokens):  # type: ignore[no-untyped-def]
    case = _submitted(api, tokens)
    draft = api.post("/filings", token=tokens["ent-440106-1"], json=filing_body(2)).get_json()
    review = _inbox(api, tokens["review-440106"])
    assert [(t["case_id"], t["title"], t["role"]) for t in review] == [(case["id"], "区人社局审核", "district")]
    task = review[0]
    assert task["kind"] == "filing" and task["due_at"] is not None and task["overdue"] is False
    assert {d["code"]: d["comment_required"] for d in task["decisions"]} == \
        {"approve": False, "return": True, "reject": True}
    assert _inbox(api, tokens["review-440106"], kind="quarterly_plan") == []
    assert _inbox(api, tokens["review-440112"]) == []
    assert _inbox(api, tokens["city"]) == []
    assert _inbox(api, tokens["admin"]) == []
    assert [t["case_id"] for t in _inbox(api, tokens["ent-440106-1"])] == [draft["id"]]
    assert _inbox(api, tokens["ent-440106-2"]) == []
    assert _inbox(api, tokens["ent-440112-1"]) == []
    assert api.get("/tasks", token=tokens["city"], query={"kind": "nope"}).status_code == 422


def test_review_then_record_with_scope_and_conflicts(api, tokens):  # type: ignore[no-untyped-def]
    case = _submitted(api, tokens)
    task_id = _inbox(api, tokens["review-440106"])[0]["id"]
    for who in ("ent-440106-1", "ent-440112-1", "review-440112", "city", "admin"):
        r = api.post("/tasks/{id}/complete", id=task_id, token=tokens[who], json={"decision": "approve"})
        assert r.status_code == 404 and error_of(r)["code"] == "not_found", who
    r = api.post("/tasks/{id}/complete", id=task_id, token=tokens["review-440106"],
                 json={"decision": "approve", "confirm_mismatches": True})
    assert r.status_code == 200
    body = r.get_json()
    # The slim reply: the case, its new status and the tasks it now waits on (the city's, not mine).
    assert set(body) == {"case_id", "status", "status_label", "next_tasks"}
    assert (body["case_id"], body["status"], body["status_label"]) == (case["id"], "city_record", "待市备案")
    assert [(t["name"], t["role"], t["mine"], t["case_id"]) for t in body["next_tasks"]] == \
        [("city_record", "city", False, case["id"])]
    assert body["next_tasks"][0]["id"] == _inbox(api, tokens["city"])[0]["id"]
    again = api.post("/tasks/{id}/complete", id=task_id, token=tokens["review-440106"], json={"decision": "approve"})
    assert again.status_code == 409 and error_of(again)["code"] == "conflict"
    # A reviewer of another district does not learn that the task existed.
    assert api.post("/tasks/{id}/complete", id=task_id, token=tokens["review-440112"],
                    json={"decision": "approve"}).status_code == 404
    city_task = _inbox(api, tokens["city"])[0]
    assert {d["code"] for d in city_task["decisions"]} == {"record", "send_back"}
    r = api.post("/tasks/{id}/complete", id=city_task["id"], token=tokens["review-440106"],
                 json={"decision": "record"})
    assert r.status_code == 404
    r = api.post("/tasks/{id}/complete", id=city_task["id"], token=tokens["city"], json={"decision": "record"})
    assert r.status_code == 200 and r.get_json()["status"] == "recorded" and r.get_json()["next_tasks"] == []
    history = [h["action"] for h in api.get("/cases/{id}", id=case["id"], token=tokens["city"]).get_json()["history"]]
    assert history == ["create", "submit", "approve", "record"]
    final = api.get("/cases/{id}", id=case["id"], token=tokens["ent-440106-1"]).get_json()
    assert final["status"] == "recorded" and final["tasks"] == []


@pytest.mark.parametrize(("decision", "comment"), [("return", ""), ("reject", "   ")])
def test_comment_required_except_approve_and_record(api, tokens, decision, comment):  # type: ignore[no-untyped-def]
    _submitted(api, tokens)
    task_id = _inbox(api, tokens["review-440106"])[0]["id"]
    r = api.post("/tasks/{id}/complete", id=task_id, token=tokens["review-440106"],
                 json={"decision": decision, "comment": comment})
    assert r.status_code == 422 and "comment" in error_of(r)["fields"]
    assert _inbox(api, tokens["review-440106"])[0]["id"] == task_id


@pytest.mark.parametrize(("payload", "field"), [
    ({}, "decision"), ({"decision": "maybe"}, "decision"), ({"decision": "approve", "comment": 3}, "comment"),
    ({"decision": "approve", "confirm_mismatches": "yes"}, "confirm_mismatches"),
    ({"decision": "approve", "note": ""}, "note"), ({"decision": "return", "comment": "x" * 2001}, "comment"),
])
def test_completion_body_is_validated(api, tokens, payload, field):  # type: ignore[no-untyped-def]
    _submitted(api, tokens)
    task_id = _inbox(api, tokens["review-440106"])[0]["id"]
    r = api.post("/tasks/{id}/complete", id=task_id, token=tokens["review-440106"], json=payload)
    assert r.status_code == 422 and field in error_of(r)["fields"], error_of(r)


def test_wrong_decision_for_the_task_is_422(api, tokens):  # type: ignore[no-untyped-def]
    _submitted(api, tokens)
    task_id = _inbox(api, tokens["review-440106"])[0]["id"]
    r = api.post("/tasks/{id}/complete", id=task_id, token=tokens["review-440106"], json={"decision": "record"})
    assert r.status_code == 422 and "decision" in error_of(r)["fields"]


def test_mismatched_job_posts_need_confirmation(api, tokens):  # type: ignore[no-untyped-def]
    trainees = [{**t, "job_post": "仓库管理员"} for t in filing_body()["trainees"]]
    case = _submitted(api, tokens, trainees=trainees)
    reviewer = api.get("/cases/{id}", id=case["id"], token=tokens["review-440106"]).get_json()
    mismatches = [c for c in reviewer["checks"] if c["rule"] == "job_post_match" and not c["result"]]
    assert mismatches and mismatches[0]["field"] == "trainees[0].job_post"
    task_id = reviewer["tasks"][0]["id"]
    r = api.post("/tasks/{id}/complete", id=task_id, token=tokens["review-440106"], json={"decision": "approve"})
    assert r.status_code == 422 and "confirm_mismatches" in error_of(r)["fields"]
    r = api.post("/tasks/{id}/complete", id=task_id, token=tokens["review-440106"],
                 json={"decision": "approve", "confirm_mismatches": True})
    assert r.status_code == 200 and r.get_json()["status"] == "city_record"


def test_return_revise_resubmit_send_back_round_trip(api, tokens):  # type: ignore[no-untyped-def]
    case = _submitted(api, tokens)
    fid = case["filing"]["id"]
    rev, ent, city = tokens["review-440106"], tokens["ent-440106-1"], tokens["city"]
    task_id = _inbox(api, rev)[0]["id"]
    r = api.post("/tasks/{id}/complete", id=task_id, token=rev, json={"decision": "return", "comment": "请补充导师"})
    assert r.get_json()["status"] == "returned"
    mine = _inbox(api, ent)
    assert len(mine) == 1 and mine[0]["due_at"] is not None and mine[0]["decisions"] == []
    detail = api.get("/cases/{id}", id=case["id"], token=ent).get_json()
    assert detail["status_label"] == "已退回待修改" and detail["history"][-1]["comment"] == "请补充导师"
    api.put("/filings/{id}", id=fid, token=ent, json=filing_body(tutors={"enterprise": "陈师傅", "institution": "周老师"}))
    assert api.post("/filings/{id}/submit", id=fid, token=ent).get_json()["status"] == "district_review"
    r = api.post("/tasks/{id}/complete", id=_inbox(api, rev)[0]["id"], token=rev,
                 json={"decision": "approve", "confirm_mismatches": True})
    assert r.get_json()["status"] == "city_record"
    r = api.post("/tasks/{id}/complete", id=_inbox(api, city)[0]["id"], token=city,
                 json={"decision": "send_back", "comment": "请核实人数"})
    assert r.status_code == 200 and r.get_json()["status"] == "district_review"
    assert len(_inbox(api, rev)) == 1


@pytest.mark.parametrize("task_id", ["00000000-0000-0000-0000-000000000000", "x", "a" * 37, "%00"])
def test_unknown_task_is_404(api, tokens, task_id):  # type: ignore[no-untyped-def]
    r = api.client.post(f"/api/v1/tasks/{task_id}/complete", json={"decision": "approve"},
                        headers={"Authorization": f"Bearer {tokens['review-440106']}"})
    assert r.status_code == 404 and error_of(r)["code"] == "not_found"


def test_stale_task_index_row_is_409_not_500(api, tokens, session):  # type: ignore[no-untyped-def]
    """The index names a task the stored workflow does not know (index and state disagree): 409."""
    import uuid

    from sqlalchemy import update

    from workflows.models import TaskIndex

    _submitted(api, tokens)
    task_id = _inbox(api, tokens["review-440106"])[0]["id"]
    stale = str(uuid.uuid4())
    session.execute(update(TaskIndex).where(TaskIndex.task_id == task_id).values(task_id=stale))
    session.commit()
    r = api.post("/tasks/{id}/complete", id=stale, token=tokens["review-440106"],
                 json={"decision": "approve", "confirm_mismatches": True})
    assert r.status_code == 409 and error_of(r)["code"] == "conflict"
