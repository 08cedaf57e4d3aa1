"""预支: the enterprise asks for an advance from the running task (up to the policy share of the started
trainees' subsidy, once per project), the district reviews it, and the city records the payment.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from workflows import cases, policy
from workflows.clock import china_today, now
from workflows.dto import Actor
from workflows.errors import Conflict
from workflows.models import ProjectPayment, TrainingProject
from workflows.projects import config, funds
from workflows.projects.lookups import check_paid_on, check_voucher, invalid, ready_task, running_task
from workflows.rules import money


def max_advance_fen(project: TrainingProject, share: float) -> int:
    """The policy share of the started trainees' subsidy (whole fen, rounded down)."""
    return int(sum(funds.entitled_by_year(project).values()) * share)


def request_advance(session: Session, actor: Actor, project_id: int, amount_fen: int) -> TrainingProject:
    """预支: up to the policy share of the started trainees' subsidy, no earlier than the class start,
    once per project; the district reviews it and the city records the payment."""
    with cases.unit_of_work(session):
        project, instance, row = running_task(session, actor, project_id)
        if instance.status != "running":
            raise Conflict("项目已终止，不能申请预支。")
        if project.actual_start is None or china_today() < project.actual_start:
            raise Conflict("开班之后才能申请预支。")
        if funds.paid_sum(project, "advance") > 0:
            raise Conflict("本项目已预支过补贴，不能重复申请。")
        params = policy.in_force(session)
        ceiling = max_advance_fen(project, params.advance_max_share)
        if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen <= 0:
            raise invalid("amount_fen", "请填写预支金额（分，正整数）。")
        if amount_fen > ceiling:
            raise invalid("amount_fen", f"预支金额不能超过开班学员补贴的{round(params.advance_max_share * 100)}%，"
                                        f"即{money.fen_to_yuan_str(ceiling)}元。")
        project.advance_requested_fen = amount_fen
        cases.advance(session, actor, instance, row.task_id,
                      {"action": "advance", "advance_requested_fen": amount_fen, "decision": "", "comment": ""},
                      "advance_request", comment=f"申请预支{money.fen_to_yuan_str(amount_fen)}元")
    return project


def record_advance_payment(session: Session, actor: Actor, project_id: int, amount_fen: int, paid_on: date | None,
                           voucher_no: str) -> ProjectPayment:
    """The city records the advance paid (amount up to the amount approved, date, voucher number)."""
    with cases.unit_of_work(session):
        project, instance, row = ready_task(session, actor, project_id, config.ADVANCE_PAYMENT_FORM,
                                            "项目当前没有待拨付的预支。")
        requested = int(project.advance_requested_fen or 0)
        if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or not 0 < amount_fen <= requested:
            raise invalid("amount_fen", f"拨付金额应大于0且不超过审核同意的{money.fen_to_yuan_str(requested)}元。")
        day = check_paid_on(paid_on)
        if project.actual_start is not None and day < project.actual_start:
            raise invalid("paid_on", "预支不能早于开班日期。")
        payment = ProjectPayment(kind="advance", amount_fen=amount_fen, paid_on=day,
                                 voucher_no=check_voucher(voucher_no), recorded_by=actor.name, created_at=now())
        with funds.moving(session, project):
            project.payments.append(payment)
        cases.advance(session, actor, instance, row.task_id, {}, "advance_payment",
                      comment=f"预支拨付{money.fen_to_yuan_str(amount_fen)}元，凭证{payment.voucher_no}")
    return payment
