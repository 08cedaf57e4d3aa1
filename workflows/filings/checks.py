"""Bridge between the database and the pure rules: builds the rules' inputs for one filing, runs them
when the diagram asks (script helper ``run_filing_checks``), and guards decisions (R2 confirm, R5 budget).
"""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from workflows import cases, deadlines, policy
from workflows.catalogue import reads as catalogue_reads
from workflows.clock import china_today, now
from workflows.dto import Actor
from workflows.errors import ValidationFailed
from workflows.filings import facts as year_facts
from workflows.filings import totals
from workflows.filings.status import ACTIVE
from workflows.models import (
    Enterprise,
    Filing,
    ProjectTrainee,
    Trainee,
    WorkflowInstance,
)
from workflows.rules import hard as hard_rules
from workflows.rules import inputs as rule_inputs
from workflows.rules import money
from workflows.rules import soft as soft_rules
from workflows.rules.job_post import job_post_match


def filing_input(session: Session, filing: Filing) -> rule_inputs.FilingInput:
    enterprise = session.get(Enterprise, filing.enterprise_id)
    return rule_inputs.FilingInput(
        enterprise_credit_code=enterprise.credit_code if enterprise else "",
        apprenticeship_type=filing.apprenticeship_type,
        occupation_code=filing.occupation_code,
        level=filing.level,
        period_start=filing.period_start,
        period_end=filing.period_end,
        period_reason=filing.period_reason,
        trainees=[rule_inputs.TraineeInput(
            name=t.name, id_number=t.id_number, job_post=t.job_post, contract_start=t.contract_start,
            contract_end=t.contract_end,
            school=t.school, graduation_year=t.graduation_year, recruited_on=t.recruited_on, major=t.major,
            expected_graduation=t.expected_graduation) for t in filing.trainees],
        courses=[rule_inputs.CourseInput(category=c.category, name=c.name, hours=c.hours,
                                   textbook_isbn=c.textbook_isbn, off_catalogue_reason=c.off_catalogue_reason)
                 for c in filing.courses],
        career_plan=filing.career_plan, training_goals=filing.training_goals,
        retention_measures=filing.retention_measures, institution_name=filing.institution_name,
        institution_type=filing.institution_type, tutor_enterprise=filing.tutor_enterprise,
        tutor_institution=filing.tutor_institution,
        attachment_kinds=tuple(sorted({a.kind for a in filing.attachments})),
    )


def active_enrolments(session: Session, filing: Filing) -> list[rule_inputs.ActiveEnrolment]:
    numbers = {t.id_number_index: t.id_number for t in filing.trainees if t.id_number_index}
    return enrolments_of(session, numbers, filing.id, filing.period_start)


def enrolments_of(session: Session, numbers: dict[str, str], exclude_filing_id: int | None,
                  start: date | None) -> list[rule_inputs.ActiveEnrolment]:
    """The active filings these people are in (other than ``exclude_filing_id``), matched on the keyed
    blind index (``numbers``: index -> this filing's own number; the plain number is not stored). A
    trainee released by the training project (left, replaced, not started, project stopped or finished)
    no longer counts from the release date: not for a training starting on or after it (``start``;
    today when unknown)."""
    if not numbers:
        return []
    cutoff = start or china_today()
    stmt = (
        select(Trainee.id_number_index, Filing.occupation_code, Filing.level, Filing.period_start,
               Filing.period_end, Filing.id)
        .join(Filing, Trainee.filing_id == Filing.id)
        .join(WorkflowInstance, Filing.instance_id == WorkflowInstance.id)
        .outerjoin(ProjectTrainee, ProjectTrainee.trainee_id == Trainee.id)
        .where(Trainee.id_number_index.in_(list(numbers)), WorkflowInstance.status.in_(ACTIVE),
               or_(ProjectTrainee.released_on.is_(None), ProjectTrainee.released_on > cutoff))
    )
    if exclude_filing_id is not None:
        stmt = stmt.where(Filing.id != exclude_filing_id)
    rows = session.execute(stmt).all()
    return [rule_inputs.ActiveEnrolment(numbers[r[0]], r[1], r[2], r[3], r[4], f"备案{r[5]}") for r in rows
            if r[3] is not None and r[4] is not None]


