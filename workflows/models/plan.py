"""District year plans (budget and planned headcount per district per year), set by city staff."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from workflows.db import Base, UTCDateTime, utcnow


class DistrictYearPlan(Base):
    __tablename__ = "district_year_plan"
    __table_args__ = (UniqueConstraint("district_code", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    district_code: Mapped[str] = mapped_column(ForeignKey("district.code"))
    year: Mapped[int] = mapped_column(Integer)
    budget_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    planned_headcount: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class DistrictYearFigure(Base):
    """Running totals of a district's year (SPEC R3-R5), kept up to date in the same transaction as the
    case step that changes them (``workflows.filings.totals``): the year's counted filings, their
    trainees, trainees at 四级/中级工 and above, subsidy committed (district approved) and pending (under
    review). ``dimension`` "" / ``key`` "" is the district's whole year; "enterprise" / enterprise id and
    "occupation" / occupation code are its shares (R4 concentration, R6 breakdown). ``flask workflows
    reconcile`` recomputes them from the cases."""

    __tablename__ = "district_year_figure"

    district_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    dimension: Mapped[str] = mapped_column(String(12), primary_key=True)
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    filings: Mapped[int] = mapped_column(Integer, default=0)
    trainees: Mapped[int] = mapped_column(Integer, default=0)
    intermediate_up: Mapped[int] = mapped_column(Integer, default=0)
    committed_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    pending_fen: Mapped[int] = mapped_column(BigInteger, default=0)
