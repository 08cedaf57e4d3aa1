"""开班报告 (enterprise): the class started on a date with some of the filed trainees; the others are
released from the filing, and their subsidy from the budget, from that date.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from workflows import cases
from workflows.clock import china_today
from workflows.dto import Actor
from workflows.models import TrainingProject
from workflows.projects import config, funds
from workflows.projects.lookups import invalid, ready_task


def report_class_start(session: Session, actor: Actor, project_id: int, actual_start: date | None,
                       trainee_ids: list[int]) -> TrainingProject:
    """The class started on ``actual_start`` with these trainees (ids of the project's roster). The
    others are released from the filing (and their subsidy from the budget) from that date."""
    with cases.unit_of_work(session):
        project, instance, row = ready_task(session, actor, project_id, config.CLASS_REPORT_FORM,
                                            "开班报告已提交，不能重复提交。")
        if actual_start is None:
            raise invalid("actual_start", "请填写实际开班日期。")
        if actual_start < project.planned_start:
            raise invalid("actual_start",
                          f"实际开班日期不能早于备案的培训开始日期{project.planned_start.isoformat()}。")
        if actual_start >= project.period_end:
            raise invalid("actual_start", f"实际开班日期应早于培训结束日期{project.period_end.isoformat()}。")
        if actual_start > china_today():
            raise invalid("actual_start", "实际开班日期不能晚于今天。")
        chosen = {int(x) for x in trainee_ids or []}
        known = {t.id for t in project.trainees}
        if not chosen:
            raise invalid("trainee_ids", "请至少选择一名开班学员。")
        if chosen - known:
            raise invalid("trainee_ids", "开班学员须是备案名单中的学员。")
        with funds.moving(session, project):
            project.actual_start = actual_start
            for t in project.trainees:
                t.started = t.id in chosen
                t.joined_on = actual_start
                t.released_on = None if t.started else actual_start
        cases.advance(session, actor, instance, row.task_id, {"started_count": len(chosen)}, "class_report",
                      comment=f"实际开班{actual_start.isoformat()}，开班学员{len(chosen)}人")
    return project
