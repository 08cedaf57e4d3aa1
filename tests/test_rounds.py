"""The field-by-field difference between two submission rounds (pure) and the step indicator read from
the case history (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from workflows.filings.progress import district_decision, progress
from workflows.filings.rounds import compare


def snap(period_end: str = "2027-08-31", trainees=(("张三", "k1", "车工"),), courses=(("必修", "职业道德", "16"),)):  # type: ignore[no-untyped-def]
    return {"fields": {"period_end": period_end, "occupation": "6-18-01-01 车工"},
            "trainees": [{"key": k, "name": n, "id_masked": f"4401**********{k}", "job_post": p} for n, k, p in trainees],
            "courses": [{"key": f"{c}|{n}", "category": c, "name": n, "hours": h} for c, n, h in courses]}


def test_compare_trainees_courses_and_period() -> None:
    before = snap(trainees=(("张三", "k1", "车工"), ("李四", "k2", "车工")))
    after = snap(period_end="2027-12-31", trainees=(("张三", "k1", "数控车工"), ("王五", "k3", "车工")),
                 courses=(("必修", "职业道德", "24"), ("专业", "数控编程", "40")))
    diff = compare(before, after, 1, 2)
    assert [(c.label, c.before, c.after) for c in diff.fields] == [("培训结束日期", "2027-08-31", "2027-12-31")]
    assert diff.trainees_added == ["王五（4401**********k3）"] and diff.trainees_removed == ["李四（4401**********k2）"]
    assert [(c.section, c.label, c.after) for c in diff.trainees_changed] == [("张三（4401**********k1）", "工作岗位", "数控车工")]
    assert diff.courses_added == ["专业：数控编程"] and diff.courses_removed == []
    assert [(c.label, c.before, c.after) for c in diff.courses_changed] == [("学时", "16", "24")]
    assert not diff.empty and compare(before, before).empty


@dataclass
class E:
    action: str
    actor_name: str = "某人"
    comment: str = ""
    created_at: datetime = datetime(2027, 1, 1, tzinfo=UTC)
    details: dict | None = None


def test_progress_shows_returns_as_loops_and_the_current_step() -> None:
    history = [E("create"), E("submit", "企业"), E("return", "区审核员", "请修改"), E("resubmit", "企业"),
               E("approve", "区审核员", "同意", details={"figures": {"budget": {"remaining_fen": 1}}}),
               E("send_back", "市中心", "请复核"), E("approve", "区审核员", "已复核")]
    p = progress(history, "city_record")
    assert [(s.label, s.state) for s in p.steps] == [("企业提交", "done"), ("区审核", "done"), ("市备案", "current")]
    assert p.steps[0].note == "重新提交" and p.steps[1].who == "区审核员"
    assert [loop.label for loop in p.loops] == ["区人社局退回企业修改", "市中心退回区局重新审核"]
    decision = district_decision(history)
    assert decision is not None and (decision.label, decision.comment) == ("通过", "已复核")
    rejected = progress([E("submit"), E("reject", "区审核员", "不符合")], "rejected")
    assert [s.state for s in rejected.steps] == ["done", "ended", "skipped"] and rejected.ended == "不予通过"
    assert district_decision([E("submit")]) is None
