"""补贴申领 and its payment: the claim's figures (final amount less advances, the roster with
certificates), the enterprise's claim, and the city's payment that settles the project (what it did not
use is released; an advance above the final amount opens the refund).
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows import cases
from workflows.clock import now
from workflows.dto import Actor
from workflows.models import ProjectPayment, Trainee, TrainingProject
from workflows.projects import config, funds
from workflows.projects.assessment import assessed
from workflows.projects.lookups import check_paid_on, check_voucher, invalid, ready_task
from workflows.rules import ids, money


def claim_figures(session: Session, project: TrainingProject) -> tuple[int, int, list[dict]]:
    """(final fen, claim fen = final less advances, the roster with certificates) for the claim."""
    final = sum(funds.final_by_year(project).values())
    names = {t.id: t for t in session.scalars(select(Trainee).where(
        Trainee.id.in_([pt.trainee_id for pt in project.trainees] or [0])))}
    roster = []
    for pt in assessed(project):
        trainee = names.get(pt.trainee_id)
        seg = funds.segment(project, pt)
        roster.append({"name": trainee.name if trainee else "", "id_number": ids.mask_id_number(
            trainee.id_number if trainee else ""), "outcome": pt.outcome, "certificate_no": pt.certificate_no,
            "level_reached": pt.level_reached, "months": seg[1] if seg else 0})
    return final, max(0, final - funds.paid_sum(project, "advance")), roster


def submit_claim(session: Session, actor: Actor, project_id: int) -> TrainingProject:
    """补贴申领: the amount is computed (passed trainees x rate x months trained / 12, less advances
    paid) with the roster and certificate numbers attached; the district reviews it."""
    with cases.unit_of_work(session):
        project, instance, row = ready_task(session, actor, project_id, config.CLAIM_FORM, "项目当前不能申领补贴。")
        final, claim, roster = claim_figures(session, project)
        project.final_fen, project.claim_fen, project.claim_roster = final, claim, roster
        cases.advance(session, actor, instance, row.task_id, {"decision": "", "comment": ""}, "claim",
                      comment=f"申领补贴{money.fen_to_yuan_str(claim)}元（核定{money.fen_to_yuan_str(final)}元，"
                              f"扣除预支{money.fen_to_yuan_str(funds.paid_sum(project, 'advance'))}元）")
    return project


def record_claim_payment(session: Session, actor: Actor, project_id: int, amount_fen: int, paid_on: date | None,
                         voucher_no: str) -> ProjectPayment:
    """The city records the subsidy paid: the confirmed amount (final less advances). The project is
    settled: what it did not use is released; an advance above the final amount opens the refund."""
    with cases.unit_of_work(session):
        project, instance, row = ready_task(session, actor, project_id, config.CLAIM_PAYMENT_FORM,
                                            "项目当前没有待拨付的补贴。")
        if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen != project.claim_fen:
            raise invalid("amount_fen", f"拨付金额应为核定的申领金额{money.fen_to_yuan_str(project.claim_fen)}元。")
        payment = ProjectPayment(kind="subsidy", amount_fen=amount_fen, paid_on=check_paid_on(paid_on),
                                 voucher_no=check_voucher(voucher_no), recorded_by=actor.name, created_at=now())
        with funds.moving(session, project):
            project.payments.append(payment)
            project.final_by_year = {str(y): fen for y, fen in funds.final_by_year(project).items()}
            project.settled = True
            for t in project.trainees:  # the project is over: nobody is held by it any more
                if t.released_on is None:
                    t.released_on = project.period_end + timedelta(days=1)
        refund = max(0, funds.paid_sum(project, "advance") - project.final_fen)
        cases.advance(session, actor, instance, row.task_id, {"refund_due_fen": refund}, "claim_payment",
                      comment=f"补贴拨付{money.fen_to_yuan_str(amount_fen)}元，凭证{payment.voucher_no}")
    return payment
