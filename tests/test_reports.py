"""The semiannual report through the service layer: opening per half-year, due date, reminder, overdue
and urge, the full cycle with ask-for-more, locking of what was submitted, the gallery and scope."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests import test_uploads_samples as samples
from tests.test_reports_helpers import (
    CST,
    DISTRICT,
    H1_END,
    OCCUPATION,
    OTHER,
    case_data,
    incoming,
    instance_of,
    open_h1,
    stored_files,
    typical_files,
)
from workflows import deadlines, errors, service
from workflows.models import Notification, User, WorkflowInstance
from workflows.models.report_models import ReportAttachment, ReportCase, SemiannualReport
from workflows.reports import config as report_config
from workflows.reports import editing as report_editing
from workflows.reports import files as report_files
from workflows.reports import gallery, publicity
from workflows.reports import opening as report_opening
from workflows.reports import queries as report_queries
from workflows.reports import review as report_review
from workflows.uploads import formats as upload_formats


@pytest.fixture()
def upload_dir(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.config["UPLOAD_DIR"])


@pytest.fixture()
def limits() -> upload_formats.UploadLimits:
    return upload_formats.UploadLimits()


def notes(session, kind: str, role: str, instance_id: int | None = None) -> list[Notification]:  # type: ignore[no-untyped-def]
    stmt = select(Notification).join(User, Notification.user_id == User.id).where(
        Notification.kind == kind, User.role == role)
    if instance_id is not None:
        stmt = stmt.where(Notification.instance_id == instance_id)
    return list(session.scalars(stmt.order_by(Notification.id)))


# ---- opening and deadlines -----------------------------------------------------------------------


def test_opener_opens_one_report_per_district_per_half_year_once(session, world):  # type: ignore[no-untyped-def]
    assert report_opening.open_ended_half_year(session, H1_END) == 11
    assert report_opening.open_ended_half_year(session, H1_END + timedelta(days=3)) == 0
    keys = set(session.scalars(select(WorkflowInstance.business_key).where(
        WorkflowInstance.kind == "semiannual_report")))
    assert "440112-2027H1" in keys and len(keys) == 11
    instance = session.scalars(select(WorkflowInstance).where(
        WorkflowInstance.business_key == "440112-2027H1")).one()
    assert instance.status == "compiling" and instance.title == "黄埔区2027年上半年经验总结报告"
    assert instance.due_at == datetime(2027, 7, 10, 23, 59, 59, tzinfo=CST)
    assert report_config.status_label(instance.status) == "待编制"
    # Each district was told, with a link to its own report.
    opened = notes(session, "opened", "district")
    assert len(opened) == 11 and "请于2027年7月10日前" in opened[0].body
    mine = notes(session, "opened", "district", instance.id)
    assert [n.user_id for n in mine] == [world.users[f"review-{DISTRICT}"].id]
    assert mine[0].case_kind == "semiannual_report" and mine[0].title == "请编写并报送黄埔区2027年上半年经验总结报告"
    # Its one task is in the district's inbox with the due date.
    inbox = service.inbox(session, world.actor(f"review-{DISTRICT}"), kind="semiannual_report")
    assert [(t.form_key, t.due_at) for t in inbox] == [("report_edit", instance.due_at)]


def test_second_half_is_due_on_january_tenth_and_the_due_day_is_a_parameter(session, world):  # type: ignore[no-untyped-def]
    report_opening.open_ended_half_year(session, datetime(2028, 1, 1, 0, 1, tzinfo=CST))
    h2 = session.scalars(select(WorkflowInstance).where(WorkflowInstance.business_key == "440103-2027H2")).one()
    assert h2.due_at == datetime(2028, 1, 10, 23, 59, 59, tzinfo=CST)
    previous = report_config.SETTINGS.due_day
    report_config.configure(due_day=15)
    try:
        report_opening.open_report(session, "440103", 2028, 1, at=datetime(2028, 7, 1, 8, tzinfo=CST))
    finally:
        report_config.configure(due_day=previous)
    h1 = session.scalars(select(WorkflowInstance).where(WorkflowInstance.business_key == "440103-2028H1")).one()
    assert h1.due_at == datetime(2028, 7, 15, 23, 59, 59, tzinfo=CST)
    with pytest.raises(errors.Conflict):
        report_opening.open_report(session, "440103", 2028, 1)


def test_tick_with_open_periods_opens_the_reports(session, world):  # type: ignore[no-untyped-def]
    service.tick(session, H1_END, open_periods=True)
    count = session.scalar(select(func.count()).select_from(SemiannualReport).where(
        SemiannualReport.year == 2027, SemiannualReport.half == 1))
    assert count == 11


def test_reminder_then_overdue_escalation_exactly_once(session, world):  # type: ignore[no-untyped-def]
    report = open_h1(session)
    instance = instance_of(session, report)
    service.tick(session, datetime(2027, 7, 5, 8, 59, tzinfo=CST))
    assert notes(session, "reminder", "district", instance.id) == []
    service.tick(session, datetime(2027, 7, 5, 9, 0, 1, tzinfo=CST))  # timers fire once strictly past
    reminders = notes(session, "reminder", "district", instance.id)
    assert len(reminders) == 1 and "2027年7月10日" in reminders[0].body
    assert not deadlines.is_overdue(instance_of(session, report), datetime(2027, 7, 10, 23, 0, tzinfo=CST))
    after = datetime(2027, 7, 11, 0, 0, 1, tzinfo=CST)
    service.tick(session, after)
    service.tick(session, after + timedelta(days=2))
    assert len(notes(session, "escalation", "city", instance.id)) == 1
    assert len(notes(session, "overdue", "district", instance.id)) == 1
    instance = instance_of(session, report)
    assert instance.status == "compiling" and deadlines.is_overdue(instance, after)
    assert instance.next_timer_at is None


def test_city_urges_the_district_any_number_of_times(session, world):  # type: ignore[no-untyped-def]
    report = open_h1(session)
    city = world.actor("city")
    report_review.urge_report(session, city, report.id, "请于本周内报送。")
    report_review.urge_report(session, city, report.id, "再次催办。")
    urges = notes(session, "urge", "district", report.instance_id)
    assert len(urges) == 2 and urges[0].body == "市中心：请于本周内报送。"
    assert {n.user_id for n in urges} == {world.users[f"review-{DISTRICT}"].id}
    with pytest.raises(errors.NotFound):
        report_review.urge_report(session, world.actor(f"review-{OTHER}"), report.id, "越权")
    with pytest.raises(errors.Conflict):
        report_review.urge_report(session, world.actor(f"review-{DISTRICT}"), report.id, "自己催自己")


# ---- the full cycle -------------------------------------------------------------------------------


def test_full_cycle_with_ask_for_more_and_gallery(session, world, upload_dir, limits):  # type: ignore[no-untyped-def]
    report = open_h1(session)
    district, city = world.actor(f"review-{DISTRICT}"), world.actor("city")
    report_editing.save_summary(session, district, report.id, "上半年共备案学徒 320 人。\n\n中级工及以上占比 78%。")
    case = report_editing.save_case(session, district, report.id, None, case_data(), typical_files(),
                             upload_dir=upload_dir, limits=limits)
    assert sorted(a.kind for a in case.attachments) == ["document", "document", "picture", "video"]
    publicity.add_publicity(session, district, report.id, publicity.PublicityData(
        "广州日报", datetime(2026, 5, 20).date(), "黄埔区新型学徒制见成效", "https://www.gzdaily.cn/a/1"),
        upload_dir=upload_dir, limits=limits)
    report_review.submit_report(session, district, report.id)
    assert instance_of(session, report).status == "city_record"
    assert len(notes(session, "submitted", "city", report.instance_id)) == 1
    # Submitted files stay for good; the case cannot be deleted any more.
    picture = next(a for a in case.attachments if a.kind == "picture")
    with pytest.raises(errors.Conflict):
        report_editing.remove_attachment(session, district, picture.id, upload_dir=upload_dir)
    # The district cannot edit while the city holds the report.
    with pytest.raises(errors.Conflict):
        report_editing.save_summary(session, district, report.id, "改")

    with pytest.raises(errors.ValidationFailed) as err:
        report_review.review_report(session, city, report.id, "more", " ")
    assert "comment" in err.value.fields
    report_review.review_report(session, city, report.id, "more", "请补充一个学生学徒案例和视频。")
    assert instance_of(session, report).status == "returned"
    assert report_config.status_label("returned") == "已退回"
    assert notes(session, "returned", "district", report.instance_id)[0].body == "市中心意见：请补充一个学生学徒案例和视频。"
    view = report_queries.report_view(session, district, report.id)
    assert view.can_edit and view.last_request is not None and "学生学徒" in view.last_request.comment

    with pytest.raises(errors.Conflict):
        report_editing.delete_case(session, district, case.id, upload_dir=upload_dir)
    second = report_editing.save_case(
        session, district, report.id, None, case_data("学生学徒校企双制案例", apprenticeship_type="student_apprentice"),
        [incoming(samples.picture("PNG"), "合影.png", "picture")], upload_dir=upload_dir, limits=limits)
    extra = report_editing.save_case(session, district, report.id, case.id, case_data(narrative="补充：留任率 95%。"),
                              [incoming(samples.mp4(8192), "补充视频.mp4", "video")],
                              upload_dir=upload_dir, limits=limits)
    new_video = next(a for a in extra.attachments if a.original_name == "补充视频.mp4")
    report_editing.remove_attachment(session, district, new_video.id, upload_dir=upload_dir)  # added this round: removable
    assert session.get(ReportAttachment, new_video.id) is None
    report_review.submit_report(session, district, report.id)
    assert session.get(SemiannualReport, report.id).submissions == 2

    report_review.review_report(session, city, report.id, "accept", "")
    instance = instance_of(session, report)
    assert instance.status == "recorded" and instance.completed_at is not None
    assert report_config.status_label(instance.status) == "已接收"
    assert notes(session, "decision", "district", report.instance_id)
    assert service.ready_tasks(session, report.instance_id) == []
    with pytest.raises(errors.Conflict):
        report_review.urge_report(session, city, report.id, "已办结")

    other = world.actor(f"review-{OTHER}")
    everyone, total = gallery.gallery(session, other, gallery.GalleryFilters())
    assert total == 2 and {c.id for c in everyone} == {case.id, second.id}
    only_students, _ = gallery.gallery(session, city, gallery.GalleryFilters(apprenticeship_type="student_apprentice"))
    assert [c.id for c in only_students] == [second.id]
    assert gallery.gallery(session, city, gallery.GalleryFilters(district=OTHER))[1] == 0
    assert gallery.gallery(session, city, gallery.GalleryFilters(period="2027H1", occupation=OCCUPATION))[1] == 2
    assert gallery.gallery(session, city, gallery.GalleryFilters(period="2027H2"))[1] == 0
    options = gallery.gallery_options(session)
    assert options.periods == [("2027H1", "2027年上半年")] and options.occupations[0][0] == OCCUPATION

    with pytest.raises(errors.NotFound):
        report_review.mark_excellent(session, district, second.id)
    report_review.mark_excellent(session, city, second.id)
    first, _ = gallery.gallery(session, city, gallery.GalleryFilters())
    assert first[0].id == second.id and first[0].excellent
    assert gallery.gallery(session, city, gallery.GalleryFilters(excellent_only=True))[1] == 1

    actions = [e.action for e in service.history(session, report.instance_id)]
    assert actions[0] == "open" and actions.count("submit") == 1 and actions.count("resubmit") == 1
    assert actions.index("more") < actions.index("resubmit") < actions.index("accept") < actions.index("excellent")


def test_submit_refuses_an_incomplete_report_and_changes_nothing(session, world, upload_dir, limits):  # type: ignore[no-untyped-def]
    report = open_h1(session)
    district = world.actor(f"review-{DISTRICT}")
    with pytest.raises(errors.ValidationFailed) as err:
        report_review.submit_report(session, district, report.id)
    assert set(err.value.fields) == {"summary", "cases"}
    report_editing.save_summary(session, district, report.id, "总结")
    report_editing.save_case(session, district, report.id, None, case_data(narrative="", enterprise_name=""),
                      upload_dir=upload_dir, limits=limits)
    with pytest.raises(errors.ValidationFailed) as err:
        report_review.submit_report(session, district, report.id)
    assert "企业名称" in err.value.fields["cases"][0] and "案例内容" in err.value.fields["cases"][0]
    assert instance_of(session, report).status == "compiling"
    assert not any(c.locked for c in session.scalars(select(ReportCase)))


def test_a_refused_file_stores_nothing_at_all(session, world, upload_dir, limits):  # type: ignore[no-untyped-def]
    report = open_h1(session)
    district = world.actor(f"review-{DISTRICT}")
    before = stored_files(upload_dir)
    files = [incoming(samples.picture("JPEG"), "好照片.jpg", "picture"),
             incoming(samples.exe(), "伪装.jpg", "picture"),
             incoming(samples.mp4(), "视频.mp4", "video")]
    with pytest.raises(errors.ValidationFailed) as err:
        report_editing.save_case(session, district, report.id, None, case_data(), files, upload_dir=upload_dir,
                          limits=limits)
    assert "「伪装.jpg」未上传：文件内容是可执行程序" in err.value.fields["pictures"][0]
    assert "本次未保存任何内容" in err.value.message
    assert session.scalar(select(func.count()).select_from(ReportCase)) == 0
    assert session.scalar(select(func.count()).select_from(ReportAttachment)) == 0
    assert stored_files(upload_dir) == before


def test_scope_of_reports_cases_and_files(session, world, upload_dir, limits):  # type: ignore[no-untyped-def]
    report = open_h1(session)
    district, other = world.actor(f"review-{DISTRICT}"), world.actor(f"review-{OTHER}")
    enterprise = world.actor("ent-440112-1")
    case = report_editing.save_case(session, district, report.id, None, case_data(), typical_files(),
                             upload_dir=upload_dir, limits=limits)
    picture = next(a for a in case.attachments if a.kind == "picture")
    for who in (other, enterprise):
        with pytest.raises(errors.NotFound):
            report_queries.get_report(session, who, report.id)
        with pytest.raises(errors.NotFound):
            report_files.file_to_serve(session, who, picture.id, upload_dir=upload_dir)
        with pytest.raises(errors.NotFound):
            report_editing.save_summary(session, who, report.id, "越权")
    with pytest.raises(errors.NotFound):
        report_editing.save_summary(session, world.actor("city"), report.id, "市中心不编写区报告")
    assert [r.report.id for r in report_queries.list_reports(session, district)] == [report.id]
    assert len(report_queries.list_reports(session, world.actor("city"))) == 11
    with pytest.raises(errors.NotFound):
        report_queries.list_reports(session, enterprise)
    served = report_files.file_to_serve(session, district, picture.id, upload_dir=upload_dir)
    assert served.mime == "image/jpeg" and served.download_name == "学徒风采.jpg" and served.inline
