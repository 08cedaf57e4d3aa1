"""Scoping on every page and form post (out of scope answers 404), the case list, login ``next`` and CSRF."""

from __future__ import annotations

import re
from contextlib import contextmanager

from tests.factories import filing_data, submitted_filing, task_of
from tests.test_web_helpers import (
    actions_of,
    client_for,
    form_fields,
    location,
    login,
    status_of,
    text,
)
from workflows import service


def total(response) -> int:  # type: ignore[no-untyped-def]
    """The 共 N 件 count of the case list."""
    return int(re.search(r"共 <strong>(\d+)</strong> 件", response.get_data(as_text=True)).group(1))


def test_enterprise_cannot_see_or_act_on_another_enterprises_case(app, world, session):  # type: ignore[no-untyped-def]
    theirs = submitted_filing(session, world, "ent-440106-1")
    draft = service.create_filing(session, world.actor("ent-440106-1"), filing_data(2))
    draft_task = task_of(session, draft).task_id
    other = login(app, "ent-440106-2")  # same district, different enterprise
    for url in (f"/cases/{theirs.instance_id}", f"/cases/{theirs.instance_id}/diagram.bpmn",
                f"/filings/{draft.id}/edit", f"/filings/{theirs.id}/withdraw", f"/tasks/{draft_task}",
                f"/cases/{draft.instance_id}"):
        assert other.get(url).status_code == 404, url
    before = actions_of(session, draft.instance_id)
    assert other.post(f"/filings/{draft.id}/edit", data=form_fields(filing_data(3), "submit")).status_code == 404
    assert other.post(f"/filings/{draft.id}/edit", data=form_fields(filing_data(3), "save")).status_code == 404
    assert other.post(f"/filings/{theirs.id}/withdraw", data={"reason": "x"}).status_code == 404
    assert other.post(f"/tasks/{draft_task}", data={"decision": "approve"}).status_code == 404
    assert status_of(session, theirs.instance_id) == "district_review"
    assert status_of(session, draft.instance_id) == "draft"
    assert actions_of(session, draft.instance_id) == before
    assert f"F{theirs.id:08d}" not in text(other.get("/filings/"))
    assert "暂无待办" in text(other.get("/tasks/"))
    # An enterprise has no case list: it is sent to its own filings.
    response = other.get("/cases/")
    assert response.status_code == 302 and location(response).endswith("/filings/")
    # An enterprise cannot complete the district's task even for its own case.
    owner = login(app, "ent-440106-1")
    assert owner.get(f"/tasks/{task_of(session, theirs).task_id}").status_code == 404
    assert owner.post(f"/tasks/{task_of(session, theirs).task_id}", data={"decision": "approve"}).status_code == 404


def test_district_reviewer_sees_only_its_own_district(app, world, session):  # type: ignore[no-untyped-def]
    tianhe = submitted_filing(session, world, "ent-440106-1", seed=1)
    huangpu = submitted_filing(session, world, "ent-440112-1", seed=2)
    huangpu_task = task_of(session, huangpu).task_id
    reviewer = login(app, "review-440106")

    listing = reviewer.get("/cases/")
    assert "广州天河智能装备有限公司" in text(listing) and "黄埔" not in text(listing) and total(listing) == 1
    widened = reviewer.get("/cases/?district=440112")  # the filter cannot widen the scope
    assert total(widened) == 1 and "黄埔" not in text(widened)
    assert "黄埔" not in text(reviewer.get("/tasks/"))
    for url in (f"/cases/{huangpu.instance_id}", f"/cases/{huangpu.instance_id}/diagram.bpmn",
                f"/tasks/{huangpu_task}"):
        assert reviewer.get(url).status_code == 404, url
    assert reviewer.post(f"/tasks/{huangpu_task}", data={"decision": "approve"}).status_code == 404
    assert reviewer.post(f"/tasks/{huangpu_task}",
                         data={"decision": "reject", "comment": "越权"}).status_code == 404
    assert status_of(session, huangpu.instance_id) == "district_review"
    assert reviewer.get(f"/cases/{tianhe.instance_id}").status_code == 200
    assert reviewer.get(f"/cases/{tianhe.instance_id}/diagram.bpmn").status_code == 200
    # Once 黄埔's task is done, its id still reveals nothing to 天河 (404, not the conflict message).
    service.complete_task(session, world.actor("review-440112"), huangpu_task, "approve")
    assert reviewer.get(f"/tasks/{huangpu_task}").status_code == 404
    assert reviewer.post(f"/tasks/{huangpu_task}", data={"decision": "approve"}).status_code == 404
    # Nor can the city complete the district's task.
    city = login(app, "city")
    assert city.get(f"/tasks/{task_of(session, tianhe).task_id}").status_code == 404
    assert reviewer.get("/filings/").status_code == 404


