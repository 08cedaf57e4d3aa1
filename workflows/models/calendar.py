"""The official working-day calendar (国务院办公厅关于部分节假日安排的通知, one per year), kept by admins.

``HolidayYear`` says, per year, whether the calendar is confirmed from the State Council's notice
(``confirmed``) or only the maintained library's estimate (``estimated``), and which notice it follows.
``HolidayDay`` lists the exceptions to "Monday to Friday": holidays (``is_working`` False) and make-up
working days on a weekend (``is_working`` True). ``EstimatedDeadline`` remembers each deadline that was
counted in working days through an estimated year, so it can be recomputed once the year is confirmed.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from workflows.db import Base, UTCDateTime, utcnow


class HolidayYear(Base):
    __tablename__ = "holiday_year"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    # 'confirmed' (the notice is entered) or 'estimated' (the library's estimate, to be confirmed).
    status: Mapped[str] = mapped_column(String(20), default="estimated")
    source_notice: Mapped[str] = mapped_column(String(300), default="")
    updated_by_name: Mapped[str] = mapped_column(String(100), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class HolidayDay(Base):
    __tablename__ = "holiday_day"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    year: Mapped[int] = mapped_column(ForeignKey("holiday_year.year", ondelete="CASCADE"), index=True)
    is_working: Mapped[bool] = mapped_column(Boolean, default=False)
    name: Mapped[str] = mapped_column(String(50), default="")


class EstimatedDeadline(Base):
    """A deadline in task data (``variable``) counted ``days`` working days from ``counted_from`` through
    the estimated ``years``; recomputed (and deleted) when those years are confirmed."""

    __tablename__ = "estimated_deadline"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("workflow_instance.id", ondelete="CASCADE"), index=True)
    variable: Mapped[str] = mapped_column(String(50))
    counted_from: Mapped[date] = mapped_column(Date)
    days: Mapped[int] = mapped_column(Integer)
    years: Mapped[list[int]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
