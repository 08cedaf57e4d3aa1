"""Bridge between the database and the pure rules: builds the rules' inputs for one filing, runs them
when the diagram asks (script helper ``run_filing_checks``), and guards decisions (R2 confirm, R5 budget).
"""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from workflows import policy
from workflows.catalogue import reads as catalogue_reads
from workflows.clock import now
from workflows.dto import Actor
from workflows.errors import ValidationFailed
from workflows.filings import totals
from workflows.filings.status import ACTIVE, COMMITTED
from workflows.models import DistrictYearFigure, DistrictYearPlan, Enterprise, Filing, Trainee, WorkflowInstance
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
    """This filing's trainees who are also in another active filing, matched on the keyed blind index
    (never the plain number, which is not stored); each enrolment carries this filing's own number."""
    numbers = {t.id_number_index: t.id_number for t in filing.trainees if t.id_number_index}
    if not numbers:
        return []
    rows = session.execute(
        select(Trainee.id_number_index, Filing.occupation_code, Filing.level, Filing.period_start,
               Filing.period_end, Filing.id)
        .join(Filing, Trainee.filing_id == Filing.id)
        .join(WorkflowInstance, Filing.instance_id == WorkflowInstance.id)
        .where(Trainee.id_number_index.in_(list(numbers)), Filing.id != filing.id,
               WorkflowInstance.status.in_(ACTIVE))
    ).all()
    return [rule_inputs.ActiveEnrolment(numbers[r[0]], r[1], r[2], r[3], r[4], f"备案{r[5]}") for r in rows
            if r[3] is not None and r[4] is not None]


def year_figures(session: Session, filing: Filing) -> rule_inputs.DistrictYearFigures:
    """The district's year so far, not counting this filing: the running totals (one primary-key read)
    less the filing's own contribution in its case's current status."""
    year = filing.plan_year or (filing.period_start.year if filing.period_start else None)
    plan = session.scalars(select(DistrictYearPlan).where(
        DistrictYearPlan.district_code == filing.district_code, DistrictYearPlan.year == year)).first()
    if year is None:
        return rule_inputs.DistrictYearFigures(
            planned_headcount=plan.planned_headcount if plan else 0, budget_fen=plan.budget_fen if plan else 0,
            committed_fen=0, trainees_total=0, trainees_intermediate_up=0, trainees_same_enterprise=0,
            trainees_same_occupation=0)
    instance = session.get(WorkflowInstance, filing.instance_id) if filing.instance_id else None
    own = totals.contribution(instance.status, filing) if instance is not None else None
    if own is not None and own.year != year:
        own = None
    found = totals.year_totals(session, filing.district_code, int(year), filing.enterprise_id,
                               filing.occupation_code or "")
    district = totals.without(found.district, own)
    return rule_inputs.DistrictYearFigures(
        planned_headcount=plan.planned_headcount if plan else 0,
        budget_fen=plan.budget_fen if plan else 0,
        committed_fen=district["committed_fen"],
        trainees_total=district["trainees"],
        trainees_intermediate_up=district["intermediate_up"],
        trainees_same_enterprise=totals.without(found.enterprise, own)["trainees"],
        trainees_same_occupation=totals.without(found.occupation, own)["trainees"],
    )


# What a district approval needs, in one query: the filing's checks and subsidy, its district's budget
# for the year and the subsidy its district has committed this year (the running total's row).
_APPROVAL_FIGURES = select(
    Filing.check_results,
    Filing.subsidy_fen,
    select(DistrictYearPlan.budget_fen).where(
        DistrictYearPlan.district_code == Filing.district_code, DistrictYearPlan.year == Filing.plan_year
    ).scalar_subquery(),
    select(DistrictYearFigure.committed_fen).where(
        DistrictYearFigure.district_code == Filing.district_code, DistrictYearFigure.year == Filing.plan_year,
        DistrictYearFigure.dimension == totals.DISTRICT, DistrictYearFigure.key == "",
    ).scalar_subquery(),
).where(Filing.instance_id == bindparam("instance_id"))


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


def compute_subsidy_fen(trainee_count: int, rate_yuan: int, billed_years: int) -> int:
    """The diagram's fund plan: trainees x rate (yuan per person per year) x years, in integer fen."""
    return money.subsidy_fen(int(trainee_count), int(rate_yuan), int(billed_years))


