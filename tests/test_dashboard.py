"""The city dashboard (全市概览): figures on a small world built through the real service layer, scope,
and the page as each role sees it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import event, select

from tests.factories import filing_data, make_world, task_of, user
from webapp.dashboard import charts
from webapp.extensions import db
from workflows import errors, service
from workflows.dashboard import figures as dashboard_figures
from workflows.dashboard import overview as dashboard
from workflows.dashboard import scope as dashboard_scope
from workflows.dashboard import status as dashboard_status
from workflows.filings import status as filing_status
from workflows.models import Filing, QuarterlyPlan, SemiannualReport, SpecVersion, WorkflowInstance

TH, HP, PY = "440106", "440112", "440113"  # 天河, 黄埔, 番禺


@dataclass
class City:
    world: object
    year: int
    filings: dict[str, Filing]

    def fen(self, name: str) -> int:
        return self.filings[name].subsidy_fen


def _file(session, world, username: str, seed: int, **overrides) -> Filing:  # type: ignore[no-untyped-def]
    who = world.actor(username)
    filing = service.create_filing(session, who, filing_data(seed, **overrides))
    service.submit_filing(session, who, filing.id)
    return filing


def _decide(session, world, filing: Filing, username: str, decision: str, comment: str = "") -> None:  # type: ignore[no-untyped-def]
    service.complete_task(session, world.actor(username), task_of(session, filing).task_id, decision, comment,
                          confirm_mismatches=True)


def build_city(session, headcount: int = 400) -> City:  # type: ignore[no-untyped-def]
    """天河: recorded (四级, 3 people), under review (五级, 3), waiting for the city (三级 铣工, 3, other firm);
    黄埔: returned (not counted) and a draft; 番禺: withdrawn."""
    world = make_world(session, headcount=headcount)
    f = {}
    f["recorded"] = _file(session, world, "ent-440106-1", 1)
    _decide(session, world, f["recorded"], f"review-{TH}", "approve")
    _decide(session, world, f["recorded"], "city", "record")
    f["review"] = _file(session, world, "ent-440106-1", 2, level=5)
    f["city"] = _file(session, world, "ent-440106-2", 3, level=3, occupation_code="6-18-01-02")
    _decide(session, world, f["city"], f"review-{TH}", "approve")
    f["returned"] = _file(session, world, "ent-440112-1", 4)
    _decide(session, world, f["returned"], f"review-{HP}", "return", "请补充材料")
    f["draft"] = service.create_filing(session, world.actor("ent-440112-2"), filing_data(5))
    f["withdrawn"] = _file(session, world, "ent-440113-1", 6)
    service.withdraw_filing(session, world.actor("ent-440113-1"), f["withdrawn"].id, "计划调整")
    session.expire_all()
    filings = {k: session.get(Filing, v.id) for k, v in f.items()}
    return City(world, filings["recorded"].plan_year, filings)


@pytest.fixture()
def city(session) -> City:  # type: ignore[no-untyped-def]
    return build_city(session)


# --------------------------------------------------------------------------------------------------
# Figures


def test_status_matrix_counts_every_filing_by_district_and_status(session, city):  # type: ignore[no-untyped-def]
    data = dashboard.overview(session, city.world.actor("city"), city.year)
    m = data.status
    assert m.counts[TH] == {"recorded": 1, "district_review": 1, "city_record": 1}
    assert m.counts[HP] == {"returned": 1}  # the draft is private to its enterprise (issue 15)
    assert m.counts[PY] == {"withdrawn": 1}
    assert m.counts["440103"] == {}
    assert len(m.counts) == 11
    assert m.row_total(TH) == 3 and m.column_total("returned") == 1 and m.total == 5


def test_year_figures_r3_r4_r5_per_district(session, city):  # type: ignore[no-untyped-def]
    data = dashboard.overview(session, city.world.actor("city"), city.year)
    rows = {r.code: r for r in data.district_years}
    th = rows[TH]
    # Counted: under review, waiting for the city, recorded (the returned, draft, withdrawn ones are not).
    assert (th.filings, th.trainees, th.intermediate_up) == (3, 9, 6)
    assert th.intermediate_share == pytest.approx(6 / 9)
    assert th.intermediate_below  # 66.7% < 70%
    assert th.committed_fen == city.fen("recorded") + city.fen("city") > 0
    assert th.pending_fen == city.fen("review") > 0
    assert th.budget_fen == 300_000_000 and th.planned_headcount == 400
    assert th.remaining_fen == 300_000_000 - th.committed_fen
    assert th.used_share == pytest.approx(th.committed_fen / 300_000_000)
    # R4: the largest enterprise has 6 of the district's 400 planned trainees; 车工 6 too.
    ent = th.top_enterprise
    assert ent is not None and ent.name == "广州天河智能装备有限公司" and ent.trainees == 6
    assert ent.share == pytest.approx(6 / 400) and not ent.flagged
    occ = th.top_occupation
    assert occ is not None and occ.key == "6-18-01-01" and "车工" in occ.name and occ.trainees == 6
    for code in (HP, PY):
        assert (rows[code].filings, rows[code].trainees, rows[code].committed_fen, rows[code].pending_fen) == (0, 0, 0, 0)
        assert rows[code].top_enterprise is None and rows[code].intermediate_share is None
    total = data.city_year
    assert (total.trainees, total.intermediate_up, total.budget_fen) == (9, 6, 11 * 300_000_000)
    assert total.committed_fen == th.committed_fen and total.pending_fen == th.pending_fen


def test_concentration_flags_use_the_policy_thresholds(session):  # type: ignore[no-untyped-def]
    city = build_city(session, headcount=5)  # fewer planned than actual trainees: denominator is 9
    th = next(r for r in dashboard.overview(session, city.world.actor("city"), city.year).district_years
              if r.code == TH)
    assert th.concentration_denominator == 9
    assert th.top_enterprise is not None and th.top_enterprise.share == pytest.approx(6 / 9)
    assert th.top_enterprise.flagged and th.top_occupation is not None and th.top_occupation.flagged
    assert th.headcount_share == pytest.approx(9 / 5)


def test_breakdown_by_size_class_and_tags(session, city):  # type: ignore[no-untyped-def]
    data = dashboard.overview(session, city.world.actor("city"), city.year)
    sizes = {r.label: r for r in data.sizes}
    assert [r.label for r in data.sizes] == ["大型", "中型", "小型", "微型"]
    assert (sizes["中型"].enterprises, sizes["中型"].filings, sizes["中型"].trainees) == (1, 2, 6)
    assert (sizes["小型"].enterprises, sizes["小型"].filings, sizes["小型"].trainees) == (1, 1, 3)
    assert sizes["大型"].trainees == sizes["微型"].trainees == 0
    assert sizes["中型"].share == pytest.approx(6 / 9)
    assert (data.sme.enterprises, data.sme.filings, data.sme.trainees) == (2, 3, 9)
    tags = {r.label: r for r in data.tags}
    assert tags["专精特新"].trainees == tags["制造业"].trainees == 6
    assert tags["无标签"].trainees == 3 and tags["链主企业"].trainees == 0
    assert tags['专精特新"小巨人"'].enterprises == 0


def test_open_tasks_and_overdue_per_district(session, city):  # type: ignore[no-untyped-def]
    actor = city.world.actor("city")
    data = dashboard.overview(session, actor, city.year)
    # The recorded filing's training project waits for the enterprise's 开班报告.
    assert data.tasks[TH].by_role == {"district": 1, "city": 1, "enterprise": 1}
    assert data.tasks[HP].by_role == {"enterprise": 2}  # the returned filing and the draft
    assert data.tasks[PY].total == 0
    assert data.tasks_total.total == 5
    # Past the resubmission window the returned filing's task is overdue.
    later = dashboard.overview(session, actor, city.year, at=datetime.now(UTC) + timedelta(days=400))
    assert later.tasks[HP].overdue == 1
    # ... and so are the district review (due review_window_days working days after it arrived) and the
    # late 开班报告.
    assert later.tasks[TH].overdue == 2 and later.tasks_total.overdue == 3


def test_other_year_is_empty_but_statuses_stay(session, city):  # type: ignore[no-untyped-def]
    data = dashboard.overview(session, city.world.actor("city"), city.year + 1)
    assert data.city_year.trainees == 0 and data.city_year.committed_fen == 0
    assert data.city_year.budget_fen == 11 * 300_000_000  # make_world plans next year too
    assert data.status.total == 5  # where every case stands now, whatever the year (drafts are private)
    assert city.year in data.years and city.year + 1 in data.years


def _periodic_case(session, kind: str, district: str, year: int, period: int, status: str,  # type: ignore[no-untyped-def]
                   due: datetime | None, completed: bool = False) -> WorkflowInstance:
    """A plan or report case as the dashboard reads it (its row and its case's status and dates)."""
    spec = session.scalars(select(SpecVersion)).first()
    if spec is None:
        spec = SpecVersion(process_id=kind, version_hash="test", spec_json="{}", bpmn_xml="")
        session.add(spec)
        session.flush()
    key = f"{district}-{year}{'Q' if kind == 'quarterly_plan' else 'H'}{period}"
    instance = WorkflowInstance(kind=kind, business_key=key, title=key, spec_version_id=spec.id, state_json="{}",
                                status=status, district_code=district, due_at=due,
                                completed_at=due if completed else None)
    session.add(instance)
    session.flush()
    if kind == "quarterly_plan":
        session.add(QuarterlyPlan(district_code=district, year=year, quarter=period, instance_id=instance.id))
    else:
        session.add(SemiannualReport(district_code=district, year=year, half=period, instance_id=instance.id))
    session.commit()
    return instance


def test_quarterly_plans_and_reports_with_overdue(session, world):  # type: ignore[no-untyped-def]
    year = dashboard_figures.current_year()
    actor = world.actor("city")
    empty = dashboard.overview(session, actor, year)
    assert [p.count for p in empty.periodic] == [0, 0]  # degrades to "none yet"
    past = datetime.now(UTC) - timedelta(days=3)
    _periodic_case(session, "quarterly_plan", TH, year, 1, "compiling", past)
    _periodic_case(session, "quarterly_plan", TH, year, 2, "city_record", past)  # the city's turn
    _periodic_case(session, "quarterly_plan", HP, year, 1, "recorded", past, completed=True)
    _periodic_case(session, "quarterly_plan", HP, year - 1, 4, "compiling", past)  # other year
    _periodic_case(session, "semiannual_report", TH, year, 1, "recorded", past, completed=True)
    plans, reports = dashboard.overview(session, actor, year).periodic
    assert plans.kind == "quarterly_plan" and plans.count == 3
    q1 = plans.cell(TH, "Q1")
    assert q1 is not None and q1.overdue and q1.label == "待编制"
    q2 = plans.cell(TH, "Q2")
    assert q2 is not None and not q2.overdue and q2.label == "待市备案"
    assert plans.cell(HP, "Q1").label == "已备案" and plans.overdue == 1 and plans.recorded == 1  # type: ignore[union-attr]
    assert reports.count == 1 and reports.cell(TH, "H1").label == "已接收"  # type: ignore[union-attr]
    district_view = dashboard.overview(session, world.actor(f"review-{HP}"), year).periodic[0]
    assert district_view.count == 1 and district_view.cell(TH, "Q1") is None


def test_counted_is_committed_plus_pending():
    # year_groups derives the pending subsidy as counted minus committed.
    assert set(filing_status.COUNTED) == set(filing_status.COMMITTED) | set(filing_status.PENDING)
    assert not set(filing_status.COMMITTED) & set(filing_status.PENDING)


# --------------------------------------------------------------------------------------------------
# Scope and cost


def test_district_reviewer_sees_only_own_district(session, city):  # type: ignore[no-untyped-def]
    reviewer = city.world.actor(f"review-{HP}")
    data = dashboard.overview(session, reviewer, city.year, district=TH)  # asking for another: ignored
    assert data.scope.districts == (HP,) and data.scope.single == HP
    assert set(data.status.counts) == {HP} and data.status.total == 1  # its draft is private
    assert [r.code for r in data.district_years] == [HP] and data.city_year.trainees == 0
    assert set(data.tasks) == {HP}
    assert data.sme.trainees == 0  # 天河's trainees are not in 黄埔's breakdown


def test_city_can_narrow_to_one_district(session, city):  # type: ignore[no-untyped-def]
    data = dashboard.overview(session, city.world.actor("city"), city.year, district=TH)
    assert data.scope.single == TH and data.status.total == 3 and data.city_year.trainees == 9
    whole = dashboard.overview(session, city.world.actor("admin"), city.year, district="999999")
    assert whole.scope.whole_city and len(whole.district_years) == 11


def test_queries_refuse_a_scope_wider_than_the_actor(session, city):  # type: ignore[no-untyped-def]
    reviewer = city.world.actor(f"review-{HP}")
    whole = dashboard_scope.resolve_scope(city.world.actor("city"))
    other = dashboard_scope.resolve_scope(city.world.actor("city"), TH)
    for scope in (whole, other):
        with pytest.raises(errors.NotFound):
            dashboard_figures.year_groups(session, reviewer, scope, city.year)
        with pytest.raises(errors.NotFound):
            dashboard_status.task_counts(session, reviewer, scope, datetime.now(UTC))
        with pytest.raises(errors.NotFound):  # the running counts, as the figures: refused, not filtered
            dashboard_status.status_matrix(session, reviewer, scope)
    # The reviewer's own scope: only their district's counts come back.
    own = dashboard_scope.resolve_scope(reviewer)
    assert set(dashboard_status.status_matrix(session, reviewer, own).counts) == {HP}


def test_enterprise_gets_not_found(session, city):  # type: ignore[no-untyped-def]
    with pytest.raises(errors.NotFound):
        dashboard.overview(session, city.world.actor("ent-440106-1"), city.year)


def test_overview_is_a_fixed_number_of_aggregate_queries(session, city):  # type: ignore[no-untyped-def]
    statements: list[str] = []

    def record(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        dashboard.overview(session, city.world.actor("city"), city.year)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert len(statements) <= 10, statements
    assert not any("state_json" in s for s in statements)  # never loads a workflow


# --------------------------------------------------------------------------------------------------
# The page


def login(client, session, username: str) -> None:  # type: ignore[no-untyped-def]
    u = user(session, username)
    import time

    with client.session_transaction() as s:
        s["_user_id"] = u.get_id()
        s["_fresh"] = True
        s["auth_at"] = s["seen_at"] = int(time.time())


def _links(html: str) -> list[dict[str, list[str]]]:
    return [parse_qs(urlsplit(href.replace("&amp;", "&")).query)
            for href in re.findall(r'href="(/cases/\?[^"]*)"', html)]


def test_page_for_city_staff_in_chinese_with_numbers_and_links(client, session, city):  # type: ignore[no-untyped-def]
    login(client, session, "city")
    response = client.get(f"/dashboard?year={city.year}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for text in ("全市概览", "各区备案办理状态", "待办与逾期", "中级工及以上占比", "学员最多的企业", "培训补贴预算",
                 "按企业规模", "按重点企业类型", "季度计划与半年报告", "天河区", "增城区", "待区审核", "已备案",
                 "广州天河智能装备有限公司", "低于70.0%", "3,000,000.00", "66.7%", "<caption>", 'class="table-wrap"',
                 'role="img"', "案件快速查询"):
        assert text in html, text
    links = _links(html)
    assert {"kind": ["filing"], "district": [TH], "status": ["district_review"]} in links
    assert {"kind": ["filing"], "district": [HP], "status": ["returned"]} in links
    assert {"kind": ["filing"], "status": ["recorded"]} in links  # city total of a column
    assert 'action="/cases/"' in html and 'name="q"' in html
    assert f'<option selected value="{city.year}">' in html or f'value="{city.year}" selected' in html
    assert "<script" not in html.split("</main>")[0].split('<main')[1]  # charts are server-side SVG
    assert "style=" not in html  # strict CSP friendly: no inline styles


def test_page_for_a_district_reviewer_shows_own_district_only(client, session, city):  # type: ignore[no-untyped-def]
    login(client, session, f"review-{HP}")
    html = client.get(f"/dashboard?district={TH}").get_data(as_text=True)
    assert "黄埔区概览" in html and "全市概览" not in html.split("<main")[1]
    assert "天河区" not in html.split("<main")[1]
    assert 'name="district"' not in html  # no district filter for a reviewer
    links = _links(html)
    assert links and all(q.get("district", [HP]) == [HP] for q in links)


def test_page_city_district_filter_and_bad_year(client, session, city):  # type: ignore[no-untyped-def]
    login(client, session, "admin")
    html = client.get(f"/dashboard?district={HP}&year=abc").get_data(as_text=True)
    assert "黄埔区概览" in html and f"统计年度 {dashboard_figures.current_year()} 年" in html


def test_page_not_found_for_enterprise(client, session, city):  # type: ignore[no-untyped-def]
    login(client, session, "ent-440106-1")
    response = client.get("/dashboard")
    assert response.status_code == 404 and "页面不存在" in response.get_data(as_text=True)


def test_page_asks_anonymous_visitors_to_log_in(client, session):  # type: ignore[no-untyped-def]
    response = client.get("/dashboard")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# --------------------------------------------------------------------------------------------------
# Chart geometry


def test_stacked_chart_geometry_is_proportional():
    chart = charts.stacked_chart("c", "t", "d", [("天河", [2, 3]), ("黄埔", [0, 1])],
                                 [("seg-a", "甲"), ("seg-b", "乙")])
    first, second = chart.bars
    assert [s.css for s in first.segments] == ["seg-a", "seg-b"] and [s.css for s in second.segments] == ["seg-b"]
    assert first.segments[1].width == pytest.approx(first.segments[0].width * 1.5)
    assert first.segments[0].x == chart.left and first.value_text == "5件"
    assert chart.ticks[0].label == "0" and chart.ticks[-1].x == pytest.approx(chart.right)
    assert charts.nice_step(0) == 1 and charts.nice_step(43) == 10 and charts.nice_step(7) == 2


def test_share_chart_axis_grows_past_full_budget():
    chart = charts.share_chart("b", "t", "d", [("天河", 1.1, 0.2, "已用110.0%"), ("从化", None, None, "未设定预算")],
                               [("seg-committed", "已占用"), ("seg-pending", "待区审核")])
    assert [t.label for t in chart.ticks] == ["0%", "50%", "100%", "150%"] and chart.marker is not None
    assert chart.marker.x == pytest.approx(chart.left + (chart.right - chart.left) / 1.5)
    huge = charts.share_chart("b", "t", "d", [("天河", 20.1, 0.0, "")], [("a", "甲"), ("b", "乙")])
    assert len(huge.ticks) <= 7 and huge.ticks[-1].label == "2500%"
    normal = charts.share_chart("b", "t", "d", [("天河", 0.4, 0.1, "")], [("a", "甲"), ("b", "乙")])
    assert normal.ticks[-1].label == "100%" and len(normal.ticks) == 6
    assert chart.bars[1].segments == [] and chart.bars[1].track is None
