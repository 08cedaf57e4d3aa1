"""Opening a training project on 备案: the filing's 予以备案 starts the filing's project (one per filing,
business key ``P<filing id>``) in the same unit of work and commits its fund plan by budget year.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows import cases, policy
from workflows.clock import end_of_day, now
from workflows.dto import Actor
from workflows.errors import Conflict
from workflows.filings import checks as filing_checks
from workflows.models import Filing, ProjectTrainee, TrainingProject, WorkflowInstance
from workflows.projects import config, funds
from workflows.rules import money


def business_key(filing_id: int) -> str:
    return f"P{int(filing_id):08d}"


def start_project(session: Session, filing_instance: WorkflowInstance, decision: str, actor: Actor | None,
                  comment: str = "") -> WorkflowInstance | None:
    """The filing decision effect: on 予以备案 start the filing's training project (one per filing; the
    unique filing_id and business key refuse a second) and commit its fund plan by budget year."""
    if decision != "record" or filing_instance.status != "recorded":
        return None
    filing = session.scalars(select(Filing).where(Filing.instance_id == filing_instance.id)).one()
    if session.scalars(select(TrainingProject.id).where(TrainingProject.filing_id == filing.id)).first():
        return None
    if filing.period_start is None or filing.period_end is None:
        raise Conflict("备案缺少培训期限，不能启动培训项目。")
    params = policy.for_filing(session, filing)
    rate = params.rate(filing.apprenticeship_type, filing.level, filing_checks.is_shortage(filing.occupation_code))
    months = money.period_months(filing.period_start, filing.period_end)
    original = money.year_split_fen(len(filing.trainees), rate, filing.period_start, months)
    project = TrainingProject(
        filing_id=filing.id, district_code=filing.district_code, enterprise_id=filing.enterprise_id,
        rate_yuan=rate, planned_start=filing.period_start, planned_end=filing.period_end,
        period_end=filing.period_end, original_by_year={str(y): fen for y, fen in original.items()},
        created_at=now())
    project.trainees = [ProjectTrainee(trainee_id=t.id, joined_on=filing.period_start) for t in filing.trainees]
    session.add(project)
    session.flush()
    funds.add_to_totals(session, project.district_code, funds.figures(project))
    due = end_of_day(filing.period_start + timedelta(days=params.start_report_days)).isoformat()
    instance = cases.start(
        session, actor, kind=config.KIND, process_id=config.PROCESS_ID, business_key=business_key(filing.id),
        title=filing_instance.title, district_code=filing.district_code, enterprise_id=filing.enterprise_id,
        data={"project_id": project.id, "filing_id": filing.id, "case_kind": config.KIND,
              "case_key": business_key(filing.id), "district_code": filing.district_code,
              "enterprise_id": filing.enterprise_id, "project_title": filing_instance.title,
              "start_report_due_at": due, "reminder_days": params.start_report_reminder_days,
              "refund_months": params.refund_months, "refund_reminder_days": 15,
              "decision": "", "comment": "", "action": "", "change_outcome": "", "refund_due_fen": 0,
              "started_count": 0})
    project.instance_id = instance.id
    cases.audit(session, instance, actor, "start",
                comment=f"备案{filing_instance.business_key}已完成，自动启动培训项目")
    return instance
