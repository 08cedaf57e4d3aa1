"""Polish seen on the way: report labels, navigation highlight of the gallery's sub-pages, money in
summary tiles."""

from __future__ import annotations

from sqlalchemy import select

from webapp.auth.views import start_session
from workflows import service
from workflows.models import User


def test_a_report_awaiting_the_city_reads_awaiting_acceptance() -> None:
    assert service.status_label("semiannual_report", "city_record") == "待市接收"
    assert service.status_label("quarterly_plan", "city_record") == "待市备案"
    assert service.status_label("filing", "city_record") == "待市备案"


def test_gallery_sub_pages_highlight_the_gallery(app, world, session):  # type: ignore[no-untyped-def]
    user = session.scalars(select(User).where(User.username == "city")).one()
    for path, expected in (("/reports/gallery/cases/1", "典型案例"), ("/reports/gallery", "典型案例"),
                           ("/reports/", "半年报告")):
        with app.test_request_context(path):
            start_session(user)  # sign-in and last-seen times (issue 11a's session checks)
            app.preprocess_request()
            context: dict = {}
            app.update_template_context(context)
            [current] = [i["label"] for i in context["nav_items"] if i["active"]]
            assert current == expected, path


def test_money_in_tiles_uses_wan_and_never_wraps(app) -> None:  # type: ignore[no-untyped-def]
    wan = app.jinja_env.filters["wan"]
    assert wan(300_000_000) == "300.00万元" and wan(512_345) == "5,123元" and wan(None) == "0元"


def test_city_opens_a_semiannual_report_by_hand(app, world, session):  # type: ignore[no-untyped-def]
    from tests.test_web_helpers import login, text
    from workflows.models import WorkflowInstance

    city = login(app, "city")
    page = text(city.get("/reports/"))
    assert "开启报告" in page
    done = city.post("/reports/open", data={"district_code": "440112", "year": "2026", "half": "1"})
    assert done.status_code == 302
    assert "已开启黄埔区2026年上半年报告" in text(city.get("/reports/"))
    keys = session.scalars(select(WorkflowInstance.business_key).where(
        WorkflowInstance.kind == "semiannual_report")).all()
    assert len(keys) == 1
    city.post("/reports/open", data={"district_code": "440112", "year": "2026", "half": "1"})
    assert len(session.scalars(select(WorkflowInstance.id).where(
        WorkflowInstance.kind == "semiannual_report")).all()) == 1  # the second is refused (409 message)
    assert city.post("/reports/open", data={"district_code": "", "year": "2026", "half": "1"}).status_code == 302
    assert login(app, "review-440112").post("/reports/open", data={
        "district_code": "440112", "year": "2026", "half": "2"}).status_code == 404


def test_dashboard_tables_in_tabs_and_tiles_in_wan(app, world, session):  # type: ignore[no-untyped-def]
    from tests.test_web_helpers import login

    html = login(app, "city").get("/dashboard").get_data(as_text=True)
    assert "data-tabs" in html and html.count("data-tab-label=") == 6
    assert "万元" in html
