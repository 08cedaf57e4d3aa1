"""站内信: who receives a notification, the script helper, links and the inbox use cases."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.test_plans_helpers import fresh_spec_caches, open_q1, plan_of  # noqa: F401
from workflows import errors
from workflows.accounts.users import create_user
from workflows.models import Notification, User
from workflows.notifications import delivery, inbox


def users_of(session, ids: list[int]) -> set[str]:  # type: ignore[no-untyped-def]
    return {u.username for u in session.scalars(select(User).where(User.id.in_(ids)))}


def test_recipients_by_role_and_scope(session, world):  # type: ignore[no-untyped-def]
    create_user(session, username="review-440106-b", password="Demo@2026x", display_name="乙",
                role="district", district_code="440106")
    gone = create_user(session, username="review-440106-c", password="Demo@2026x", display_name="丙",
                       role="district", district_code="440106")
    gone.active = False
    session.commit()
    assert users_of(session, delivery.recipients(session, "district", "440106")) == {
        "review-440106", "review-440106-b"}
    assert delivery.recipients(session, "district") == []  # no scope, nobody (never a broadcast)
    assert users_of(session, delivery.recipients(session, "city")) == {"city"}
    enterprise_id = world.users["ent-440112-2"].enterprise_id
    assert users_of(session, delivery.recipients(session, "enterprise", enterprise_id=enterprise_id)) == {
        "ent-440112-2"}
    assert delivery.recipients(session, "enterprise") == []
    with pytest.raises(ValueError):
        delivery.recipients(session, "nobody")


def test_notify_writes_one_row_per_recipient_in_the_callers_transaction(session, world):  # type: ignore[no-untyped-def]
    assert delivery.notify(session, role="district", district_code="440112", title="测试", body="内容",
                                kind="info") == 1
    session.rollback()  # nothing committed: the notification goes with the failed unit of work
    assert session.scalars(select(Notification)).all() == []
    delivery.notify(session, role="city", title="测试", kind="no-such-kind")
    session.commit()
    [row] = session.scalars(select(Notification)).all()
    assert row.kind == "info" and row.user_id == world.users["city"].id and not row.is_read


def test_notify_role_helper_links_to_the_case(session, world):  # type: ignore[no-untyped-def]
    open_q1(session)
    _, instance = plan_of(session, "440113")
    helper = delivery.script_helpers(session, None)["notify_role"]
    assert helper("district", "标题", "正文", "urge", district_code="440113", case_kind="quarterly_plan",
                  case_key="440113-2027Q1") == 1
    session.commit()
    row = session.scalars(select(Notification).where(Notification.kind == "urge")).one()
    assert (row.instance_id, row.case_kind, row.user_id) == (instance.id, "quarterly_plan",
                                                             world.users["review-440113"].id)


def test_case_link_in_the_inbox(app, session, world):  # type: ignore[no-untyped-def]
    from webapp.notifications.views import target_url

    open_q1(session)
    _, instance = plan_of(session)
    row = session.scalars(select(Notification).where(Notification.instance_id == instance.id)).first()
    with app.test_request_context():
        assert target_url(row) == f"/plans/{instance.id}"
        row.link = "https://evil.example/"
        assert target_url(row) == f"/plans/{instance.id}"
        row.link = "/notifications/"
        assert target_url(row) == "/notifications/"
    session.rollback()


def test_inbox_paging_and_ownership(session, world):  # type: ignore[no-untyped-def]
    me = world.actor("review-440105")
    for i in range(25):
        delivery.notify(session, role="district", district_code="440105", title=f"第{i}条")
    session.commit()
    page1, total = inbox.list_for(session, me, page=1, per_page=20)
    page2, _ = inbox.list_for(session, me, page=2, per_page=20)
    assert total == 25 and len(page1) == 20 and len(page2) == 5
    assert page1[0].title == "第24条"
    inbox.mark_read(session, me, page1[0].id)
    inbox.mark_read(session, me, page1[0].id)  # idempotent
    assert inbox.unread_count(session, me.id) == 24
    assert inbox.list_for(session, me, unread_only=True)[1] == 24
    with pytest.raises(errors.NotFound):
        inbox.mark_read(session, world.actor("review-440106"), page1[1].id)
    assert inbox.mark_all_read(session, world.actor("review-440106")) == 0
    assert inbox.unread_count(session, me.id) == 24
