"""The official working-day calendar (issue 17): the admins' table read by every working-day calculation,
the libraries' estimate for unconfirmed years (marked and recomputed once confirmed), reminders on working
days, the version stamp that keeps several processes in step."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from tests.factories import submitted_filing, task_of
from workflows import clock, deadlines, service
from workflows.clock import frozen_now
from workflows.models import EstimatedDeadline, HolidayYear, WorkflowInstance
from workflows.workdays import table

CN = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def keep_installed_calendar():  # type: ignore[no-untyped-def]
    """The installed calendar is per process: put back what the other tests had."""
    before = clock.installed_calendar()
    yield
    clock.install_calendar(before)


def test_years_the_library_knows_are_official_and_2027_is_an_estimate_not_monday_to_friday() -> None:
    clock.install_calendar(clock.WorkingCalendar())
    assert not clock.is_estimated_year(2026) and clock.is_estimated_year(2027)
    assert not clock.is_working_day(date(2027, 2, 8))  # Monday in the Spring Festival (holidays' estimate)
    assert not clock.is_working_day(date(2027, 10, 4))  # National Day
    assert clock.is_working_day(date(2027, 3, 1))
    assert clock.add_working_days(date(2027, 2, 4), 1) == date(2027, 2, 11)
    assert clock.estimated_years(date(2026, 12, 20), date(2027, 1, 10)) == [2027]
    assert not clock.is_working_day(date(2026, 10, 5)) and clock.is_working_day(date(2026, 9, 20))  # make-up Sunday


def test_seed_writes_confirmed_and_estimated_years_with_their_source(session) -> None:  # type: ignore[no-untyped-def]
    added = table.seed(session, range(2026, 2028))
    assert added == [2026, 2027]
    rows = {r.year: r for r in service.holiday_years(session)}
    assert rows[2026].status == "confirmed" and "chinese-calendar 1.11.0" in rows[2026].source_notice
    assert rows[2027].status == "estimated" and "holidays 0.108" in rows[2027].source_notice
    days = {d.day: d for d in service.holiday_days(session, 2026)}
    assert days[date(2026, 10, 1)].name and not days[date(2026, 10, 1)].is_working
    assert days[date(2026, 9, 20)].is_working
    assert table.seed(session, range(2026, 2028)) == []  # idempotent


def test_every_calculation_reads_the_admins_table(session, world) -> None:  # type: ignore[no-untyped-def]
    table.seed(session, range(2026, 2028))
    session.commit()
    assert table.refresh(session) and not table.refresh(session)  # reloads once per change
    assert clock.add_working_days(date(2027, 3, 1), 1) == date(2027, 3, 2)
    service.save_holiday_year(session, world.actor("admin"), service.HolidayYearInput(
        year=2027, confirmed=True, source_notice="国务院办公厅关于2027年部分节假日安排的通知",
        holidays="2027-03-02 测试假日", workdays="2027-03-06 调休上班"))
    assert not clock.is_working_day(date(2027, 3, 2)) and clock.is_working_day(date(2027, 3, 6))
    assert clock.is_working_day(date(2027, 2, 8))  # the confirmed table is what counts, not the estimate
    assert clock.add_working_days(date(2027, 3, 1), 1) == date(2027, 3, 3)
    assert not clock.is_estimated_year(2027)


def test_another_process_follows_the_change_at_its_next_refresh(app, session, world) -> None:  # type: ignore[no-untyped-def]
    table.seed(session, range(2026, 2028))
    session.commit()
    table.refresh(session)
    loaded = clock.installed_calendar()
    # A second worker (own session, own connection) changes the calendar.
    other = sessionmaker(bind=session.get_bind())()
    try:
        service.save_holiday_year(other, world.actor("admin"), service.HolidayYearInput(
            year=2027, confirmed=True, source_notice="国务院办公厅关于2027年部分节假日安排的通知",
            holidays="2027-04-06 清明节补假", workdays=""))
    finally:
        other.close()
    # This worker still holds the calendar it loaded before the change (the change ran in this process too).
    clock.install_calendar(loaded)
    assert clock.is_working_day(date(2027, 4, 6))
    session.expire_all()
    assert table.refresh(session)
    assert not clock.is_working_day(date(2027, 4, 6))


def test_a_web_request_refreshes_the_calendar(app, client, session, world) -> None:  # type: ignore[no-untyped-def]
    table.seed(session, range(2026, 2028))
    table.touch(session)
    session.commit()
    clock.install_calendar(clock.WorkingCalendar(stamp="old"))
    client.get("/login")
    assert clock.installed_calendar().stamp != "old" and 2027 in clock.installed_calendar().years


def test_a_web_process_checks_the_calendar_at_most_every_calendar_refresh_seconds(app, session, world) -> None:  # type: ignore[no-untyped-def]
    """CALENDAR_REFRESH_SECONDS: within the interval a request does not read the calendar's stamp again; once it
    has passed, the next request does (and installs a changed calendar)."""
    from config import TestConfig
    from webapp import create_app

    table.seed(session, range(2026, 2028))
    table.touch(session)
    session.commit()

    class Throttled(TestConfig):
        SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
        UPLOAD_DIR = app.config["UPLOAD_DIR"]
        CALENDAR_REFRESH_SECONDS = 3600

    from webapp.extensions import db

    throttled = create_app(Throttled)
    client = throttled.test_client()
    try:
        clock.install_calendar(clock.WorkingCalendar(stamp="old"))
        client.get("/login")
        first = clock.installed_calendar()
        assert first.stamp != "old" and 2027 in first.years
        clock.install_calendar(clock.WorkingCalendar(stamp="old"))
        client.get("/login")  # within the hour: not checked again
        assert clock.installed_calendar().stamp == "old"
    finally:
        with throttled.app_context():
            db.session.remove()
            db.engine.dispose()
    # Zero (the tests' setting): checked before every request.
    app.test_client().get("/login")
    assert clock.installed_calendar().stamp == first.stamp


def test_a_deadline_counted_through_an_estimated_year_is_marked_and_recomputed(session, world) -> None:  # type: ignore[no-untyped-def]
    clock.install_calendar(clock.WorkingCalendar())
    returned_on = datetime(2027, 1, 20, 10, 0, tzinfo=CN)
    filing = submitted_filing(session, world)
    with frozen_now(returned_on):
        service.complete_task(session, world.actor("review-440106"), task_of(session, filing).task_id,
                              "return", "补充材料")
    [mark] = session.scalars(select(EstimatedDeadline)).all()
    assert (mark.variable, mark.counted_from, mark.days, mark.years) == ("resubmit_deadline", date(2027, 1, 20), 15,
                                                                          [2027])
    instance = session.get(WorkflowInstance, filing.instance_id)
    estimated_due = clock.end_of_day(clock.add_working_days(date(2027, 1, 20), 15))
    assert instance.next_timer_at == estimated_due
    assert service.estimated_deadlines(session)[0].instance_id == instance.id
    # The notice comes out: one more holiday inside the window. Confirming the year recounts the deadline.
    holidays = "\n".join(f"{d.isoformat()} 假日" for d, working in sorted(clock.library_year(2027).items())
                         if not working)
    service.save_holiday_year(session, world.actor("admin"), service.HolidayYearInput(
        year=2027, confirmed=True, source_notice="国务院办公厅关于2027年部分节假日安排的通知",
        holidays=holidays + "\n2027-01-25 测试增加的假日", workdays="2027-02-20 春节调休上班"))
    session.expire_all()
    instance = session.get(WorkflowInstance, filing.instance_id)
    recounted = clock.end_of_day(clock.add_working_days(date(2027, 1, 20), 15))
    assert recounted > estimated_due and instance.next_timer_at == recounted
    assert session.scalars(select(EstimatedDeadline)).all() == []
    assert service.history(session, instance.id)[-1].action == "recompute_deadline"
    # The timer fires at the recounted instant, not the estimated one.
    assert service.tick(session, recounted - timedelta(minutes=1)) == 0  # past the estimated instant already
    assert service.tick(session, recounted + timedelta(minutes=1)) == 1
    session.expire_all()
    assert session.get(WorkflowInstance, filing.instance_id).status == "expired"


def test_a_confirmed_calendar_marks_nothing(session, world) -> None:  # type: ignore[no-untyped-def]
    clock.install_calendar(clock.WorkingCalendar())
    filing = submitted_filing(session, world)
    with frozen_now(datetime(2026, 3, 2, 10, 0, tzinfo=CN)):
        service.complete_task(session, world.actor("review-440106"), task_of(session, filing).task_id, "return", "补")
    assert session.scalars(select(EstimatedDeadline)).all() == []


def test_a_reminder_on_a_holiday_moves_to_the_previous_working_day() -> None:
    clock.install_calendar(clock.WorkingCalendar())
    # Five days before 10 October 2026 is 5 October, inside the National Day holiday: 30 September.
    assert deadlines.reminder_before("2026-10-10T23:59:59+08:00", 5) == "2026-09-30T09:00:00+08:00"
    assert deadlines.reminder_before("2027-01-10T23:59:59+08:00", 5) == "2027-01-05T09:00:00+08:00"
    # A Sunday: the Friday before.
    assert deadlines.reminder_before("2026-07-17T23:59:59+08:00", 5) == "2026-07-10T09:00:00+08:00"


def test_a_plans_reminder_falls_on_a_working_day(session, world) -> None:  # type: ignore[no-untyped-def]
    clock.install_calendar(clock.WorkingCalendar())
    with frozen_now(datetime(2026, 9, 28, 10, 0, tzinfo=CN)):
        instance = service.open_plan(session, world.actor("city"), "440106", 2026, 4)
    assert instance.next_timer_at == datetime(2026, 9, 30, 9, 0, tzinfo=CN)


def test_the_admin_screens_and_the_banner_for_an_unconfirmed_year(app, client, session, world) -> None:  # type: ignore[no-untyped-def]
    table.seed(session)
    session.commit()
    client.post("/login", data={"username": "admin", "password": "Demo@2026"})
    page = client.get("/admin/holidays").get_data(as_text=True)
    this = clock.china_today().year
    unconfirmed = [y for y in (this, this + 1) if clock.is_estimated_year(y)]
    assert "节假日安排" in page and str(this + 1) in page
    if unconfirmed:
        assert f"{unconfirmed[0]}" in page and "节假日安排尚未确认" in page
    refused = client.post(f"/admin/holidays/{this + 1}", data={"confirmed": "y", "source_notice": "",
                                                              "holidays": "2月30日", "workdays": ""})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "须填写依据的通知" in body and "不是有效日期" in body
    saved = client.post(f"/admin/holidays/{this + 1}", data={
        "confirmed": "y", "source_notice": f"国务院办公厅关于{this + 1}年部分节假日安排的通知",
        "holidays": f"{this + 1}-01-01 元旦", "workdays": ""})
    assert saved.status_code == 302
    assert session.get(HolidayYear, this + 1).status == "confirmed"
    client.post("/logout")
    client.post("/login", data={"username": "city", "password": "Demo@2026"})
    assert client.get("/admin/holidays").status_code == 404


def test_a_report_opened_late_gets_its_opening_notice_with_the_due_date_and_no_reminder(session, world):  # type: ignore[no-untyped-def]
    from workflows.models import Notification
    from workflows.reports import opening

    clock.install_calendar(clock.WorkingCalendar())
    opened_at = datetime(2027, 7, 8, 10, 0, tzinfo=CN)  # after the reminder time (5 July, 09:00)
    opening.open_report(session, "440106", 2027, 1, at=opened_at)
    service.tick(session, opened_at + timedelta(minutes=1))
    service.tick(session, datetime(2027, 7, 9, 10, 0, tzinfo=CN))
    district = [n for n in session.scalars(select(Notification)) if n.kind in ("opened", "reminder")]
    assert {n.kind for n in district} == {"opened"}
    assert all("2027年7月10日" in n.body for n in district)
