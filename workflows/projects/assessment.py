"""结业考核: after the period (or a stop) the enterprise gives each trainee's result from the running
task (passed / failed / absent, with certificate number and level reached); the district reviews it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from workflows import cases
from workflows.clock import china_today
from workflows.dto import Actor
from workflows.errors import Conflict, ValidationFailed
from workflows.models import ProjectTrainee, TrainingProject
from workflows.models.project import OUTCOMES
from workflows.projects.lookups import running_task
from workflows.rules import ids


@dataclass
class AssessmentResult:
    trainee_id: int  # ProjectTrainee id
    outcome: str
    certificate_no: str = ""
    level_reached: int | None = None


def assessed(project: TrainingProject) -> list[ProjectTrainee]:
    """The trainees the assessment covers: those who started and did not leave before the end."""
    return [t for t in project.trainees
            if t.started and (t.released_on is None or (project.stopped_on is not None
                                                         and t.released_on >= project.stopped_on))]


def submit_assessment(session: Session, actor: Actor, project_id: int,
                      results: list[AssessmentResult]) -> TrainingProject:
    """结业考核 after the period (or a stop): per trainee passed / failed / absent, with the certificate
    number and level reached of those who passed; the district reviews it."""
    with cases.unit_of_work(session):
        project, instance, row = running_task(session, actor, project_id)
        if project.stopped_on is None and china_today() <= project.period_end:
            raise Conflict(f"培训期限{project.period_end.isoformat()}结束后才能提交结业考核。")
        expected = {t.id: t for t in assessed(project)}
        given = {r.trainee_id: (i, r) for i, r in enumerate(results or [])}
        errors: dict[str, list[str]] = {}
        if set(given) != set(expected):
            errors["results"] = ["须逐一填写每名在训学员的考核结果。"]
        for i, r in given.values():
            if r.outcome not in OUTCOMES:
                errors[f"results[{i}].outcome"] = ["请选择考核结果（合格、不合格或缺考）。"]
            elif r.outcome == "passed":
                if not (r.certificate_no or "").strip() or len(r.certificate_no.strip()) > 60:
                    errors[f"results[{i}].certificate_no"] = ["合格学员须填写证书编号（不超过60字）。"]
                if r.level_reached not in ids.LEVELS:
                    errors[f"results[{i}].level_reached"] = ["合格学员须填写取得的技能等级。"]
        if errors:
            raise ValidationFailed("结业考核结果有误，请修改标出的内容。", errors)
        for trainee_id, (_, r) in given.items():
            t = expected[trainee_id]
            t.outcome = r.outcome
            t.certificate_no = (r.certificate_no or "").strip() if r.outcome == "passed" else ""
            t.level_reached = r.level_reached if r.outcome == "passed" else None
        passed = sum(1 for r in results if r.outcome == "passed")
        cases.advance(session, actor, instance, row.task_id, {"action": "assess", "decision": "", "comment": ""},
                      "assessment", comment=f"提交结业考核：合格{passed}人，共{len(results)}人")
    return project