def year_figures(session: Session, filing: Filing) -> rule_inputs.DistrictYearFigures:
    """The district's year so far, not counting this filing: the running totals (``facts``: one statement
    for the whole decision) less the filing's own contribution in its case's current status."""
    year = year_facts.plan_year(filing)
    found = year_facts.facts(session, filing)
    headcount, budget = found.plan(year)
    if year is None:
        return rule_inputs.DistrictYearFigures(
            planned_headcount=headcount, budget_fen=budget, committed_fen=0, trainees_total=0,
            trainees_intermediate_up=0, trainees_same_enterprise=0, trainees_same_occupation=0)
    instance = session.get(WorkflowInstance, filing.instance_id) if filing.instance_id else None
    own = totals.contribution(instance.status, filing) if instance is not None else None
    if own is not None and own.year != year:
        own = None
    rows = found.plan_year
    district = totals.without(rows.district, own)
    return rule_inputs.DistrictYearFigures(
        planned_headcount=headcount,
        budget_fen=budget,
        committed_fen=district["committed_fen"],
        trainees_total=district["trainees"],
        trainees_intermediate_up=district["intermediate_up"],
        trainees_same_enterprise=totals.without(rows.enterprise, own)["trainees"],
        trainees_same_occupation=totals.without(rows.occupation, own)["trainees"],
    )


def rules_params(params: policy.PolicyParams) -> rule_inputs.Params:
    return params.rules_params()


def evaluate(session: Session, filing: Filing, reveal_other_filing: bool = False) -> list[rule_inputs.CheckResult]:
    """Every hard failure and every soft result for this filing, with its numbers, judged by the policy
    version stamped on the filing at submission (today's parameters for a draft)."""
    params = policy.for_filing(session, filing)
    data = filing_input(session, filing)
    occupations, textbooks = catalogue_reads.occupations(session), catalogue_reads.textbooks(session)
    hard = hard_rules.hard_checks(data, occupations, textbooks, active_enrolments(session, filing),
                             rules_params(params), reveal_other_filing=reveal_other_filing)
    if hard:
        return hard
    return soft_rules.soft_checks(data, occupations, textbooks, year_figures(session, filing), rules_params(params))


def run_filing_checks(session: Session, filing_id: int) -> int:
    """Called by the diagram's 自动校验 step: store the results on the filing; return the hard count."""
    filing = session.get(Filing, int(filing_id))
    if filing is None:
        raise ValueError(f"filing {filing_id} not found")
    results = evaluate(session, filing)
    filing.check_results = [r.to_dict() for r in results]
    filing.flag_count = sum(1 for r in results if r.severity == "soft" and not r.ok)
    session.flush()
    return sum(1 for r in results if r.severity == "hard" and not r.ok)


def compute_subsidy_fen(trainee_count: int, rate_yuan: int, billed_months: int) -> int:
    """The diagram's fund plan: trainees x rate (yuan per person per year) x months / 12, in fen."""
    return money.subsidy_fen(int(trainee_count), int(rate_yuan), int(billed_months))


def record_fund_plan(session: Session, filing_id: int, subsidy_fen: int) -> None:
    """Called by the diagram's 计算资金计划 step: write the fund plan it computed onto the filing."""
    filing = session.get(Filing, int(filing_id))
    if filing is None:
        raise ValueError(f"filing {filing_id} not found")
    if isinstance(subsidy_fen, bool) or not isinstance(subsidy_fen, int) or subsidy_fen < 0:
        raise ValueError(f"subsidy must be a non-negative integer number of fen, got {subsidy_fen!r}")
    filing.subsidy_fen = subsidy_fen
    session.flush()


