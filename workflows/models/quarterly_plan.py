"""Quarterly district plans (季度培训计划, SPEC R11): one per district per quarter, its rows pre-filled from
the district's filings, and the figures (R3-R5) recorded at each submission.

The workflow (bpmn/quarterly_plan.bpmn) holds the state; these tables hold the content people edit and
the city exports, so lists and exports are SQL.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflows.db import Base, UTCDateTime, utcnow


class QuarterlyPlan(Base):
    __tablename__ = "quarterly_plan"
    __table_args__ = (UniqueConstraint("district_code", "year", "quarter"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("workflow_instance.id"), unique=True)
    district_code: Mapped[str] = mapped_column(ForeignKey("district.code"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    quarter: Mapped[int] = mapped_column(Integer)
    notes: Mapped[str] = mapped_column(Text, default="")
    # Written justification, required when the plan leaves the year's intermediate-and-above share below 70%.
    justification: Mapped[str] = mapped_column(Text, default="")
    # Set at each submission: the plan leaves the year below the R3 minimum (shown to the city as a flag).
    share_flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    # R3-R5 figures and the check results of the last submission (snapshot for the city and history).
    figures: Mapped[dict] = mapped_column(JSON, default=dict)
    check_results: Mapped[list[dict]] = mapped_column(JSON, default=list)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    rows: Mapped[list[QuarterlyPlanRow]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="QuarterlyPlanRow.seq"
    )

    @property
    def quarter_key(self) -> str:
        return f"{self.year}Q{self.quarter}"

    @property
    def quarter_label(self) -> str:
        return f"{self.year}年第{self.quarter}季度"


class QuarterlyPlanRow(Base):
    """One planned training (from one filing): copied at pre-fill so the plan is stable once submitted."""

    __tablename__ = "quarterly_plan_row"
    __table_args__ = (UniqueConstraint("plan_id", "filing_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("quarterly_plan.id", ondelete="CASCADE"), index=True)
    filing_id: Mapped[int | None] = mapped_column(ForeignKey("filing.id", ondelete="SET NULL"), index=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id"))
    enterprise_name: Mapped[str] = mapped_column(String(200), default="")
    credit_code: Mapped[str] = mapped_column(String(18), default="")
    occupation_code: Mapped[str] = mapped_column(String(20), default="")
    occupation_name: Mapped[str] = mapped_column(String(100), default="")
    project: Mapped[str] = mapped_column(String(30), default="")
    level: Mapped[int] = mapped_column(Integer, default=4)
    level_label: Mapped[str] = mapped_column(String(20), default="")
    trainees: Mapped[int] = mapped_column(Integer, default=0)
    fund_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    filing_status: Mapped[str] = mapped_column(String(30), default="")
    included: Mapped[bool] = mapped_column(Boolean, default=True)
    reason: Mapped[str] = mapped_column(Text, default="")

    plan: Mapped[QuarterlyPlan] = relationship(back_populates="rows")