def record_fund_plan(session: Session, filing_id: int, subsidy_fen: int) -> None:
    """Called by the diagram's 计算资金计划 step: write the fund plan it computed onto the filing."""
    filing = session.get(Filing, int(filing_id))
    if filing is None:
        raise ValueError(f"filing {filing_id} not found")
    if isinstance(subsidy_fen, bool) or not isinstance(subsidy_fen, int) or subsidy_fen < 0:
        raise ValueError(f"subsidy must be a non-negative integer number of fen, got {subsidy_fen!r}")
    filing.subsidy_fen = subsidy_fen
    session.flush()


def fund_plan_inputs(filing: Filing, params: policy.PolicyParams) -> dict:
    """What the diagram's 确定补贴标准 (DMN) and 计算资金计划 steps read from the task data."""
    years = 0
    if filing.period_start and filing.period_end and filing.period_end > filing.period_start:
        years = money.period_years(filing.period_start, filing.period_end)
    return {
        "apprenticeship_type": filing.apprenticeship_type,
        "level": int(filing.level),
        "trainee_count": len(filing.trainees),
        "billed_years": years,
        "policy_version_id": params.version_id,
        "policy_rates": dict(params.version_rates),
    }


def script_helpers(session: Session, actor: Actor | None) -> dict:
    """The filing diagram's session-bound script helpers (registered by ``workflows.features``)."""
    return {
        "run_filing_checks": lambda filing_id: run_filing_checks(session, filing_id),
        "compute_subsidy_fen": compute_subsidy_fen,
        "record_fund_plan": lambda filing_id, subsidy_fen: record_fund_plan(session, filing_id, subsidy_fen),
    }


def hard_errors_by_field(filing: Filing) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for result in filing.check_results or []:
        if result.get("severity") == "hard" and not result.get("ok"):
            errors.setdefault(result.get("field") or "__all__", []).append(result["message"])
    return errors


def before_decision(session: Session, instance: WorkflowInstance, decision: str, confirm_mismatches: bool) -> None:
    """Guards on a district approval: explicit confirmation of job-post mismatches (R2), budget (R5)."""
    if decision != "approve":
        return
    row = session.execute(_APPROVAL_FIGURES, {"instance_id": instance.id}).first()
    if row is None:
        return
    check_results, subsidy, budget_fen, committed = row
    if instance.status in COMMITTED:  # not counting this filing's own subsidy
        committed = int(committed or 0) - int(subsidy or 0)
    mismatches = [r for r in check_results or []
                  if r.get("rule") == "job_post_match" and r.get("details", {}).get("result") == "mismatch"]
    if mismatches and not confirm_mismatches:
        message = f"有{len(mismatches)}名学员的岗位与培训职业不一致，请逐项确认后再通过。"
        raise ValidationFailed(message, {"confirm_mismatches": [message]})
    figures = rule_inputs.DistrictYearFigures(planned_headcount=0, budget_fen=int(budget_fen or 0),
                                        committed_fen=int(committed or 0), trainees_total=0,
                                        trainees_intermediate_up=0, trainees_same_enterprise=0,
                                        trainees_same_occupation=0)
    budget = money.budget_check(int(subsidy or 0), figures)
    if not budget.ok:
        raise ValidationFailed(budget.message, {"decision": [budget.message]})


# The live figures of the review screen (R3, R4, R5): the district's year as it is at this moment.
LIVE_RULES = ("intermediate_share", "enterprise_concentration", "occupation_concentration")


def live_figures(session: Session, filing: Filing) -> dict:
    """R3/R4 (before / after this filing) and R5 (budget, committed, remaining before and after) computed
    now from the district's current year, not the figures stored at submission."""
    params = policy.for_filing(session, filing)
    data = filing_input(session, filing)
    year = year_figures(session, filing)
    soft = soft_rules.soft_checks(data, catalogue_reads.occupations(session), catalogue_reads.textbooks(session),
                                  year, rules_params(params))
    results = [r.to_dict() for r in soft if r.rule in LIVE_RULES]
    budget = money.budget_check(int(filing.subsidy_fen or 0), year)
    return {"computed_at": now().isoformat(), "results": [*results, budget.to_dict()],
            "budget": dict(budget.details)}


def decision_figures(session: Session, instance: WorkflowInstance) -> dict:
    """What a filing decision records with its audit row (registered as the filing kind's figures)."""
    filing = session.scalars(select(Filing).where(Filing.instance_id == instance.id)).first()
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
