"""站内信 through the API, as each role: own notifications only (someone else's is 404), the unread filter,
pages, the unread count, marking one or all read; links to the case and the page it is about."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.test_api_helpers import USERS, Api, error_of, fast_passwords, filing_body, tokens_for  # noqa: F401
from tests.test_plans_helpers import fresh_spec_caches, open_q1, plan_of  # noqa: F401
from workflows.models import Notification


@pytest.fixture()
def api(client, world):  # type: ignore[no-untyped-def]
    return Api(client)


@pytest.fixture()
def tokens(api):  # type: ignore[no-untyped-def]
    return tokens_for(api.client)


def inbox(api: Api, token: str, **query):  # type: ignore[no-untyped-def]
    r = api.get("/notifications", token=token, query=query)
    assert r.status_code == 200
    return r.get_json()


def test_a_return_reaches_the_enterprise_who_reads_it(api, tokens):  # type: ignore[no-untyped-def]
    ent, rev = tokens["ent-440106-1"], tokens["review-440106"]
    case = api.post("/filings", token=ent, json=filing_body()).get_json()
    api.post("/filings/{id}/submit", id=case["filing"]["id"], token=ent)
    task = api.get("/tasks", token=rev).get_json()["items"][0]
    api.post("/tasks/{id}/complete", id=task["id"], token=rev, json={"decision": "return", "comment": "请补充导师"})

    mine = inbox(api, ent)
    assert (mine["total"], mine["unread"], mine["page"], mine["per_page"]) == (1, 1, 1, 20)
    note = mine["items"][0]
    assert (note["kind"], note["kind_label"], note["read"], note["read_at"]) == ("returned", "退回", False, None)
    assert note["title"].startswith("培训备案被退回修改") and "请补充导师" in note["body"]
    assert note["case_id"] == case["id"] and note["case_kind"] == "filing"
    assert note["web_path"] == f"/cases/{case['id']}"
    assert api.get("/notifications/unread-count", token=ent).get_json() == {"unread": 1}
    # Nobody else sees it or can mark it read.
    for who in USERS:
        if who != "ent-440106-1":
            r = api.post("/notifications/{id}/read", id=note["id"], token=tokens[who])
            assert r.status_code == 404 and error_of(r)["code"] == "not_found", who
            assert note["id"] not in [n["id"] for n in inbox(api, tokens[who])["items"]], who
    read = api.post("/notifications/{id}/read", id=note["id"], token=ent)
    assert read.status_code == 200 and read.get_json()["read"] is True
    first = read.get_json()["read_at"]
    again = api.post("/notifications/{id}/read", id=note["id"], token=ent).get_json()
    assert again["read_at"] == first  # idempotent: the first reading time stays
    assert inbox(api, ent, unread="true")["items"] == [] and inbox(api, ent)["unread"] == 0
    assert api.post("/notifications/{id}/read", id=999_999, token=ent).status_code == 404


def test_unread_filter_pages_and_read_all(api, tokens, session, world):  # type: ignore[no-untyped-def]
    open_q1(session)  # every district is told to compile its plan
    _, instance = plan_of(session)
    rev, city = tokens["review-440106"], tokens["city"]
    for n in range(4):
        assert api.post("/plans/{id}/urge", id=plan_of(session)[0].id, token=city,
                        json={"message": f"第{n + 1}次催办"}).status_code == 200
    everything = inbox(api, rev)
    assert (everything["total"], everything["unread"]) == (5, 5)
    kinds = sorted(n["kind"] for n in everything["items"])
    assert kinds == ["opened", "urge", "urge", "urge", "urge"]
    assert {n["case_id"] for n in everything["items"]} == {instance.id}
    assert {n["web_path"] for n in everything["items"]} == {f"/plans/{instance.id}"}
    page = inbox(api, rev, per_page=2, page=3)
    assert (page["total"], len(page["items"])) == (5, 1)
    ids = [n["id"] for n in inbox(api, rev, per_page=2, page=1)["items"]] + \
        [n["id"] for n in inbox(api, rev, per_page=2, page=2)["items"]] + [n["id"] for n in page["items"]]
    assert ids == [n["id"] for n in everything["items"]]  # newest first, stable across pages
    api.post("/notifications/{id}/read", id=ids[0], token=rev)
    unread = inbox(api, rev, unread="true")
    assert unread["total"] == 4 and ids[0] not in [n["id"] for n in unread["items"]]
    assert inbox(api, rev, unread="false")["total"] == 5
    other = inbox(api, tokens["review-440112"])
    assert (other["total"], other["items"][0]["kind"]) == (1, "opened")
    r = api.post("/notifications/read-all", token=rev)
    assert r.status_code == 200 and r.get_json() == {"marked": 4, "unread": 0}
    assert api.post("/notifications/read-all", token=rev).get_json() == {"marked": 0, "unread": 0}
    assert inbox(api, tokens["review-440112"])["unread"] == 1  # only the caller's own
    session.expire_all()
    mine = session.scalars(select(Notification).where(Notification.user_id == world.users["review-440106"].id))
    assert all(n.read_at is not None for n in mine)


def test_every_notification_endpoint_as_every_role(api, tokens):  # type: ignore[no-untyped-def]
    for who in USERS:
        t = tokens[who]
        assert inbox(api, t)["items"] == [], who
        assert api.get("/notifications/unread-count", token=t).get_json() == {"unread": 0}, who
        assert api.post("/notifications/read-all", token=t).get_json() == {"marked": 0, "unread": 0}, who
        assert api.post("/notifications/{id}/read", id=1, token=t).status_code == 404, who
    for path in ("/notifications", "/notifications/unread-count"):
        assert api.get(path, token="nope").status_code == 401
    assert api.post("/notifications/read-all", token="nope").status_code == 401
    for query, field in (({"unread": "1"}, "unread"), ({"per_page": 0}, "per_page"), ({"page": "x"}, "page")):
        r = api.get("/notifications", token=tokens["city"], query=query)
        assert r.status_code == 422 and field in error_of(r)["fields"], query
