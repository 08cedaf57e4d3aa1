"""District year plans (budget and planned headcount per district per year), set by city staff."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, UniqueConstraint
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
