"""The training project after 备案 (``bpmn/training_project.bpmn``) and the money it moves.

One project per recorded filing. Its content lives here (the workflow holds only decisions and small
values) so that the money figures can be recomputed from the cases in SQL (``flask funds reconcile``):
the roster as it started and changed (``project_trainee``), changes asked and decided
(``project_change``), payments recorded by the city (``project_payment``), objections raised during the
public notice (``project_objection``). ``fund_total`` keeps the running totals per district and year,
updated in the same transaction as each step that moves money. Amounts are integer fen.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflows.db import Base, UTCDateTime, utcnow

OUTCOMES: dict[str, str] = {"passed": "合格", "failed": "不合格", "absent": "缺考"}
CHANGE_KINDS: dict[str, str] = {"leave": "学员退出", "replace": "学员替换", "period": "培训期限变更",
                                "stop": "终止项目"}
PAYMENT_KINDS: dict[str, str] = {"advance": "预支补贴", "subsidy": "补贴拨付", "refund": "退回预支款"}


class TrainingProject(Base):
    __tablename__ = "training_project"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("workflow_instance.id"), unique=True)
    filing_id: Mapped[int] = mapped_column(ForeignKey("filing.id"), unique=True)
    district_code: Mapped[str] = mapped_column(ForeignKey("district.code"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    # Yuan per person per year, fixed when the filing was recorded (the DMN rate of its policy version).
    rate_yuan: Mapped[int] = mapped_column(Integer)
    planned_start: Mapped[date] = mapped_column(Date)
    planned_end: Mapped[date] = mapped_column(Date)
    # The fund plan at 备案 (filed trainees x filed period), per budget year: {"2027": fen}.
    original_by_year: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    actual_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    stopped_on: Mapped[date | None] = mapped_column(Date)
    # Set when the subsidy is paid (or the project stopped): the final amount per year, the claim closed.
    settled: Mapped[bool] = mapped_column(Boolean, default=False)
    final_by_year: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    advance_requested_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    claim_fen: Mapped[int] = mapped_column(BigInteger, default=0)  # final amount less advances paid
    final_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    claim_roster: Mapped[list[dict]] = mapped_column(JSON, default=list)
    notice_from: Mapped[date | None] = mapped_column(Date)
    notice_until: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    trainees: Mapped[list[ProjectTrainee]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="ProjectTrainee.id")
    payments: Mapped[list[ProjectPayment]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="ProjectPayment.id")


class ProjectTrainee(Base):
    """A trainee of the project: one of the filed roster, or a replacement added by a change."""

    __tablename__ = "project_trainee"
    __table_args__ = (UniqueConstraint("project_id", "trainee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("training_project.id", ondelete="CASCADE"), index=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("trainee.id", ondelete="CASCADE"), index=True)
    started: Mapped[bool] = mapped_column(Boolean, default=False)
    joined_on: Mapped[date | None] = mapped_column(Date)
    # From this date the trainee no longer counts as "in an active filing" (left, stopped, not started).
    released_on: Mapped[date | None] = mapped_column(Date, index=True)
    replaces_id: Mapped[int | None] = mapped_column(Integer)  # the ProjectTrainee this one replaced
    outcome: Mapped[str] = mapped_column(String(10), default="")
    certificate_no: Mapped[str] = mapped_column(String(60), default="")
    level_reached: Mapped[int | None] = mapped_column(Integer)

    project: Mapped[TrainingProject] = relationship(back_populates="trainees")


class ProjectChange(Base):
    __tablename__ = "project_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("training_project.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    effective_on: Mapped[date] = mapped_column(Date)
    project_trainee_id: Mapped[int | None] = mapped_column(Integer)
    replacement_trainee_id: Mapped[int | None] = mapped_column(Integer)  # a Trainee row added to the filing
    new_end: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(10), default="pending")  # pending / approved / rejected
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ProjectPayment(Base):
    """A payment recorded by the city (advance, subsidy) or an advance refunded by the enterprise."""

    __tablename__ = "project_payment"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("training_project.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    paid_on: Mapped[date] = mapped_column(Date)
    voucher_no: Mapped[str] = mapped_column(String(60))
    # 'requested' while an advance awaits review/payment; 'recorded' once the money moved.
    state: Mapped[str] = mapped_column(String(10), default="recorded")
    recorded_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    project: Mapped[TrainingProject] = relationship(back_populates="payments")


class ProjectObjection(Base):
    """An objection raised by anyone during the public notice (公示) of a claim."""

    __tablename__ = "project_objection"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("training_project.id", ondelete="CASCADE"), index=True)
    content: Mapped[str] = mapped_column(Text)
    contact: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolution: Mapped[str] = mapped_column(Text, default="")
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class FundTotal(Base):
    """Running money totals of one district and budget year (the budget is ``district_year_plan``):
    committed (recorded, not yet paid), advanced (advances paid and not yet settled, part of paid),
    paid, released. Updated with atomic ``x = x + delta`` statements in the step's transaction."""

    __tablename__ = "fund_total"

    district_code: Mapped[str] = mapped_column(ForeignKey("district.code"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    committed_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    advanced_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    paid_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    released_fen: Mapped[int] = mapped_column(BigInteger, default=0)
