"""Who reads resident ID numbers in full (issue 11): masked by default on pages and in the API; a district or
city reviewer reveals one case's numbers with an explicit action, written to the security log; the enterprise
sees its own draft in full while editing it; the system administrator sees names and numbers masked and may
not reveal; pages and API answers carrying personal data send ``Cache-Control: no-store``."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from tests.factories import filing_data, submitted_filing
from tests.test_api_helpers import Api, error_of, fast_passwords, tokens_for  # noqa: F401
from tests.test_web_helpers import login, text
from workflows import service
from workflows.models import SecurityEvent

ENT = "ent-440106-1"
MASK = r"4401**********"


def reveals(session) -> list[SecurityEvent]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return list(session.scalars(select(SecurityEvent).where(SecurityEvent.action == "id_reveal")
                                .order_by(SecurityEvent.id)))


@pytest.fixture()
def case(session, world):  # type: ignore[no-untyped-def]
    return submitted_filing(session, world)


def test_pages_mask_ids_until_a_reviewer_reveals_them_and_each_reveal_is_logged(app, session, world, case):  # type: ignore[no-untyped-def]
    numbers = [t.id_number for t in case.trainees]
    reviewer = login(app, "review-440106")
    page = reviewer.get(f"/cases/{case.instance_id}")
    html = text(page)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert all(n not in html for n in numbers)
    assert all(service.mask_id_number(n) in html for n in numbers) and MASK in html
    assert "查看完整身份证号码" in html and reveals(session) == []

    shown = reviewer.post(f"/cases/{case.instance_id}/reveal-ids", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert shown.status_code == 200 and shown.headers["Cache-Control"] == "no-store"
    assert all(n in text(shown) for n in numbers) and "本次查看已记录" in text(shown)
    [event] = reveals(session)
    assert (event.username, event.address, event.user_id) == ("review-440106", "10.1.2.3",
                                                               world.users["review-440106"].id)
    assert event.target == f"case:F{case.id:08d}"
    assert json.loads(event.detail) == {"case_id": case.instance_id, "filing_id": case.id, "count": len(numbers)}
    assert all(n not in event.detail for n in numbers)
    # Reading the page again shows them masked again: the reveal was for that one answer.
    again = text(reviewer.get(f"/cases/{case.instance_id}"))
    assert all(n not in again for n in numbers)

    # The task page has the same button; city staff may reveal too.
    task = service.ready_tasks(session, case.instance_id)[0]
    task_page = reviewer.get(f"/tasks/{task.task_id}")
    assert all(n not in text(task_page) for n in numbers) and "查看完整身份证号码" in text(task_page)
    on_task = reviewer.post(f"/tasks/{task.task_id}/reveal-ids")
    assert on_task.status_code == 200 and all(n in text(on_task) for n in numbers)
    city = login(app, "city")
    by_city = text(city.post(f"/cases/{case.instance_id}/reveal-ids"))
    assert all(n in by_city for n in numbers)
    assert [e.username for e in reveals(session)] == ["review-440106", "review-440106", "city"]

    # Another district's reviewer: out of scope, 404, nothing logged.
    other = login(app, "review-440112")
    assert other.post(f"/cases/{case.instance_id}/reveal-ids").status_code == 404
    assert len(reveals(session)) == 3


def test_enterprise_sees_its_draft_in_full_only_while_editing(app, session, world):  # type: ignore[no-untyped-def]
    ent = world.actor(ENT)
    draft = service.create_filing(session, ent, filing_data(2))
    numbers = [t.id_number for t in draft.trainees]
    clerk = login(app, ENT)
    form = clerk.get(f"/filings/{draft.id}/edit")
    assert form.status_code == 200 and form.headers["Cache-Control"] == "no-store"
    assert all(n in text(form) for n in numbers)  # the edit form: in full
    service.submit_filing(session, ent, draft.id)
    submitted = text(clerk.get(f"/cases/{draft.instance_id}"))
    assert all(n not in submitted for n in numbers) and MASK in submitted
    assert "查看完整身份证号码" not in submitted
    assert clerk.post(f"/cases/{draft.instance_id}/reveal-ids").status_code == 403
    assert reveals(session) == []


def test_admin_sees_no_personal_data_and_may_not_reveal(app, session, world, case):  # type: ignore[no-untyped-def]
    admin = login(app, "admin")
    page = text(admin.get(f"/cases/{case.instance_id}"))
    for t in case.trainees:
        assert t.id_number not in page and service.mask_id_number(t.id_number) in page
        assert f">{t.name}<" not in page and f">{t.name[0]}{'*' * (len(t.name) - 1)}<" in page
    assert "查看完整身份证号码" not in page
    refused = admin.post(f"/cases/{case.instance_id}/reveal-ids")
    assert refused.status_code == 403 and "只有区人社局审核人员" in text(refused)
    assert reveals(session) == []


@pytest.fixture()
def api(client, world):  # type: ignore[no-untyped-def]
    return Api(client)


def test_api_masks_ids_and_reveal_is_for_reviewers_only_and_logged(api, session, world, case):  # type: ignore[no-untyped-def]
    tokens = tokens_for(api.client)
    numbers = [t.id_number for t in case.trainees]
    masked = api.get("/cases/{id}", id=case.instance_id, token=tokens["review-440106"])
    assert masked.headers["Cache-Control"] == "no-store"
    filing = masked.get_json()["filing"]
    assert filing["id_numbers"] == "masked"
    assert [t["id_number"] for t in filing["trainees"]] == [service.mask_id_number(n) for n in numbers]
    assert filing["trainees"][0]["id_number"].startswith("4401**********")
    assert all(n not in masked.get_data(as_text=True) for n in numbers)

    for path, ident in (("/cases/{id}", case.instance_id), ("/filings/{id}", case.id)):
        full = api.get(path, id=ident, token=tokens["review-440106"], query={"reveal": "id_numbers"})
        assert full.status_code == 200 and full.headers["Cache-Control"] == "no-store"
        assert full.get_json()["filing"]["id_numbers"] == "full"
        assert [t["id_number"] for t in full.get_json()["filing"]["trainees"]] == numbers
    assert api.get("/cases/{id}", id=case.instance_id, token=tokens["city"],
                   query={"reveal": "id_numbers"}).get_json()["filing"]["id_numbers"] == "full"
    assert [e.username for e in reveals(session)] == ["review-440106", "review-440106", "city"]

    # The enterprise (its filing submitted) and the administrator: masked, and reveal refused with 403.
    for who in (ENT, "admin"):
        plain = api.get("/cases/{id}", id=case.instance_id, token=tokens[who]).get_json()["filing"]
        assert plain["id_numbers"] == "masked" and all(n not in json.dumps(plain) for n in numbers)
        refused = api.get("/cases/{id}", id=case.instance_id, token=tokens[who], query={"reveal": "id_numbers"})
        assert refused.status_code == 403 and error_of(refused)["code"] == "forbidden"
    admin_view = api.get("/cases/{id}", id=case.instance_id, token=tokens["admin"]).get_json()["filing"]
    assert all(t["name"].endswith("*") for t in admin_view["trainees"])
    # Out of scope stays 404; an unknown reveal value is a 422; neither is logged.
    assert api.get("/cases/{id}", id=case.instance_id, token=tokens["review-440112"],
                   query={"reveal": "id_numbers"}).status_code == 404
    assert api.get("/cases/{id}", id=case.instance_id, token=tokens["review-440106"],
                   query={"reveal": "all"}).status_code == 422
    assert len(reveals(session)) == 3


def test_api_enterprise_draft_is_in_full(api, session, world):  # type: ignore[no-untyped-def]
    tokens = tokens_for(api.client, (ENT,))
    draft = service.create_filing(session, world.actor(ENT), filing_data(3))
    numbers = [t.id_number for t in draft.trainees]
    got = api.get("/filings/{id}", id=draft.id, token=tokens[ENT]).get_json()["filing"]
    assert got["id_numbers"] == "full" and [t["id_number"] for t in got["trainees"]] == numbers
    submitted = api.post("/filings/{id}/submit", id=draft.id, token=tokens[ENT]).get_json()["filing"]
    assert submitted["id_numbers"] == "masked"
    assert [t["id_number"] for t in submitted["trainees"]] == [service.mask_id_number(n) for n in numbers]


def test_no_store_on_signed_in_pages_and_the_api_not_on_static_files(app, client, world):  # type: ignore[no-untyped-def]
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")
    clerk = login(app, ENT)
    for path in ("/filings/", "/tasks/", "/notifications/"):
        response = clerk.get(path)
        assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store", path
    assert client.get("/api/v1/openapi.json").headers["Cache-Control"] == "no-store"
    static = clerk.get("/static/js/app.js")
    assert static.status_code == 200 and static.headers.get("Cache-Control") != "no-store"
