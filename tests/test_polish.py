"""Polish seen on the way: report labels, navigation highlight of the gallery's sub-pages, money in
summary tiles."""

from __future__ import annotations

from flask_login import login_user
from sqlalchemy import select

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
            login_user(user)
            app.preprocess_request()
            context: dict = {}
            app.update_template_context(context)
            [current] = [i["label"] for i in context["nav_items"] if i["active"]]
            assert current == expected, path


def test_money_in_tiles_uses_wan_and_never_wraps(app) -> None:  # type: ignore[no-untyped-def]
    wan = app.jinja_env.filters["wan"]
    assert wan(300_000_000) == "300.00万元" and wan(512_345) == "5,123元" and wan(None) == "0元"