def is_shortage(occupation_code: str) -> bool:
    """Whether the occupation is on the shortage list (紧缺急需, a flag of its catalogue entry)."""
    occupation = catalogue_reads.occupations().get(occupation_code or "")
    return bool(occupation is not None and occupation.shortage)


def fund_plan_inputs(filing: Filing, params: policy.PolicyParams) -> dict:
    """What the diagram's 确定补贴标准 (DMN) and 计算资金计划 steps read from the task data."""
    months = 0
    if filing.period_start and filing.period_end and filing.period_end > filing.period_start:
        months = money.period_months(filing.period_start, filing.period_end)
    return {
        "apprenticeship_type": filing.apprenticeship_type,
        "level": int(filing.level),
        "shortage": is_shortage(filing.occupation_code),
        "trainee_count": len(filing.trainees),
        "billed_months": months,
        "policy_version_id": params.version_id,
        "policy_rates": dict(params.version_rates),
    }


def script_helpers(session: Session, actor: Actor | None) -> dict:
    """The filing diagram's session-bound script helpers (registered by ``workflows.features``)."""
    return {
        "run_filing_checks": lambda filing_id: run_filing_checks(session, filing_id),
        "compute_subsidy_fen": compute_subsidy_fen,
        "record_fund_plan": lambda filing_id, subsidy_fen: record_fund_plan(session, filing_id, subsidy_fen),
        "note_estimated_deadline": lambda filing_id, variable, days, working_days: note_estimated_deadline(
            session, filing_id, variable, days, working_days),
    }


def note_estimated_deadline(session: Session, filing_id: int, variable: str, days: int, working_days: bool) -> bool:
    """The diagram's 计算修改期限 step: mark the resubmission deadline if an estimated year was counted."""
    filing = session.get(Filing, int(filing_id))
    if filing is None or filing.instance_id is None:
        raise ValueError(f"filing {filing_id} not found")
    return deadlines.note_estimated_deadline(session, filing.instance_id, str(variable), int(days),
                                             bool(working_days))


def hard_errors_by_field(filing: Filing) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for result in filing.check_results or []:
        if result.get("severity") == "hard" and not result.get("ok"):
            errors.setdefault(result.get("field") or "__all__", []).append(result["message"])
    return errors


_TRAINEE_FIELD = re.compile(r"^trainees\[(\d+)\]\.job_post$")


def record_mismatch_confirmations(session: Session, instance: WorkflowInstance, decision: str, actor: Actor) -> int:
    """After an approval: one history entry per job-post mismatch the reviewer confirmed (R2), naming the
    trainee and the post (the approval was only possible with every mismatch confirmed)."""
    if decision != "approve":
        return 0
    filing = totals.filing_of_instance(session, instance.id)
    if filing is None:
        return 0
    count = 0
    for result in filing.check_results or []:
        details = result.get("details") or {}
        if result.get("rule") != "job_post_match" or details.get("result") != "mismatch":
            continue
        match = _TRAINEE_FIELD.match(result.get("field") or "")
        index = int(match.group(1)) if match else -1
        trainee = filing.trainees[index] if 0 <= index < len(filing.trainees) else None
        who = f"{trainee.name}（第{index + 1}名学员）" if trainee is not None else "学员"
        post = details.get("job_post") or (trainee.job_post if trainee is not None else "")
        occupation = details.get("occupation_name") or filing.occupation_name
        cases.audit(session, instance, actor, "confirm_mismatch", task_name="确认岗位与职业不一致",
                    comment=f"审核人已核实并确认：{who}的工作岗位“{post}”与培训职业（工种）“{occupation}”不一致",
                    status_before=instance.status)
        count += 1
    return count