def test_city_sees_every_district_with_filters_and_pages(app, world, session):  # type: ignore[no-untyped-def]
    for i in range(21):
        submitted_filing(session, world, "ent-440106-1", seed=100 + i)
    submitted_filing(session, world, "ent-440112-1", seed=200)
    service.create_filing(session, world.actor("ent-440113-1"),
                          filing_data(300, apprenticeship_type="student_apprentice"))
    city = login(app, "city")

    first = city.get("/cases/")
    html = text(first)
    # 22 submitted filings; the draft is private to its enterprise (issue 15).
    assert first.status_code == 200 and total(first) == 22 and "第 1 / 2 页" in html
    assert html.count('<td class="mono"><a href="/cases/') == 20
    second = text(city.get("/cases/?page=2"))
    assert second.count('<td class="mono"><a href="/cases/') == 2
    assert total(city.get("/cases/?status=district_review")) == 22
    huangpu = city.get("/cases/?district=440112")
    assert total(huangpu) == 1 and "广州黄埔汽车零部件制造有限公司" in text(huangpu)
    # The only 学生学徒 filing is a draft, private to its enterprise (issue 15).
    assert total(city.get("/cases/?apprenticeship_type=student_apprentice")) == 0
    assert total(city.get("/cases/?apprenticeship_type=enterprise_apprentice")) == 22
    assert total(city.get("/cases/?q=黄埔汽车")) == 1
    assert total(city.get("/cases/?q=不存在的企业")) == 0
    # Filters are kept on the page links; a bad value is ignored rather than an error.
    paged = city.get("/cases/?district=440106").get_data(as_text=True)
    assert re.search(r'href="/cases/\?(?:[^"]*&amp;)?district=440106[^"]*page=2|href="/cases/\?page=2[^"]*district=440106',
                     paged)
    assert city.get("/cases/?status=bogus&district=999999&page=0").status_code == 200
    assert "待市备案" not in text(city.get("/tasks/"))  # nothing approved yet


def test_login_next_only_redirects_within_the_site(app, world):  # type: ignore[no-untyped-def]
    for target in ("//evil.com", "https://evil.com/x", "/\\evil.com", "http:evil.com", "\\\\evil.com",
                   " //evil.com", "javascript:alert(1)"):
        client = client_for(app)
        response = client.post("/login", data={"username": "city", "password": "Demo@2026", "next": target})
        assert response.status_code == 302, target
        assert "evil.com" not in location(response) and "javascript" not in location(response), target
    client = client_for(app)
    response = client.post("/login", data={"username": "city", "password": "Demo@2026", "next": "/cases/?page=2"})
    assert location(response).endswith("/cases/?page=2")
    page = client_for(app).get("/login?next=//evil.com")
    assert page.status_code == 200


def test_anonymous_users_are_sent_to_login(app, world, session):  # type: ignore[no-untyped-def]
    filing = submitted_filing(session, world)
    anonymous = client_for(app)
    for url in ("/tasks/", "/cases/", f"/cases/{filing.instance_id}", f"/cases/{filing.instance_id}/diagram.bpmn",
                f"/tasks/{task_of(session, filing).task_id}", "/filings/new"):
        response = anonymous.get(url)
        assert response.status_code == 302 and "/login" in location(response), url


@contextmanager
def csrf_enabled(app):  # type: ignore[no-untyped-def]
    previous = app.config.get("WTF_CSRF_ENABLED", True)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        yield
    finally:
        app.config["WTF_CSRF_ENABLED"] = previous


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"',
                     html).group(0).split('value="')[1].rstrip('"')


def test_csrf_is_enforced_on_every_post_when_enabled(app, world, session):  # type: ignore[no-untyped-def]
    filing = submitted_filing(session, world)
    task_id = task_of(session, filing).task_id
    with csrf_enabled(app):
        client = client_for(app)
        # Login itself needs the token.
        assert client.post("/login", data={"username": "review-440106", "password": "Demo@2026"}
                           ).status_code == 400
        token = _token(client.get("/login").get_data(as_text=True))
        response = client.post("/login", data={"username": "review-440106", "password": "Demo@2026",
                                               "csrf_token": token})
        assert response.status_code == 302
        refused = client.post(f"/tasks/{task_id}", data={"decision": "approve"})
        assert refused.status_code == 400 and "页面已过期" in text(refused)
        assert status_of(session, filing.instance_id) == "district_review"
        token = _token(client.get(f"/tasks/{task_id}").get_data(as_text=True))
        accepted = client.post(f"/tasks/{task_id}", data={"decision": "approve", "csrf_token": token})
        assert accepted.status_code == 302
        assert status_of(session, filing.instance_id) == "city_record"

        ent = client_for(app)
        token = _token(ent.get("/login").get_data(as_text=True))
        ent.post("/login", data={"username": "ent-440106-1", "password": "Demo@2026", "csrf_token": token})
        assert ent.post("/filings/new", data=form_fields(filing_data(5), "save")).status_code == 400
        draft = service.create_filing(session, world.actor("ent-440106-1"), filing_data(6))
        assert ent.post(f"/filings/{draft.id}/edit", data=form_fields(filing_data(6), "submit")).status_code == 400
        assert ent.post(f"/filings/{draft.id}/withdraw", data={}).status_code == 400
        assert status_of(session, draft.instance_id) == "draft"
