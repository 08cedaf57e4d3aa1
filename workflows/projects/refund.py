"""The refund of an advance above the final amount: what is due, the enterprise's report of the money
sent back, and the city's confirmation of its receipt (the money returns to the budget).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from workflows import cases
from workflows.clock import now
from workflows.dto import Actor
from workflows.models import ProjectPayment, TrainingProject
from workflows.projects import config, funds
from workflows.projects.lookups import check_paid_on, check_voucher, invalid, ready_task
from workflows.rules import money


def refund_due_fen(project: TrainingProject) -> int:
    return max(0, funds.paid_sum(project, "advance") - project.final_fen - funds.paid_sum(project, "refund"))


def report_refund(session: Session, actor: Actor, project_id: int, amount_fen: int, paid_on: date | None,
                  voucher_no: str) -> TrainingProject:
    """The enterprise reports the excess advance refunded (the city confirms receipt)."""
    with cases.unit_of_work(session):
        project, instance, row = ready_task(session, actor, project_id, config.REFUND_FORM, "项目当前无需退款。")
        due = refund_due_fen(project)
        if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen != due:
            raise invalid("amount_fen", f"退款金额应为{money.fen_to_yuan_str(due)}元。")
        day, voucher = check_paid_on(paid_on), check_voucher(voucher_no)
        cases.advance(session, actor, instance, row.task_id,
                      {"refund_reported": {"amount_fen": amount_fen, "paid_on": day.isoformat(),
                                           "voucher_no": voucher}},
                      "refund", comment=f"已退回{money.fen_to_yuan_str(amount_fen)}元，凭证{voucher}")
    return project


def confirm_refund(session: Session, actor: Actor, project_id: int, amount_fen: int, paid_on: date | None,
                   voucher_no: str) -> ProjectPayment:
    """The city confirms the refund received; the money returns to the budget (released)."""
    with cases.unit_of_work(session):
        project, instance, row = ready_task(session, actor, project_id, config.REFUND_CONFIRM_FORM,
                                            "项目当前没有待确认的退款。")
        due = refund_due_fen(project)
        if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen != due:
            raise invalid("amount_fen", f"到账金额应为{money.fen_to_yuan_str(due)}元。")
        payment = ProjectPayment(kind="refund", amount_fen=amount_fen, paid_on=check_paid_on(paid_on),
                                 voucher_no=check_voucher(voucher_no), recorded_by=actor.name, created_at=now())
        with funds.moving(session, project):
            project.payments.append(payment)
        cases.advance(session, actor, instance, row.task_id, {}, "refund_confirm",
                      comment=f"退款到账{money.fen_to_yuan_str(amount_fen)}元，凭证{payment.voucher_no}")
    return payment