def before_decision(session: Session, instance: WorkflowInstance, decision: str, confirm_mismatches: bool) -> None:
    """Guards on a district approval: explicit confirmation of job-post mismatches (R2), and the budget of
    every year the filing's fund plan falls in (R5, the plan split by months). The filing is read once
    for the whole decision (``totals.filing_of_instance``: the live figures, tracker and effects reuse it)."""
    if decision != "approve":
        return
    filing = totals.filing_of_instance(session, instance.id)
    if filing is None:
        return
    mismatches = [r for r in filing.check_results or []
                  if r.get("rule") == "job_post_match" and r.get("details", {}).get("result") == "mismatch"]
    if mismatches and not confirm_mismatches:
        message = f"有{len(mismatches)}名学员的岗位与培训职业不一致，请逐项确认后再通过。"
        raise ValidationFailed(message, {"confirm_mismatches": [message]})
    shares = totals.year_shares(filing)
    budgets = budget_by_year(session, filing, instance.status, shares)
    for year, share in shares.items():
        budget_fen, used = budgets[year]
        figures = rule_inputs.DistrictYearFigures(planned_headcount=0, budget_fen=budget_fen, committed_fen=used,
                                                  trainees_total=0, trainees_intermediate_up=0,
                                                  trainees_same_enterprise=0, trainees_same_occupation=0)
        budget = money.budget_check(share, figures)
        if not budget.ok:
            message = f"{year}年度：{budget.message}"
            raise ValidationFailed(message, {"decision": [message]})


def budget_by_year(session: Session, filing: Filing, status: str, shares: dict[int, int]
                   ) -> dict[int, tuple[int, int]]:
    """Per budget year of the filing: (the district's budget, what the year already holds besides this
    filing): committed and paid by the recorded filings' training projects (``fund_total``) plus the year
    shares of the filings awaiting the city (the running totals' ``YEAR_SHARE`` rows). Read with the other
    facts of the decision (``facts``: one statement), whatever the number of cases."""
    found = year_facts.facts(session, filing)
    waiting = dict(found.shares)
    own = totals.contribution(status, filing)
    for year, fen in own.year_shares if own is not None else ():
        waiting[year] = waiting.get(year, 0) - fen
    return {year: (found.plan(year)[1], found.funds.get(year, 0) + waiting.get(year, 0)) for year in sorted(shares)}


def live_figures(session: Session, filing: Filing) -> dict:
    """The live figures of the review screen: R3/R4 (before / after this filing) and R5 (budget, committed,
    remaining before and after) computed now from the district's current year, not the figures stored at
    submission."""
    params = policy.for_filing(session, filing)
    year = year_figures(session, filing)
    results = [r.to_dict() for r in soft_rules.year_checks(
        int(filing.trainee_count or 0), filing.level, filing.occupation_name or filing.occupation_code or "", year,
        rules_params(params))]
    budget = money.budget_check(int(filing.subsidy_fen or 0), year)
    return {"computed_at": now().isoformat(), "results": [*results, budget.to_dict()],
            "budget": dict(budget.details)}


def decision_figures(session: Session, instance: WorkflowInstance) -> dict:
    """What a filing decision records with its audit row (registered as the filing kind's figures)."""
    filing = totals.filing_of_instance(session, instance.id)
    return live_figures(session, filing) if filing is not None else {}


JOB_POST_WORDS = {"match": "与培训职业一致", "likely": "与培训职业相近，审核时需确认",
                  "mismatch": "与培训职业不一致，审核时需确认或将被退回"}


def job_post_results(session: Session, occupation_code: str, job_posts: list[str]) -> dict:
    """The R2 check of job posts as the enterprise types them: the server's own rule
    (``rules.job_post.job_post_match``) over the catalogue, so the page shows what submission will."""
    occupation = catalogue_reads.occupations(session).get((occupation_code or "").strip())
    if occupation is None:
        return {"occupation": None, "results": [
            {"job_post": p, "result": None, "message": "请先选择培训职业（工种）"} for p in job_posts]}
    results = []
    for post in job_posts:
        text = (post or "").strip()
        if not text:
            results.append({"job_post": post, "result": None, "message": ""})
            continue
        result = job_post_match(text, occupation)
        results.append({"job_post": post, "result": result,
                        "message": f"岗位“{text}”{JOB_POST_WORDS[result]}（{occupation.name}）"})
    return {"occupation": {"code": occupation.code, "name": occupation.name}, "results": results}
