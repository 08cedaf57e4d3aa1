"""认领 / 转办 / 退回组 through the service: who a task belongs to, who may complete it, the case history,
the transfer notification, and two colleagues claiming at once (one wins)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import submitted_filing, task_of
from tests.test_web_helpers import fresh, status_of
from webapp.extensions import db
from workflows import errors, service
from workflows.accounts.users import create_user
from workflows.demo import DEMO_PASSWORD
from workflows.dto import Actor
from workflows.models import AuditEvent, Notification, TaskIndex, User


def colleague(session, username: str = "review-440106-2", role: str = "district",  # type: ignore[no-untyped-def]
              district: str | None = "440106") -> Actor:
    user = create_user(session, username=username, password=DEMO_PASSWORD, display_name=f"{username}同事",
                       role=role, district_code=district)
    session.commit()
    return Actor(user.id, user.display_name, user.role, user.district_code, user.enterprise_id)


def assignee(session, task_id: str) -> int | None:  # type: ignore[no-untyped-def]
    return fresh(session).scalar(select(TaskIndex.assignee_id).where(TaskIndex.task_id == task_id))


def test_claim_then_only_the_assignee_completes(world, session):  # type: ignore[no-untyped-def]
    filing = submitted_filing(session, world)
    task_id = task_of(session, filing).task_id
    first, second = world.actor("review-440106"), colleague(session)
    service.claim_task(session, first, task_id)
    assert assignee(session, task_id) == first.id
    with pytest.raises(errors.Conflict) as refused:
        service.claim_task(session, second, task_id)
    assert "天河区审核员" in refused.value.message
    with pytest.raises(errors.Conflict) as refused:
        service.complete_task(session, second, task_id, "approve", "")
    assert refused.value.status_code == 409 and "天河区审核员" in refused.value.message
    assert status_of(session, filing.instance_id) == "district_review"
    service.complete_task(session, first, task_id, "approve", "")
    assert status_of(session, filing.instance_id) == "city_record"
    actions = fresh(session).scalars(select(AuditEvent.action).where(
        AuditEvent.instance_id == filing.instance_id).order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["claim", "approve"]


def test_assignee_survives_index_rewrites_and_the_next_task_is_unassigned(world, session):  # type: ignore[no-untyped-def]
    filing = submitted_filing(session, world)
    task_id = task_of(session, filing).task_id
    reviewer = world.actor("review-440106")
    service.claim_task(session, reviewer, task_id)
    due = task_of(session, filing).due_at
    assert service.tick(session, due - timedelta(days=1)) == 1  # the reminder: an engine step, index rewritten
    assert fresh(session).scalars(select(Notification).where(Notification.kind == "reminder")).first()
    assert assignee(session, task_id) == reviewer.id
    service.complete_task(session, reviewer, task_id, "approve", "")
    city_task = task_of(session, filing)
    assert city_task.role == "city" and city_task.assignee_id is None


def test_transfer_to_a_colleague_notifies_and_is_in_the_history(world, session):  # type: ignore[no-untyped-def]
    filing = submitted_filing(session, world)
    task_id = task_of(session, filing).task_id
    first, second = world.actor("review-440106"), colleague(session)
    with pytest.raises(errors.ValidationFailed) as missing:
        service.transfer_task(session, first, task_id, "review-440106-2", "  ")
    assert "comment" in missing.value.fields
    with pytest.raises(errors.ValidationFailed) as wrong:  # another district's reviewer is not a colleague
        service.transfer_task(session, first, task_id, "review-440112", "请协助")
    assert "同组" in wrong.value.fields["to"][0]
    service.transfer_task(session, first, task_id, "review-440106-2", "本周由你负责天河区")
    assert assignee(session, task_id) == second.id
    told = fresh(session).scalars(select(Notification).where(Notification.user_id == second.id,
                                                             Notification.kind == "transfer")).one()
    assert "转办" in told.title and "本周由你负责天河区" in told.body and told.instance_id == filing.instance_id
    event = fresh(session).scalars(select(AuditEvent).where(AuditEvent.action == "transfer")).one()
    assert "转办给review-440106-2同事" in event.comment and event.actor_name == "天河区审核员"
    # The former assignee can neither complete nor transfer it any more; the new one can release it.
    with pytest.raises(errors.Conflict):
        service.transfer_task(session, first, task_id, "review-440106", "拿回来")
    service.release_task(session, second, task_id)
    assert assignee(session, task_id) is None
    assert fresh(session).scalars(select(AuditEvent.action).where(
        AuditEvent.instance_id == filing.instance_id).order_by(AuditEvent.id.desc())).first() == "release"


def test_city_staff_reassign_and_release_district_tasks(world, session):  # type: ignore[no-untyped-def]
    filing = submitted_filing(session, world)
    task_id = task_of(session, filing).task_id
    first, second = world.actor("review-440106"), colleague(session)
    city = world.actor("city")
    service.claim_task(session, first, task_id)
    service.transfer_task(session, city, task_id, "review-440106-2", "原办理人休假，改由同事办理")
    assert assignee(session, task_id) == second.id
    service.release_task(session, city, task_id)
    assert assignee(session, task_id) is None
    with pytest.raises(errors.Conflict):  # city staff do not claim district tasks
        service.claim_task(session, city, task_id)
    with pytest.raises(errors.NotFound):  # another district's reviewer does not even see it
        service.claim_task(session, world.actor("review-440112"), task_id)
    with pytest.raises(errors.NotFound):
        service.release_task(session, world.actor("ent-440106-1"), task_id)


def test_an_inactive_colleague_cannot_receive_a_transfer(world, session):  # type: ignore[no-untyped-def]
    filing = submitted_filing(session, world)
    task_id = task_of(session, filing).task_id
    other = colleague(session)
    session.get(User, other.id).active = False
    session.commit()
    with pytest.raises(errors.ValidationFailed):
        service.transfer_task(session, world.actor("review-440106"), task_id, "review-440106-2", "请办理")


def test_two_colleagues_claiming_at_once_one_wins(app, world, session):  # type: ignore[no-untyped-def]
    filing = submitted_filing(session, world)
    task_id = task_of(session, filing).task_id
    people = [world.actor("review-440106"), colleague(session)]
    session.commit()
    engine = db.engine
    barrier = threading.Barrier(2)
    outcomes: dict[int, str] = {}

    def claim(who: Actor) -> None:
        with Session(engine) as own:
            barrier.wait()
            try:
                service.claim_task(own, who, task_id)
                outcomes[who.id] = "ok"
            except errors.Conflict:
                outcomes[who.id] = "conflict"
            except Exception as exc:  # noqa: BLE001  (reported by the assertion below)
                outcomes[who.id] = f"error: {exc!r}"

    threads = [threading.Thread(target=claim, args=(who,)) for who in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcomes.values()) == ["conflict", "ok"], outcomes
    winner = next(i for i, o in outcomes.items() if o == "ok")
    assert assignee(session, task_id) == winner
    claims = fresh(session).scalars(select(AuditEvent.actor_id).where(AuditEvent.action == "claim")).all()
    assert claims == [winner]


def test_a_claimed_plan_is_compiled_and_submitted_by_its_assignee_only(world, session):  # type: ignore[no-untyped-def]
    instance = service.open_plan(session, world.actor("city"), "440106", 2027, 2)
    first, second = world.actor("review-440106"), colleague(session)
    row = fresh(session).scalars(select(TaskIndex).where(TaskIndex.instance_id == instance.id)).one()
    service.claim_task(session, first, row.task_id)
    with pytest.raises(errors.Conflict) as refused:
        service.submit_plan(session, second, instance.id)
    assert "天河区审核员" in refused.value.message
    service.release_task(session, first, row.task_id)
    service.submit_plan(session, second, instance.id)
    assert status_of(session, instance.id) == "city_record"
